// 重点监控用水单位名录: the key-monitored list as rows with Chinese column headings, the form the
// Water Affairs Bureau files and shares it in.
#pragma once

#include <string>
#include <vector>

#include "jieshui/registry/v1/resources.pb.h"

namespace jieshui::registry {

std::vector<std::string> KeyMonitoredHeader();
// One row; `seq` is the 1-based 序号, `park_name` the name of the enterprise's park ("" if none).
std::vector<std::string> KeyMonitoredRow(int seq, const v1::Enterprise& enterprise,
                                         const std::string& park_name);
// 自来水, 自备地表水, 自备地下水, 再生水.
std::string WaterSourceNameZh(v1::WaterSourceKind kind);

}  // namespace jieshui::registry
