// ReadXlsx and ReadXlsxPart: not yet (the reader follows in the next commit).
#include "absl/status/status.h"
#include "sheet/sheet.hpp"

namespace jieshui::sheet {

absl::StatusOr<std::vector<ReadSheet>> ReadXlsx(std::string_view /*bytes*/) {
  return absl::UnimplementedError("sheet::ReadXlsx is not implemented yet");
}

absl::StatusOr<std::string> ReadXlsxPart(std::string_view /*bytes*/, std::string_view /*part*/) {
  return absl::UnimplementedError("sheet::ReadXlsxPart is not implemented yet");
}

}  // namespace jieshui::sheet
