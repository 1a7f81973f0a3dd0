#include "gateway.hpp"

#include <cstdlib>

namespace jieshui::simulator {

GatewayPlayer::GatewayPlayer(const District& district)
    : district_(district),
      register_milli_(district.meters().size()),
      previous_(district.meters().size()),
      held_(district.meters().size()) {
  for (size_t m = 0; m < register_milli_.size(); ++m) {
    register_milli_[m] = district.meters()[m].start_register_milli;
  }
}

void GatewayPlayer::Play(int step, std::vector<TrueReading>* out) {
  if (step != next_step_) {
    std::abort();  // a caller bug: the registers only move forward, one hour at a time
  }
  ++next_step_;
  const int meters = static_cast<int>(register_milli_.size());
  for (int m = 0; m < meters; ++m) {
    const SimMeter& meter = district_.meters()[static_cast<size_t>(m)];
    int64_t& reg = register_milli_[static_cast<size_t>(m)];
    if (step > 0) {
      // m³ registers with three decimals: a thousandth is a litre.
      reg += district_.Consumption(m, step);
      if (reg >= meter.register_range_milli) {
        reg -= meter.register_range_milli;
        ++tally_.rollovers;
      }
      if (district_.IsSpike(m, step)) {
        ++tally_.spikes;
      }
    }
    const TrueReading reading{.meter = m, .step = step, .register_milli = reg};
    std::vector<TrueReading>& held = held_[static_cast<size_t>(m)];
    if (district_.IsHeld(m, step)) {
      held.push_back(reading);
      ++tally_.held;
    } else {
      out->push_back(reading);
      out->insert(out->end(), held.begin(), held.end());
      held.clear();
      if (district_.IsDuplicated(m, step - 1)) {
        out->push_back(previous_[static_cast<size_t>(m)]);
        ++tally_.duplicates;
      }
    }
    previous_[static_cast<size_t>(m)] = reading;
  }
}

}  // namespace jieshui::simulator
