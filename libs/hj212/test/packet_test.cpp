#include "hj212/packet.hpp"

#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hj212/frame.hpp"

namespace jieshui::hj212 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

absl::Time Utc(const std::string& rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << rfc3339 << error;
  return t;
}

constexpr char kHeader[] = "QN=20240315103000123;ST=32;CN=2011;PW=123456;MN=JSWZ0001;Flag=5;";

std::string Segment(const std::string& cp, const std::string& header = kHeader) {
  return absl::StrCat(header, "CP=&&", cp, "&&");
}

// The error message of parsing `segment`, which must fail with INVALID_ARGUMENT.
std::string ErrorOf(std::string_view segment) {
  absl::StatusOr<Packet> packet = ParsePacket(segment);
  EXPECT_EQ(packet.status().code(), absl::StatusCode::kInvalidArgument) << segment;
  return std::string(packet.status().message());
}

TEST(ParsePacketTest, RealTimeData) {
  absl::StatusOr<Packet> p = ParsePacket(
      Segment("DataTime=20240315103000;w00000-Rtd=12.500,w00000-Flag=N;w01018-Rtd=0012.30,"
              "w01018-Flag=T"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->qn, "20240315103000123");
  EXPECT_EQ(p->qn_time, Utc("2024-03-15T02:30:00.123Z"));
  EXPECT_EQ(p->st, "32");
  EXPECT_EQ(p->cn, kCnRealTimeData);
  EXPECT_EQ(p->pw, "123456");
  EXPECT_EQ(p->mn, "JSWZ0001");
  EXPECT_EQ(p->flag, 5);
  EXPECT_TRUE(p->ack_wanted());
  EXPECT_FALSE(p->split());
  EXPECT_EQ(p->pnum, std::nullopt);
  EXPECT_EQ(p->pno, std::nullopt);
  EXPECT_EQ(p->data_time, Utc("2024-03-15T02:30:00Z"));  // Beijing 10:30 is 02:30 UTC
  ASSERT_EQ(p->items.size(), 2U);
  EXPECT_EQ(p->items[0].code, kCodeFlow);
  EXPECT_THAT(p->items[0].fields, ElementsAre(Pair("Flag", "N"), Pair("Rtd", "12.500")));
  EXPECT_EQ(p->items[1].code, "w01018");
  EXPECT_EQ(p->items[1].Field("Rtd"), "0012.30");  // the text as sent, not a double
  EXPECT_EQ(p->items[1].Field("Avg"), std::nullopt);
  EXPECT_EQ(ParseDataFlag(*p->items[1].Field("Flag")), DataFlag::kOverRange);
  EXPECT_TRUE(p->parameters.empty());
}

TEST(ParsePacketTest, MinuteHourAndDayData) {
  for (const std::string cn : {"2051", "2061", "2031"}) {
    const std::string header =
        absl::StrCat("QN=20240315110000001;ST=32;CN=", cn, ";PW=123456;MN=JSWZ0001;Flag=4;");
    absl::StatusOr<Packet> p = ParsePacket(
        Segment("DataTime=20240315100000;w00000-Cou=1520.5,w00000-Min=0.1,w00000-Avg=25.3,"
                "w00000-Max=60.2,w00000-Flag=N",
                header));
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_TRUE(IsDataCommand(p->cn));
    EXPECT_FALSE(p->ack_wanted());
    EXPECT_EQ(p->data_time, Utc("2024-03-15T02:00:00Z"));
    ASSERT_EQ(p->items.size(), 1U);
    EXPECT_THAT(p->items[0].fields,
                ElementsAre(Pair("Avg", "25.3"), Pair("Cou", "1520.5"), Pair("Flag", "N"),
                            Pair("Max", "60.2"), Pair("Min", "0.1")));
  }
}

TEST(ParsePacketTest, LenientOnOrderAndSeparators) {
  absl::StatusOr<Packet> p = ParsePacket(
      "MN=JSWZ0001;Flag=4;PW=123456;CN=2011;ST=32;QN=20240315103000123;Vendor=x;"
      "CP=&&w00000-Rtd=1.5;DataTime=20240315103000;;w00000-Flag=N;B01-Rtd=2,,B01-Flag=D;&&");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->mn, "JSWZ0001");
  EXPECT_EQ(p->data_time, Utc("2024-03-15T02:30:00Z"));
  ASSERT_EQ(p->items.size(), 2U);
  EXPECT_EQ(p->items[0].code, "w00000");
  EXPECT_THAT(p->items[0].fields, ElementsAre(Pair("Flag", "N"), Pair("Rtd", "1.5")));
  EXPECT_EQ(p->items[1].code, kCodeFlow2005);
  EXPECT_EQ(ParseDataFlag(*p->items[1].Field("Flag")), DataFlag::kFault);
}

TEST(ParsePacketTest, ParametersWithoutCode) {
  absl::StatusOr<Packet> p =
      ParsePacket("QN=20201008154743635;ST=91;CN=9011;PW=123456;MN=SD000001;Flag=4;CP=&&QnRtn=1&&");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->data_time, std::nullopt);  // not a data command: DataTime not required
  EXPECT_THAT(p->parameters, ElementsAre(Pair("QnRtn", "1")));
  EXPECT_TRUE(p->items.empty());
}

TEST(ParsePacketTest, EmptyCp) {
  absl::StatusOr<Packet> p =
      ParsePacket("QN=20201008154743635;ST=91;CN=9014;PW=123456;MN=SD000001;Flag=4;CP=&&&&");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->cp, "");
  EXPECT_TRUE(p->items.empty());
}

TEST(ParsePacketTest, MissingAndDuplicateHeaderFields) {
  EXPECT_EQ(ErrorOf("QN=20240315103000123;ST=32;CN=2011;PW=123456;Flag=5;"
                    "CP=&&DataTime=20240315103000&&"),
            "MN: missing");
  EXPECT_EQ(ErrorOf("ST=32;CN=2011;PW=1;MN=A;Flag=5;CP=&&DataTime=20240315103000&&"),
            "QN: missing");
  EXPECT_EQ(ErrorOf("QN=20240315103000123;ST=32;CN=2011;MN=A;Flag=5;CP=&&&&"), "PW: missing");
  EXPECT_EQ(ErrorOf("QN=20240315103000123;ST=32;CN=2011;PW=1;MN=A;CP=&&&&"), "Flag: missing");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000", absl::StrCat(kHeader, "MN=B;"))),
            "MN: appears twice");
  EXPECT_EQ(ErrorOf(Segment("", "QN=20240315103000123;ST=32;junk;")),
            "header: \"junk\" is not key=value");
}

TEST(ParsePacketTest, BadHeaderValues) {
  const auto with = [](const std::string& field, const std::string& value) {
    std::string header(kHeader);
    const std::size_t at = header.find(absl::StrCat(field, "="));
    const std::size_t end = header.find(';', at);
    header.replace(at, end - at, absl::StrCat(field, "=", value));
    return ErrorOf(Segment("DataTime=20240315103000", header));
  };
  EXPECT_THAT(with("QN", "2024031510300012"), StartsWith("QN: \"2024031510300012\" is not"));
  EXPECT_THAT(with("QN", "2024031510300012x"), StartsWith("QN:"));
  EXPECT_THAT(with("QN", "20230229103000123"), StartsWith("QN:"));  // not a leap year
  EXPECT_THAT(with("QN", "20240315243000123"), StartsWith("QN:"));  // hour 24
  EXPECT_THAT(with("ST", "3"), StartsWith("ST: \"3\" is not 2 digits"));
  EXPECT_THAT(with("CN", "201"), StartsWith("CN: \"201\" is not 4 digits"));
  EXPECT_THAT(with("CN", "20x1"), StartsWith("CN:"));
  EXPECT_THAT(with("MN", ""), StartsWith("MN: \"\" is not 1-24 letters and digits"));
  EXPECT_THAT(with("MN", "A110000_0001"), StartsWith("MN:"));
  EXPECT_THAT(with("MN", std::string(25, 'A')), StartsWith("MN:"));
  EXPECT_THAT(with("Flag", "x"), StartsWith("Flag: \"x\" is not a number"));
  EXPECT_THAT(with("Flag", "-1"), StartsWith("Flag:"));
  EXPECT_THAT(with("Flag", "256"), StartsWith("Flag: 256 is over 255"));
  EXPECT_TRUE(ParsePacket(Segment("DataTime=20240315103000",
                                  "QN=20240229235959999;ST=32;CN=2011;PW=;MN=" +
                                      std::string(24, '9') + ";Flag=255;PNUM=1;PNO=1;"))
                  .ok());
}

TEST(ParsePacketTest, BadCp) {
  EXPECT_EQ(ErrorOf(kHeader), "CP: missing (the data segment ends with CP=&&...&&)");
  EXPECT_EQ(ErrorOf(absl::StrCat(kHeader, "CP=&&DataTime=20240315103000")),
            "CP: does not end with &&");
  EXPECT_EQ(ErrorOf(absl::StrCat(kHeader, "CP=&&DataTime=20240315103000&&;")),
            "CP: does not end with &&");
  EXPECT_EQ(ErrorOf(absl::StrCat(kHeader, "CP=&&&")), "CP: does not end with &&");
  EXPECT_EQ(ErrorOf("QN=20240315103000123;ST=32;CN=2011;PW=1;MN=A;Flag=5CP=&&&&"),
            "CP: not preceded by ';'");
  EXPECT_EQ(ErrorOf(Segment("w00000-Rtd=1")), "CP: DataTime missing (required for CN 2011)");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;DataTime=20240315103000")),
            "CP: DataTime appears twice");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20230230103000")),
            "CP: DataTime \"20230230103000\" is not a valid yyyyMMddHHmmss");
  EXPECT_THAT(ErrorOf(Segment("DataTime=2024031510300")), StartsWith("CP: DataTime"));
  EXPECT_THAT(ErrorOf(Segment("DataTime=20240315106000")), StartsWith("CP: DataTime"));
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;w00000-Rtd=1,w00000-Rtd=2")),
            "CP: w00000-Rtd appears twice");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;w00000-Rtd")),
            "CP: \"w00000-Rtd\" is not key=value");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;=1")), "CP: \"=1\" has an empty key");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;-Rtd=1")), "CP: \"-Rtd\" is not code-Field");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;w00000-=1")),
            "CP: \"w00000-\" is not code-Field");
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000;w00000-Rtd=1=2")),
            "CP: the value of w00000-Rtd holds '=' or '&'");
}

TEST(ParsePacketTest, SplitPacketKeepsCpUnparsed) {
  absl::StatusOr<Packet> p = ParsePacket(
      "QN=20240315103000123;ST=32;CN=2011;PW=123456;MN=JSWZ0001;Flag=7;PNUM=3;PNO=2;"
      "CP=&&,w00000-Flag=N;w01&&");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->split());
  EXPECT_EQ(p->pnum, 3);
  EXPECT_EQ(p->pno, 2);
  EXPECT_EQ(p->cp, ",w00000-Flag=N;w01");
  EXPECT_EQ(p->data_time, std::nullopt);
  EXPECT_TRUE(p->items.empty());
}

TEST(ParsePacketTest, SplitPacketHeaderErrors) {
  const std::string head = "QN=20240315103000123;ST=32;CN=2011;PW=1;MN=A;Flag=6;";
  EXPECT_EQ(ErrorOf(Segment("", head)), "PNUM: missing (Flag marks a split packet)");
  EXPECT_EQ(ErrorOf(Segment("", head + "PNUM=2;")), "PNO: missing (Flag marks a split packet)");
  EXPECT_EQ(ErrorOf(Segment("", head + "PNUM=2;PNO=3;")), "PNO: 3 is not in 1-2 (PNUM)");
  EXPECT_EQ(ErrorOf(Segment("", head + "PNUM=2;PNO=0;")), "PNO: 0 is not in 1-2 (PNUM)");
  EXPECT_EQ(ErrorOf(Segment("", head + "PNUM=0;PNO=0;")), "PNUM: must be at least 1");
  EXPECT_THAT(ErrorOf(Segment("", head + "PNUM=10000;PNO=1;")), StartsWith("PNUM: \"10000\""));
  EXPECT_EQ(ErrorOf(Segment("DataTime=20240315103000",
                            "QN=20240315103000123;ST=32;CN=2011;PW=1;MN=A;Flag=4;PNO=1;")),
            "PNUM: missing (the other of PNUM and PNO is present)");
}

TEST(DataFlagTest, Letters) {
  EXPECT_EQ(ParseDataFlag("N"), DataFlag::kNormal);
  EXPECT_EQ(ParseDataFlag("F"), DataFlag::kStopped);
  EXPECT_EQ(ParseDataFlag("M"), DataFlag::kMaintenance);
  EXPECT_EQ(ParseDataFlag("S"), DataFlag::kManual);
  EXPECT_EQ(ParseDataFlag("D"), DataFlag::kFault);
  EXPECT_EQ(ParseDataFlag("C"), DataFlag::kCalibration);
  EXPECT_EQ(ParseDataFlag("T"), DataFlag::kOverRange);
  EXPECT_EQ(ParseDataFlag("B"), DataFlag::kCommsError);
  EXPECT_EQ(ParseDataFlag("n"), std::nullopt);
  EXPECT_EQ(ParseDataFlag("NN"), std::nullopt);
  EXPECT_EQ(ParseDataFlag(""), std::nullopt);
}

TEST(DataReplyTest, EchoesQnPwAndMn) {
  absl::StatusOr<Packet> request = ParsePacket(Segment("DataTime=20240315103000"));
  ASSERT_TRUE(request.ok()) << request.status();
  const std::string reply = DataReply(*request);
  EXPECT_EQ(reply, "QN=20240315103000123;ST=91;CN=9014;PW=123456;MN=JSWZ0001;Flag=4;CP=&&&&");
  absl::StatusOr<Packet> parsed = ParsePacket(reply);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->cn, kCnDataReply);
  EXPECT_FALSE(parsed->ack_wanted());
  EXPECT_THAT(*EncodeFrame(reply), StartsWith("##0071QN="));
}

TEST(TimeFormatTest, BeijingTime) {
  const absl::Time t = Utc("2024-12-31T16:05:09.042Z");
  EXPECT_EQ(FormatQn(t), "20250101000509042");
  EXPECT_EQ(FormatDataTime(t), "20250101000509");
  // Early years keep 4 digits, so what ParsePacket accepts formats back the same (found by
  // hj212_fuzz: FormatTime's %Y wrote "224").
  absl::StatusOr<Packet> p = ParsePacket(Segment("DataTime=02240315103000"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(FormatDataTime(*p->data_time), "02240315103000");
}

DataUpload FlowUpload() {
  DataUpload upload;
  upload.qn = "20240315103000123";
  upload.st = "32";
  upload.cn = std::string(kCnMinuteData);
  upload.pw = "123456";
  upload.mn = "JSWZ0001";
  upload.flag = kFlagVersion2017 | kFlagAckWanted;
  upload.data_time = Utc("2024-03-15T02:29:00Z");
  upload.items = {
      Item{"w00000", {{"Cou", "15.200"}, {"Flag", "N"}, {"Avg", "0.253"}, {"Max", "0.9"}}},
      Item{"w01018", {{"Rtd", "12"}, {"Flag", "M"}}},
  };
  return upload;
}

TEST(BuildDataFrameTest, RoundTrip) {
  const DataUpload upload = FlowUpload();
  absl::StatusOr<std::string> frame = BuildDataFrame(upload);
  ASSERT_TRUE(frame.ok()) << frame.status();
  EXPECT_THAT(*frame, HasSubstr("CN=2051;PW=123456;MN=JSWZ0001;Flag=5;CP=&&DataTime=20240315102900;"
                                "w00000-Cou=15.200,w00000-Avg=0.253,w00000-Max=0.9,w00000-Flag=N;"
                                "w01018-Rtd=12,w01018-Flag=M&&"));

  FrameDecoder decoder;
  decoder.Feed(*frame);
  std::optional<FrameDecoder::Result> result = decoder.Next();
  ASSERT_TRUE(result.has_value());
  const auto* decoded = std::get_if<Frame>(&*result);
  ASSERT_NE(decoded, nullptr);
  absl::StatusOr<Packet> p = ParsePacket(decoded->data_segment);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->qn, upload.qn);
  EXPECT_EQ(p->mn, upload.mn);
  EXPECT_EQ(p->flag, upload.flag);
  EXPECT_EQ(p->data_time, upload.data_time);
  EXPECT_EQ(p->items, upload.items);
}

TEST(BuildDataFrameTest, RefusesWhatTheParserWouldRefuse) {
  DataUpload upload = FlowUpload();
  upload.qn = "2024";
  EXPECT_THAT(std::string(BuildDataFrame(upload).status().message()), StartsWith("QN:"));

  upload = FlowUpload();
  upload.items[0].fields["Avg"] = "1;w2-Rtd=3";
  EXPECT_EQ(BuildDataFrame(upload).status().code(), absl::StatusCode::kInvalidArgument);

  upload = FlowUpload();
  upload.items[1].code = "w01-018";
  EXPECT_THAT(std::string(BuildDataFrame(upload).status().message()), StartsWith("items:"));

  upload = FlowUpload();
  upload.flag = kFlagVersion2017 | kFlagSplit;
  EXPECT_THAT(std::string(BuildDataFrame(upload).status().message()), StartsWith("Flag:"));

  upload = FlowUpload();
  upload.items[0].fields["Avg"] = std::string(10000, '1');
  EXPECT_THAT(std::string(BuildDataFrame(upload).status().message()), StartsWith("data segment:"));
}

}  // namespace
}  // namespace jieshui::hj212
