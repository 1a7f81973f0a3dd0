// libFuzzer target for libs/hj212: arbitrary bytes through FrameDecoder (fed in pieces whose size
// the input picks), ParsePacket and SplitReassembler, checking the codec's invariants.
// Built and run by deploy/local/fuzz-hj212.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hj212/frame.hpp"
#include "hj212/packet.hpp"
#include "hj212/split.hpp"

namespace {

using jieshui::hj212::DataUpload;
using jieshui::hj212::Frame;
using jieshui::hj212::FrameDecoder;
using jieshui::hj212::FrameDecoderOptions;
using jieshui::hj212::FrameError;
using jieshui::hj212::Packet;
using jieshui::hj212::SplitReassembler;
using jieshui::hj212::SplitReassemblerOptions;

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "hj212_fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

// Whatever the decoder yields for one frame must be one frame with the same data segment.
std::string DecodeOne(std::string_view bytes) {
  FrameDecoder decoder;
  decoder.Feed(bytes);
  std::optional<FrameDecoder::Result> result = decoder.Next();
  Check(result.has_value(), "an encoded frame decodes");
  const auto* frame = std::get_if<Frame>(&*result);
  Check(frame != nullptr, "an encoded frame decodes without error");
  Check(!decoder.Next().has_value(), "an encoded frame decodes to one result");
  return frame->data_segment;
}

// A parsed packet: its reply parses; an unsplit data packet rebuilds into the same items.
void CheckPacket(const Packet& packet) {
  absl::StatusOr<Packet> reply = jieshui::hj212::ParsePacket(jieshui::hj212::DataReply(packet));
  Check(reply.ok(), "the data reply parses");
  Check(reply->qn == packet.qn && reply->mn == packet.mn, "the reply echoes QN and MN");

  if (packet.split() || !packet.data_time) {
    return;
  }
  DataUpload upload;
  upload.qn = packet.qn;
  upload.st = packet.st;
  upload.cn = packet.cn;
  upload.pw = packet.pw;
  upload.mn = packet.mn;
  upload.flag = packet.flag;
  upload.data_time = *packet.data_time;
  upload.items = packet.items;
  absl::StatusOr<std::string> rebuilt = jieshui::hj212::BuildDataFrame(upload);
  if (!rebuilt.ok()) {
    // Only the size limit may stop a parsed packet from being rebuilt.
    Check(rebuilt.status().message().substr(0, 13) == "data segment:", "a parsed packet rebuilds");
    return;
  }
  absl::StatusOr<Packet> again = jieshui::hj212::ParsePacket(DecodeOne(*rebuilt));
  Check(again.ok(), "a rebuilt packet parses");
  Check(again->items == packet.items, "a rebuilt packet has the same items");
  Check(again->data_time == packet.data_time, "a rebuilt packet has the same DataTime");
}

void AddToReassembler(SplitReassembler& reassembler, Packet packet, absl::Time now) {
  const std::size_t cp_size = packet.cp.size();
  const bool split = packet.split();
  absl::StatusOr<std::optional<Packet>> whole = reassembler.Add(std::move(packet), now);
  if (whole.ok() && whole->has_value() && split) {
    Check((*whole)->cp.size() >= cp_size, "a whole message holds its last packet's CP");
  }
  Check(reassembler.pending_messages() <= 4, "pending messages stay bounded");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The input as a data segment: reaches the parser without the fuzzer finding CRCs.
  SplitReassemblerOptions split_options;
  split_options.max_pending_messages = 4;
  split_options.max_pending_bytes = 4096;
  split_options.timeout = absl::Seconds(30);
  SplitReassembler reassembler(split_options);
  absl::Time now = absl::UnixEpoch();
  absl::StatusOr<Packet> direct = jieshui::hj212::ParsePacket(input);
  if (direct.ok()) {
    CheckPacket(*direct);
    AddToReassembler(reassembler, *direct, now);
  }

  // 2. The input framed: decodes back to itself, whatever it holds ("##" included).
  absl::StatusOr<std::string> framed = jieshui::hj212::EncodeFrame(input);
  if (framed.ok()) {
    Check(DecodeOne(*framed) == input, "decode(encode(x)) == x");
  }

  // 3. The input as a TCP stream, fed in pieces of 1-64 bytes (the first byte picks the size).
  FrameDecoderOptions options;
  options.max_data_length = size > 1 && (data[1] & 1U) != 0 ? 1024 : 9999;
  FrameDecoder decoder(options);
  const std::size_t piece = size > 0 ? 1 + data[0] % 64 : 1;
  for (std::size_t at = 0; at < size; at += piece) {
    decoder.Feed(input.substr(at, piece));
    while (std::optional<FrameDecoder::Result> result = decoder.Next()) {
      if (const auto* frame = std::get_if<Frame>(&*result)) {
        Check(frame->data_segment.size() <= options.max_data_length, "frames respect the max");
        absl::StatusOr<Packet> packet = jieshui::hj212::ParsePacket(frame->data_segment);
        if (packet.ok()) {
          CheckPacket(*packet);
          AddToReassembler(reassembler, *std::move(packet), now);
        }
      } else {
        const FrameError& error = std::get<FrameError>(*result);
        Check(!error.message.empty(), "errors say what is wrong");
        Check(!error.ToStatus().ok(), "errors are not OK");
      }
      now += absl::Seconds(7);
    }
    Check(decoder.buffered_bytes() <=
              options.max_data_length + jieshui::hj212::kFrameOverhead + piece,
          "the decoder's buffer stays bounded");
  }
  reassembler.Expire(now + absl::Hours(1));
  Check(reassembler.pending_messages() == 0 && reassembler.pending_bytes() == 0,
        "expiry empties the reassembler");
  return 0;
}
