#include "export_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace jieshui::cli {
namespace {

std::string Reason(int error) { return std::strerror(error); }

}  // namespace

absl::StatusOr<ExportFile> ExportFile::Create(std::string path) {
  const std::string part = path + ".part";
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): open(2) is variadic for its mode.
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot create ", part, ": ", Reason(error));
    return error == ENOENT ? absl::NotFoundError(message) : absl::InvalidArgumentError(message);
  }
  return ExportFile(std::move(path), fd);
}

ExportFile::ExportFile(ExportFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      bytes_(other.bytes_),
      chunks_(other.chunks_),
      last_(other.last_),
      finished_(std::exchange(other.finished_, true)),
      suggested_name_(std::move(other.suggested_name_)) {}

ExportFile::~ExportFile() {
  if (!finished_) {
    CloseAndRemove();
  }
}

void ExportFile::CloseAndRemove() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!path_.empty()) {
    std::remove(part_path().c_str());
  }
}

absl::Status ExportFile::Append(const jieshui::reporting::v1::ExportChunk& chunk) {
  if (last_) {
    return absl::FailedPreconditionError("the export stream sent a chunk after its last one");
  }
  if (chunks_ == 0) {
    suggested_name_ = chunk.file_name();
  }
  ++chunks_;
  const std::string& data = chunk.data();
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return absl::InternalError(absl::StrCat("cannot write ", part_path(), ": ", Reason(errno)));
    }
    written += static_cast<std::size_t>(n);
  }
  bytes_ += static_cast<int64_t>(data.size());
  last_ = chunk.last();
  return absl::OkStatus();
}

absl::Status ExportFile::Commit() {
  if (!last_) {
    CloseAndRemove();
    finished_ = true;  // nothing left to remove
    return absl::DataLossError(absl::StrCat("the export stream ended before its last chunk (",
                                            chunks_, " chunks, ", bytes_, " bytes): ", path_,
                                            " was not written"));
  }
  // On disk before the name points at it, so a crash never leaves a short FILE.
  if (::fsync(fd_) != 0 || ::close(std::exchange(fd_, -1)) != 0) {
    const std::string reason = Reason(errno);
    CloseAndRemove();
    finished_ = true;
    return absl::InternalError(absl::StrCat("cannot write ", part_path(), ": ", reason));
  }
  if (std::rename(part_path().c_str(), path_.c_str()) != 0) {
    const std::string reason = Reason(errno);
    CloseAndRemove();
    finished_ = true;
    return absl::InternalError(
        absl::StrCat("cannot rename ", part_path(), " to ", path_, ": ", reason));
  }
  finished_ = true;
  return absl::OkStatus();
}

void ExportFile::Abandon() {
  CloseAndRemove();
  finished_ = true;
}

}  // namespace jieshui::cli
