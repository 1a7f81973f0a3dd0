#include "domain/industry_code.hpp"

#include <array>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace jieshui::domain {
namespace {

struct SectionRange {
  char section;
  int first_division;
  int last_division;
};

// GB/T 4754-2017, the 20 sections (门类) and the divisions (大类) each contains.
constexpr std::array<SectionRange, 20> kSections = {{
    {'A', 1, 5},   {'B', 6, 12},  {'C', 13, 43}, {'D', 44, 46}, {'E', 47, 50},
    {'F', 51, 52}, {'G', 53, 60}, {'H', 61, 62}, {'I', 63, 65}, {'J', 66, 69},
    {'K', 70, 70}, {'L', 71, 72}, {'M', 73, 75}, {'N', 76, 79}, {'O', 80, 82},
    {'P', 83, 83}, {'Q', 84, 85}, {'R', 86, 90}, {'S', 91, 97}, {'T', 98, 98},
}};

const SectionRange* FindSection(char section) {
  for (const SectionRange& range : kSections) {
    if (range.section == section) {
      return &range;
    }
  }
  return nullptr;
}

const SectionRange* SectionOfDivision(int division) {
  for (const SectionRange& range : kSections) {
    if (division >= range.first_division && division <= range.last_division) {
      return &range;
    }
  }
  return nullptr;
}

// Sources: the State Council's 国家节水行动 (2019) and the MIIT/MWR 工业水效提升行动计划 (2022)
// name as high water-use industries thermal power, steel, textiles (dyeing and finishing), paper,
// petroleum refining and chemicals, food and fermentation, and non-ferrous metals; the national
// water-intake quota series GB/T 18916 has a part for each (火力发电, 钢铁, 石油炼制, 纺织染整,
// 造纸, 啤酒, 味精, 氧化铝, 电解铝, 炼焦, 化纤, 氯碱, 合成氨 ...). Codes are the GB/T 4754-2017
// classes those titles map to. Coking is C2521: in the 2017 edition group C252 is 煤炭加工, of
// which 炼焦 is one class (it was group 252 in the 2011 edition).
constexpr std::array<HighWaterUseSector, 19> kDefaultSectors = {{
    {"C31", "黑色金属冶炼和压延加工业", "steel (ferrous smelting and rolling)"},
    {"C2521", "炼焦", "coking"},
    {"C251", "精炼石油产品制造", "petroleum refining"},
    {"C26", "化学原料和化学制品制造业", "chemicals"},
    {"C2612", "无机碱制造", "chlor-alkali (inorganic alkali)"},
    {"C2621", "氮肥制造", "nitrogen fertiliser"},
    {"C22", "造纸和纸制品业", "paper"},
    {"C1713", "棉印染精加工", "cotton dyeing and finishing"},
    {"C1723", "毛染整精加工", "wool dyeing and finishing"},
    {"C1733", "麻染整精加工", "bast fibre dyeing and finishing"},
    {"C1743", "丝印染精加工", "silk dyeing and finishing"},
    {"C1752", "化纤织物染整精加工", "man-made fibre fabric dyeing and finishing"},
    {"C1762", "针织或钩针编织物印染精加工", "knitted fabric dyeing and finishing"},
    {"C28", "化学纤维制造业", "chemical fibre"},
    {"C1513", "啤酒制造", "beer (fermentation)"},
    {"C1461", "味精制造", "MSG (fermentation)"},
    // GB/T 18916.1 (火力发电) covers combined heat and power plants as well.
    {"D4411", "火力发电", "thermal power"},
    {"D4412", "热电联产", "combined heat and power"},
    // Alumina and electrolytic aluminium are both class 3216 铝冶炼.
    {"C3216", "铝冶炼", "alumina and electrolytic aluminium"},
}};

}  // namespace

std::string_view IndustryLevelName(IndustryLevel level) {
  switch (level) {
    case IndustryLevel::kSection:
      return "section";
    case IndustryLevel::kDivision:
      return "division";
    case IndustryLevel::kGroup:
      return "group";
    case IndustryLevel::kClass:
      return "class";
  }
  return "unknown";
}

absl::StatusOr<IndustryCode> IndustryCode::Parse(std::string_view text,
                                                 std::string_view field_name) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: is empty", field_name));
  }
  std::string code(text);
  bool letter_given = absl::ascii_isalpha(static_cast<unsigned char>(code[0]));
  if (letter_given) {
    code[0] = absl::ascii_toupper(static_cast<unsigned char>(code[0]));
  }
  std::string_view digits = std::string_view(code).substr(letter_given ? 1 : 0);
  if (digits.size() > 4 || digits.size() == 1 || (!letter_given && digits.size() < 2)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" must be a section letter followed by nothing, 2, 3 or 4 digits "
                        "(GB/T 4754-2017)",
                        field_name, text));
  }
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(digits[i]))) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: \"%s\" has a non-digit '%c' at position %d", field_name, text,
                          digits[i], i + (letter_given ? 2 : 1)));
    }
  }
  if (letter_given && FindSection(code[0]) == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: \"%s\" has section '%c', GB/T 4754-2017 sections are A-T", field_name, text, code[0]));
  }
  if (digits.empty()) {
    return IndustryCode(std::move(code));
  }
  int division = (digits[0] - '0') * 10 + (digits[1] - '0');
  const SectionRange* owner = SectionOfDivision(division);
  if (owner == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: \"%s\" has division %02d, which GB/T 4754-2017 does not define (01-98)", field_name,
        text, division));
  }
  if (!letter_given) {
    return IndustryCode(std::string(1, owner->section) + code);
  }
  if (owner->section != code[0]) {
    const SectionRange* section = FindSection(code[0]);
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: \"%s\" has division %02d, which belongs to section %c; section %c holds %02d-%02d",
        field_name, text, division, owner->section, section->section, section->first_division,
        section->last_division));
  }
  return IndustryCode(std::move(code));
}

IndustryLevel IndustryCode::level() const {
  switch (value_.size()) {
    case 1:
      return IndustryLevel::kSection;
    case 3:
      return IndustryLevel::kDivision;
    case 4:
      return IndustryLevel::kGroup;
    default:
      return IndustryLevel::kClass;
  }
}

std::optional<int> IndustryCode::division() const {
  if (value_.size() < 3) {
    return std::nullopt;
  }
  return (value_[1] - '0') * 10 + (value_[2] - '0');
}

bool IndustryCode::HasPrefix(const IndustryCode& prefix) const {
  return value_.starts_with(prefix.value_);
}

std::span<const HighWaterUseSector> DefaultHighWaterUseSectors() { return kDefaultSectors; }

std::optional<HighWaterUseSector> FindHighWaterUseSector(
    const IndustryCode& code, std::span<const HighWaterUseSector> sectors) {
  std::optional<HighWaterUseSector> best;
  for (const HighWaterUseSector& sector : sectors) {
    if (code.value().starts_with(sector.code) &&
        (!best.has_value() || sector.code.size() > best->code.size())) {
      best = sector;
    }
  }
  return best;
}

}  // namespace jieshui::domain
