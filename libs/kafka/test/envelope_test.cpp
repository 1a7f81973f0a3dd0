#include "kafka/envelope.hpp"

#include <regex>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "jieshui/common/v1/types.pb.h"
#include "kafka/topics.hpp"

namespace jieshui::kafka {
namespace {

TEST(EnvelopeTest, WrapsAndUnwrapsPayloadWithMetadata) {
  common::v1::Volume volume;
  volume.set_litres(12345);
  const absl::Time at = absl::FromUnixMillis(1700000000123);
  std::string bytes = EncodeEvent(volume, {"ingest", "91350200776049653A", at, "req-1"});

  auto envelope = DecodeEnvelope(bytes);
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->event_type(), "jieshui.common.v1.Volume");
  EXPECT_EQ(envelope->producer(), "ingest");
  EXPECT_EQ(envelope->subject_key(), "91350200776049653A");
  EXPECT_EQ(envelope->correlation_id(), "req-1");
  EXPECT_EQ(envelope->occurred_at().seconds(), 1700000000);
  EXPECT_EQ(envelope->occurred_at().nanos(), 123000000);
  auto payload = UnpackPayload<common::v1::Volume>(*envelope);
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(payload->litres(), 12345);
}

TEST(EnvelopeTest, UnpackingTheWrongTypeNamesBothTypes) {
  common::v1::Volume volume;
  auto envelope = DecodeEnvelope(EncodeEvent(volume, {"x", "k", absl::UnixEpoch(), ""}));
  ASSERT_TRUE(envelope.ok());
  auto wrong = UnpackPayload<common::v1::Money>(*envelope);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("jieshui.common.v1.Money"), std::string::npos);
  EXPECT_NE(wrong.status().message().find("Volume"), std::string::npos);
}

TEST(EnvelopeTest, GarbageIsRejected) {
  EXPECT_EQ(DecodeEnvelope("\xff\xff\xff not protobuf").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeEnvelope("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EnvelopeTest, EventIdsAreUuidV7UniqueAndOrderedByTime) {
  std::set<std::string> ids;
  const int64_t before_ms = absl::ToUnixMillis(absl::Now());
  std::string previous;
  for (int i = 0; i < 10000; ++i) {
    std::string id = NewEventId();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_TRUE(std::regex_match(
        id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
    // The first 48 bits are the time it was made, in Unix milliseconds.
    int64_t ms = 0;
    ASSERT_TRUE(absl::SimpleHexAtoi(id.substr(0, 8) + id.substr(9, 4), &ms)) << id;
    EXPECT_GE(ms, before_ms);
    EXPECT_LE(ms, absl::ToUnixMillis(absl::Now()));
    // Ids of different milliseconds sort by time (within one millisecond the order is random).
    if (!previous.empty() && previous.substr(0, 13) != id.substr(0, 13)) {
      EXPECT_LT(previous, id);
    }
    previous = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(TopicsTest, CompactedTopicsAreCompactedAndOthersRetained) {
  auto specs = topics::StandardTopicSpecs(3, 1, 400);
  ASSERT_EQ(specs.size(), 11u);
  for (const auto& spec : specs) {
    EXPECT_EQ(spec.partitions, 3);
    bool compacted = spec.name == topics::kRegistryEnterprise ||
                     spec.name == topics::kRegistryMeter ||
                     spec.name == topics::kCertificationStatus;
    EXPECT_EQ(spec.configs.at("cleanup.policy"), compacted ? "compact" : "delete") << spec.name;
    if (spec.name == topics::kReportingSubmission) {
      EXPECT_EQ(spec.configs.at("retention.ms"), "-1");  // the record of what was submitted
    } else if (!compacted) {
      EXPECT_EQ(spec.configs.at("retention.ms"), "34560000000") << spec.name;  // 400 days
    }
  }
}

}  // namespace
}  // namespace jieshui::kafka
