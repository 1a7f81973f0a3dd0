#include "hj212/frame.hpp"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jieshui::hj212 {
namespace {

constexpr std::string_view kStart = "##";
constexpr std::size_t kLengthDigits = 4;
constexpr std::size_t kCrcDigits = 4;
constexpr std::size_t kHeaderSize = 2 + kLengthDigits;  // "##" + length

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  // Read leniently: some gateways send lowercase hex (EncodeFrame always writes uppercase).
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

std::optional<uint16_t> ParseHex4(std::string_view text) {
  unsigned value = 0;
  for (char c : text) {
    const int v = HexValue(c);
    if (v < 0) {
      return std::nullopt;
    }
    value = value * 16 + static_cast<unsigned>(v);
  }
  return static_cast<uint16_t>(value);
}

// Printable form of up to `max` bytes for error messages (control and non-ASCII bytes escaped).
std::string Shown(std::string_view bytes, std::size_t max = 16) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "\\x%02X", c);
    }
  }
  if (bytes.size() > max) {
    out += "...";
  }
  return out;
}

std::string CrcText(uint16_t crc) { return absl::StrFormat("%04X", crc); }

}  // namespace

uint16_t Crc16(std::string_view data) {
  // HJ 212-2017 Appendix A.
  uint16_t crc = 0xFFFF;
  for (char ch : data) {
    crc = static_cast<uint16_t>((crc >> 8) ^ static_cast<unsigned char>(ch));
    for (int bit = 0; bit < 8; ++bit) {
      const bool lsb = (crc & 1U) != 0;
      crc = static_cast<uint16_t>(crc >> 1);
      if (lsb) {
        crc ^= 0xA001;
      }
    }
  }
  return crc;
}

absl::StatusOr<std::string> EncodeFrame(std::string_view data_segment) {
  if (data_segment.size() > kMaxDataLength) {
    return absl::InvalidArgumentError(absl::StrCat("data segment: ", data_segment.size(),
                                                   " bytes, at most ", kMaxDataLength, " fit"));
  }
  std::string frame;
  frame.reserve(data_segment.size() + kFrameOverhead);
  absl::StrAppendFormat(&frame, "##%04d", data_segment.size());
  frame.append(data_segment);
  frame += CrcText(Crc16(data_segment));
  frame += "\r\n";
  return frame;
}

std::string_view FrameErrorKindName(FrameErrorKind kind) {
  switch (kind) {
    case FrameErrorKind::kGarbage:
      return "garbage";
    case FrameErrorKind::kBadLength:
      return "bad_length";
    case FrameErrorKind::kTooLong:
      return "too_long";
    case FrameErrorKind::kBadCrc:
      return "bad_crc";
    case FrameErrorKind::kMissingCrlf:
      return "missing_crlf";
  }
  return "unknown";
}

absl::Status FrameError::ToStatus() const {
  return absl::InvalidArgumentError(absl::StrCat("frame: ", message));
}

FrameDecoder::FrameDecoder(FrameDecoderOptions options)
    : max_data_length_(std::min(options.max_data_length, kMaxDataLength)) {}

void FrameDecoder::Feed(std::string_view bytes) {
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

FrameError FrameDecoder::Reject(FrameErrorKind kind, std::string message) {
  const std::string_view rest(buffer_.data() + pos_, buffer_.size() - pos_);
  // Resynchronise on the next "##" after the first byte, not after the claimed length: when the
  // length field is wrong (or the frame was cut short), the next frame may start inside it.
  const std::size_t next = rest.find(kStart, 1);
  std::size_t drop = next;
  if (next == std::string_view::npos) {
    drop = rest.back() == '#' ? rest.size() - 1 : rest.size();
  }
  skipping_ = next == std::string_view::npos;
  pos_ += drop;
  discarded_bytes_ += drop;
  FrameError error;
  error.kind = kind;
  error.message = std::move(message);
  error.discarded_bytes = drop;
  return error;
}

std::optional<FrameDecoder::Result> FrameDecoder::Next() {
  while (pos_ < buffer_.size()) {
    const std::string_view rest(buffer_.data() + pos_, buffer_.size() - pos_);
    if (rest.substr(0, kStart.size()) != kStart) {
      const std::size_t start = rest.find(kStart);
      std::size_t drop = start;
      if (start == std::string_view::npos) {
        // A trailing '#' may be the first half of the next "##".
        drop = rest.back() == '#' ? rest.size() - 1 : rest.size();
      }
      if (drop == 0) {
        return std::nullopt;  // a lone '#'
      }
      const std::string shown = Shown(rest.substr(0, drop));
      pos_ += drop;
      discarded_bytes_ += drop;
      const bool reported = skipping_;
      skipping_ = start == std::string_view::npos;
      if (reported) {
        continue;
      }
      FrameError error;
      error.kind = FrameErrorKind::kGarbage;
      error.message = absl::StrCat(drop, " bytes before \"##\": \"", shown, "\"");
      error.discarded_bytes = drop;
      return error;
    }
    skipping_ = false;

    // Check the length digits as they arrive, so a bad header is not held while waiting.
    const std::string_view length_text = rest.substr(kStart.size(), kLengthDigits);
    if (!std::all_of(length_text.begin(), length_text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
      return Reject(FrameErrorKind::kBadLength,
                    absl::StrCat("length \"", Shown(length_text), "\" is not 4 decimal digits"));
    }
    if (rest.size() < kHeaderSize) {
      return std::nullopt;
    }
    std::size_t length = 0;
    for (char c : length_text) {
      length = length * 10 + static_cast<std::size_t>(c - '0');
    }
    if (length > max_data_length_) {
      return Reject(FrameErrorKind::kTooLong,
                    absl::StrCat("length ", length, " is over the limit ", max_data_length_));
    }
    const std::size_t crc_at = kHeaderSize + length;
    if (rest.size() < crc_at + kCrcDigits) {
      return std::nullopt;
    }
    const std::string_view data = rest.substr(kHeaderSize, length);
    const std::string_view crc_text = rest.substr(crc_at, kCrcDigits);
    const std::optional<uint16_t> expected = ParseHex4(crc_text);
    if (!expected) {
      return Reject(FrameErrorKind::kBadCrc,
                    absl::StrCat("CRC \"", Shown(crc_text), "\" is not 4 hex digits"));
    }
    const uint16_t actual = Crc16(data);
    if (*expected != actual) {
      FrameError error = Reject(FrameErrorKind::kBadCrc,
                                absl::StrCat("CRC mismatch: frame says ", CrcText(*expected),
                                             ", data segment gives ", CrcText(actual)));
      error.expected_crc = *expected;
      error.actual_crc = actual;
      return error;
    }
    const std::size_t end_at = crc_at + kCrcDigits;
    const std::string_view end = rest.substr(end_at, 2);
    if (end != std::string_view("\r\n").substr(0, end.size())) {
      return Reject(FrameErrorKind::kMissingCrlf,
                    absl::StrCat("\"", Shown(end), "\" after the CRC instead of \"\\r\\n\""));
    }
    if (end.size() < 2) {
      return std::nullopt;
    }
    Frame frame{std::string(data)};
    pos_ += end_at + 2;
    return frame;
  }
  return std::nullopt;
}

}  // namespace jieshui::hj212
