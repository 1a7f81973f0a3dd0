// HJ 212-2017 data segments: parsing an upload (QN, ST, CN, PW, MN, Flag, PNUM/PNO, CP with its
// DataTime and per-code values), the data reply (CN 9014), and building upload frames.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jieshui::hj212 {

// Command numbers (CN) of uploads and of the reply (HJ 212-2017 command table).
inline constexpr std::string_view kCnRealTimeData = "2011";
inline constexpr std::string_view kCnMinuteData = "2051";
inline constexpr std::string_view kCnHourData = "2061";
inline constexpr std::string_view kCnDayData = "2031";
inline constexpr std::string_view kCnDataReply = "9014";
// True for the four data uploads above, whose CP must carry a DataTime.
bool IsDataCommand(std::string_view cn);

// System code (ST) 91: system interaction, used by replies.
inline constexpr std::string_view kStSystem = "91";

// Flag bits (HJ 212-2017 6.3.2): bit 0 (A) the sender wants a reply, bit 1 (D) the message is
// split into PNUM packets; bits 2-7 carry the protocol version, 000001 for HJ 212-2017, so a
// 2017 device sends Flag=4 (no reply wanted) or Flag=5 (reply wanted).
inline constexpr int kFlagAckWanted = 1;
inline constexpr int kFlagSplit = 2;
inline constexpr int kFlagVersion2017 = 4;

// Flow: w00000 in HJ 212-2017 (B01 in HJ/T 212-2005).
inline constexpr std::string_view kCodeFlow = "w00000";
inline constexpr std::string_view kCodeFlow2005 = "B01";

// The data flag of a value ("code-Flag=N").
enum class DataFlag : char {
  kNormal = 'N',
  kStopped = 'F',
  kMaintenance = 'M',
  kManual = 'S',
  kFault = 'D',
  kCalibration = 'C',
  kOverRange = 'T',
  kCommsError = 'B',
};
// std::nullopt for anything but the single letters above.
std::optional<DataFlag> ParseDataFlag(std::string_view text);

// One monitored code's values in CP: "w00000-Rtd=12.5,w00000-Flag=N" becomes code "w00000" with
// fields {"Flag": "N", "Rtd": "12.5"}. Real-time data carries Rtd; minute, hour and day data Cou
// (cumulative or total), Avg, Min, Max. Values keep their decimal text: callers parse exactly.
struct Item {
  std::string code;
  std::map<std::string, std::string, std::less<>> fields;

  // The field's text, std::nullopt when the item has none.
  std::optional<std::string_view> Field(std::string_view name) const;

  friend bool operator==(const Item&, const Item&) = default;
};

// A parsed data segment.
struct Packet {
  std::string qn;  // request number: yyyyMMddHHmmssZZZ, Beijing time
  std::string st;  // system code, 2 digits
  std::string cn;  // command number, 4 digits
  std::string pw;  // access password (echoed in replies)
  std::string mn;  // device (monitoring point) number, 1-24 letters and digits
  int flag = 0;
  std::optional<int> pnum;  // split packets: total packets and this packet's number, 1-based
  std::optional<int> pno;
  absl::Time qn_time;  // QN as an instant

  // The text between "CP=&&" and the final "&&".
  std::string cp;
  // CP's contents. Not filled for one packet of a split message (its CP may end mid-item):
  // SplitReassembler fills them for the whole message.
  std::optional<absl::Time> data_time;  // DataTime (Beijing time); required for data commands
  std::vector<Item> items;              // "code-Field=value" pairs grouped by code, in order
  // Pairs without a code ("QnRtn=1", "SystemTime=..."), in order.
  std::vector<std::pair<std::string, std::string>> parameters;

  bool ack_wanted() const { return (flag & kFlagAckWanted) != 0; }
  bool split() const { return (flag & kFlagSplit) != 0; }
};

// Parses a data segment "QN=..;ST=..;CN=..;PW=..;MN=..;Flag=..;[PNUM=..;PNO=..;]CP=&&...&&"
// (HJ 212-2017 6.3.2). Header fields may come in any order; unknown ones are ignored. In CP,
// groups are separated by ';' (a trailing or doubled ';' is accepted) and the pairs of a group by
// ','; a code's fields may be spread over several groups. Errors are INVALID_ARGUMENT naming the
// field: "MN: missing", "QN: \"2023\" is not yyyyMMddHHmmssZZZ", "CP: DataTime appears twice".
// A split packet (Flag bit 1) keeps CP unparsed; see Packet::cp.
absl::StatusOr<Packet> ParsePacket(std::string_view data_segment);

// Parses packet->cp into data_time, items and parameters (ParsePacket does this for a packet that
// is not split). Errors as ParsePacket's, prefixed "CP: ".
absl::Status ParseCp(Packet* packet);

// The data segment of the data reply (数据应答) to an upload: HJ 212-2017 lists CN 9014 in its
// command table, and its example of a real-time data upload answers
// "QN=<upload's QN>;ST=91;CN=9014;PW=<PW>;MN=<MN>;Flag=4;CP=&&&&" (Flag=4: version 2017, no reply
// wanted). Send it (EncodeFrame) when request.ack_wanted().
std::string DataReply(const Packet& request);

// Beijing time as HJ 212 writes it: QN "yyyyMMddHHmmssZZZ", DataTime "yyyyMMddHHmmss".
std::string FormatQn(absl::Time time);
std::string FormatDataTime(absl::Time time);
// HJ 212 timestamps are Beijing time (UTC+8, no daylight saving since 1991).
absl::TimeZone BeijingTimeZone();

// An upload to build (tests, simulators, benchmarks).
struct DataUpload {
  std::string qn;
  std::string st;
  std::string cn;
  std::string pw;
  std::string mn;
  int flag = kFlagVersion2017;  // must not have kFlagSplit: the builder makes one packet
  absl::Time data_time;
  std::vector<Item> items;  // fields written Rtd, Cou, Min, Avg, Max, others by name, then Flag
};

// The full frame of `upload`. INVALID_ARGUMENT when ParsePacket would refuse the data segment
// (bad QN, a value holding ';', ',', '=' or '&', ...) or it exceeds 9999 bytes.
absl::StatusOr<std::string> BuildDataFrame(const DataUpload& upload);

}  // namespace jieshui::hj212
