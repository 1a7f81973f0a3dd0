// Reassembly of HJ 212-2017 split messages (Flag bit 1: PNUM packets numbered PNO 1..PNUM) into
// one packet, bounded in count, bytes and time so a misbehaving gateway cannot exhaust memory.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hj212/packet.hpp"

namespace jieshui::hj212 {

struct SplitReassemblerOptions {
  // Messages with packets missing, kept at once; a packet of one more is refused.
  std::size_t max_pending_messages = 16;
  // CP bytes kept across all pending messages; a packet that would exceed it is refused, unless
  // it completes its message.
  std::size_t max_pending_bytes = std::size_t{256} * 1024;
  // A message still incomplete this long after its first packet arrived is dropped.
  absl::Duration timeout = absl::Minutes(2);
};

// A message dropped incomplete (Expire).
struct ExpiredMessage {
  std::string qn;
  std::string mn;
  int pnum = 0;
  int received = 0;  // distinct packets that had arrived
};

// Collects the packets of split messages, typically one reassembler per connection. A message is
// identified by MN and QN; its packets may arrive in any order. Time is the caller's `now`
// (no clock is read), so tests drive it.
class SplitReassembler {
 public:
  SplitReassembler() : SplitReassembler(SplitReassemblerOptions{}) {}
  explicit SplitReassembler(SplitReassemblerOptions options);

  // Adds a packet from ParsePacket. Returns:
  //   - the whole message once its last packet arrives: the header of its first-received packet
  //     (pno cleared), cp the packets' CPs concatenated in PNO order, and CP parsed (ParseCp);
  //   - a packet that is not split, unchanged, so every packet can go through Add;
  //   - std::nullopt while packets are missing, and for a duplicate PNO (ignored: the first copy
  //     counts);
  //   - INVALID_ARGUMENT when the packet contradicts earlier ones of its message (PNUM or CN
  //     differ; the message stays pending), lacks PNUM/PNO, or the whole CP does not parse (the
  //     message is dropped);
  //   - RESOURCE_EXHAUSTED when keeping it would exceed max_pending_messages or
  //     max_pending_bytes (the packet is dropped; the message's other packets stay).
  // Messages older than the timeout are dropped first (see Expire).
  absl::StatusOr<std::optional<Packet>> Add(Packet packet, absl::Time now);

  // Drops the messages whose first packet arrived `timeout` or longer before `now`, and says
  // which they were (for logs and metrics). Add calls it too; call it first, or periodically,
  // to learn what was dropped.
  std::vector<ExpiredMessage> Expire(absl::Time now);

  std::size_t pending_messages() const { return pending_.size(); }
  std::size_t pending_bytes() const { return pending_bytes_; }

 private:
  struct Pending {
    Packet first;  // header of the first packet received (cp moved into parts)
    absl::Time started;
    std::map<int, std::string> parts;  // PNO -> CP
    std::size_t bytes = 0;
  };

  SplitReassemblerOptions options_;
  std::map<std::pair<std::string, std::string>, Pending> pending_;  // by (MN, QN)
  std::size_t pending_bytes_ = 0;
};

}  // namespace jieshui::hj212
