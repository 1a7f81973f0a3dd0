#include "config/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "strings/view.hpp"

extern char** environ;  // POSIX; declared here because <unistd.h> only does so with _GNU_SOURCE.

namespace jieshui::config {
namespace {

using MapList = std::vector<std::map<std::string, std::string>>;

using strings::Av;
std::string_view Sv(absl::string_view text) { return std::string_view(text.data(), text.size()); }

// Substrings that mark a key as secret. Matched against the lower-cased flat key, so
// "db.password", "auth.api_keys" and "kafka.sasl_token" are all caught.
constexpr std::string_view kSecretMarkers[] = {"password", "secret", "token", "api_key",
                                               "private_key"};

constexpr std::string_view kRedacted = "***";

std::string YamlScalar(const YAML::Node& node) { return node.Scalar(); }

// Converts one YAML sequence into a list of scalars or a list of flat maps.
absl::StatusOr<std::variant<std::vector<std::string>, MapList>> ConvertSequence(
    const YAML::Node& sequence, std::string_view where) {
  std::vector<std::string> scalars;
  MapList maps;
  for (const YAML::Node& item : sequence) {
    if (item.IsScalar() && maps.empty()) {
      scalars.push_back(YamlScalar(item));
    } else if (item.IsMap() && scalars.empty()) {
      std::map<std::string, std::string> entry;
      for (const auto& field : item) {
        if (!field.second.IsScalar() && !field.second.IsNull()) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "%s: field %s of a list item must be a scalar", where, YamlScalar(field.first)));
        }
        entry[YamlScalar(field.first)] = field.second.IsNull() ? "" : YamlScalar(field.second);
      }
      maps.push_back(std::move(entry));
    } else {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: a list must hold only scalars or only flat maps", where));
    }
  }
  if (!maps.empty()) {
    return maps;
  }
  return scalars;
}

std::string JoinMapList(std::string_view key, const MapList& maps) {
  std::vector<std::string> items;
  items.reserve(maps.size());
  for (const auto& entry : maps) {
    std::vector<std::string> fields;
    fields.reserve(entry.size());
    for (const auto& [name, value] : entry) {
      fields.push_back(absl::StrCat(name, ": ", Redacted(absl::StrCat(Av(key), ".", name), value)));
    }
    items.push_back(absl::StrCat("{", absl::StrJoin(fields, ", "), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(Av(text), ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) {
      items.emplace_back(item);
    }
  }
  return items;
}

}  // namespace

EnvMap ProcessEnvironment() {
  EnvMap env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

bool IsSecretKey(std::string_view key) {
  std::string lower = absl::AsciiStrToLower(Av(key));
  for (std::string_view marker : kSecretMarkers) {
    if (absl::StrContains(lower, Av(marker))) {
      return true;
    }
  }
  return false;
}

std::string Redacted(std::string_view key, std::string_view value) {
  if (!value.empty() && IsSecretKey(key)) {
    return std::string(kRedacted);
  }
  return std::string(value);
}

std::string EnvVarName(std::string_view service, std::string_view key) {
  std::string name = absl::StrCat("JIESHUI_", Av(service), "_", Av(key));
  for (char& c : name) {
    if (c == '.' || c == '-') {
      c = '_';
    } else {
      c = absl::ascii_toupper(static_cast<unsigned char>(c));
    }
  }
  return name;
}

absl::StatusOr<ConfigLoader> ConfigLoader::Load(std::string_view service,
                                                const std::string& yaml_path, const EnvMap& env) {
  std::ifstream file(yaml_path);
  if (!file) {
    return absl::NotFoundError(
        absl::StrFormat("config file %s: cannot open (%s)", yaml_path, std::strerror(errno)));
  }
  std::stringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return absl::NotFoundError(absl::StrFormat("config file %s: cannot read", yaml_path));
  }
  auto loader = FromYamlString(service, text.str(), env, yaml_path);
  if (loader.ok()) {
    loader->directory_ = std::filesystem::path(yaml_path).parent_path().string();
  }
  return loader;
}

absl::StatusOr<ConfigLoader> ConfigLoader::FromYamlString(std::string_view service,
                                                          std::string_view yaml_text,
                                                          const EnvMap& env,
                                                          std::string_view source_name) {
  if (service.empty()) {
    return absl::InvalidArgumentError("config: service name is empty");
  }
  ConfigLoader loader{std::string(service)};
  loader.source_name_ = std::string(source_name);
  const std::string where = absl::StrCat("config file ", Av(source_name));

  // yaml-cpp reports errors by throwing; no exception leaves this library.
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsNull() && !root.IsMap()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": the top level must be a map"));
    }
    // Depth-first walk: (prefix, node) pairs still to flatten.
    std::vector<std::pair<std::string, YAML::Node>> pending;
    if (root.IsMap()) {
      pending.emplace_back("", root);
    }
    while (!pending.empty()) {
      auto [prefix, node] = std::move(pending.back());
      pending.pop_back();
      for (const auto& child : node) {
        std::string name = YamlScalar(child.first);
        if (name.empty()) {
          return absl::InvalidArgumentError(
              absl::StrFormat("%s: empty key under \"%s\"", where, prefix));
        }
        std::string key = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
        const YAML::Node& value = child.second;
        if (value.IsMap()) {
          pending.emplace_back(key, value);
          continue;
        }
        Entry entry;
        if (value.IsScalar()) {
          entry.file_value = YamlScalar(value);
        } else if (value.IsSequence()) {
          auto list = ConvertSequence(value, absl::StrCat(where, ": key ", key));
          if (!list.ok()) {
            return list.status();
          }
          if (std::holds_alternative<MapList>(*list)) {
            entry.file_value = std::get<MapList>(std::move(*list));
          } else {
            entry.file_value = std::get<std::vector<std::string>>(std::move(*list));
          }
        }  // else null: declared without a default (Unset).
        if (!loader.entries_.emplace(key, std::move(entry)).second) {
          return absl::InvalidArgumentError(
              absl::StrFormat("%s: key %s is declared twice", where, key));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: line %d, column %d: %s", where,
                                                      e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s", where, e.what()));
  }

  // Map variable names back to keys; two keys with one name could never be told apart.
  std::map<std::string, std::string, std::less<>> key_of_var;
  for (const auto& [key, entry] : loader.entries_) {
    auto [it, inserted] = key_of_var.emplace(loader.EnvVarFor(key), key);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: keys %s and %s both map to env %s",
                                                        where, it->second, key, it->first));
    }
  }

  const std::string prefix = EnvVarName(service, "");  // "JIESHUI_<SERVICE>_"
  std::vector<std::string> unknown;
  for (const auto& [name, value] : env) {
    if (!absl::StartsWith(name, prefix)) {
      continue;
    }
    auto it = key_of_var.find(name);
    if (it == key_of_var.end()) {
      unknown.push_back(name);
      continue;
    }
    Entry& entry = loader.entries_.find(it->second)->second;
    entry.from_env = true;
    entry.env_value = value;
  }
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "config: environment variable%s %s match%s no key in %s (misspelt, or the key is missing "
        "from the file)",
        unknown.size() > 1 ? "s" : "", absl::StrJoin(unknown, ", "), unknown.size() > 1 ? "" : "es",
        source_name));
  }
  return loader;
}

bool ConfigLoader::Has(std::string_view key) const { return entries_.contains(key); }

std::vector<std::string> ConfigLoader::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    keys.push_back(key);
  }
  return keys;
}

absl::Status ConfigLoader::Error(absl::StatusCode code, std::string_view key,
                                 std::string_view reason) const {
  return absl::Status(code,
                      absl::StrFormat("config key %s (env %s): %s", key, EnvVarFor(key), reason));
}

absl::StatusOr<const ConfigLoader::Entry*> ConfigLoader::Find(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return Error(absl::StatusCode::kNotFound, key,
                 absl::StrFormat("not declared in %s", source_name_));
  }
  return &it->second;
}

absl::StatusOr<std::string> ConfigLoader::ScalarText(std::string_view key) const {
  absl::StatusOr<const Entry*> entry = Find(key);
  if (!entry.ok()) {
    return entry.status();
  }
  if ((*entry)->from_env) {
    return (*entry)->env_value;
  }
  const FileValue& value = (*entry)->file_value;
  if (std::holds_alternative<Unset>(value)) {
    return Error(absl::StatusCode::kFailedPrecondition, key, "has no value; set the env variable");
  }
  if (!std::holds_alternative<Scalar>(value)) {
    return Error(absl::StatusCode::kInvalidArgument, key, "is a list, not a single value");
  }
  return std::get<Scalar>(value);
}

absl::StatusOr<std::string> ConfigLoader::GetString(std::string_view key) const {
  return ScalarText(key);
}

absl::StatusOr<std::string> ConfigLoader::GetPath(std::string_view key) const {
  absl::StatusOr<std::string> text = ScalarText(key);
  if (!text.ok() || text->empty() || directory_.empty()) {
    return text;
  }
  const std::filesystem::path path(*text);
  return path.is_absolute() ? *text : (std::filesystem::path(directory_) / path).string();
}

absl::StatusOr<int64_t> ConfigLoader::GetInt(std::string_view key, int64_t min, int64_t max) const {
  absl::StatusOr<std::string> text = ScalarText(key);
  if (!text.ok()) {
    return text.status();
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value)) {
    return Error(absl::StatusCode::kInvalidArgument, key,
                 absl::StrFormat("\"%s\" is not an integer", Redacted(key, *text)));
  }
  if (value < min || value > max) {
    return Error(absl::StatusCode::kInvalidArgument, key,
                 absl::StrFormat("%s is outside [%d, %d]", Redacted(key, *text), min, max));
  }
  return value;
}

absl::StatusOr<bool> ConfigLoader::GetBool(std::string_view key) const {
  absl::StatusOr<std::string> text = ScalarText(key);
  if (!text.ok()) {
    return text.status();
  }
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*text));
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") {
    return true;
  }
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") {
    return false;
  }
  return Error(absl::StatusCode::kInvalidArgument, key,
               absl::StrFormat("\"%s\" is not a boolean (true/false, yes/no, on/off, 1/0)",
                               Redacted(key, *text)));
}

absl::StatusOr<absl::Duration> ConfigLoader::GetDuration(std::string_view key) const {
  absl::StatusOr<std::string> text = ScalarText(key);
  if (!text.ok()) {
    return text.status();
  }
  std::string_view trimmed = Sv(absl::StripAsciiWhitespace(*text));
  absl::Duration duration;
  // absl::ParseDuration takes "0" without a unit, and "inf": neither is a sensible timeout, and
  // a bare "0" is refused with every other bare number for consistency.
  bool bare_number =
      !trimmed.empty() && trimmed.find_first_not_of("0123456789.") == std::string_view::npos;
  if (bare_number || trimmed == "inf" || !absl::ParseDuration(Av(trimmed), &duration)) {
    return Error(absl::StatusCode::kInvalidArgument, key,
                 absl::StrFormat("\"%s\" is not a duration with a unit like 500ms, 5s, 2m, 1h",
                                 Redacted(key, *text)));
  }
  if (duration < absl::ZeroDuration()) {
    return Error(absl::StatusCode::kInvalidArgument, key,
                 absl::StrFormat("\"%s\" is negative", Redacted(key, *text)));
  }
  return duration;
}

absl::StatusOr<std::vector<std::string>> ConfigLoader::GetStringList(std::string_view key) const {
  absl::StatusOr<const Entry*> entry = Find(key);
  if (!entry.ok()) {
    return entry.status();
  }
  if ((*entry)->from_env) {
    return SplitCommaList((*entry)->env_value);
  }
  const FileValue& value = (*entry)->file_value;
  if (std::holds_alternative<ScalarList>(value)) {
    return std::get<ScalarList>(value);
  }
  if (std::holds_alternative<Scalar>(value)) {
    return SplitCommaList(std::get<Scalar>(value));
  }
  if (std::holds_alternative<Unset>(value)) {
    return Error(absl::StatusCode::kFailedPrecondition, key, "has no value; set the env variable");
  }
  return Error(absl::StatusCode::kInvalidArgument, key, "is a list of maps, not a list of strings");
}

absl::StatusOr<MapList> ConfigLoader::GetNodeList(std::string_view key) const {
  absl::StatusOr<const Entry*> entry = Find(key);
  if (!entry.ok()) {
    return entry.status();
  }
  if ((*entry)->from_env) {
    try {
      YAML::Node node = YAML::Load((*entry)->env_value);
      if (node.IsNull()) {
        return MapList();
      }
      if (!node.IsSequence()) {
        return Error(absl::StatusCode::kInvalidArgument, key,
                     "is not a YAML list of maps like [{name: a, sha256: ..}]");
      }
      auto list =
          ConvertSequence(node, absl::StrFormat("config key %s (env %s)", key, EnvVarFor(key)));
      if (!list.ok()) {
        return list.status();
      }
      if (std::holds_alternative<MapList>(*list)) {
        return std::get<MapList>(std::move(*list));
      }
      if (std::get<ScalarList>(*list).empty()) {
        return MapList();
      }
      return Error(absl::StatusCode::kInvalidArgument, key, "is a list of scalars, not of maps");
    } catch (const YAML::Exception& e) {
      // The message would quote the value, which may be secret: give the position only.
      return Error(absl::StatusCode::kInvalidArgument, key,
                   absl::StrFormat("is not valid YAML (column %d)", e.mark.column + 1));
    }
  }
  const FileValue& value = (*entry)->file_value;
  if (std::holds_alternative<MapList>(value)) {
    return std::get<MapList>(value);
  }
  if (std::holds_alternative<ScalarList>(value) && std::get<ScalarList>(value).empty()) {
    return MapList();
  }
  if (std::holds_alternative<Unset>(value)) {
    return Error(absl::StatusCode::kFailedPrecondition, key, "has no value; set the env variable");
  }
  return Error(absl::StatusCode::kInvalidArgument, key, "is not a list of maps");
}

std::map<std::string, std::string> ConfigLoader::Dump() const {
  std::map<std::string, std::string> dump;
  for (const auto& [key, entry] : entries_) {
    std::string shown;
    if (entry.from_env) {
      shown = entry.env_value;
    } else if (const auto* scalar = std::get_if<Scalar>(&entry.file_value)) {
      shown = *scalar;
    } else if (const auto* list = std::get_if<ScalarList>(&entry.file_value)) {
      shown = absl::StrCat("[", absl::StrJoin(*list, ", "), "]");
    } else if (const auto* maps = std::get_if<MapList>(&entry.file_value)) {
      shown = JoinMapList(key, *maps);
    }
    dump[key] = Redacted(key, shown);
  }
  return dump;
}

}  // namespace jieshui::config
