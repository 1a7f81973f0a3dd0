#include "redis/client.hpp"

#include <utility>

#include "absl/strings/str_cat.h"

namespace jieshui::redis {
namespace {

absl::Status UnexpectedReply(absl::string_view command, const Reply& reply,
                             absl::string_view want) {
  return absl::InternalError(absl::StrCat("redis ", command, ": expected ", want, ", got ",
                                          TypeName(reply.type()), " reply"));
}

absl::StatusOr<std::string> TtlMillis(absl::string_view command, absl::Duration ttl) {
  if (ttl < absl::Milliseconds(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis ", command, ": ttl ", absl::FormatDuration(ttl), " must be at least 1ms"));
  }
  return absl::StrCat(absl::ToInt64Milliseconds(ttl));
}

}  // namespace

absl::StatusOr<Client> Client::Create(Options options) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(std::move(options));
  if (!pool.ok()) {
    return pool.status();
  }
  return Client(*std::move(pool));
}

Client::Client(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

absl::StatusOr<Reply> Client::Command(absl::Span<const std::string> argv, Idempotency idempotency) {
  absl::StatusOr<Lease> lease = pool_->Borrow();
  if (!lease.ok()) {
    return lease.status();
  }
  return lease->Command(argv, idempotency);
}

absl::StatusOr<std::vector<Reply>> Client::Pipeline(absl::Span<const Argv> commands,
                                                    Idempotency idempotency) {
  if (commands.empty()) {
    return std::vector<Reply>();
  }
  absl::StatusOr<Lease> lease = pool_->Borrow();
  if (!lease.ok()) {
    return lease.status();
  }
  return lease->Pipeline(commands, idempotency);
}

absl::StatusOr<Reply> Client::Checked(absl::Span<const std::string> argv, Idempotency idempotency) {
  absl::StatusOr<Reply> reply = Command(argv, idempotency);
  if (reply.ok() && reply->is_error()) {
    return ErrorReplyToStatus(argv[0], reply->str());
  }
  return reply;
}

absl::Status Client::Ping() {
  absl::StatusOr<Reply> reply = Checked({"PING"}, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_status() || reply->str() != "PONG") {
    return UnexpectedReply("PING", *reply, "PONG");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Client::Get(absl::string_view key) {
  absl::StatusOr<Reply> reply = Checked({"GET", std::string(key)}, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (reply->is_nil()) {
    return std::optional<std::string>();
  }
  if (!reply->is_string()) {
    return UnexpectedReply("GET", *reply, "bulk string or nil");
  }
  return std::optional<std::string>(reply->str());
}

absl::Status Client::Set(absl::string_view key, absl::string_view value,
                         std::optional<absl::Duration> ttl) {
  Argv argv = {"SET", std::string(key), std::string(value)};
  if (ttl.has_value()) {
    absl::StatusOr<std::string> millis = TtlMillis("SET", *ttl);
    if (!millis.ok()) {
      return millis.status();
    }
    argv.push_back("PX");
    argv.push_back(*std::move(millis));
  }
  absl::StatusOr<Reply> reply = Checked(argv, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_status()) {
    return UnexpectedReply("SET", *reply, "status OK");
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Client::Del(absl::string_view key) {
  const std::string keys[] = {std::string(key)};
  return Del(keys);
}

absl::StatusOr<int64_t> Client::Del(absl::Span<const std::string> keys) {
  if (keys.empty()) {
    return absl::InvalidArgumentError("redis DEL: no keys given");
  }
  Argv argv = {"DEL"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  absl::StatusOr<Reply> reply = Checked(argv, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_integer()) {
    return UnexpectedReply("DEL", *reply, "integer");
  }
  return reply->integer();
}

absl::StatusOr<int64_t> Client::HSet(absl::string_view key,
                                     const std::map<std::string, std::string>& fields) {
  if (fields.empty()) {
    return absl::InvalidArgumentError("redis HSET: no fields given");
  }
  Argv argv = {"HSET", std::string(key)};
  argv.reserve(2 + 2 * fields.size());
  for (const auto& [field, value] : fields) {
    argv.push_back(field);
    argv.push_back(value);
  }
  absl::StatusOr<Reply> reply = Checked(argv, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_integer()) {
    return UnexpectedReply("HSET", *reply, "integer");
  }
  return reply->integer();
}

absl::StatusOr<std::map<std::string, std::string>> Client::HGetAll(absl::string_view key) {
  absl::StatusOr<Reply> reply = Checked({"HGETALL", std::string(key)}, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_array() || reply->elements().size() % 2 != 0) {
    return UnexpectedReply("HGETALL", *reply, "array of field/value pairs");
  }
  std::map<std::string, std::string> fields;
  const std::vector<Reply>& elements = reply->elements();
  for (size_t i = 0; i < elements.size(); i += 2) {
    if (!elements[i].is_string() || !elements[i + 1].is_string()) {
      return UnexpectedReply("HGETALL", elements[i].is_string() ? elements[i + 1] : elements[i],
                             "bulk string");
    }
    fields.emplace(elements[i].str(), elements[i + 1].str());
  }
  return fields;
}

absl::StatusOr<int64_t> Client::Incr(absl::string_view key) {
  // Not idempotent: a retry after a lost reply could count twice.
  absl::StatusOr<Reply> reply = Checked({"INCR", std::string(key)}, Idempotency::kNotIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_integer()) {
    return UnexpectedReply("INCR", *reply, "integer");
  }
  return reply->integer();
}

absl::StatusOr<bool> Client::Expire(absl::string_view key, absl::Duration ttl) {
  absl::StatusOr<std::string> millis = TtlMillis("PEXPIRE", ttl);
  if (!millis.ok()) {
    return millis.status();
  }
  absl::StatusOr<Reply> reply =
      Checked({"PEXPIRE", std::string(key), *std::move(millis)}, Idempotency::kIdempotent);
  if (!reply.ok()) {
    return reply.status();
  }
  if (!reply->is_integer()) {
    return UnexpectedReply("PEXPIRE", *reply, "integer");
  }
  return reply->integer() == 1;
}

}  // namespace jieshui::redis
