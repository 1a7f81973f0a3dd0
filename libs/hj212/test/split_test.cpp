#include "hj212/split.hpp"

#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hj212/packet.hpp"

namespace jieshui::hj212 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

const absl::Time kT0 = absl::FromUnixSeconds(1710469800);  // fixed clock: 2024-03-15T02:30:00Z

constexpr char kQn[] = "20240315103000123";
constexpr char kMn[] = "JSWZ0001";

// One packet of a split real-time upload; its CP text is `cp`.
Packet Part(int pnum, int pno, const std::string& cp, const std::string& qn = kQn,
            const std::string& mn = kMn, const std::string& cn = "2011") {
  absl::StatusOr<Packet> p =
      ParsePacket(absl::StrCat("QN=", qn, ";ST=32;CN=", cn, ";PW=123456;MN=", mn,
                               ";Flag=7;PNUM=", pnum, ";PNO=", pno, ";CP=&&", cp, "&&"));
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

// A message in three parts, cut in the middle of items.
constexpr char kCp1[] = "DataTime=20240315103000;w00000-Rtd=12";
constexpr char kCp2[] = ".5,w00000-Flag=N;w010";
constexpr char kCp3[] = "18-Rtd=3,w01018-Flag=D";

void ExpectWhole(const absl::StatusOr<std::optional<Packet>>& result) {
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->has_value());
  const Packet& whole = **result;
  EXPECT_EQ(whole.qn, kQn);
  EXPECT_EQ(whole.mn, kMn);
  EXPECT_EQ(whole.flag, 7);
  EXPECT_EQ(whole.pnum, 3);
  EXPECT_EQ(whole.pno, std::nullopt);
  EXPECT_EQ(whole.cp, absl::StrCat(kCp1, kCp2, kCp3));
  EXPECT_EQ(whole.data_time, kT0);
  ASSERT_EQ(whole.items.size(), 2U);
  EXPECT_THAT(whole.items[0].fields, ElementsAre(Pair("Flag", "N"), Pair("Rtd", "12.5")));
  EXPECT_EQ(whole.items[1].code, "w01018");
  EXPECT_THAT(whole.items[1].fields, ElementsAre(Pair("Flag", "D"), Pair("Rtd", "3")));
}

void ExpectPending(const absl::StatusOr<std::optional<Packet>>& result) {
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_value());
}

TEST(SplitReassemblerTest, InOrder) {
  SplitReassembler r;
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0 + absl::Seconds(1)));
  EXPECT_EQ(r.pending_messages(), 1U);
  EXPECT_EQ(r.pending_bytes(), std::strlen(kCp1) + std::strlen(kCp2));
  ExpectWhole(r.Add(Part(3, 3, kCp3), kT0 + absl::Seconds(2)));
  EXPECT_EQ(r.pending_messages(), 0U);
  EXPECT_EQ(r.pending_bytes(), 0U);
}

TEST(SplitReassemblerTest, OutOfOrder) {
  SplitReassembler r;
  ExpectPending(r.Add(Part(3, 3, kCp3), kT0));
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  ExpectWhole(r.Add(Part(3, 2, kCp2), kT0));
}

TEST(SplitReassemblerTest, DuplicatesAreIgnored) {
  SplitReassembler r;
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0));
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0));
  ExpectPending(r.Add(Part(3, 2, ".7,w00000-Flag=N;w010"), kT0));  // the first copy counts
  EXPECT_EQ(r.pending_bytes(), std::strlen(kCp2));
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  ExpectWhole(r.Add(Part(3, 3, kCp3), kT0));
  // A retransmission after completion starts a new message, which then times out.
  ExpectPending(r.Add(Part(3, 3, kCp3), kT0));
  EXPECT_EQ(r.pending_messages(), 1U);
}

TEST(SplitReassemblerTest, InconsistentPnumIsRejected) {
  SplitReassembler r;
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  absl::StatusOr<std::optional<Packet>> bad = r.Add(Part(4, 2, kCp2), kT0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), StartsWith("PNUM: 4 differs from 3"));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("QN 20240315103000123 MN JSWZ0001"));
  // The message stays pending and completes with consistent packets.
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0));
  ExpectWhole(r.Add(Part(3, 3, kCp3), kT0));
}

TEST(SplitReassemblerTest, InconsistentCnIsRejected) {
  SplitReassembler r;
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  absl::StatusOr<std::optional<Packet>> bad = r.Add(Part(3, 2, kCp2, kQn, kMn, "2051"), kT0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), StartsWith("CN: 2051 differs from 2011"));
}

TEST(SplitReassemblerTest, MessagesAreKeptApartByMnAndQn) {
  SplitReassembler r;
  const std::string other_qn = "20240315103100000";
  ExpectPending(r.Add(Part(2, 1, "DataTime=20240315103000;w00000-Rtd=1"), kT0));
  ExpectPending(r.Add(Part(2, 1, "DataTime=20240315103100;w00000-Rtd=2", other_qn), kT0));
  ExpectPending(r.Add(Part(2, 1, "DataTime=20240315103000;w00000-Rtd=3", kQn, "JSWZ0002"), kT0));
  EXPECT_EQ(r.pending_messages(), 3U);
  absl::StatusOr<std::optional<Packet>> second = r.Add(Part(2, 2, ",w00000-Flag=N", other_qn), kT0);
  ASSERT_TRUE(second.ok() && second->has_value()) << second.status();
  EXPECT_EQ((*second)->qn, other_qn);
  EXPECT_EQ((*second)->items[0].Field("Rtd"), "2");
  EXPECT_EQ(r.pending_messages(), 2U);
}

TEST(SplitReassemblerTest, SinglePacketAndUnsplitPassThrough) {
  SplitReassembler r;
  absl::StatusOr<std::optional<Packet>> one =
      r.Add(Part(1, 1, "DataTime=20240315103000;w00000-Rtd=1"), kT0);
  ASSERT_TRUE(one.ok() && one->has_value()) << one.status();
  EXPECT_EQ((*one)->items[0].Field("Rtd"), "1");

  absl::StatusOr<Packet> plain = ParsePacket(
      "QN=20240315103000123;ST=32;CN=2011;PW=1;MN=A;Flag=5;CP=&&DataTime=20240315103000&&");
  ASSERT_TRUE(plain.ok()) << plain.status();
  absl::StatusOr<std::optional<Packet>> through = r.Add(*plain, kT0);
  ASSERT_TRUE(through.ok() && through->has_value()) << through.status();
  EXPECT_EQ((*through)->mn, "A");
  EXPECT_EQ((*through)->data_time, kT0);
  EXPECT_EQ(r.pending_messages(), 0U);
}

TEST(SplitReassemblerTest, WholeCpThatDoesNotParseIsRejectedAndDropped) {
  SplitReassembler r;
  ExpectPending(r.Add(Part(2, 1, "w00000-Rtd=1"), kT0));
  absl::StatusOr<std::optional<Packet>> bad = r.Add(Part(2, 2, ",w00000-Flag=N"), kT0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), StartsWith("CP: DataTime missing"));
  EXPECT_EQ(r.pending_messages(), 0U);
  EXPECT_EQ(r.pending_bytes(), 0U);
}

TEST(SplitReassemblerTest, HandMadePacketWithoutPnoIsRejected) {
  SplitReassembler r;
  Packet p = Part(3, 1, kCp1);
  p.pno.reset();
  EXPECT_EQ(r.Add(p, kT0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SplitReassemblerTest, Timeout) {
  SplitReassemblerOptions options;
  options.timeout = absl::Minutes(2);
  SplitReassembler r(options);
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0 + absl::Seconds(30)));
  EXPECT_TRUE(r.Expire(kT0 + absl::Minutes(2) - absl::Milliseconds(1)).empty());
  EXPECT_EQ(r.pending_messages(), 1U);

  const std::vector<ExpiredMessage> expired = r.Expire(kT0 + absl::Minutes(2));
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0].qn, kQn);
  EXPECT_EQ(expired[0].mn, kMn);
  EXPECT_EQ(expired[0].pnum, 3);
  EXPECT_EQ(expired[0].received, 2);
  EXPECT_EQ(r.pending_messages(), 0U);
  EXPECT_EQ(r.pending_bytes(), 0U);

  // The last packet arriving late does not complete anything: it starts a new message.
  ExpectPending(r.Add(Part(3, 3, kCp3), kT0 + absl::Minutes(3)));
  EXPECT_EQ(r.pending_messages(), 1U);
}

TEST(SplitReassemblerTest, AddDropsExpiredMessages) {
  SplitReassemblerOptions options;
  options.timeout = absl::Seconds(10);
  SplitReassembler r(options);
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0 + absl::Seconds(11)));
  ExpectPending(r.Add(Part(3, 3, kCp3), kT0 + absl::Seconds(12)));
  EXPECT_EQ(r.pending_messages(), 1U);
  EXPECT_EQ(r.pending_bytes(), std::strlen(kCp2) + std::strlen(kCp3));
}

TEST(SplitReassemblerTest, MaxPendingMessages) {
  SplitReassemblerOptions options;
  options.max_pending_messages = 2;
  SplitReassembler r(options);
  ExpectPending(r.Add(Part(3, 1, kCp1, "20240315103000001"), kT0));
  ExpectPending(r.Add(Part(3, 1, kCp1, "20240315103000002"), kT0));
  absl::StatusOr<std::optional<Packet>> full = r.Add(Part(3, 1, kCp1), kT0);
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(full.status().message()), HasSubstr("2 split messages already pending"));
  // Packets of pending messages are still taken, and a single-packet message needs no room.
  ExpectPending(r.Add(Part(3, 2, kCp2, "20240315103000001"), kT0));
  absl::StatusOr<std::optional<Packet>> single = r.Add(Part(1, 1, "DataTime=20240315103000"), kT0);
  ASSERT_TRUE(single.ok() && single->has_value()) << single.status();
  // Once a message expires there is room again.
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0 + options.timeout));
  EXPECT_EQ(r.pending_messages(), 1U);
}

TEST(SplitReassemblerTest, MaxPendingBytes) {
  SplitReassemblerOptions options;
  options.max_pending_bytes = 60;
  SplitReassembler r(options);
  ExpectPending(r.Add(Part(3, 1, kCp1), kT0));  // 37 bytes
  absl::StatusOr<std::optional<Packet>> over = r.Add(Part(3, 1, kCp1, "20240315103000001"), kT0);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(over.status().message()), HasSubstr("max_pending_bytes"));
  ExpectPending(r.Add(Part(3, 2, kCp2), kT0));  // 37 + 21 = 58
  EXPECT_EQ(r.pending_bytes(), 58U);
  // The last packet is taken although the limit is passed: it frees the message's bytes.
  ExpectWhole(r.Add(Part(3, 3, kCp3), kT0));
  EXPECT_EQ(r.pending_bytes(), 0U);
}

TEST(SplitReassemblerTest, FloodOfFirstPacketsStaysBounded) {
  SplitReassembler r;
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string qn = absl::StrCat("20240315103", absl::Dec(i, absl::kZeroPad6));
    absl::StatusOr<std::optional<Packet>> result =
        r.Add(Part(9999, 1, kCp1, qn), kT0 + absl::Milliseconds(i));
    refused += result.ok() ? 0 : 1;
    EXPECT_LE(r.pending_messages(), SplitReassemblerOptions{}.max_pending_messages);
  }
  EXPECT_EQ(refused, 1000 - static_cast<int>(SplitReassemblerOptions{}.max_pending_messages));
}

}  // namespace
}  // namespace jieshui::hj212
