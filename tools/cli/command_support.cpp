#include "command_support.hpp"

namespace jieshui::cli {

int Fail(const std::string& command, std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", command.c_str(), static_cast<int>(message.size()),
               message.data());
  return kExitFailed;
}

void Print(const std::string& text) { std::fputs(text.c_str(), stdout); }

void PrintJson(const std::string& json) { std::printf("%s\n", json.c_str()); }

std::shared_ptr<grpc::Channel> Channel(const std::string& target) {
  return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
}

std::optional<int> BadOption(const std::string& command, const absl::Status& status) {
  if (status.ok()) {
    return std::nullopt;
  }
  return Fail(command, std::string(status.message()));
}

}  // namespace jieshui::cli
