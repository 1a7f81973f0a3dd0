#include "kafka/consumer.hpp"

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "kafka/rdkafka_config.hpp"

namespace jieshui::kafka {

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  if (options.group_id.empty()) {
    return absl::InvalidArgumentError("kafka consumer: group_id is required");
  }
  if (options.topics.empty()) {
    return absl::InvalidArgumentError("kafka consumer: at least one topic is required");
  }
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"group.id", options.group_id},
      {"client.id", options.client_id},
      {"auto.offset.reset", options.auto_offset_reset},
      // Read only committed data of transactional producers.
      {"isolation.level", "read_committed"},
  };
  for (const auto& [key, value] : options.extra) {
    props[key] = value;
  }
  // Offsets move only when the caller commits after its effect is durable.
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";

  auto conf = BuildConfig(props);
  if (!conf.ok()) {
    return conf.status();
  }
  std::unique_ptr<Consumer> self(new Consumer());
  std::string err;
  self->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!self->consumer_) {
    return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", err));
  }
  RdKafka::ErrorCode rc = self->consumer_->subscribe(options.topics);
  if (rc != RdKafka::ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka consumer: subscribe: ", RdKafka::err2str(rc)));
  }
  return self;
}

Consumer::~Consumer() { Close(); }

void Consumer::Close() {
  if (consumer_ && !closed_) {
    consumer_->close();
    closed_ = true;
  }
}

absl::StatusOr<std::optional<Message>> Consumer::Poll(std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Message> m(consumer_->consume(static_cast<int>(timeout.count())));
  switch (m->err()) {
    case RdKafka::ERR_NO_ERROR: {
      Message out;
      out.topic = m->topic_name();
      out.partition = m->partition();
      out.offset = m->offset();
      if (m->key() != nullptr) {
        out.key = *m->key();
      }
      out.value.assign(static_cast<const char*>(m->payload()), m->len());
      out.timestamp_ms = m->timestamp().timestamp;
      if (RdKafka::Headers* headers = m->headers(); headers != nullptr) {
        for (const auto& h : headers->get_all()) {
          out.headers.push_back(
              {h.key(), std::string(static_cast<const char*>(h.value()), h.value_size())});
        }
      }
      return std::optional<Message>(std::move(out));
    }
    // Not errors: nothing arrived, or a partition is drained for now.
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF:
    // Topic not created yet (a consumer may start before its producer): keep waiting.
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR__UNKNOWN_PARTITION:
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
      return std::optional<Message>();
    default:
      return absl::UnavailableError(
          absl::StrCat("kafka consume: ", RdKafka::err2str(m->err()), ": ", m->errstr()));
  }
}

absl::Status Consumer::Commit(const Message& message) {
  return Commit({TopicPartitionOffset{message.topic, message.partition, message.offset + 1}});
}

absl::Status Consumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  std::vector<RdKafka::TopicPartition*> parts;
  parts.reserve(offsets.size());
  for (const auto& o : offsets) {
    parts.push_back(RdKafka::TopicPartition::create(o.topic, o.partition, o.offset));
  }
  RdKafka::ErrorCode rc = consumer_->commitSync(parts);
  absl::Status status;
  if (rc != RdKafka::ERR_NO_ERROR) {
    status = absl::UnavailableError(absl::StrCat("kafka commit: ", RdKafka::err2str(rc)));
  } else {
    for (auto* p : parts) {
      if (p->err() != RdKafka::ERR_NO_ERROR) {
        status =
            absl::UnavailableError(absl::StrCat("kafka commit of ", p->topic(), "[", p->partition(),
                                                "]: ", RdKafka::err2str(p->err())));
        break;
      }
    }
  }
  RdKafka::TopicPartition::destroy(parts);
  return status;
}

absl::Status Consumer::Seek(const std::string& topic, int32_t partition, int64_t offset) {
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(topic, partition, offset));
  RdKafka::ErrorCode rc = consumer_->seek(*tp, 5000);
  if (rc != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka seek ", topic, "[", partition, "]@", offset,
                                               ": ", RdKafka::err2str(rc)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TopicPartitionOffset>> Consumer::Assignment() {
  std::vector<RdKafka::TopicPartition*> parts;
  RdKafka::ErrorCode rc = consumer_->assignment(parts);
  if (rc != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka assignment: ", RdKafka::err2str(rc)));
  }
  std::vector<TopicPartitionOffset> out;
  out.reserve(parts.size());
  for (auto* p : parts) {
    out.push_back({p->topic(), p->partition(), p->offset()});
  }
  RdKafka::TopicPartition::destroy(parts);
  return out;
}

}  // namespace jieshui::kafka
