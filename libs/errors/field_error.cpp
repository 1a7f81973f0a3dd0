#include "errors/field_error.hpp"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "strings/view.hpp"

namespace jieshui::errors {
namespace {

using strings::Av;

// Payloads under these type URLs: violations as "<len>:<field><len>:<reason>" repeated, the row
// as decimal text.
constexpr char kViolationsUrl[] = "type.jieshui/errors.FieldViolations";
constexpr char kRowUrl[] = "type.jieshui/errors.Row";

void AppendPiece(std::string& out, std::string_view piece) {
  absl::StrAppend(&out, piece.size(), ":", Av(piece));
}

// The next "<len>:<text>" of `in` from `*pos`; nullopt when malformed.
std::optional<std::string> NextPiece(const std::string& in, size_t* pos) {
  const size_t colon = in.find(':', *pos);
  size_t length = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(in).substr(*pos, colon - *pos), &length) ||
      colon + 1 + length > in.size()) {
    return std::nullopt;
  }
  std::string piece = in.substr(colon + 1, length);
  *pos = colon + 1 + length;
  return piece;
}

}  // namespace

absl::Status InvalidArgument(std::string_view field, std::string_view reason) {
  return WithFieldViolation(absl::InvalidArgumentError(absl::StrCat(Av(field), ": ", Av(reason))),
                            field, reason);
}

absl::Status WithFieldViolation(absl::Status status, std::string_view field,
                                std::string_view reason) {
  if (status.ok()) {
    return status;
  }
  std::string encoded;
  if (auto existing = status.GetPayload(kViolationsUrl); existing.has_value()) {
    encoded = std::string(*existing);
  }
  AppendPiece(encoded, field);
  AppendPiece(encoded, reason);
  status.SetPayload(kViolationsUrl, absl::Cord(encoded));
  return status;
}

absl::Status WithRow(absl::Status status, int64_t row) {
  if (status.ok()) {
    return status;
  }
  status.SetPayload(kRowUrl, absl::Cord(absl::StrCat(row)));
  return status;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kViolationsUrl);
  if (!payload.has_value()) {
    return out;
  }
  const std::string encoded(*payload);
  size_t pos = 0;
  while (pos < encoded.size()) {
    auto field = NextPiece(encoded, &pos);
    auto reason = field ? NextPiece(encoded, &pos) : std::nullopt;
    if (!reason) {
      break;
    }
    out.push_back({*std::move(field), *std::move(reason)});
  }
  return out;
}

std::optional<int64_t> RowOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRowUrl);
  int64_t row = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &row)) {
    return std::nullopt;
  }
  return row;
}

std::optional<FieldViolation> FieldOfMessage(std::string_view message) {
  const auto is_lower = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  while (true) {
    // A name: a lower-case letter or '_', then letters, digits or '_'.
    if (i >= message.size() || !is_lower(message[i])) {
      return std::nullopt;
    }
    while (i < message.size() && (is_lower(message[i]) || is_digit(message[i]))) {
      ++i;
    }
    while (i < message.size() && message[i] == '[') {  // [index]
      const size_t start = ++i;
      while (i < message.size() && is_digit(message[i])) {
        ++i;
      }
      if (i == start || i >= message.size() || message[i] != ']') {
        return std::nullopt;
      }
      ++i;
    }
    if (i < message.size() && message[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  if (message.substr(i, 2) != ": " || message.size() == i + 2) {
    return std::nullopt;
  }
  return FieldViolation{.field = std::string(message.substr(0, i)),
                        .reason = std::string(message.substr(i + 2))};
}

}  // namespace jieshui::errors
