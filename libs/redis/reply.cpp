#include "redis/reply.hpp"

#include <hiredis/hiredis.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jieshui::redis {
namespace {

[[noreturn]] void WrongType(const char* accessor, Reply::Type actual) {
  std::fprintf(stderr, "jieshui::redis::Reply::%s() called on a %s reply\n", accessor,
               TypeName(actual));
  std::abort();
}

}  // namespace

const char* TypeName(Reply::Type type) {
  switch (type) {
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kString:
      return "string";
    case Reply::Type::kStatus:
      return "status";
    case Reply::Type::kError:
      return "error";
    case Reply::Type::kArray:
      return "array";
  }
  return "unknown";
}

int64_t Reply::integer() const {
  if (const auto* value = std::get_if<int64_t>(&value_)) {
    return *value;
  }
  WrongType("integer", type());
}

const std::string& Reply::str() const {
  if (const auto* bytes = std::get_if<std::string>(&value_)) {
    return *bytes;
  }
  if (const auto* status = std::get_if<StatusText>(&value_)) {
    return status->text;
  }
  if (const auto* error = std::get_if<ErrorText>(&value_)) {
    return error->text;
  }
  WrongType("str", type());
}

const std::vector<Reply>& Reply::elements() const {
  if (const auto* elements = std::get_if<std::vector<Reply>>(&value_)) {
    return *elements;
  }
  WrongType("elements", type());
}

std::string Reply::DebugString() const {
  switch (type()) {
    case Type::kNil:
      return "(nil)";
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer());
    case Type::kString:
      return absl::StrCat("\"", absl::CEscape(str()), "\"");
    case Type::kStatus:
      return absl::StrCat("(status) ", absl::CEscape(str()));
    case Type::kError:
      return absl::StrCat("(error) ", absl::CEscape(str()));
    case Type::kArray:
      return absl::StrCat("[",
                          absl::StrJoin(elements(), ", ",
                                        [](std::string* out, const Reply& element) {
                                          out->append(element.DebugString());
                                        }),
                          "]");
  }
  return "(unknown)";
}

absl::StatusOr<Reply> ConvertReply(const redisReply* reply) {
  if (reply == nullptr) {
    return absl::InternalError("redis: no reply object");
  }
  switch (reply->type) {
    case REDIS_REPLY_NIL:
      return Reply::Nil();
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(reply->integer);
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(reply->str, reply->len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(reply->str, reply->len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(reply->str, reply->len));
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        absl::StatusOr<Reply> element = ConvertReply(reply->element[i]);
        if (!element.ok()) {
          return element.status();
        }
        elements.push_back(*std::move(element));
      }
      return Reply::Array(std::move(elements));
    }
    default:
      return absl::InternalError(
          absl::StrCat("redis: protocol error: unknown reply type ", reply->type));
  }
}

absl::Status ErrorReplyToStatus(absl::string_view command, absl::string_view error_message) {
  const std::string message = absl::StrCat("redis ", command, ": ", error_message);
  const absl::string_view prefix = error_message.substr(0, error_message.find(' '));
  // The key holds another type than the command works on: the data, not the request, is at odds.
  if (prefix == "WRONGTYPE" || prefix == "EXECABORT" || prefix == "NOSCRIPT") {
    return absl::FailedPreconditionError(message);
  }
  if (prefix == "NOAUTH" || prefix == "WRONGPASS") {
    return absl::UnauthenticatedError(message);
  }
  if (prefix == "NOPERM") {
    return absl::PermissionDeniedError(message);
  }
  if (prefix == "OOM") {
    return absl::ResourceExhaustedError(message);
  }
  // The server is (re)loading its dataset, running a long script, or a replica/cluster member
  // that cannot serve the command right now: a later attempt may succeed.
  if (prefix == "LOADING" || prefix == "BUSY" || prefix == "MASTERDOWN" || prefix == "TRYAGAIN" ||
      prefix == "CLUSTERDOWN" || prefix == "READONLY" || prefix == "MOVED" || prefix == "ASK") {
    return absl::UnavailableError(message);
  }
  // "ERR ..." and anything else: Redis refused the command as given (unknown command, wrong
  // number of arguments, a value that is not an integer, an out-of-range index).
  return absl::InvalidArgumentError(message);
}

}  // namespace jieshui::redis
