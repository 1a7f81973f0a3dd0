#include "kafka/topic_reader.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kafka/rdkafka_config.hpp"

namespace jieshui::kafka {

absl::StatusOr<std::unique_ptr<TopicReader>> TopicReader::Create(
    const std::string& bootstrap_servers, const std::string& topic,
    const std::map<int32_t, int64_t>& start) {
  // group.id is required by the KafkaConsumer class even when partitions are assigned by hand;
  // with assign() and no commits the group is never joined.
  auto conf = BuildConfig({{"bootstrap.servers", bootstrap_servers},
                           {"group.id", "jieshui-topic-reader"},
                           {"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"},
                           {"enable.partition.eof", "false"},
                           {"isolation.level", "read_committed"}});
  if (!conf.ok()) {
    return conf.status();
  }
  std::unique_ptr<TopicReader> self(new TopicReader());
  self->topic_ = topic;
  std::string err;
  self->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!self->consumer_) {
    return absl::InvalidArgumentError(absl::StrCat("kafka topic reader: ", err));
  }
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(self->consumer_.get(), topic, nullptr, err));
  // A topic created a moment ago may take a little while to appear in the metadata.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    RdKafka::Metadata* raw = nullptr;
    RdKafka::ErrorCode rc = self->consumer_->metadata(false, handle.get(), &raw, 10000);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (rc != RdKafka::ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("kafka topic reader: metadata of ", topic, ": ", RdKafka::err2str(rc)));
    }
    for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
      if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR) {
        self->partitions_ = static_cast<int>(t->partitions()->size());
      }
    }
    if (self->partitions_ > 0 || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (self->partitions_ == 0) {
    return absl::NotFoundError(absl::StrCat("kafka topic reader: topic ", topic, " not found"));
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t p = 0; p < self->partitions_; ++p) {
    auto it = start.find(p);
    const int64_t offset = it != start.end() ? it->second : RdKafka::Topic::OFFSET_BEGINNING;
    assignment.push_back(RdKafka::TopicPartition::create(topic, p, offset));
  }
  const RdKafka::ErrorCode rc = self->consumer_->assign(assignment);
  for (RdKafka::TopicPartition* tp : assignment) {
    // NOLINTNEXTLINE(cppcoreguidelines-owning-memory): librdkafka's C++ API hands out raw pointers
    delete tp;
  }
  if (rc != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka topic reader: assign: ", RdKafka::err2str(rc)));
  }
  for (int32_t p = 0; p < self->partitions_; ++p) {
    auto it = start.find(p);
    self->positions_[p] = it != start.end() ? it->second : 0;
  }
  return self;
}

TopicReader::~TopicReader() {
  if (consumer_) {
    consumer_->unassign();
    consumer_->close();
  }
}

absl::StatusOr<std::map<int32_t, int64_t>> TopicReader::EndOffsets(
    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::map<int32_t, int64_t> ends;
  for (int32_t p = 0; p < partitions_; ++p) {
    while (true) {
      int64_t low = 0;
      int64_t high = 0;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      RdKafka::ErrorCode rc = consumer_->query_watermark_offsets(
          topic_, p, &low, &high, static_cast<int>(std::max<int64_t>(left.count(), 100)));
      if (rc == RdKafka::ERR_NO_ERROR) {
        ends[p] = high;
        break;
      }
      // A topic created a moment ago may not have its leaders known yet: these clear by
      // themselves (librdkafka refreshes metadata), so retry until the deadline.
      const bool transient =
          rc == RdKafka::ERR_NOT_LEADER_FOR_PARTITION || rc == RdKafka::ERR_LEADER_NOT_AVAILABLE ||
          rc == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || rc == RdKafka::ERR__UNKNOWN_PARTITION ||
          rc == RdKafka::ERR__TIMED_OUT || rc == RdKafka::ERR__TRANSPORT;
      if (!transient || std::chrono::steady_clock::now() >= deadline) {
        return absl::UnavailableError(absl::StrCat("kafka topic reader: watermarks of ", topic_,
                                                   "/", p, ": ", RdKafka::err2str(rc)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return ends;
}

absl::StatusOr<std::optional<Message>> TopicReader::Poll(std::chrono::milliseconds timeout) {
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
      positions_[out.partition] = out.offset + 1;
      return std::optional<Message>(std::move(out));
    }
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF: {
      // Nothing to return, but the fetch position may have moved past records that are never
      // returned (transaction markers, compacted offsets): take it as the position.
      std::vector<RdKafka::TopicPartition*> parts;
      for (const auto& [partition, offset] : positions_) {
        parts.push_back(RdKafka::TopicPartition::create(topic_, partition));
      }
      if (consumer_->position(parts) == RdKafka::ERR_NO_ERROR) {
        for (RdKafka::TopicPartition* tp : parts) {
          if (tp->offset() >= 0 && tp->offset() > positions_[tp->partition()]) {
            positions_[tp->partition()] = tp->offset();
          }
        }
      }
      for (RdKafka::TopicPartition* tp : parts) {
        delete tp;  // NOLINT(cppcoreguidelines-owning-memory): librdkafka's C++ API
      }
      return std::optional<Message>();
    }
    default:
      if (m->err() == RdKafka::ERR__TRANSPORT || m->err() == RdKafka::ERR__ALL_BROKERS_DOWN) {
        return std::optional<Message>();  // librdkafka reconnects by itself
      }
      return absl::UnavailableError(absl::StrCat("kafka topic reader: ", m->errstr()));
  }
}

bool TopicReader::Reached(const std::map<int32_t, int64_t>& ends) const {
  for (const auto& [partition, end] : ends) {
    auto it = positions_.find(partition);
    // Offsets can skip (compaction, transaction markers): a position at or past the end counts.
    if (end > 0 && (it == positions_.end() || it->second < end)) {
      return false;
    }
  }
  return true;
}

absl::Status TopicReader::CatchUp(std::chrono::milliseconds timeout,
                                  const std::function<absl::Status(const Message&)>& apply) {
  auto ends = EndOffsets();
  if (!ends.ok()) {
    return ends.status();
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Reached(*ends)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::UnavailableError(absl::StrCat("could not read ", topic_, " to its end in time"));
    }
    auto message = Poll(std::chrono::milliseconds(200));
    if (!message.ok()) {
      return message.status();
    }
    if (message->has_value()) {
      if (absl::Status s = apply(**message); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace jieshui::kafka
