#include "kafka/admin.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "kafka/rdkafka_config.hpp"

namespace jieshui::kafka {
namespace {

// RAII for librdkafka C objects.
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using Options = std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter>;

absl::StatusOr<Event> Await(rd_kafka_queue_t* queue, rd_kafka_event_type_t expected,
                            std::chrono::milliseconds timeout) {
  Event event(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000));
  if (!event) {
    return absl::DeadlineExceededError("kafka admin: no answer from the broker in time");
  }
  if (rd_kafka_event_type(event.get()) != expected) {
    return absl::InternalError(
        absl::StrCat("kafka admin: unexpected event ", rd_kafka_event_name(event.get())));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka admin: ", rd_kafka_event_error_string(event.get())));
  }
  return event;
}

Options MakeOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
  Options options(rd_kafka_AdminOptions_new(rk, op));
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), err,
                                            sizeof(err));
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()),
                                                err, sizeof(err));
  }
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(const std::string& bootstrap_servers) {
  auto conf =
      BuildConfig({{"bootstrap.servers", bootstrap_servers}, {"client.id", "jieshui-admin"}});
  if (!conf.ok()) {
    return conf.status();
  }
  std::unique_ptr<Admin> self(new Admin());
  std::string err;
  self->handle_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!self->handle_) {
    return absl::InvalidArgumentError(absl::StrCat("kafka admin: ", err));
  }
  return self;
}

Admin::~Admin() = default;

absl::Status Admin::EnsureTopics(const std::vector<TopicSpec>& topics,
                                 std::chrono::milliseconds timeout) {
  if (topics.empty()) {
    return absl::OkStatus();
  }
  rd_kafka_t* rk = handle_->c_ptr();
  std::vector<rd_kafka_NewTopic_t*> news;
  char err[512];
  for (const auto& spec : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                    spec.replication_factor, err, sizeof(err));
    if (nt == nullptr) {
      rd_kafka_NewTopic_destroy_array(news.data(), news.size());
      return absl::InvalidArgumentError(absl::StrCat("topic ", spec.name, ": ", err));
    }
    for (const auto& [key, value] : spec.configs) {
      rd_kafka_NewTopic_set_config(nt, key.c_str(), value.c_str());
    }
    news.push_back(nt);
  }
  Queue queue(rd_kafka_queue_new(rk));
  Options options = MakeOptions(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout);
  rd_kafka_CreateTopics(rk, news.data(), news.size(), options.get(), queue.get());
  rd_kafka_NewTopic_destroy_array(news.data(), news.size());

  auto event = Await(queue.get(), RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeout);
  if (!event.ok()) {
    return event.status();
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event->get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      return absl::UnavailableError(absl::StrCat("create topic ",
                                                 rd_kafka_topic_result_name(results[i]), ": ",
                                                 msg != nullptr ? msg : rd_kafka_err2str(code)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Admin::PartitionCount(const std::string& topic,
                                          std::chrono::milliseconds timeout) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(handle_.get(), topic, nullptr, err));
  if (!t) {
    return absl::InvalidArgumentError(absl::StrCat("topic ", topic, ": ", err));
  }
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode rc =
      handle_->metadata(false, t.get(), &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (rc != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("metadata of ", topic, ": ", RdKafka::err2str(rc)));
  }
  for (const auto* tm : *metadata->topics()) {
    if (tm->topic() == topic) {
      if (tm->err() != RdKafka::ERR_NO_ERROR) {
        return absl::NotFoundError(
            absl::StrCat("topic ", topic, ": ", RdKafka::err2str(tm->err())));
      }
      return static_cast<int>(tm->partitions()->size());
    }
  }
  return absl::NotFoundError(absl::StrCat("topic ", topic, " not found"));
}

absl::StatusOr<std::map<std::string, std::string>> Admin::DescribeTopicConfigs(
    const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_t* rk = handle_->c_ptr();
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  Queue queue(rd_kafka_queue_new(rk));
  Options options = MakeOptions(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout);
  rd_kafka_DescribeConfigs(rk, &resource, 1, options.get(), queue.get());
  rd_kafka_ConfigResource_destroy(resource);
  auto event = Await(queue.get(), RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, timeout);
  if (!event.ok()) {
    return event.status();
  }
  const rd_kafka_DescribeConfigs_result_t* result =
      rd_kafka_event_DescribeConfigs_result(event->get());
  size_t count = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_DescribeConfigs_result_resources(result, &count);
  std::map<std::string, std::string> configs;
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_ConfigResource_error(resources[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::NotFoundError(absl::StrCat("describe configs of ", topic, ": ",
                                              rd_kafka_ConfigResource_error_string(resources[i])));
    }
    size_t n = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[i], &n);
    for (size_t j = 0; j < n; ++j) {
      const char* value = rd_kafka_ConfigEntry_value(entries[j]);
      configs[rd_kafka_ConfigEntry_name(entries[j])] = value != nullptr ? value : "";
    }
  }
  return configs;
}

absl::Status Admin::DeleteTopics(const std::vector<std::string>& topics,
                                 std::chrono::milliseconds timeout) {
  rd_kafka_t* rk = handle_->c_ptr();
  std::vector<rd_kafka_DeleteTopic_t*> dels;
  dels.reserve(topics.size());
  for (const auto& t : topics) {
    dels.push_back(rd_kafka_DeleteTopic_new(t.c_str()));
  }
  Queue queue(rd_kafka_queue_new(rk));
  Options options = MakeOptions(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout);
  rd_kafka_DeleteTopics(rk, dels.data(), dels.size(), options.get(), queue.get());
  rd_kafka_DeleteTopic_destroy_array(dels.data(), dels.size());
  auto event = Await(queue.get(), RD_KAFKA_EVENT_DELETETOPICS_RESULT, timeout);
  return event.ok() ? absl::OkStatus() : event.status();
}

}  // namespace jieshui::kafka
