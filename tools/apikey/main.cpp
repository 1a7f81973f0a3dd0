// jieshui-apikey: makes a new API key for a caller of the Jieshui services and prints the line to
// add to a service's auth.api_keys. Only the SHA-256 of a key is ever stored in configuration;
// the key itself is shown once, here, to hand to the caller.
//
//   jieshui-apikey <principal> [--uscc <USCC>] [--name <label>]
//   principal: water_affairs | industry | development_reform | statistics | enterprise |
//              partner | meter_gateway
#include <openssl/rand.h>

#include <cstdio>
#include <string>

#include "absl/strings/escaping.h"
#include "service/settings.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <principal> [--uscc USCC] [--name LABEL]\n", argv[0]);
    return 2;
  }
  std::map<std::string, std::string> entry{{"principal", argv[1]}};
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--uscc") {
      entry["uscc"] = argv[i + 1];
    } else if (flag == "--name") {
      entry["name"] = argv[i + 1];
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    std::fprintf(stderr, "no randomness available\n");
    return 1;
  }
  const std::string key =
      "js_" + absl::WebSafeBase64Escape(std::string(reinterpret_cast<char*>(bytes), sizeof(bytes)));
  entry["sha256"] = jieshui::grpcserver::Sha256Hex(key);
  // Validate exactly as a service will at start-up.
  auto parsed = jieshui::service::ParseApiKeys({entry});
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str());
    return 2;
  }
  std::printf("key (give to the caller, shown once): %s\n", key.c_str());
  std::printf("config line for auth.api_keys:\n  - {sha256: %s, principal: %s%s%s}\n",
              entry["sha256"].c_str(), entry["principal"].c_str(),
              entry.contains("uscc") ? (", uscc: " + entry["uscc"]).c_str() : "",
              entry.contains("name") ? (", name: " + entry["name"]).c_str() : "");
  return 0;
}
