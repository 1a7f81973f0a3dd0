#include "csv/csv.hpp"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace jieshui::csv {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Debian's abseil has its own absl::string_view, so trimming is done here on std::string_view.
std::string_view TrimAsciiWhitespace(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string NormaliseName(std::string_view name) {
  return absl::AsciiStrToLower(std::string(TrimAsciiWhitespace(name)));
}

}  // namespace

Reader::Reader(std::string_view text) : text_(text) {
  if (text_.starts_with(kUtf8Bom)) {
    pos_ = kUtf8Bom.size();
  }
}

absl::StatusOr<std::optional<Record>> Reader::Next() {
  const std::size_t size = text_.size();
  // Consumes the line break at pos_ (CRLF, LF or a lone CR) and counts it.
  auto skip_line_break = [&] {
    if (text_[pos_] == '\r' && pos_ + 1 < size && text_[pos_ + 1] == '\n') {
      ++pos_;
    }
    ++pos_;
    ++line_;
  };
  while (pos_ < size && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    skip_line_break();
  }
  if (pos_ >= size) {
    return std::nullopt;
  }

  Record record;
  record.line = line_;
  std::string field;
  while (true) {
    const std::size_t column = record.fields.size() + 1;
    if (pos_ < size && text_[pos_] == '"') {
      const int64_t opened_on = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < size) {
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < size && text_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        // Line breaks inside quotes are kept as they are, and counted like any other.
        if (c == '\n' || (c == '\r' && !(pos_ + 1 < size && text_[pos_ + 1] == '\n'))) {
          ++line_;
        }
        field.push_back(c);
        ++pos_;
      }
      if (!closed) {
        pos_ = size;
        return absl::InvalidArgumentError(absl::StrFormat(
            "line %d: the quoted field %d opened on this line is never closed", opened_on, column));
      }
      if (pos_ < size && text_[pos_] != ',' && text_[pos_] != '\r' && text_[pos_] != '\n') {
        const int64_t line = line_;
        pos_ = size;
        return absl::InvalidArgumentError(absl::StrFormat(
            "line %d: field %d has text after its closing quote (a quote inside a quoted field "
            "must be doubled)",
            line, column));
      }
    } else {
      const std::size_t end = std::min(text_.find_first_of(",\r\n\"", pos_), size);
      if (end < size && text_[end] == '"') {
        const int64_t line = line_;
        pos_ = size;
        return absl::InvalidArgumentError(absl::StrFormat(
            "line %d: field %d has a quote but does not start with one (quote the whole field "
            "and double the inner quote)",
            line, column));
      }
      field.assign(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    record.fields.push_back(std::move(field));
    field.clear();
    if (pos_ >= size) {
      break;
    }
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    skip_line_break();
    break;
  }
  return record;
}

absl::StatusOr<std::vector<Record>> Reader::ReadAll(std::string_view text) {
  Reader reader(text);
  std::vector<Record> records;
  while (true) {
    absl::StatusOr<std::optional<Record>> next = reader.Next();
    if (!next.ok()) {
      return next.status();
    }
    if (!next->has_value()) {
      return records;
    }
    records.push_back(std::move(**next));
  }
}

absl::StatusOr<Header> Header::Read(Reader& reader, const ColumnSpec& spec) {
  absl::StatusOr<std::optional<Record>> first = reader.Next();
  if (!first.ok()) {
    return first.status();
  }
  if (!first->has_value()) {
    return absl::InvalidArgumentError("the file is empty: a header row is required");
  }
  return Parse(**first, spec);
}

absl::StatusOr<Header> Header::Parse(const Record& header, const ColumnSpec& spec) {
  absl::flat_hash_map<std::string, std::size_t> known;
  for (std::string_view name : spec.known) {
    known.emplace(NormaliseName(name), 0);
  }
  Header result;
  result.size_ = header.fields.size();
  result.line_ = header.line;
  std::vector<std::string> unknown;
  std::vector<std::string> duplicate;
  std::vector<std::string> unnamed;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = NormaliseName(header.fields[i]);
    if (name.empty()) {
      unnamed.push_back(absl::StrCat(i + 1));
      continue;
    }
    if (!known.empty() && !known.contains(name)) {
      unknown.emplace_back(TrimAsciiWhitespace(header.fields[i]));
      continue;
    }
    if (!result.index_.emplace(name, i).second) {
      if (std::find(duplicate.begin(), duplicate.end(), name) == duplicate.end()) {
        duplicate.push_back(std::move(name));
      }
    }
  }
  std::vector<std::string> missing;
  for (std::string_view name : spec.required) {
    std::string normalised = NormaliseName(name);
    if (!result.index_.contains(normalised)) {
      missing.push_back(std::move(normalised));
    }
  }
  std::vector<std::string> problems;
  if (!unknown.empty()) {
    problems.push_back(absl::StrCat("unknown columns: ", absl::StrJoin(unknown, ", ")));
  }
  if (!duplicate.empty()) {
    problems.push_back(absl::StrCat("duplicate columns: ", absl::StrJoin(duplicate, ", ")));
  }
  if (!unnamed.empty()) {
    problems.push_back(
        absl::StrCat("columns without a name at positions ", absl::StrJoin(unnamed, ", ")));
  }
  if (!missing.empty()) {
    problems.push_back(absl::StrCat("missing required columns: ", absl::StrJoin(missing, ", ")));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", header.line, ": ", absl::StrJoin(problems, "; ")));
  }
  return result;
}

std::optional<std::size_t> Header::Index(std::string_view name) const {
  auto it = index_.find(NormaliseName(name));
  if (it == index_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string_view Header::Cell(const Record& record, std::string_view name) const {
  std::optional<std::size_t> index = Index(name);
  if (!index.has_value() || *index >= record.fields.size()) {
    return {};
  }
  return record.fields[*index];
}

Writer::Writer(Options options) {
  if (options.utf8_bom) {
    text_.append(kUtf8Bom);
  }
}

void Writer::WriteRecord(std::initializer_list<std::string_view> fields) {
  WriteRecord(std::span<const std::string_view>(fields.begin(), fields.size()));
}

void Writer::WriteRecord(std::span<const std::string_view> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    AppendField(fields[i], i == 0, fields.size() == 1);
  }
  EndRecord();
}

void Writer::WriteRecord(std::span<const std::string> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    AppendField(fields[i], i == 0, fields.size() == 1);
  }
  EndRecord();
}

std::string Writer::Release() { return std::exchange(text_, std::string()); }

std::string Writer::FormatField(std::string_view field) {
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!field.empty() && (field.front() == ' ' || field.front() == '\t' ||
                                                field.back() == ' ' || field.back() == '\t'));
  if (!needs_quotes) {
    return std::string(field);
  }
  std::string quoted;
  quoted.reserve(field.size() + 2);
  quoted.push_back('"');
  for (char c : field) {
    if (c == '"') {
      quoted.push_back('"');
    }
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void Writer::AppendField(std::string_view field, bool first, bool only) {
  if (!first) {
    text_.push_back(',');
  }
  // A record of one empty field would be a blank line, which readers skip: write it as "".
  if (only && field.empty()) {
    text_.append("\"\"");
    return;
  }
  text_.append(FormatField(field));
}

void Writer::EndRecord() { text_.append("\r\n"); }

}  // namespace jieshui::csv
