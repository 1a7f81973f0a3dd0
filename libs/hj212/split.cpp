#include "hj212/split.hpp"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace jieshui::hj212 {
namespace {

std::string Describe(const Packet& packet) {
  return absl::StrCat("split message QN ", packet.qn, " MN ", packet.mn);
}

}  // namespace

SplitReassembler::SplitReassembler(SplitReassemblerOptions options) : options_(options) {}

std::vector<ExpiredMessage> SplitReassembler::Expire(absl::Time now) {
  std::vector<ExpiredMessage> expired;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending& p = it->second;
    if (now - p.started >= options_.timeout) {
      expired.push_back(ExpiredMessage{p.first.qn, p.first.mn, p.first.pnum.value_or(0),
                                       static_cast<int>(p.parts.size())});
      pending_bytes_ -= p.bytes;
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

absl::StatusOr<std::optional<Packet>> SplitReassembler::Add(Packet packet, absl::Time now) {
  Expire(now);
  if (!packet.split()) {
    return packet;
  }
  if (!packet.pnum || !packet.pno || *packet.pno < 1 || *packet.pno > *packet.pnum) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNO: ", Describe(packet), " needs PNUM and PNO in 1-PNUM"));
  }
  const int pnum = *packet.pnum;
  const int pno = *packet.pno;
  std::string cp = std::move(packet.cp);
  packet.cp.clear();
  const std::size_t bytes = cp.size();

  auto key = std::make_pair(packet.mn, packet.qn);
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    const Packet& first = it->second.first;
    if (first.pnum != packet.pnum) {
      return absl::InvalidArgumentError(absl::StrCat("PNUM: ", pnum, " differs from ",
                                                     first.pnum.value_or(0), " in the ",
                                                     Describe(packet), "'s earlier packets"));
    }
    if (first.cn != packet.cn) {
      return absl::InvalidArgumentError(absl::StrCat("CN: ", packet.cn, " differs from ", first.cn,
                                                     " in the ", Describe(packet),
                                                     "'s earlier packets"));
    }
    if (it->second.parts.contains(pno)) {
      return std::nullopt;  // a retransmission
    }
  } else if (pnum > 1 && pending_.size() >= options_.max_pending_messages) {
    return absl::ResourceExhaustedError(
        absl::StrCat("PNUM: ", Describe(packet), " refused: ", pending_.size(),
                     " split messages already pending (max_pending_messages)"));
  }
  // The packet that completes a message is always taken: it frees the message's bytes at once.
  const bool completes = pnum == 1 || (it != pending_.end() && it->second.parts.size() + 1 ==
                                                                   static_cast<std::size_t>(pnum));
  if (!completes && pending_bytes_ + bytes > options_.max_pending_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "CP: ", Describe(packet), " refused: ", pending_bytes_, " bytes pending, ", bytes,
        " more would exceed ", options_.max_pending_bytes, " (max_pending_bytes)"));
  }

  if (it == pending_.end()) {
    Pending fresh;
    fresh.first = std::move(packet);
    fresh.started = now;
    it = pending_.emplace(std::move(key), std::move(fresh)).first;
  }
  Pending& message = it->second;
  message.parts.emplace(pno, std::move(cp));
  message.bytes += bytes;
  pending_bytes_ += bytes;
  if (message.parts.size() < static_cast<std::size_t>(pnum)) {
    return std::nullopt;
  }

  Packet whole = std::move(message.first);
  whole.pno.reset();
  whole.cp.reserve(message.bytes);
  for (const auto& [number, part] : message.parts) {
    whole.cp += part;
  }
  pending_bytes_ -= message.bytes;
  pending_.erase(it);
  if (absl::Status s = ParseCp(&whole); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(s.message(), " (", Describe(whole), ")"));
  }
  return whole;
}

}  // namespace jieshui::hj212
