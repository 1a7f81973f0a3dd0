// Unit tests of the key-monitored list's rows.
#include "registry/src/core/key_monitored_list.hpp"

#include <gtest/gtest.h>

namespace jieshui::registry {
namespace {

TEST(KeyMonitoredList, HeaderIsChineseAndRowsLineUp) {
  const std::vector<std::string> header = KeyMonitoredHeader();
  EXPECT_EQ(header[0], "序号");
  EXPECT_EQ(header[1], "统一社会信用代码");
  EXPECT_EQ(header[2], "单位名称");

  v1::Enterprise e;
  e.mutable_uscc()->set_value("91350200776049653A");
  e.set_name("苏州吴中印染有限公司");
  e.set_town("木渎镇");
  e.mutable_industry_code()->set_value("C1713");
  e.set_above_scale(true);
  auto* ground = e.add_water_sources();
  ground->set_kind(v1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND);
  ground->set_intake_permit_number("P-12");
  ground->mutable_permitted_annual_volume()->set_litres(300'000'500);
  e.add_water_sources()->set_kind(v1::WATER_SOURCE_KIND_MUNICIPAL_TAP);
  e.mutable_latest_annual_intake()->set_litres(250'000'000);
  e.set_latest_annual_intake_year(2025);

  const std::vector<std::string> row = KeyMonitoredRow(3, e, "吴中经济技术开发区");
  ASSERT_EQ(row.size(), header.size());
  auto cell = [&](const std::string& column) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == column) {
        return row[i];
      }
    }
    ADD_FAILURE() << "no column " << column;
    return std::string();
  };
  EXPECT_EQ(cell("序号"), "3");
  EXPECT_EQ(cell("所属园区"), "吴中经济技术开发区");
  EXPECT_EQ(cell("行业代码"), "C1713");
  EXPECT_EQ(cell("行业名称"), "棉印染精加工");  // GB/T 4754-2017
  EXPECT_EQ(cell("规模以上"), "是");
  EXPECT_EQ(cell("高耗水高污染"), "否");
  EXPECT_EQ(cell("取水水源"), "自备地下水；自来水");
  EXPECT_EQ(cell("取水许可证号"), "P-12");
  EXPECT_EQ(cell("许可年取水量（立方米）"), "300000.500");
  EXPECT_EQ(cell("上年度取水量（立方米）"), "250000.000");
  EXPECT_EQ(cell("节水专员"), "");
}

}  // namespace
}  // namespace jieshui::registry
