// Configuration of one service: defaults from a YAML file, overridden by environment variables
// JIESHUI_<SERVICE>_<KEY>, read through typed getters whose errors name the key and the variable.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jieshui::config {

// Environment variables, name -> value. Injected so tests never touch the process environment.
using EnvMap = std::map<std::string, std::string, std::less<>>;

// A snapshot of the process environment (environ).
EnvMap ProcessEnvironment();

// True if `key` names a secret: it contains password, secret, token, api_key or private_key
// (case-insensitive).
bool IsSecretKey(std::string_view key);
// `value`, or "***" if `key` names a secret and the value is not empty.
std::string Redacted(std::string_view key, std::string_view value);

// How a flat key maps to its environment variable: "JIESHUI_" + service + "_" + key, upper-cased,
// with '.' and '-' turned into '_'. EnvVarName("registry", "kafka.bootstrap_servers") ==
// "JIESHUI_REGISTRY_KAFKA_BOOTSTRAP_SERVERS".
std::string EnvVarName(std::string_view service, std::string_view key);

// One service's configuration, loaded once at start-up and read-only afterwards.
//
// Keys are the YAML map paths joined with '.': `kafka: {bootstrap_servers: x}` gives
// `kafka.bootstrap_servers`. Leaves are scalars, lists of scalars, lists of flat maps (see
// GetNodeList) or null. Every key a service reads must appear in the YAML file, a secret with an
// empty value (`password:`) so that it can only come from the environment. An environment variable
// with the service's prefix that matches no key fails Load: a typo must stop the start-up, not be
// silently ignored.
class ConfigLoader {
 public:
  // Reads `yaml_path`. NOT_FOUND if the file cannot be opened; INVALID_ARGUMENT for bad YAML, an
  // unsupported shape, two keys mapping to one variable, or an unknown JIESHUI_<SERVICE>_ variable.
  static absl::StatusOr<ConfigLoader> Load(std::string_view service, const std::string& yaml_path,
                                           const EnvMap& env = ProcessEnvironment());
  // As Load, with the YAML text given directly; `source_name` appears in messages.
  static absl::StatusOr<ConfigLoader> FromYamlString(std::string_view service,
                                                     std::string_view yaml_text,
                                                     const EnvMap& env = ProcessEnvironment(),
                                                     std::string_view source_name = "<string>");

  const std::string& service() const { return service_; }
  // True if the YAML file declares `key`.
  bool Has(std::string_view key) const;
  // The environment variable that overrides `key`.
  std::string EnvVarFor(std::string_view key) const { return EnvVarName(service_, key); }
  // All keys, sorted.
  std::vector<std::string> Keys() const;

  // Getters. Errors read `config key <key> (env <VAR>): <reason>`; NOT_FOUND if the key is not
  // declared, FAILED_PRECONDITION if it is declared empty and no variable sets it,
  // INVALID_ARGUMENT if the value is malformed or out of range.
  absl::StatusOr<std::string> GetString(std::string_view key) const;
  // A file's path. A relative one is taken from the folder of the configuration file (not from
  // the working directory, which differs between the stack, containers and tests).
  absl::StatusOr<std::string> GetPath(std::string_view key) const;
  // A decimal integer within [min, max].
  absl::StatusOr<int64_t> GetInt(std::string_view key, int64_t min, int64_t max) const;
  // true/false, yes/no, on/off, 1/0 (case-insensitive).
  absl::StatusOr<bool> GetBool(std::string_view key) const;
  // A non-negative duration with units: "500ms", "5s", "2m", "1h", "1m30s", "1.5s" (absl syntax:
  // ns, us, ms, s, m, h). A bare number is rejected: its unit would be a guess.
  absl::StatusOr<absl::Duration> GetDuration(std::string_view key) const;
  // A YAML list of scalars; from the environment, or a YAML scalar, comma-separated. Items are
  // trimmed and empty items dropped, so "" is the empty list.
  absl::StatusOr<std::vector<std::string>> GetStringList(std::string_view key) const;
  // A YAML list of flat maps, e.g. auth.api_keys:
  //   - {sha256: <hex>, principal: enterprise, uscc: 9135..., name: ERP gateway}
  // The environment variable, if set, holds the whole list in YAML flow syntax:
  //   JIESHUI_GATEWAY_AUTH_API_KEYS='[{sha256: ab12.., principal: partner, name: city}]'
  // Values are returned as text; the caller validates fields.
  absl::StatusOr<std::vector<std::map<std::string, std::string>>> GetNodeList(
      std::string_view key) const;

  // Every key with its effective value, secrets redacted (Redacted), for the single start-up log
  // line. Lists print as [a, b]; lists of maps as [{k: v, ...}, ...]; unset values as "".
  std::map<std::string, std::string> Dump() const;

 private:
  using Scalar = std::string;
  using ScalarList = std::vector<std::string>;
  using MapList = std::vector<std::map<std::string, std::string>>;
  struct Unset {};
  // The value a key has in the YAML file, before environment overrides.
  using FileValue = std::variant<Unset, Scalar, ScalarList, MapList>;
  struct Entry {
    FileValue file_value;
    bool from_env = false;
    std::string env_value;
  };

  explicit ConfigLoader(std::string service) : service_(std::move(service)) {}
  absl::Status Error(absl::StatusCode code, std::string_view key, std::string_view reason) const;
  // The entry for `key`, or NOT_FOUND.
  absl::StatusOr<const Entry*> Find(std::string_view key) const;
  // The scalar text of `key` (env wins over file); errors for unset and list values.
  absl::StatusOr<std::string> ScalarText(std::string_view key) const;

  std::string service_;
  std::string source_name_;
  std::string directory_;  // of the configuration file; empty for a string
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace jieshui::config
