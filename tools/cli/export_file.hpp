// jieshui-cli: the file an export stream is written to. The chunks go to FILE.part; FILE appears
// only once the chunk marked last has arrived and the stream ended well, renamed into place in
// one step, so a reader never finds half a spreadsheet under FILE and an interrupted export
// leaves nothing behind.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jieshui/reporting/v1/reporting_service.pb.h"

namespace jieshui::cli {

class ExportFile {
 public:
  // Creates (or truncates) `path`.part. INVALID_ARGUMENT / NOT_FOUND "cannot create <path>.part:
  // <reason>" when it cannot be written.
  static absl::StatusOr<ExportFile> Create(std::string path);

  ExportFile(ExportFile&& other) noexcept;
  ExportFile& operator=(ExportFile&&) = delete;
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;
  // Removes FILE.part unless Commit succeeded.
  ~ExportFile();

  // Appends the chunk's data. FAILED_PRECONDITION for a chunk after the last one; INTERNAL when
  // the write fails. The first chunk's file_name is kept (the service's suggested name).
  absl::Status Append(const jieshui::reporting::v1::ExportChunk& chunk);

  // The stream ended without an error: flushes FILE.part to disk and renames it to FILE.
  // DATA_LOSS when the last chunk never came ("the export stream ended before its last chunk"),
  // and FILE.part is removed; INTERNAL when the flush or rename fails.
  absl::Status Commit();

  // The stream failed: FILE.part is removed and FILE is left as it was.
  void Abandon();

  const std::string& path() const { return path_; }
  std::string part_path() const { return path_ + ".part"; }
  int64_t bytes() const { return bytes_; }
  int chunks() const { return chunks_; }
  const std::string& suggested_name() const { return suggested_name_; }

 private:
  ExportFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  void CloseAndRemove();

  std::string path_;
  int fd_ = -1;
  int64_t bytes_ = 0;
  int chunks_ = 0;
  bool last_ = false;
  bool finished_ = false;
  std::string suggested_name_;
};

}  // namespace jieshui::cli
