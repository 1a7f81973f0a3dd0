// HJ 212-2017 gateways over TCP: frames checked (length, CRC), split packets reassembled, each
// flow value mapped to a meter by MN + data code through the registry, handed to the intake, and
// the data reply (CN 9014) sent only after the readings are durable when the frame asks for one.
// A bad frame is counted and logged with the reason; the connection stays usable.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "hj212/packet.hpp"
#include "ingest/src/adapters/intake.hpp"
#include "ingest/src/adapters/meter_directory.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace jieshui::ingest {

struct Hj212Options {
  std::string listen_address = "127.0.0.1:9212";  // port 0 picks a free port
  int max_connections = 256;
  absl::Duration minute_interval = absl::Minutes(10);  // CN 2051 period
  absl::Duration idle_timeout = absl::Minutes(10);
};

// Prometheus families the listener counts into (each optional; the app makes them):
//   jieshui_ingest_hj212_frames_total{outcome}: good, garbage, bad_length, too_long, bad_crc,
//     missing_crlf (frame errors, libs/hj212), bad_packet (a frame whose packet does not parse, or
//     a bad split packet), unknown_mn (a packet from an MN no meter has);
//   jieshui_ingest_hj212_connections_total{outcome}: accepted, refused (too many open);
//   jieshui_ingest_hj212_open_connections.
struct Hj212Metrics {
  prometheus::Family<prometheus::Counter>* frames = nullptr;
  prometheus::Family<prometheus::Counter>* connections = nullptr;
  prometheus::Family<prometheus::Gauge>* open = nullptr;
};

struct Hj212Counters {
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> frames{0};
  std::atomic<int64_t> bad_frames{0};
  std::atomic<int64_t> bad_packets{0};
  std::atomic<int64_t> replies{0};
  std::atomic<int64_t> readings{0};
};

// How one HJ 212 data upload becomes readings (exposed for tests). Flow values ("w00000", or
// "B01" of the 2005 edition) of an MN + code no meter has become readings of an unknown meter
// ("hj212:<MN>/<code>"), so they are rejected and quarantined rather than dropped; other codes
// (pollutants) are not water volumes and are ignored. CN 2011 real-time "Rtd" values are taken as
// the register (totaliser) reading at DataTime; CN 2051/2061/2031 "Cou" values are the volume in
// m³ of the period starting at DataTime (minute period configurable, hour, day).
std::vector<v1::Reading> ReadingsOf(const hj212::Packet& packet, const MeterDirectory& directory,
                                    absl::Duration minute_interval);

class Hj212Listener {
 public:
  Hj212Listener(Intake* intake, MeterDirectory* directory, Hj212Options options,
                Hj212Metrics metrics = {});
  ~Hj212Listener();
  Hj212Listener(const Hj212Listener&) = delete;
  Hj212Listener& operator=(const Hj212Listener&) = delete;

  // Binds and starts accepting; UNAVAILABLE when the address cannot be bound.
  absl::Status Start();
  // Stops accepting, closes connections, waits for their threads.
  void Stop();
  int port() const { return port_; }
  const Hj212Counters& counters() const { return counters_; }

 private:
  // A frame's outcome, as Hj212Metrics names them: kGood, then the frame errors in
  // hj212::FrameErrorKind's order, then the packet's.
  enum FrameOutcome : size_t {
    kGood,
    kGarbage,
    kBadLength,
    kTooLong,
    kBadCrc,
    kMissingCrlf,
    kBadPacket,
    kUnknownMn,
    kOutcomeCount
  };
  void AcceptLoop();
  void Serve(int fd);
  void Count(FrameOutcome outcome);

  Intake* intake_;
  MeterDirectory* directory_;
  Hj212Options options_;
  Hj212Counters counters_;
  std::array<prometheus::Counter*, kOutcomeCount> frame_counters_{};
  prometheus::Counter* accepted_counter_ = nullptr;
  prometheus::Counter* refused_counter_ = nullptr;
  prometheus::Gauge* open_gauge_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::list<Worker> workers_;  // finished ones are joined at the next accept
  std::atomic<int> open_{0};
};

}  // namespace jieshui::ingest
