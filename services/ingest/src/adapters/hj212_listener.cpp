#include "ingest/src/adapters/hj212_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/volume.hpp"
#include "hj212/frame.hpp"
#include "hj212/split.hpp"
#include "log/log.hpp"

namespace jieshui::ingest {
namespace {

bool IsFlowCode(std::string_view code) {
  return code == hj212::kCodeFlow || code == hj212::kCodeFlow2005;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::vector<v1::Reading> ReadingsOf(const hj212::Packet& packet, const MeterDirectory& directory,
                                    absl::Duration minute_interval) {
  std::vector<v1::Reading> out;
  if (!packet.data_time.has_value()) {
    return out;
  }
  absl::Duration period = absl::ZeroDuration();
  if (packet.cn == hj212::kCnMinuteData) {
    period = minute_interval;
  } else if (packet.cn == hj212::kCnHourData) {
    period = absl::Hours(1);
  } else if (packet.cn == hj212::kCnDayData) {
    period = absl::Hours(24);
  } else if (packet.cn != hj212::kCnRealTimeData) {
    return out;
  }
  for (const hj212::Item& item : packet.items) {
    std::shared_ptr<const MeterInfo> meter = directory.FindByHj212(packet.mn, item.code);
    if (meter == nullptr && !IsFlowCode(item.code)) {
      continue;
    }
    v1::Reading reading;
    reading.set_meter_id(meter != nullptr ? meter->meter_id
                                          : absl::StrCat("hj212:", packet.mn, "/", item.code));
    const std::string flag(item.Field("Flag").value_or("N"));
    reading.set_data_flag(flag);
    if (period == absl::ZeroDuration()) {
      reading.set_timestamp_unix_ms(absl::ToUnixMillis(*packet.data_time));
      reading.set_register_value(std::string(item.Field("Rtd").value_or("")));
    } else {
      reading.set_timestamp_unix_ms(absl::ToUnixMillis(*packet.data_time + period));
      reading.set_interval_ms(absl::ToInt64Milliseconds(period));
      absl::StatusOr<domain::Volume> volume =
          domain::Volume::ParseCubicMetres(item.Field("Cou").value_or(""), "Cou");
      // An unparseable volume becomes a reading without a value: rejected as malformed, with
      // the reason, instead of disappearing.
      if (volume.ok()) {
        reading.mutable_interval_volume()->set_litres(volume->litres());
      }
    }
    out.push_back(std::move(reading));
  }
  return out;
}

Hj212Listener::Hj212Listener(Intake* intake, MeterDirectory* directory, Hj212Options options,
                             Hj212Metrics metrics)
    : intake_(intake), directory_(directory), options_(std::move(options)) {
  static constexpr std::array<const char*, kOutcomeCount> kOutcomeNames = {
      "good",    "garbage",      "bad_length", "too_long",
      "bad_crc", "missing_crlf", "bad_packet", "unknown_mn"};
  if (metrics.frames != nullptr) {
    for (size_t i = 0; i < kOutcomeCount; ++i) {
      frame_counters_[i] = &metrics.frames->Add({{"outcome", kOutcomeNames[i]}});
    }
  }
  if (metrics.connections != nullptr) {
    accepted_counter_ = &metrics.connections->Add({{"outcome", "accepted"}});
    refused_counter_ = &metrics.connections->Add({{"outcome", "refused"}});
  }
  if (metrics.open != nullptr) {
    open_gauge_ = &metrics.open->Add({});
  }
}

void Hj212Listener::Count(FrameOutcome outcome) {
  if (prometheus::Counter* counter = frame_counters_[outcome]; counter != nullptr) {
    counter->Increment();
  }
}

Hj212Listener::~Hj212Listener() { Stop(); }

absl::Status Hj212Listener::Start() {
  const size_t colon = options_.listen_address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options_.listen_address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("hj212.listen: '", options_.listen_address, "' is not host:port"));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, options_.listen_address.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("hj212.listen: '", options_.listen_address, "' is not an IPv4 address"));
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    const std::string error = std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return absl::UnavailableError(
        absl::StrCat("hj212: cannot listen on ", options_.listen_address, ": ", error));
  }
  socklen_t len = sizeof(addr);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  log::Info("hj212 listener started", {{"address", options_.listen_address}, {"port", port_}});
  return absl::OkStatus();
}

void Hj212Listener::Stop() {
  if (stop_.exchange(true)) {
    return;
  }
  if (acceptor_.joinable()) {
    acceptor_.join();
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  std::list<Worker> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (Worker& w : workers) {
    w.thread.join();
  }
}

void Hj212Listener::AcceptLoop() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) {
      continue;
    }
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    if (open_.load() >= options_.max_connections) {
      log::Warn("hj212: connection refused, too many open", {{"max", options_.max_connections}});
      if (refused_counter_ != nullptr) {
        refused_counter_->Increment();
      }
      ::close(fd);
      continue;
    }
    ++open_;
    ++counters_.connections;
    if (accepted_counter_ != nullptr) {
      accepted_counter_->Increment();
    }
    if (open_gauge_ != nullptr) {
      open_gauge_->Increment();
    }
    std::lock_guard lock(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->finished->load()) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    auto finished = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back({std::thread([this, fd, finished] {
                          Serve(fd);
                          ::close(fd);
                          --open_;
                          if (open_gauge_ != nullptr) {
                            open_gauge_->Decrement();
                          }
                          *finished = true;
                        }),
                        finished});
  }
}

void Hj212Listener::Serve(int fd) {
  hj212::FrameDecoder decoder;
  hj212::SplitReassembler reassembler;
  char buffer[16384];
  absl::Time last_frame = absl::Now();
  while (!stop_) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 200);
    if (ready <= 0) {
      if (absl::Now() - last_frame > options_.idle_timeout) {
        log::Info("hj212: idle connection closed");
        return;
      }
      reassembler.Expire(absl::Now());
      continue;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
      return;
    }
    if (n < 0) {
      continue;
    }
    decoder.Feed(std::string_view(buffer, static_cast<size_t>(n)));
    while (auto result = decoder.Next()) {
      if (const auto* error = std::get_if<hj212::FrameError>(&*result)) {
        ++counters_.bad_frames;
        Count(static_cast<FrameOutcome>(kGarbage + static_cast<size_t>(error->kind)));
        log::Warn("hj212: bad frame",
                  {{"kind", std::string(hj212::FrameErrorKindName(error->kind))},
                   {"reason", error->message},
                   {"discarded_bytes", static_cast<int64_t>(error->discarded_bytes)}});
        continue;
      }
      ++counters_.frames;
      last_frame = absl::Now();
      const auto& frame = std::get<hj212::Frame>(*result);
      absl::StatusOr<hj212::Packet> packet = hj212::ParsePacket(frame.data_segment);
      if (!packet.ok()) {
        ++counters_.bad_packets;
        Count(kBadPacket);
        log::Warn("hj212: bad packet", {{"reason", std::string(packet.status().message())}});
        continue;
      }
      // A packet from an unknown MN is counted as such, then served like any other: its flow values
      // become readings of unknown meters, rejected and quarantined.
      const bool known_mn = directory_->KnowsHj212Mn(packet->mn);
      std::optional<hj212::Packet> whole = *std::move(packet);
      if (!whole->split()) {
        Count(known_mn ? kGood : kUnknownMn);
      } else {
        auto added = reassembler.Add(*std::move(whole), absl::Now());
        if (!added.ok()) {
          ++counters_.bad_packets;
          Count(kBadPacket);
          log::Warn("hj212: bad split packet", {{"reason", std::string(added.status().message())}});
          continue;
        }
        Count(known_mn ? kGood : kUnknownMn);
        whole = *std::move(added);
        if (!whole.has_value()) {
          continue;  // more packets of the message to come
        }
      }
      if (!hj212::IsDataCommand(whole->cn)) {
        continue;
      }
      std::vector<v1::Reading> readings = ReadingsOf(*whole, *directory_, options_.minute_interval);
      std::vector<const v1::Reading*> pointers;
      pointers.reserve(readings.size());
      for (const v1::Reading& r : readings) {
        pointers.push_back(&r);
      }
      counters_.readings += static_cast<int64_t>(readings.size());
      BatchResult stored = intake_->Submit(pointers, "hj212");
      if (!stored.status.ok()) {
        // Not durable: no reply, so the gateway sends the data again.
        log::Warn("hj212: readings not stored, no reply sent",
                  {{"mn", whole->mn},
                   {"qn", whole->qn},
                   {"error", std::string(stored.status.message())}});
        continue;
      }
      if (whole->ack_wanted()) {
        absl::StatusOr<std::string> reply = hj212::EncodeFrame(hj212::DataReply(*whole));
        if (reply.ok() && SendAll(fd, *reply)) {
          ++counters_.replies;
        }
      }
    }
  }
}

}  // namespace jieshui::ingest
