// HJ 212-2017 framing for meter gateways on TCP: the CRC, one frame's encoding, and a streaming
// decoder that cuts a connection's bytes into data segments and resynchronises after bad frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jieshui::hj212 {

// HJ 212-2017 6.3.1: a frame is "##", the data segment's length as 4 decimal digits, the data
// segment, its CRC as 4 hex digits, and "\r\n". The length field caps a data segment at 9999
// bytes (the standard itself allows 0-1024; real gateways send more, so only the field's own
// limit applies unless a decoder is configured lower).
inline constexpr std::size_t kMaxDataLength = 9999;
// "##" + 4 length digits + 4 CRC digits + "\r\n".
inline constexpr std::size_t kFrameOverhead = 12;

// HJ 212-2017 Appendix A: CRC over the data segment only. Start 0xFFFF; for each byte
// crc = (crc >> 8) ^ byte, then 8 times: shift right, xor 0xA001 when the bit shifted out was 1.
// It is not Modbus CRC-16 (crc ^= byte, "123456789" gives 0x4B37): each step first shifts the
// register right by 8, so "123456789" gives 0x2F80.
uint16_t Crc16(std::string_view data);

// The full frame for `data_segment`: "##" + length + data segment + uppercase hex CRC + "\r\n".
// INVALID_ARGUMENT when the data segment is longer than 9999 bytes.
absl::StatusOr<std::string> EncodeFrame(std::string_view data_segment);

// Why the decoder rejected bytes. Stable names (FrameErrorKindName) suit metric labels.
enum class FrameErrorKind {
  kGarbage,      // bytes before "##" (not the start of a frame)
  kBadLength,    // the 4 characters after "##" are not decimal digits
  kTooLong,      // the length is over the decoder's max_data_length
  kBadCrc,       // the CRC field is not 4 hex digits, or differs from the data segment's CRC
  kMissingCrlf,  // the CRC is not followed by "\r\n" (often a wrong length field)
};
std::string_view FrameErrorKindName(FrameErrorKind kind);

struct FrameError {
  FrameErrorKind kind = FrameErrorKind::kGarbage;
  // What was wrong, e.g. "CRC mismatch: frame says 1A2B, data segment gives 9C3E".
  std::string message;
  // Bytes dropped for this error, counted up to the point where the decoder resynchronised (or
  // up to the end of what it held: bytes dropped afterwards while it waits for the next "##" are
  // not reported again, but are counted in FrameDecoder::discarded_bytes()).
  std::size_t discarded_bytes = 0;
  // For kBadCrc on a well-formed CRC field: the CRC the frame carries and the one computed.
  std::optional<uint16_t> expected_crc;
  std::optional<uint16_t> actual_crc;

  // INVALID_ARGUMENT "frame: <message>".
  absl::Status ToStatus() const;
};

// A complete frame's data segment ("QN=...;ST=...;...;CP=&&...&&"), its CRC verified.
struct Frame {
  std::string data_segment;
};

struct FrameDecoderOptions {
  // Longer frames are rejected (kTooLong) without being buffered whole. Values above 9999 act
  // as 9999.
  std::size_t max_data_length = kMaxDataLength;
};

// Cuts the byte stream of one TCP connection into frames. TCP may split or join frames anywhere:
// Feed() whatever arrived, then call Next() until it returns std::nullopt (more bytes needed).
//
// After any error the decoder resynchronises on the next "##" after the start of the bad frame,
// so a frame that follows a truncated or corrupt one still decodes, and the connection stays
// usable. A run of garbage is reported once, however many Feed() calls it spans.
//
// Memory: bytes consumed by Next() are released at the next Feed(); what is kept is at most one
// incomplete frame (max_data_length + 12 bytes) plus the latest Feed() when Next() is drained
// after every Feed(). Garbage is never kept beyond a trailing '#'.
class FrameDecoder {
 public:
  using Result = std::variant<Frame, FrameError>;

  FrameDecoder() : FrameDecoder(FrameDecoderOptions{}) {}
  explicit FrameDecoder(FrameDecoderOptions options);

  void Feed(std::string_view bytes);
  // The next frame or error, std::nullopt when the bytes held so far end inside a frame.
  std::optional<Result> Next();

  // Bytes held (not yet returned as a frame or dropped).
  std::size_t buffered_bytes() const { return buffer_.size() - pos_; }
  // Every byte dropped so far (garbage and bad frames).
  std::size_t discarded_bytes() const { return discarded_bytes_; }

 private:
  // Drops the bad frame at pos_ up to the next "##" after its first byte.
  FrameError Reject(FrameErrorKind kind, std::string message);

  std::size_t max_data_length_;
  std::string buffer_;
  std::size_t pos_ = 0;  // start of the unconsumed bytes in buffer_
  // True while the bytes before the next "##" belong to an error already reported.
  bool skipping_ = false;
  std::size_t discarded_bytes_ = 0;
};

}  // namespace jieshui::hj212
