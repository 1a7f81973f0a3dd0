// A relay in its own process, so the outbox test can SIGKILL it mid-way.
// usage: outbox_relay_test_process <pg-uri> <schema> <kafka> <batch-size> <hang-before-mark:0|1>
// Relays until the outbox stays empty for a second, printing "relayed <n>" after each batch.
// With hang-before-mark=1 it stops for good after the first batch is confirmed by Kafka but
// before the rows are marked sent, printing "hanging", and waits to be killed.
#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
#include "db/outbox.hpp"

namespace db = jieshui::db;
namespace kafka = jieshui::kafka;

int main(int argc, char** argv) {
  int batch_size = 0;
  int hang_before_mark = 0;
  if (argc != 6 || !absl::SimpleAtoi(argv[4], &batch_size) ||
      !absl::SimpleAtoi(argv[5], &hang_before_mark)) {
    std::fprintf(stderr, "usage: %s uri schema kafka batch hang\n", argv[0]);
    return 2;
  }
  db::PoolOptions pool_options;
  pool_options.uri = argv[1];
  pool_options.size = 2;
  auto pool = db::ConnectionPool::Create(pool_options);
  if (!pool.ok()) {
    std::fprintf(stderr, "%s\n", pool.status().ToString().c_str());
    return 1;
  }
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = argv[3];
  auto producer = kafka::Producer::Create(producer_options);
  if (!producer.ok()) {
    std::fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    return 1;
  }
  db::OutboxRelayOptions options;
  options.schema = argv[2];
  options.batch_size = batch_size;
  if (hang_before_mark == 1) {
    options.before_mark = [] {
      std::printf("hanging\n");
      std::fflush(stdout);
      while (true) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    };
  }
  db::OutboxRelay relay(pool->get(), producer->get(), options);
  auto idle_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - idle_since < std::chrono::seconds(1)) {
    auto n = relay.RelayOnce();
    if (!n.ok()) {
      std::fprintf(stderr, "relay: %s\n", n.status().ToString().c_str());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (*n > 0) {
      std::printf("relayed %d\n", *n);
      std::fflush(stdout);
      idle_since = std::chrono::steady_clock::now();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return 0;
}
