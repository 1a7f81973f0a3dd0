#include "hj212/frame.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::hj212 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The example frame of HJ 212-2017 (set the real-time data interval): its length and CRC are
// the standard's, so it checks the CRC independently of the implementation.
constexpr std::string_view kStandardSegment =
    "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&";
constexpr std::string_view kStandardFrame =
    "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&1C80\r\n";

constexpr std::string_view kUpload =
    "QN=20240315103000123;ST=32;CN=2011;PW=123456;MN=JSWZ0001;Flag=5;"
    "CP=&&DataTime=20240315103000;w00000-Rtd=12.500,w00000-Flag=N&&";

std::string Encoded(std::string_view segment) { return *EncodeFrame(segment); }

// What the decoder yields for its input so far: "frame:<segment>" or "error:<kind>".
std::vector<std::string> Drain(FrameDecoder& decoder) {
  std::vector<std::string> out;
  while (std::optional<FrameDecoder::Result> r = decoder.Next()) {
    if (const auto* frame = std::get_if<Frame>(&*r)) {
      out.push_back("frame:" + frame->data_segment);
    } else {
      out.push_back("error:" + std::string(FrameErrorKindName(std::get<FrameError>(*r).kind)));
    }
  }
  return out;
}

std::vector<std::string> DecodeAll(std::string_view bytes, FrameDecoderOptions options = {}) {
  FrameDecoder decoder(options);
  decoder.Feed(bytes);
  return Drain(decoder);
}

FrameError FirstError(std::string_view bytes, FrameDecoderOptions options = {}) {
  FrameDecoder decoder(options);
  decoder.Feed(bytes);
  while (std::optional<FrameDecoder::Result> r = decoder.Next()) {
    if (const auto* error = std::get_if<FrameError>(&*r)) {
      return *error;
    }
  }
  ADD_FAILURE() << "no error for " << bytes;
  return {};
}

TEST(Crc16Test, CheckValueIsNotModbus) {
  EXPECT_EQ(Crc16("123456789"), 0x2F80);
  EXPECT_NE(Crc16("123456789"), 0x4B37);  // Modbus CRC-16
  EXPECT_EQ(Crc16(""), 0xFFFF);
}

TEST(Crc16Test, StandardExampleFrame) {
  EXPECT_EQ(Crc16(kStandardSegment), 0x1C80);
  EXPECT_EQ(kStandardSegment.size(), 101U);
  EXPECT_EQ(Encoded(kStandardSegment), kStandardFrame);
}

TEST(EncodeFrameTest, LengthCrcAndCrlfRoundTrip) {
  const std::string frame = Encoded(kUpload);
  EXPECT_EQ(frame.substr(0, 6), "##0126");
  EXPECT_EQ(kUpload.size(), 126U);
  EXPECT_EQ(frame.substr(6, kUpload.size()), kUpload);
  EXPECT_EQ(frame.substr(frame.size() - 2), "\r\n");
  EXPECT_EQ(frame.size(), kUpload.size() + kFrameOverhead);
  EXPECT_THAT(DecodeAll(frame), ElementsAre("frame:" + std::string(kUpload)));
}

TEST(EncodeFrameTest, UppercaseHexWithLeadingZeros) {
  // "QN=...;CN=9014;...;CP=&&&&" of a public implementation has CRC 0140.
  const std::string segment =
      "QN=20260706103512345;ST=91;CN=9014;PW=123456;MN=A110000_0001;Flag=8;CP=&&&&";
  EXPECT_EQ(Encoded(segment), "##0075" + segment + "0140\r\n");
}

TEST(EncodeFrameTest, RefusesOver9999Bytes) {
  EXPECT_TRUE(EncodeFrame(std::string(9999, 'x')).ok());
  absl::StatusOr<std::string> too_long = EncodeFrame(std::string(10000, 'x'));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.status().message()), HasSubstr("10000 bytes"));
}

TEST(FrameDecoderTest, StandardFrame) {
  EXPECT_THAT(DecodeAll(kStandardFrame), ElementsAre("frame:" + std::string(kStandardSegment)));
}

TEST(FrameDecoderTest, LowercaseCrcIsAccepted) {
  const std::string segment =
      "QN=20201008154743635;ST=91;CN=9014;PW=123456;MN=SD000001;Flag=9;CP=&&QnRtn=1&&";
  EXPECT_THAT(DecodeAll("##0078" + segment + "71c0\r\n"), ElementsAre("frame:" + segment));
}

TEST(FrameDecoderTest, ByteByByte) {
  const std::string frame = Encoded(kUpload);
  FrameDecoder decoder;
  for (std::size_t i = 0; i + 1 < frame.size(); ++i) {
    decoder.Feed(frame.substr(i, 1));
    EXPECT_FALSE(decoder.Next().has_value()) << "after byte " << i;
  }
  decoder.Feed(frame.substr(frame.size() - 1));
  EXPECT_THAT(Drain(decoder), ElementsAre("frame:" + std::string(kUpload)));
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
  EXPECT_EQ(decoder.discarded_bytes(), 0U);
}

TEST(FrameDecoderTest, SplitAtEveryPosition) {
  const std::string bytes = Encoded(kUpload) + Encoded(kStandardSegment);
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    FrameDecoder decoder;
    decoder.Feed(bytes.substr(0, cut));
    std::vector<std::string> got = Drain(decoder);
    decoder.Feed(bytes.substr(cut));
    for (std::string& s : Drain(decoder)) {
      got.push_back(std::move(s));
    }
    EXPECT_THAT(
        got, ElementsAre("frame:" + std::string(kUpload), "frame:" + std::string(kStandardSegment)))
        << "cut at " << cut;
  }
}

TEST(FrameDecoderTest, TwoFramesInOneFeed) {
  EXPECT_THAT(
      DecodeAll(Encoded(kUpload) + Encoded(kStandardSegment)),
      ElementsAre("frame:" + std::string(kUpload), "frame:" + std::string(kStandardSegment)));
}

TEST(FrameDecoderTest, GarbageBeforeAndBetweenFrames) {
  const std::string bytes =
      "hello\r\n" + Encoded(kUpload) + std::string("\x00\xFF#x", 4) + Encoded(kStandardSegment);
  FrameDecoder decoder;
  decoder.Feed(bytes);
  EXPECT_THAT(Drain(decoder),
              ElementsAre("error:garbage", "frame:" + std::string(kUpload), "error:garbage",
                          "frame:" + std::string(kStandardSegment)));
  EXPECT_EQ(decoder.discarded_bytes(), 7U + 4U);
  const FrameError error = FirstError("hello##");
  EXPECT_EQ(error.discarded_bytes, 5U);
  EXPECT_THAT(error.message, HasSubstr("5 bytes before \"##\": \"hello\""));
}

TEST(FrameDecoderTest, GarbageRunSpanningFeedsIsReportedOnce) {
  FrameDecoder decoder;
  decoder.Feed("abc");
  EXPECT_THAT(Drain(decoder), ElementsAre("error:garbage"));
  decoder.Feed("defgh#");
  EXPECT_THAT(Drain(decoder), ElementsAre());
  EXPECT_EQ(decoder.buffered_bytes(), 1U);  // the '#' may start "##"
  decoder.Feed(Encoded(kUpload).substr(1));
  EXPECT_THAT(Drain(decoder), ElementsAre("frame:" + std::string(kUpload)));
  EXPECT_EQ(decoder.discarded_bytes(), 8U);
}

TEST(FrameDecoderTest, BadCrcThenGoodFrame) {
  std::string bad = Encoded(kUpload);
  bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';
  const std::string bytes = bad + Encoded(kStandardSegment);
  EXPECT_THAT(DecodeAll(bytes),
              ElementsAre("error:bad_crc", "frame:" + std::string(kStandardSegment)));

  const FrameError error = FirstError(bytes);
  EXPECT_EQ(error.actual_crc, Crc16(kUpload));
  EXPECT_NE(error.expected_crc, error.actual_crc);
  EXPECT_THAT(error.message, HasSubstr("CRC mismatch: frame says "));
  EXPECT_EQ(error.discarded_bytes, bad.size());
  EXPECT_EQ(error.ToStatus().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(error.ToStatus().message()), HasSubstr("frame: CRC mismatch"));
}

TEST(FrameDecoderTest, CorruptedDataSegment) {
  std::string bad = Encoded(kUpload);
  bad[30] = 'X';
  EXPECT_THAT(DecodeAll(bad + Encoded(kUpload)),
              ElementsAre("error:bad_crc", "frame:" + std::string(kUpload)));
}

TEST(FrameDecoderTest, CrcNotHex) {
  const std::string bytes = "##0004abcdXYZW\r\n" + Encoded(kUpload);
  EXPECT_THAT(DecodeAll(bytes), ElementsAre("error:bad_crc", "frame:" + std::string(kUpload)));
  EXPECT_THAT(FirstError(bytes).message, HasSubstr("\"XYZW\" is not 4 hex digits"));
}

TEST(FrameDecoderTest, NonDigitLengthIsReportedAtOnce) {
  FrameDecoder decoder;
  decoder.Feed("##01x");
  EXPECT_THAT(Drain(decoder), ElementsAre("error:bad_length"));
  decoder.Feed("5QN=...");  // the rest of the bad frame: already reported
  decoder.Feed(Encoded(kUpload));
  EXPECT_THAT(Drain(decoder), ElementsAre("frame:" + std::string(kUpload)));
  EXPECT_THAT(FirstError("##-100").message, HasSubstr("length \"-100\" is not 4 decimal digits"));
}

TEST(FrameDecoderTest, ThirdHashStartsTheFrame) {
  EXPECT_THAT(DecodeAll("#" + Encoded(kUpload)),
              ElementsAre("error:bad_length", "frame:" + std::string(kUpload)));
}

TEST(FrameDecoderTest, LengthOverConfiguredMax) {
  const std::string frame = Encoded(kUpload);  // 126 bytes of data
  FrameDecoderOptions options;
  options.max_data_length = 110;
  EXPECT_THAT(DecodeAll(frame + Encoded(kStandardSegment), options),
              ElementsAre("error:too_long", "frame:" + std::string(kStandardSegment)));
  EXPECT_THAT(FirstError(frame, options).message, HasSubstr("length 126 is over the limit 110"));
  options.max_data_length = 126;
  EXPECT_THAT(DecodeAll(frame, options), ElementsAre("frame:" + std::string(kUpload)));
}

TEST(FrameDecoderTest, MissingCrlf) {
  std::string no_crlf = Encoded(kUpload);
  no_crlf.resize(no_crlf.size() - 2);
  EXPECT_THAT(DecodeAll(no_crlf + Encoded(kStandardSegment)),
              ElementsAre("error:missing_crlf", "frame:" + std::string(kStandardSegment)));
  std::string lf_only = Encoded(kUpload);
  lf_only.erase(lf_only.size() - 2, 1);
  EXPECT_THAT(DecodeAll(lf_only), ElementsAre("error:missing_crlf"));
  std::string cr_then_x = Encoded(kUpload);
  cr_then_x.back() = 'x';
  EXPECT_THAT(DecodeAll(cr_then_x), ElementsAre("error:missing_crlf"));
}

TEST(FrameDecoderTest, LengthTooShortOrTooLong) {
  // A length that is 1 short puts the last '&' where the CRC should be.
  std::string segment(kUpload);
  std::string short_length = Encoded(segment);
  short_length.replace(2, 4, "0125");
  EXPECT_THAT(DecodeAll(short_length + Encoded(kStandardSegment)),
              ElementsAre("error:bad_crc", "frame:" + std::string(kStandardSegment)));
  // A length that is too long swallows the next frame; resynchronising finds it again.
  std::string long_length = Encoded(segment);
  long_length.replace(2, 4, "0200");
  EXPECT_THAT(
      DecodeAll(long_length + Encoded(kStandardSegment) + std::string(100, ' ')),
      ElementsAre("error:bad_crc", "frame:" + std::string(kStandardSegment), "error:garbage"));
}

TEST(FrameDecoderTest, TruncatedFrameThenGoodFrame) {
  const std::string truncated = Encoded(kUpload).substr(0, 60);
  EXPECT_THAT(DecodeAll(truncated + Encoded(kStandardSegment) + Encoded(kStandardSegment)),
              ElementsAre("error:bad_crc", "frame:" + std::string(kStandardSegment),
                          "frame:" + std::string(kStandardSegment)));
}

TEST(FrameDecoderTest, TruncatedFrameWaitsForMoreBytes) {
  FrameDecoder decoder;
  decoder.Feed(Encoded(kUpload).substr(0, 60));
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered_bytes(), 60U);
}

TEST(FrameDecoderTest, EmptyDataSegment) {
  EXPECT_THAT(DecodeAll("##0000FFFF\r\n"), ElementsAre("frame:"));
}

TEST(FrameDecoderTest, GarbageDoesNotGrowTheBuffer) {
  FrameDecoder decoder;
  std::string chunk(4096, 'x');
  chunk[100] = '#';
  for (int i = 0; i < 256; ++i) {  // 1 MiB of garbage
    decoder.Feed(chunk);
    Drain(decoder);
    EXPECT_LE(decoder.buffered_bytes(), 1U);
  }
  EXPECT_EQ(decoder.discarded_bytes(), 256U * 4096U);
  decoder.Feed(Encoded(kUpload));
  EXPECT_THAT(Drain(decoder), ElementsAre("frame:" + std::string(kUpload)));
}

TEST(FrameDecoderTest, AFrameNeverEndingIsBoundedByTheMaxLength) {
  FrameDecoderOptions options;
  options.max_data_length = 1024;
  FrameDecoder decoder(options);
  decoder.Feed("##1024");
  const std::string chunk(1000, 'x');
  std::size_t peak = 0;
  std::vector<std::string> results;
  for (int i = 0; i < 100; ++i) {
    decoder.Feed(chunk);
    for (std::string& s : Drain(decoder)) {
      results.push_back(std::move(s));
    }
    peak = std::max(peak, decoder.buffered_bytes());
  }
  EXPECT_LE(peak, 1024 + kFrameOverhead + chunk.size());
  EXPECT_THAT(results, ElementsAre("error:bad_crc"));
  EXPECT_EQ(decoder.buffered_bytes(), 0U);

  FrameDecoder strict(options);
  strict.Feed("##9999");  // refused before any of the 9999 bytes arrive
  EXPECT_THAT(Drain(strict), ElementsAre("error:too_long"));
}

TEST(FrameDecoderTest, MaxAbove9999ActsAs9999) {
  FrameDecoderOptions options;
  options.max_data_length = 1'000'000;
  const std::string big(9999, 'a');
  EXPECT_THAT(DecodeAll(Encoded(big), options), ElementsAre("frame:" + big));
}

TEST(FrameErrorKindTest, Names) {
  EXPECT_EQ(FrameErrorKindName(FrameErrorKind::kGarbage), "garbage");
  EXPECT_EQ(FrameErrorKindName(FrameErrorKind::kBadLength), "bad_length");
  EXPECT_EQ(FrameErrorKindName(FrameErrorKind::kTooLong), "too_long");
  EXPECT_EQ(FrameErrorKindName(FrameErrorKind::kBadCrc), "bad_crc");
  EXPECT_EQ(FrameErrorKindName(FrameErrorKind::kMissingCrlf), "missing_crlf");
}

}  // namespace
}  // namespace jieshui::hj212
