// District simulator: the meters' gateways playing the simulated period hour by hour. Each hour
// every meter's register advances by its true consumption; the gateway sends the reading, or
// buffers it during an outage (or when it will arrive late) and back-fills the buffer after the
// next reading it sends, and sometimes sends a reading twice.
#pragma once

#include <cstdint>
#include <vector>

#include "district.hpp"

namespace jieshui::simulator {

struct GatewayTally {
  int64_t held = 0;        // readings buffered and sent after a later one
  int64_t duplicates = 0;  // readings sent a second time
  int64_t rollovers = 0;   // registers that wrapped
  int64_t spikes = 0;      // burst hours
};

class GatewayPlayer {
 public:
  explicit GatewayPlayer(const District& district);

  // Appends to `out` the readings the gateways send at `step`, each meter's in sending order.
  // Steps are played in order, 0 to district.last_step().
  void Play(int step, std::vector<TrueReading>* out);

  const GatewayTally& tally() const { return tally_; }

 private:
  const District& district_;
  std::vector<int64_t> register_milli_;  // the meters' registers, wrapped
  std::vector<TrueReading> previous_;    // each meter's reading of the previous step
  std::vector<std::vector<TrueReading>> held_;
  GatewayTally tally_;
  int next_step_ = 0;
};

}  // namespace jieshui::simulator
