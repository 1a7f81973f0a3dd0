// The evaluation schemes as configuration ships them (services/certification/schemes.yaml): read
// into contract messages and validated (core/evaluation.hpp ValidateScheme).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "jieshui/certification/v1/certification_service.pb.h"

namespace jieshui::certification {

// Reads the `schemes` list of the YAML file at `path`. A scheme's `items` may nest lists (YAML
// aliases of shared item lists), which are flattened in order. Percent thresholds are decimal
// text with at most two fraction digits; `threshold_m3` is whole cubic metres. INVALID_ARGUMENT
// naming "schemes[<i>].<key>" for anything unknown or malformed, or a scheme id and version that
// repeats; NOT_FOUND when the file cannot be read.
absl::StatusOr<std::vector<v1::Scheme>> LoadSchemes(const std::string& path);

}  // namespace jieshui::certification
