#include "registry/src/core/key_monitored_list.hpp"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "domain/industry_catalogue.hpp"
#include "domain/volume.hpp"

namespace jieshui::registry {
namespace {

std::string YesNo(bool value) { return value ? "是" : "否"; }

std::string CubicMetres(int64_t litres) {
  return domain::Volume::Litres(litres).ToCubicMetresString();
}

}  // namespace

std::string WaterSourceNameZh(v1::WaterSourceKind kind) {
  switch (kind) {
    case v1::WATER_SOURCE_KIND_MUNICIPAL_TAP:
      return "自来水";
    case v1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE:
      return "自备地表水";
    case v1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND:
      return "自备地下水";
    case v1::WATER_SOURCE_KIND_RECLAIMED:
      return "再生水";
    default:
      return "未知";
  }
}

namespace {

// The code's name in GB/T 4754-2017, "" for a code the standard does not list (one registered
// before the registry checked codes against the table).
std::string IndustryName(const std::string& code) {
  absl::StatusOr<domain::IndustryCode> parsed = domain::IndustryCode::Parse(code);
  const domain::IndustryEntry* entry = parsed.ok() ? domain::FindIndustry(*parsed) : nullptr;
  return entry == nullptr ? "" : entry->name;
}

}  // namespace

std::vector<std::string> KeyMonitoredHeader() {
  return {"序号",
          "统一社会信用代码",
          "单位名称",
          "镇（街道）",
          "所属园区",
          "行业代码",
          "行业名称",
          "规模以上",
          "高耗水高污染",
          "地址",
          "取水水源",
          "取水许可证号",
          "许可年取水量（立方米）",
          "上年度取水量（立方米）",
          "取水量年度",
          "联系人",
          "联系电话",
          "节水专员",
          "专员电话",
          "专员任命日期",
          "专员培训证书编号"};
}

std::vector<std::string> KeyMonitoredRow(int seq, const v1::Enterprise& e,
                                         const std::string& park_name) {
  std::vector<std::string> sources;
  std::vector<std::string> permits;
  int64_t permitted = 0;
  for (const v1::WaterSource& source : e.water_sources()) {
    sources.push_back(WaterSourceNameZh(source.kind()));
    if (!source.intake_permit_number().empty()) {
      permits.push_back(source.intake_permit_number());
    }
    permitted += source.permitted_annual_volume().litres();
  }
  const bool has_specialist = e.has_specialist();
  const auto& appointed = e.specialist().appointed_on();
  return {absl::StrCat(seq),
          e.uscc().value(),
          e.name(),
          e.town(),
          park_name,
          e.industry_code().value(),
          IndustryName(e.industry_code().value()),
          YesNo(e.above_scale()),
          YesNo(e.high_water_use_high_pollution()),
          e.address(),
          absl::StrJoin(sources, "；"),
          absl::StrJoin(permits, "；"),
          permitted > 0 ? CubicMetres(permitted) : "",
          e.latest_annual_intake_year() > 0 ? CubicMetres(e.latest_annual_intake().litres()) : "",
          e.latest_annual_intake_year() > 0 ? absl::StrCat(e.latest_annual_intake_year()) : "",
          e.contact().name(),
          e.contact().phone(),
          has_specialist ? e.specialist().name() : "",
          has_specialist ? e.specialist().phone() : "",
          has_specialist ? absl::StrFormat("%04d-%02d-%02d", appointed.year(), appointed.month(),
                                           appointed.day())
                         : "",
          has_specialist ? e.specialist().training_certificate() : ""};
}

}  // namespace jieshui::registry
