// An owned Redis reply (RESP2: nil, integer, bulk string, simple status, error, array) that is safe
// to keep after the hiredis reply it came from is freed, and how error replies map to absl::Status.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct redisReply;  // hiredis

namespace jieshui::redis {

class Reply {
 public:
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };

  // A nil reply (missing key, nil bulk string or nil array).
  Reply() = default;

  static Reply Nil() { return Reply(); }
  static Reply Integer(int64_t value) { return Reply(Value(value)); }
  static Reply String(std::string bytes) { return Reply(Value(std::move(bytes))); }
  static Reply Status(std::string text) { return Reply(Value(StatusText{std::move(text)})); }
  static Reply Error(std::string message) { return Reply(Value(ErrorText{std::move(message)})); }
  static Reply Array(std::vector<Reply> elements) { return Reply(Value(std::move(elements))); }

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_nil() const { return type() == Type::kNil; }
  bool is_integer() const { return type() == Type::kInteger; }
  bool is_string() const { return type() == Type::kString; }
  bool is_status() const { return type() == Type::kStatus; }
  bool is_error() const { return type() == Type::kError; }
  bool is_array() const { return type() == Type::kArray; }

  // Each accessor requires the matching type; calling it on another type is a programming error
  // and aborts the process with a message (check type() first).
  int64_t integer() const;
  // The bytes of a bulk string, the text of a status, or the message of an error.
  const std::string& str() const;
  const std::vector<Reply>& elements() const;

  // Printable form for logs and test failures; bytes are C-escaped.
  std::string DebugString() const;

  friend bool operator==(const Reply& a, const Reply& b) { return a.value_ == b.value_; }

 private:
  struct StatusText {
    std::string text;
    friend bool operator==(const StatusText&, const StatusText&) = default;
  };
  struct ErrorText {
    std::string text;
    friend bool operator==(const ErrorText&, const ErrorText&) = default;
  };
  // Alternative order matches Type.
  using Value =
      std::variant<std::monostate, int64_t, std::string, StatusText, ErrorText, std::vector<Reply>>;

  explicit Reply(Value value) : value_(std::move(value)) {}

  Value value_;
};

const char* TypeName(Reply::Type type);

// Deep-copies a hiredis reply. INTERNAL for a null pointer or a reply type RESP2 does not have.
absl::StatusOr<Reply> ConvertReply(const redisReply* reply);

// The canonical status for an error reply of `command`, chosen by the error's prefix (the codes
// Redis 7 sends: see the shared error objects in redis/src/server.c and the ACL/cluster replies).
// The message names the command and carries Redis' own text.
absl::Status ErrorReplyToStatus(absl::string_view command, absl::string_view error_message);

}  // namespace jieshui::redis
