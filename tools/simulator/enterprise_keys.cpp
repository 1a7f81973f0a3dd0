// The applicants' enterprise API keys (driver.hpp): one random key per applicant, in a file only
// its owner reads, made once and kept.
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "driver.hpp"

namespace jieshui::simulator {
namespace {

std::string KeyPath(const std::string& dir, const std::string& uscc) {
  return absl::StrCat(dir, "/", uscc, ".key");
}

// 32 random bytes, base64url: the form of tools/apikey's keys.
absl::StatusOr<std::string> NewKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("no randomness available for an API key");
  }
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): bytes as a string
  return "js_" +
         absl::WebSafeBase64Escape(std::string(reinterpret_cast<char*>(bytes), sizeof(bytes)));
}

absl::Status WriteKey(const std::string& path, const std::string& key) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
                       ::fchmod(fd, 0600) == 0;
  const int error = errno;
  ::close(fd);
  if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteEnterpriseKeys(const District& district, const std::string& dir, int* created) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("cannot make the key folder ", dir, ": ",
                                            ec ? ec.message() : std::strerror(errno)));
  }
  *created = 0;
  for (const int e : district.Applicants()) {
    const std::string& uscc =
        district.enterprises()[static_cast<size_t>(e)].enterprise.uscc().value();
    const std::string path = KeyPath(dir, uscc);
    if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0) {
      continue;  // kept: the services already know it
    }
    absl::StatusOr<std::string> key = NewKey();
    if (!key.ok()) {
      return key.status();
    }
    if (absl::Status s = WriteKey(path, *key); !s.ok()) {
      return s;
    }
    ++*created;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> ReadEnterpriseKeys(const District& district,
                                                                      const std::string& dir) {
  std::map<std::string, std::string> keys;
  for (const int e : district.Applicants()) {
    const std::string& uscc =
        district.enterprises()[static_cast<size_t>(e)].enterprise.uscc().value();
    std::ifstream in(KeyPath(dir, uscc));
    std::stringstream text;
    text << in.rdbuf();
    std::string key(absl::StripAsciiWhitespace(text.str()));
    if (!in.is_open() || key.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no enterprise key for applicant ", uscc, " in ", dir,
          ": make them with `jieshui-simulator keys --dir ", dir,
          "` (same district options), then restart certification so that it accepts them"));
    }
    keys[uscc] = std::move(key);
  }
  return keys;
}

}  // namespace jieshui::simulator
