#include "hj212/packet.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "hj212/frame.hpp"
#include "strings/view.hpp"

namespace jieshui::hj212 {
namespace {

constexpr std::string_view kCpStart = "CP=&&";
constexpr std::string_view kCpEnd = "&&";
// HJ 212-2017 6.3.2: MN is up to 24 characters (the registry accepts letters and digits).
constexpr std::size_t kMaxMnLength = 24;
// Text quoted in error messages is cut to this many bytes.
constexpr std::size_t kMaxShown = 32;

using strings::Av;
std::string_view Sv(absl::string_view text) { return {text.data(), text.size()}; }

// ASCII only (absl's classifiers ignore the locale).
bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }
bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

std::string Quoted(std::string_view text) {
  if (text.size() > kMaxShown) {
    return absl::StrCat("\"", Av(text.substr(0, kMaxShown)), "...\"");
  }
  return absl::StrCat("\"", Av(text), "\"");
}

absl::Status Invalid(std::string_view field, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(Av(field), ": ", Av(reason)));
}

int DigitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
  }
  return value;
}

// "yyyyMMddHHmmss" followed by `millis_digits` digits of milliseconds, in Beijing time. Calendar
// fields are checked, not normalised: 20230230... is refused, not read as 2 March.
std::optional<absl::Time> ParseBeijingTime(std::string_view text, std::size_t millis_digits) {
  if (text.size() != 14 + millis_digits || !AllDigits(text)) {
    return std::nullopt;
  }
  const int year = DigitsValue(text.substr(0, 4));
  const int month = DigitsValue(text.substr(4, 2));
  const int day = DigitsValue(text.substr(6, 2));
  const int hour = DigitsValue(text.substr(8, 2));
  const int minute = DigitsValue(text.substr(10, 2));
  const int second = DigitsValue(text.substr(12, 2));
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return std::nullopt;
  }
  const int millis = DigitsValue(text.substr(14));
  return absl::FromCivil(civil, BeijingTimeZone()) + absl::Milliseconds(millis);
}

absl::StatusOr<int> ParseSmallInt(std::string_view field, std::string_view text,
                                  std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits || !AllDigits(text)) {
    return Invalid(field,
                   absl::StrCat(Quoted(text), " is not a number of 1-", max_digits, " digits"));
  }
  return DigitsValue(text);
}

// The header fields before "CP=&&", in any order.
absl::Status ParseHeader(std::string_view header, Packet* packet) {
  std::optional<std::string_view> qn;
  std::optional<std::string_view> st;
  std::optional<std::string_view> cn;
  std::optional<std::string_view> pw;
  std::optional<std::string_view> mn;
  std::optional<std::string_view> flag;
  std::optional<std::string_view> pnum;
  std::optional<std::string_view> pno;
  const std::array<std::pair<std::string_view, std::optional<std::string_view>*>, 8> known = {{
      {"QN", &qn},
      {"ST", &st},
      {"CN", &cn},
      {"PW", &pw},
      {"MN", &mn},
      {"Flag", &flag},
      {"PNUM", &pnum},
      {"PNO", &pno},
  }};
  for (absl::string_view piece : absl::StrSplit(Av(header), ';', absl::SkipEmpty())) {
    const std::string_view field = Sv(piece);
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
      return Invalid("header", absl::StrCat(Quoted(field), " is not key=value"));
    }
    const std::string_view key = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    for (const auto& [name, slot] : known) {
      if (key == name) {
        if (slot->has_value()) {
          return Invalid(name, "appears twice");
        }
        *slot = value;
      }
    }
  }
  for (const auto& [name, slot] : known) {
    if (name != "PNUM" && name != "PNO" && !slot->has_value()) {
      return Invalid(name, "missing");
    }
  }

  const std::optional<absl::Time> qn_time = ParseBeijingTime(*qn, 3);
  if (!qn_time) {
    return Invalid("QN", absl::StrCat(Quoted(*qn), " is not a valid yyyyMMddHHmmssZZZ"));
  }
  if (st->size() != 2 || !AllDigits(*st)) {
    return Invalid("ST", absl::StrCat(Quoted(*st), " is not 2 digits"));
  }
  if (cn->size() != 4 || !AllDigits(*cn)) {
    return Invalid("CN", absl::StrCat(Quoted(*cn), " is not 4 digits"));
  }
  if (mn->empty() || mn->size() > kMaxMnLength || !std::all_of(mn->begin(), mn->end(), IsAlnum)) {
    return Invalid("MN", absl::StrCat(Quoted(*mn), " is not 1-24 letters and digits"));
  }
  absl::StatusOr<int> flag_value = ParseSmallInt("Flag", *flag, 3);
  if (!flag_value.ok()) {
    return flag_value.status();
  }
  if (*flag_value > 255) {
    return Invalid("Flag", absl::StrCat(*flag_value, " is over 255 (one byte of bits)"));
  }
  packet->qn = std::string(*qn);
  packet->qn_time = *qn_time;
  packet->st = std::string(*st);
  packet->cn = std::string(*cn);
  packet->pw = std::string(*pw);
  packet->mn = std::string(*mn);
  packet->flag = *flag_value;

  // PNUM and PNO (4 digits each) are required for a split packet and kept, if consistent, when
  // an unsplit one carries them too (some gateways always send PNUM=1;PNO=1).
  if (packet->split() && !pnum) {
    return Invalid("PNUM", "missing (Flag marks a split packet)");
  }
  if (packet->split() && !pno) {
    return Invalid("PNO", "missing (Flag marks a split packet)");
  }
  if (pnum.has_value() != pno.has_value()) {
    return Invalid(pnum ? "PNO" : "PNUM", "missing (the other of PNUM and PNO is present)");
  }
  if (pnum) {
    absl::StatusOr<int> total = ParseSmallInt("PNUM", *pnum, 4);
    if (!total.ok()) {
      return total.status();
    }
    absl::StatusOr<int> number = ParseSmallInt("PNO", *pno, 4);
    if (!number.ok()) {
      return number.status();
    }
    if (*total < 1) {
      return Invalid("PNUM", "must be at least 1");
    }
    if (*number < 1 || *number > *total) {
      return Invalid("PNO", absl::StrCat(*number, " is not in 1-", *total, " (PNUM)"));
    }
    packet->pnum = *total;
    packet->pno = *number;
  }
  return absl::OkStatus();
}

// Output order of an item's fields: values first, in the order gateways usually send them, the
// flags last.
int FieldRank(std::string_view name) {
  constexpr std::array<std::string_view, 5> kValues = {"Rtd", "Cou", "Min", "Avg", "Max"};
  const auto* it = std::find(kValues.begin(), kValues.end(), name);
  if (it != kValues.end()) {
    return static_cast<int>(it - kValues.begin());
  }
  if (name == "Flag") {
    return 7;
  }
  if (name == "EFlag") {
    return 8;
  }
  return 6;
}

}  // namespace

bool IsDataCommand(std::string_view cn) {
  return cn == kCnRealTimeData || cn == kCnMinuteData || cn == kCnHourData || cn == kCnDayData;
}

std::optional<DataFlag> ParseDataFlag(std::string_view text) {
  if (text.size() != 1) {
    return std::nullopt;
  }
  switch (text[0]) {
    case 'N':
    case 'F':
    case 'M':
    case 'S':
    case 'D':
    case 'C':
    case 'T':
    case 'B':
      return static_cast<DataFlag>(text[0]);
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> Item::Field(std::string_view name) const {
  const auto it = fields.find(name);
  if (it == fields.end()) {
    return std::nullopt;
  }
  return it->second;
}

absl::TimeZone BeijingTimeZone() {
  // A fixed offset needs no tz database (no file I/O): China has kept UTC+8 without daylight
  // saving since 1991, and HJ 212 timestamps are local clock readings.
  return absl::FixedTimeZone(8 * 60 * 60);
}

std::string FormatDataTime(absl::Time time) {
  // Fields formatted one by one: FormatTime's %Y writes year 224 as "224", not "0224".
  const absl::CivilSecond c = absl::ToCivilSecond(time, BeijingTimeZone());
  return absl::StrFormat("%04d%02d%02d%02d%02d%02d", c.year(), c.month(), c.day(), c.hour(),
                         c.minute(), c.second());
}

std::string FormatQn(absl::Time time) {
  const absl::TimeZone::CivilInfo info = BeijingTimeZone().At(time);
  return absl::StrCat(FormatDataTime(time),
                      absl::StrFormat("%03d", absl::ToInt64Milliseconds(info.subsecond)));
}

absl::StatusOr<Packet> ParsePacket(std::string_view data_segment) {
  const std::size_t cp_at = data_segment.find(kCpStart);
  if (cp_at == std::string_view::npos) {
    return Invalid("CP", "missing (the data segment ends with CP=&&...&&)");
  }
  if (cp_at > 0 && data_segment[cp_at - 1] != ';') {
    return Invalid("CP", "not preceded by ';'");
  }
  std::string_view cp = data_segment.substr(cp_at + kCpStart.size());
  if (cp.size() < kCpEnd.size() || cp.substr(cp.size() - kCpEnd.size()) != kCpEnd) {
    return Invalid("CP", "does not end with &&");
  }
  cp.remove_suffix(kCpEnd.size());

  Packet packet;
  if (absl::Status s = ParseHeader(data_segment.substr(0, cp_at), &packet); !s.ok()) {
    return s;
  }
  packet.cp = std::string(cp);
  if (!packet.split()) {
    if (absl::Status s = ParseCp(&packet); !s.ok()) {
      return s;
    }
  }
  return packet;
}

absl::Status ParseCp(Packet* packet) {
  packet->data_time.reset();
  packet->items.clear();
  packet->parameters.clear();
  absl::flat_hash_map<std::string, std::size_t> item_index;
  for (absl::string_view group : absl::StrSplit(packet->cp, ';', absl::SkipEmpty())) {
    for (absl::string_view piece : absl::StrSplit(group, ',', absl::SkipEmpty())) {
      const std::string_view pair = Sv(piece);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        return Invalid("CP", absl::StrCat(Quoted(pair), " is not key=value"));
      }
      const std::string_view key = pair.substr(0, eq);
      const std::string_view value = pair.substr(eq + 1);
      if (key.empty()) {
        return Invalid("CP", absl::StrCat(Quoted(pair), " has an empty key"));
      }
      if (value.find_first_of("=&") != std::string_view::npos) {
        return Invalid("CP", absl::StrCat("the value of ", Av(key), " holds '=' or '&'"));
      }
      if (key == "DataTime") {
        if (packet->data_time) {
          return Invalid("CP", "DataTime appears twice");
        }
        packet->data_time = ParseBeijingTime(value, 0);
        if (!packet->data_time) {
          return Invalid(
              "CP", absl::StrCat("DataTime ", Quoted(value), " is not a valid yyyyMMddHHmmss"));
        }
        continue;
      }
      const std::size_t dash = key.find('-');
      if (dash == std::string_view::npos) {
        packet->parameters.emplace_back(key, value);
        continue;
      }
      const std::string_view code = key.substr(0, dash);
      const std::string_view field = key.substr(dash + 1);
      if (code.empty() || field.empty()) {
        return Invalid("CP", absl::StrCat(Quoted(key), " is not code-Field"));
      }
      auto [it, inserted] = item_index.try_emplace(std::string(code), packet->items.size());
      if (inserted) {
        packet->items.push_back(Item{std::string(code), {}});
      }
      Item& item = packet->items[it->second];
      if (!item.fields.try_emplace(std::string(field), value).second) {
        return Invalid("CP", absl::StrCat(Av(key), " appears twice"));
      }
    }
  }
  if (IsDataCommand(packet->cn) && !packet->data_time) {
    return Invalid("CP", absl::StrCat("DataTime missing (required for CN ", packet->cn, ")"));
  }
  return absl::OkStatus();
}

std::string DataReply(const Packet& request) {
  return absl::StrCat("QN=", request.qn, ";ST=", Av(kStSystem), ";CN=", Av(kCnDataReply),
                      ";PW=", request.pw, ";MN=", request.mn, ";Flag=", kFlagVersion2017,
                      ";CP=&&&&");
}

absl::StatusOr<std::string> BuildDataFrame(const DataUpload& upload) {
  if ((upload.flag & kFlagSplit) != 0) {
    return Invalid("Flag", "the builder makes one packet: bit 1 (split) must be clear");
  }
  std::string segment = absl::StrCat("QN=", upload.qn, ";ST=", upload.st, ";CN=", upload.cn,
                                     ";PW=", upload.pw, ";MN=", upload.mn, ";Flag=", upload.flag,
                                     ";CP=&&DataTime=", FormatDataTime(upload.data_time));
  for (const Item& item : upload.items) {
    std::vector<std::pair<std::string_view, std::string_view>> fields(item.fields.begin(),
                                                                      item.fields.end());
    std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
      return FieldRank(a.first) < FieldRank(b.first);
    });
    segment += ';';
    segment += absl::StrJoin(fields, ",", [&item](std::string* out, const auto& field) {
      absl::StrAppend(out, item.code, "-", Av(field.first), "=", Av(field.second));
    });
  }
  segment += "&&";

  // What the parser refuses, the builder refuses: the frame must read back as the upload.
  absl::StatusOr<Packet> parsed = ParsePacket(segment);
  if (!parsed.ok()) {
    return parsed.status();
  }
  if (parsed->items != upload.items) {
    return Invalid("items", "a code or field name holds '-', ';', ',', '=' or '&', or is empty");
  }
  return EncodeFrame(segment);
}

}  // namespace jieshui::hj212
