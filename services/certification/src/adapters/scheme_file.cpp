#include "certification/src/adapters/scheme_file.hpp"

#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "certification/src/core/evaluation.hpp"
#include "domain/fixed_decimal.hpp"
#include "domain/period.hpp"
#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

// "repeat_utilisation" → METRIC_REPEAT_UTILISATION, through the enum's descriptor.
template <typename Enum>
bool ParseEnum(const std::string& prefix, const std::string& text, Enum* out,
               bool (*parse)(const std::string&, Enum*)) {
  return !text.empty() && parse(absl::StrCat(prefix, absl::AsciiStrToUpper(text)), out) &&
         static_cast<int>(*out) != 0;
}

class SchemeReader {
 public:
  explicit SchemeReader(std::string at) : at_(std::move(at)) {}

  absl::StatusOr<v1::Scheme> Read(const YAML::Node& node) {
    v1::Scheme s;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "scheme_id") {
        s.set_scheme_id(v.as<std::string>());
      } else if (key == "level") {
        v1::Level level{};
        if (!ParseEnum("LEVEL_", v.as<std::string>(), &level, v1::Level_Parse)) {
          return Bad(key, "not district, municipal, provincial or leader");
        }
        s.set_level(level);
      } else if (key == "standard_version") {
        s.set_standard_version(v.as<std::string>());
      } else if (key == "version") {
        s.set_version(v.as<int>());
      } else if (key == "effective_from") {
        auto d = domain::Date::Parse(v.as<std::string>(), Field(key));
        if (!d.ok()) {
          return d.status();
        }
        s.mutable_effective_from()->set_year(d->year());
        s.mutable_effective_from()->set_month(d->month());
        s.mutable_effective_from()->set_day(d->day());
      } else if (key == "pass_mark") {
        s.set_pass_mark(v.as<int>());
      } else if (key == "notice_days") {
        s.set_notice_days(v.as<int>());
      } else if (key == "validity_years") {
        s.set_validity_years(v.as<int>());
      } else if (key == "dual_approval") {
        s.set_dual_approval(v.as<bool>());
      } else if (key == "gates") {
        for (const YAML::Node& g : v) {
          auto gate = ReadGate(g);
          if (!gate.ok()) {
            return gate.status();
          }
          *s.add_gates() = *std::move(gate);
        }
      } else if (key == "items") {
        if (absl::Status st = ReadItems(v, &s); !st.ok()) {
          return st;
        }
      } else if (key == "thresholds") {
        for (const YAML::Node& t : v) {
          auto th = ReadThresholds(t);
          if (!th.ok()) {
            return th.status();
          }
          *s.add_thresholds() = *std::move(th);
        }
      } else {
        return Bad(key, "unknown key");
      }
    }
    return s;
  }

 private:
  std::string Field(const std::string& key) const { return absl::StrCat(at_, ".", key); }
  absl::Status Bad(const std::string& key, const std::string& why) const {
    return errors::InvalidArgument(Field(key), why);
  }

  absl::StatusOr<v1::Gate> ReadGate(const YAML::Node& node) {
    v1::Gate g;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      const std::string text = kv.second.as<std::string>();
      if (key == "gate_id") {
        g.set_gate_id(text);
      } else if (key == "kind") {
        v1::GateKind kind{};
        if (!ParseEnum("GATE_KIND_", text, &kind, v1::GateKind_Parse)) {
          return Bad("gates.kind", absl::StrCat("unknown gate kind \"", text, "\""));
        }
        g.set_kind(kind);
      } else if (key == "title") {
        g.set_title(text);
      } else if (key == "years") {
        g.set_years(kv.second.as<int>());
      } else if (key == "threshold_m3") {
        g.mutable_threshold()->set_litres(kv.second.as<int64_t>() * 1000);
      } else {
        return Bad(absl::StrCat("gates.", key), "unknown key");
      }
    }
    return g;
  }

  absl::Status ReadItems(const YAML::Node& node, v1::Scheme* s) {
    for (const YAML::Node& n : node) {
      if (n.IsSequence()) {
        if (absl::Status st = ReadItems(n, s); !st.ok()) {
          return st;
        }
        continue;
      }
      v1::Item* item = s->add_items();
      for (const auto& kv : n) {
        const std::string key = kv.first.as<std::string>();
        const std::string text = kv.second.as<std::string>();
        if (key == "item_id") {
          item->set_item_id(text);
        } else if (key == "kind") {
          v1::ItemKind kind{};
          if (!ParseEnum("ITEM_KIND_", text, &kind, v1::ItemKind_Parse)) {
            return Bad("items.kind", "not management or technical");
          }
          item->set_kind(kind);
        } else if (key == "title") {
          item->set_title(text);
        } else if (key == "points") {
          item->set_points(kv.second.as<int>());
        } else if (key == "metric") {
          v1::Metric metric{};
          if (!ParseEnum("METRIC_", text, &metric, v1::Metric_Parse)) {
            return Bad("items.metric", absl::StrCat("unknown metric \"", text, "\""));
          }
          item->set_metric(metric);
        } else if (key == "lower_is_better") {
          item->set_lower_is_better(kv.second.as<bool>());
        } else if (key == "deduct_per_point") {
          item->set_deduct_per_point(kv.second.as<int>());
        } else {
          return Bad(absl::StrCat("items.", key), "unknown key");
        }
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<v1::IndustryThresholds> ReadThresholds(const YAML::Node& node) {
    v1::IndustryThresholds t;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      const std::string text = kv.second.as<std::string>();
      if (key == "division") {
        t.set_division(text);
        continue;
      }
      v1::Metric metric{};
      if (!ParseEnum("METRIC_", key, &metric, v1::Metric_Parse)) {
        return Bad(absl::StrCat("thresholds.", key), "not a metric");
      }
      auto bp = domain::internal::ParseFixedDecimal(text, 2,
                                                    Field(absl::StrCat("thresholds.", key)), "%");
      if (!bp.ok()) {
        return bp.status();
      }
      v1::Threshold* th = t.add_thresholds();
      th->set_metric(metric);
      th->set_basis_points(*bp);
    }
    return t;
  }

  std::string at_;
};

}  // namespace

absl::StatusOr<std::vector<v1::Scheme>> LoadSchemes(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(absl::StrCat("schemes file ", path, " cannot be read"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("schemes file ", path, ": ", e.what()));
  }
  std::vector<v1::Scheme> out;
  std::set<std::pair<std::string, int>> seen;
  try {
    const YAML::Node list = root["schemes"];
    if (!list.IsSequence()) {
      return errors::InvalidArgument("schemes", absl::StrCat(path, " has no schemes list"));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      SchemeReader reader(absl::StrCat("schemes[", i, "]"));
      auto scheme = reader.Read(list[i]);
      if (!scheme.ok()) {
        return scheme.status();
      }
      if (absl::Status s = ValidateScheme(*scheme); !s.ok()) {
        return s;
      }
      if (!seen.emplace(scheme->scheme_id(), scheme->version()).second) {
        return errors::InvalidArgument(
            absl::StrCat("schemes[", i, "].version"),
            absl::StrCat(scheme->scheme_id(), " version ", scheme->version(), " repeats"));
      }
      out.push_back(*std::move(scheme));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("schemes file ", path, ": ", e.what()));
  }
  return out;
}

}  // namespace jieshui::certification
