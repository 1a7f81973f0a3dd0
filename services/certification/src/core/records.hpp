// The records an enterprise files (issue #16): what each kind must carry, the year it counts in,
// and, for a water balance test, the unit tree built from its flat list, the closure check and the
// derived rates (balance.hpp). Pure.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "certification/src/core/balance.hpp"
#include "certification/src/core/evaluation.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"

namespace jieshui::certification {

struct RecordRules {
  int64_t closure_tolerance_bp = 1000;  // 10%
};

// The tree of a balance test's flat unit list, each unit named by its unit_id: INVALID_ARGUMENT
// naming "units[<unit_id>]" for a repeated id, an unknown parent, a loop of parents, or not
// exactly one unit without a parent ("units").
absl::StatusOr<WaterUnit> BuildUnitTree(const v1::BalanceTest& test);

// Checks a record as filed and fills in what the service derives: its kind (from the detail; a
// kind that disagrees is refused), its year, and a balance test's rates. INVALID_ARGUMENT naming
// the field ("record.balance_test.period_end", "units.ws2", ...) otherwise.
absl::Status PrepareRecord(v1::Record& record, const RecordRules& rules);

// The platform's figures for scoring from an accepted balance test: its rates, and the highest
// unit intake as a percent of its quota.
Figures FiguresOf(const v1::Record& record);

}  // namespace jieshui::certification
