// ReadXlsx and ReadXlsxPart: the zip read from memory with libzip, each XML part parsed with expat
// (namespaces processed, elements matched by local name, so Strict OOXML reads too).
#include <zip.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "expat.h"
#include "sheet/sheet.hpp"
#include "strings/view.hpp"

namespace jieshui::sheet {
namespace {

using strings::Av;

// expat takes a buffer's length as an int.
constexpr uint64_t kMaxExpatBytes = std::numeric_limits<int>::max();
// Excel's grid (Excel specifications and limits).
constexpr int64_t kMaxRows = 1048576;
constexpr int64_t kMaxColumns = 16384;
// What expat puts between a namespace URI and a local name (never in a name itself).
constexpr char kNamespaceSeparator = '\x01';

// ---- the zip ----

class Package {
 public:
  // INVALID_ARGUMENT when `bytes` (which must outlive the package) is not a zip file.
  // Parts over `max_part_bytes` uncompressed are refused.
  static absl::StatusOr<std::unique_ptr<Package>> Open(std::string_view bytes,
                                                       uint64_t max_part_bytes) {
    if (bytes.empty()) {
      return absl::InvalidArgumentError("not an .xlsx (zip) file: it is empty");
    }
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) {
      std::string message = zip_error_strerror(&error);
      zip_error_fini(&error);
      return absl::InternalError(absl::StrCat("libzip: ", message));
    }
    zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (zip == nullptr) {
      zip_source_free(source);
      std::string message = zip_error_strerror(&error);
      zip_error_fini(&error);
      return absl::InvalidArgumentError(absl::StrCat("not an .xlsx (zip) file: ", message));
    }
    zip_error_fini(&error);
    return std::unique_ptr<Package>(new Package(zip, std::min(max_part_bytes, kMaxExpatBytes)));
  }

  Package(const Package&) = delete;
  Package& operator=(const Package&) = delete;
  ~Package() { zip_discard(zip_); }

  bool Has(const std::string& name) const {
    return zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  // The part uncompressed; NOT_FOUND when the package lacks it, INVALID_ARGUMENT when it cannot be
  // read (encrypted, corrupt, too large).
  absl::StatusOr<std::string> Read(const std::string& name) const {
    const zip_int64_t index = zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) {
      return absl::NotFoundError(absl::StrCat("the package has no part ", name));
    }
    const auto at = static_cast<zip_uint64_t>(index);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(zip_, at, 0, &stat) != 0) {
      return Invalid(name, zip_strerror(zip_));
    }
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && stat.encryption_method != ZIP_EM_NONE) {
      return Invalid(name, "the part is encrypted");
    }
    if ((stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > max_part_bytes_) {
      return TooLarge(name);
    }
    zip_file_t* file = zip_fopen_index(zip_, at, 0);
    if (file == nullptr) {
      return Invalid(name, zip_strerror(zip_));
    }
    std::string bytes;
    if ((stat.valid & ZIP_STAT_SIZE) != 0) {
      bytes.reserve(static_cast<std::size_t>(stat.size));
    }
    std::array<char, 1 << 16> buffer{};
    while (true) {
      const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
      if (n < 0) {
        std::string message = zip_file_strerror(file);
        zip_fclose(file);
        return Invalid(name, message);
      }
      if (n == 0) {
        break;
      }
      if (bytes.size() + static_cast<uint64_t>(n) > max_part_bytes_) {
        zip_fclose(file);
        return TooLarge(name);
      }
      bytes.append(buffer.data(), static_cast<std::size_t>(n));
    }
    if (int error = zip_fclose(file); error != 0) {
      zip_error_t e;
      zip_error_init_with_code(&e, error);
      std::string message = zip_error_strerror(&e);
      zip_error_fini(&e);
      return Invalid(name, message);
    }
    return bytes;
  }

 private:
  Package(zip_t* zip, uint64_t max_part_bytes) : zip_(zip), max_part_bytes_(max_part_bytes) {}

  static absl::Status Invalid(const std::string& name, std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": cannot read the part: ", Av(why)));
  }
  absl::Status TooLarge(const std::string& name) const {
    return absl::InvalidArgumentError(absl::StrCat(name, ": the part is over ", max_part_bytes_,
                                                   " bytes uncompressed, more than the reader "
                                                   "takes"));
  }

  zip_t* zip_;
  uint64_t max_part_bytes_;
};

// A part every reading needs: NOT_FOUND becomes INVALID_ARGUMENT, since the file is then not an
// .xlsx file, whatever else it is.
absl::StatusOr<std::string> ReadRequired(const Package& package, const std::string& name,
                                         std::string_view what) {
  absl::StatusOr<std::string> bytes = package.Read(name);
  if (absl::IsNotFound(bytes.status())) {
    return absl::InvalidArgumentError(absl::StrCat(Av(what), ": the package has no part ", name));
  }
  return bytes;
}

// ---- XML ----

// What one element's attributes say. Names are as expat gives them: "r" for an attribute without
// a namespace, "<uri>\x01id" for r:id.
class Attributes {
 public:
  explicit Attributes(const char** pairs) : pairs_(pairs) {}

  // The attribute `name` without a namespace.
  std::optional<std::string_view> Get(std::string_view name) const {
    for (const char** p = pairs_; *p != nullptr; p += 2) {
      if (name == *p) {
        return std::string_view(p[1]);
      }
    }
    return std::nullopt;
  }
  // The attribute `local` in some namespace (r:id, whatever the prefix).
  std::optional<std::string_view> GetNamespaced(std::string_view local) const {
    for (const char** p = pairs_; *p != nullptr; p += 2) {
      const std::string_view attribute = *p;
      const std::size_t separator = attribute.rfind(kNamespaceSeparator);
      if (separator != std::string_view::npos && attribute.substr(separator + 1) == local) {
        return std::string_view(p[1]);
      }
    }
    return std::nullopt;
  }

 private:
  const char** pairs_;
};

// The elements open around the current one, outermost first, by local name.
using Ancestors = std::vector<std::string>;

// One part's content as it is parsed. A handler's error stops the parse.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual absl::Status Start(std::string_view name, const Attributes& attributes,
                             const Ancestors& ancestors) = 0;
  virtual absl::Status End(std::string_view /*name*/, const Ancestors& /*ancestors*/) {
    return absl::OkStatus();
  }
  virtual void Text(std::string_view /*text*/) {}
};

class XmlParse {
 public:
  XmlParse(std::string_view part, XmlHandler& handler)
      : part_(part), handler_(handler), parser_(XML_ParserCreateNS(nullptr, kNamespaceSeparator)) {}
  XmlParse(const XmlParse&) = delete;
  XmlParse& operator=(const XmlParse&) = delete;
  ~XmlParse() {
    if (parser_ != nullptr) {
      XML_ParserFree(parser_);
    }
  }

  absl::Status Run(std::string_view xml) {
    if (parser_ == nullptr) {
      return absl::InternalError("expat: cannot create a parser");
    }
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &XmlParse::OnStart, &XmlParse::OnEnd);
    XML_SetCharacterDataHandler(parser_, &XmlParse::OnText);
    XML_SetStartDoctypeDeclHandler(parser_, &XmlParse::OnDoctype);
    // Package::Read keeps parts within int.
    if (XML_Parse(parser_, xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_OK) {
      const std::string where =
          absl::StrCat(Av(part_), ": line ", XML_GetCurrentLineNumber(parser_), ", column ",
                       XML_GetCurrentColumnNumber(parser_) + 1, ": ");
      if (!error_.ok()) {
        return absl::Status(error_.code(), absl::StrCat(where, error_.message()));
      }
      return absl::InvalidArgumentError(
          absl::StrCat(where, "malformed XML: ", XML_ErrorString(XML_GetErrorCode(parser_))));
    }
    return absl::OkStatus();
  }

 private:
  static std::string_view LocalName(const char* name) {
    const std::string_view full = name;
    const std::size_t separator = full.rfind(kNamespaceSeparator);
    return separator == std::string_view::npos ? full : full.substr(separator + 1);
  }

  void Fail(absl::Status status) {
    error_ = std::move(status);
    XML_StopParser(parser_, XML_FALSE);
  }

  // After a failure expat may still call a handler or two: they do nothing then.
  static void OnStart(void* data, const char* name, const char** attributes) {
    auto* self = static_cast<XmlParse*>(data);
    if (!self->error_.ok()) {
      return;
    }
    const std::string_view local = LocalName(name);
    absl::Status s = self->handler_.Start(local, Attributes(attributes), self->open_);
    self->open_.emplace_back(local);
    if (!s.ok()) {
      self->Fail(std::move(s));
    }
  }

  static void OnEnd(void* data, const char* name) {
    auto* self = static_cast<XmlParse*>(data);
    if (!self->error_.ok() || self->open_.empty()) {
      return;
    }
    self->open_.pop_back();
    if (absl::Status s = self->handler_.End(LocalName(name), self->open_); !s.ok()) {
      self->Fail(std::move(s));
    }
  }

  static void OnText(void* data, const char* text, int length) {
    auto* self = static_cast<XmlParse*>(data);
    if (self->error_.ok()) {
      self->handler_.Text(std::string_view(text, static_cast<std::size_t>(length)));
    }
  }

  // OOXML parts have no DOCTYPE; refusing it keeps entity declarations out altogether.
  static void OnDoctype(void* data, const char* /*name*/, const char* /*sysid*/,
                        const char* /*pubid*/, int /*has_internal_subset*/) {
    auto* self = static_cast<XmlParse*>(data);
    if (!self->error_.ok()) {
      return;
    }
    self->Fail(absl::InvalidArgumentError("a DOCTYPE, which no OOXML part has"));
  }

  std::string_view part_;
  XmlHandler& handler_;
  XML_Parser parser_;
  Ancestors open_;
  absl::Status error_;
};

absl::Status ParseXml(std::string_view part, std::string_view xml, XmlHandler& handler) {
  XmlParse parse(part, handler);
  return parse.Run(xml);
}

bool Parent(const Ancestors& ancestors, std::string_view name) {
  return !ancestors.empty() && ancestors.back() == name;
}

// Whether a <t> with these ancestors is part of the text of the rich-text container `container`
// (<si> of the shared strings, <is> of an inline string): <container><t> or <container><r><t>,
// but not the phonetic guide <container><rPh><t>.
bool IsTextRun(const Ancestors& ancestors, std::string_view container) {
  const std::size_t n = ancestors.size();
  return (n >= 1 && ancestors[n - 1] == container) ||
         (n >= 2 && ancestors[n - 1] == "r" && ancestors[n - 2] == container);
}

void AppendUtf8(char32_t code, std::string& out) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// The UTF-16 unit of an "_xHHHH_" at `at` of `text`, if there is one.
std::optional<char32_t> EscapeAt(std::string_view text, std::size_t at) {
  if (at + 7 > text.size() || text[at] != '_' || text[at + 1] != 'x' || text[at + 6] != '_') {
    return std::nullopt;
  }
  char32_t unit = 0;
  for (std::size_t k = at + 2; k < at + 6; ++k) {
    const auto c = static_cast<unsigned char>(text[k]);
    if (!absl::ascii_isxdigit(c)) {
      return std::nullopt;
    }
    unit = unit * 16 + static_cast<char32_t>(
                           absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10);
  }
  return unit;
}

// ECMA-376 Part 1, 22.9.2.19 ST_Xstring: "_xHHHH_" is the UTF-16 unit HHHH (Excel writes control
// characters so, and "_x005F_" for a literal underscore that would start one). A surrogate pair is
// two escapes; a lone surrogate stays as written.
std::string DecodeXstring(std::string text) {
  if (text.find("_x") == std::string::npos) {
    return text;
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::optional<char32_t> unit = EscapeAt(text, i);
    if (!unit.has_value() || (*unit >= 0xDC00 && *unit <= 0xDFFF)) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    if (*unit >= 0xD800 && *unit <= 0xDBFF) {
      std::optional<char32_t> low = EscapeAt(text, i + 7);
      if (!low.has_value() || *low < 0xDC00 || *low > 0xDFFF) {
        out.push_back(text[i]);
        ++i;
        continue;
      }
      AppendUtf8(0x10000 + ((*unit - 0xD800) << 10) + (*low - 0xDC00), out);
      i += 14;
      continue;
    }
    AppendUtf8(*unit, out);
    i += 7;
  }
  return out;
}

// ---- the package's structure ----

// The directory of a part ("xl/" of "xl/workbook.xml"), "" at the root.
std::string DirectoryOf(std::string_view part) {
  const std::size_t slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

// The relationships part of `part`: "xl/_rels/workbook.xml.rels" for "xl/workbook.xml".
std::string RelsOf(std::string_view part) {
  const std::string dir = DirectoryOf(part);
  return absl::StrCat(dir, "_rels/", Av(part.substr(dir.size())), ".rels");
}

// A relationship's target as a part name (ECMA-376 Part 2, 9.3: relative to the source part's
// directory, or absolute from the package root), "." and ".." resolved.
std::string ResolveTarget(std::string_view source_dir, std::string_view target) {
  std::string path = target.starts_with('/') ? std::string(target.substr(1))
                                             : absl::StrCat(Av(source_dir), Av(target));
  std::vector<std::string_view> segments;
  std::string_view rest = path;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
  }
  std::string resolved;
  for (std::string_view segment : segments) {
    absl::StrAppend(&resolved, resolved.empty() ? "" : "/", Av(segment));
  }
  return resolved;
}

struct Relationship {
  std::string type;
  std::string target;  // a part name, resolved
  bool external = false;
};

class RelationshipsHandler : public XmlHandler {
 public:
  explicit RelationshipsHandler(std::string source_dir) : source_dir_(std::move(source_dir)) {}

  absl::Status Start(std::string_view name, const Attributes& attributes,
                     const Ancestors& ancestors) override {
    if (name != "Relationship" || !Parent(ancestors, "Relationships")) {
      return absl::OkStatus();
    }
    const std::optional<std::string_view> id = attributes.Get("Id");
    const std::optional<std::string_view> type = attributes.Get("Type");
    const std::optional<std::string_view> target = attributes.Get("Target");
    if (!id || !type || !target) {
      return absl::InvalidArgumentError("a Relationship without Id, Type or Target");
    }
    Relationship& r = by_id_[std::string(*id)];
    r.type = std::string(*type);
    r.external = attributes.Get("TargetMode") == "External";
    r.target = r.external ? std::string(*target) : ResolveTarget(source_dir_, *target);
    order_.emplace_back(*id);
    return absl::OkStatus();
  }

  const Relationship* Find(std::string_view id) const {
    auto it = by_id_.find(Av(id));
    return it == by_id_.end() ? nullptr : &it->second;
  }
  // The first relationship whose type ends with "/<kind>" (transitional and strict OOXML differ
  // in the URI before it).
  const Relationship* FindType(std::string_view kind) const {
    const std::string suffix = absl::StrCat("/", Av(kind));
    for (const std::string& id : order_) {
      const Relationship& r = by_id_.at(id);
      if (!r.external && std::string_view(r.type).ends_with(suffix)) {
        return &r;
      }
    }
    return nullptr;
  }

 private:
  std::string source_dir_;
  absl::flat_hash_map<std::string, Relationship> by_id_;
  std::vector<std::string> order_;
};

absl::StatusOr<std::unique_ptr<RelationshipsHandler>> ReadRelationships(
    const Package& package, std::string_view source_part) {
  const std::string rels = RelsOf(source_part);
  absl::StatusOr<std::string> xml =
      ReadRequired(package, rels, absl::StrCat("the relationships of ", Av(source_part)));
  if (!xml.ok()) {
    return xml.status();
  }
  auto handler = std::make_unique<RelationshipsHandler>(DirectoryOf(source_part));
  if (absl::Status s = ParseXml(rels, *xml, *handler); !s.ok()) {
    return s;
  }
  return handler;
}

struct SheetEntry {
  std::string name;
  std::string relationship;
};

class WorkbookHandler : public XmlHandler {
 public:
  absl::Status Start(std::string_view name, const Attributes& attributes,
                     const Ancestors& ancestors) override {
    if (ancestors.empty() && name != "workbook") {
      return absl::InvalidArgumentError(
          absl::StrCat("the root element is <", Av(name), ">, not <workbook>"));
    }
    if (name != "sheet" || !Parent(ancestors, "sheets")) {
      return absl::OkStatus();
    }
    const std::optional<std::string_view> sheet_name = attributes.Get("name");
    const std::optional<std::string_view> id = attributes.GetNamespaced("id");
    if (!sheet_name || !id) {
      return absl::InvalidArgumentError("a <sheet> without name or r:id");
    }
    sheets.push_back({.name = std::string(*sheet_name), .relationship = std::string(*id)});
    return absl::OkStatus();
  }

  std::vector<SheetEntry> sheets;
};

// What the reader may still allocate for one file's cells and shared strings, in bytes.
class Budget {
 public:
  explicit Budget(uint64_t bytes) : left_(bytes) {}

  absl::Status Spend(std::size_t bytes, std::string_view part) {
    if (bytes > left_) {
      return absl::InvalidArgumentError(
          absl::StrCat(Av(part), ": the cells read so far and these would take more than the ",
                       limit_, " bytes the reader takes (ReadLimits::max_result_bytes)"));
    }
    left_ -= bytes;
    return absl::OkStatus();
  }

 private:
  uint64_t left_;
  uint64_t limit_ = left_;
};

class SharedStringsHandler : public XmlHandler {
 public:
  SharedStringsHandler(std::string_view part, Budget& budget) : part_(part), budget_(budget) {}

  absl::Status Start(std::string_view name, const Attributes& /*attributes*/,
                     const Ancestors& ancestors) override {
    if (name == "si" && Parent(ancestors, "sst")) {
      current_.clear();
    } else if (name == "t" && IsTextRun(ancestors, "si")) {
      in_text_ = true;
    }
    return absl::OkStatus();
  }

  absl::Status End(std::string_view name, const Ancestors& ancestors) override {
    if (name == "t") {
      in_text_ = false;
    } else if (name == "si" && Parent(ancestors, "sst")) {
      if (absl::Status s = budget_.Spend(sizeof(std::string) + current_.size(), part_); !s.ok()) {
        return s;
      }
      strings.push_back(DecodeXstring(std::move(current_)));
      current_.clear();
    }
    return absl::OkStatus();
  }

  void Text(std::string_view text) override {
    if (in_text_) {
      current_.append(text);
    }
  }

  std::vector<std::string> strings;

 private:
  std::string_view part_;
  Budget& budget_;
  std::string current_;
  bool in_text_ = false;
};

// "C7" as 0-based (row, column), if it is a cell reference within Excel's grid.
std::optional<std::pair<int64_t, int64_t>> ParseCellRef(std::string_view ref) {
  std::size_t i = 0;
  int64_t column = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && i < 3; ++i) {
    column = column * 26 + (ref[i] - 'A' + 1);
  }
  if (i == 0 || column > kMaxColumns || i == ref.size() || ref[i] == '0') {
    return std::nullopt;
  }
  int64_t row = 0;
  for (; i < ref.size(); ++i) {
    if (ref[i] < '0' || ref[i] > '9' || row > kMaxRows) {
      return std::nullopt;
    }
    row = row * 10 + (ref[i] - '0');
  }
  if (row < 1 || row > kMaxRows) {
    return std::nullopt;
  }
  return std::make_pair(row - 1, column - 1);
}

// A row number ("7") as 0-based, if it is one within Excel's grid.
std::optional<int64_t> ParseRowNumber(std::string_view text) {
  if (text.empty() || text.size() > 7 || text[0] == '0') {
    return std::nullopt;
  }
  int64_t row = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    row = row * 10 + (c - '0');
  }
  return row <= kMaxRows ? std::optional<int64_t>(row - 1) : std::nullopt;
}

class WorksheetHandler : public XmlHandler {
 public:
  WorksheetHandler(std::string_view part, const std::vector<std::string>& shared_strings,
                   Budget& budget, std::vector<std::vector<std::string>>& rows)
      : part_(part), shared_strings_(shared_strings), budget_(budget), rows_(rows) {}

  absl::Status Start(std::string_view name, const Attributes& attributes,
                     const Ancestors& ancestors) override {
    if (name == "row" && Parent(ancestors, "sheetData")) {
      return StartRow(attributes);
    }
    if (name == "c" && Parent(ancestors, "row")) {
      return StartCell(attributes);
    }
    if (!in_cell_) {
      return absl::OkStatus();
    }
    if (name == "v" && Parent(ancestors, "c")) {
      in_value_ = true;
    } else if (name == "is" && Parent(ancestors, "c")) {
      has_inline_ = true;
    } else if (name == "t" && IsTextRun(ancestors, "is")) {
      in_inline_text_ = true;
    }
    return absl::OkStatus();
  }

  absl::Status End(std::string_view name, const Ancestors& ancestors) override {
    if (name == "v") {
      in_value_ = false;
    } else if (name == "t") {
      in_inline_text_ = false;
    } else if (name == "c" && in_cell_ && Parent(ancestors, "row")) {
      in_cell_ = false;
      return EndCell();
    }
    return absl::OkStatus();
  }

  void Text(std::string_view text) override {
    if (in_value_) {
      value_.append(text);
    } else if (in_inline_text_) {
      inline_.append(text);
    }
  }

 private:
  absl::Status StartRow(const Attributes& attributes) {
    int64_t row = row_ + 1;
    if (std::optional<std::string_view> r = attributes.Get("r")) {
      std::optional<int64_t> parsed = ParseRowNumber(*r);
      if (!parsed.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("row number \"", Av(*r), "\" is not one of 1..", kMaxRows));
      }
      if (*parsed <= row_) {
        return absl::InvalidArgumentError(
            absl::StrCat("row ", *parsed + 1, " comes after row ", row_ + 1));
      }
      row = *parsed;
    }
    if (row >= kMaxRows) {
      return absl::InvalidArgumentError(absl::StrCat("more than ", kMaxRows, " rows"));
    }
    row_ = row;
    column_ = -1;
    return absl::OkStatus();
  }

  absl::Status StartCell(const Attributes& attributes) {
    int64_t column = column_ + 1;
    if (std::optional<std::string_view> r = attributes.Get("r")) {
      std::optional<std::pair<int64_t, int64_t>> ref = ParseCellRef(*r);
      if (!ref.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cell reference \"", Av(*r), "\" is not one of A1..XFD1048576"));
      }
      if (ref->first != row_) {
        return absl::InvalidArgumentError(absl::StrCat("cell ", Av(*r), " is in row ", row_ + 1));
      }
      if (ref->second <= column_) {
        return absl::InvalidArgumentError(
            absl::StrCat("cell ", Av(*r), " comes after cell ", CellRef(row_, column_)));
      }
      column = ref->second;
    }
    if (column >= kMaxColumns) {
      return absl::InvalidArgumentError(
          absl::StrCat("row ", row_ + 1, " has more than ", kMaxColumns, " columns"));
    }
    column_ = column;
    type_ = std::string(attributes.Get("t").value_or("n"));
    if (type_ != "n" && type_ != "s" && type_ != "str" && type_ != "inlineStr" && type_ != "b" &&
        type_ != "e" && type_ != "d") {
      return absl::InvalidArgumentError(
          absl::StrCat("cell ", CellRef(row_, column_), ": unknown type t=\"", type_, "\""));
    }
    in_cell_ = true;
    has_inline_ = false;
    value_.clear();
    inline_.clear();
    return absl::OkStatus();
  }

  absl::Status EndCell() {
    std::string text;
    if (type_ == "s") {
      if (value_.empty()) {
        return absl::OkStatus();
      }
      std::size_t index = 0;
      bool digits = value_.size() <= 10;
      for (char c : value_) {
        digits = digits && c >= '0' && c <= '9';
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      if (!digits || index >= shared_strings_.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cell ", CellRef(row_, column_), ": shared string \"", value_,
                         "\" is not one of the ", shared_strings_.size(), " the file has"));
      }
      text = shared_strings_[index];
    } else if (type_ == "inlineStr") {
      text = DecodeXstring(has_inline_ ? std::move(inline_) : std::move(value_));
    } else if (type_ == "str") {
      text = DecodeXstring(std::move(value_));
    } else {
      text = std::move(value_);
    }
    if (text.empty()) {
      return absl::OkStatus();
    }
    const auto row = static_cast<std::size_t>(row_);
    const auto column = static_cast<std::size_t>(column_);
    std::size_t cost = text.size() + sizeof(std::string);
    if (rows_.size() <= row) {
      cost += (row + 1 - rows_.size()) * sizeof(std::vector<std::string>);
    }
    const std::size_t width = row < rows_.size() ? rows_[row].size() : 0;
    if (width <= column) {
      cost += (column + 1 - width) * sizeof(std::string);
    }
    if (absl::Status s = budget_.Spend(cost, part_); !s.ok()) {
      return s;
    }
    if (rows_.size() <= row) {
      rows_.resize(row + 1);
    }
    if (width <= column) {
      rows_[row].resize(column + 1);
    }
    rows_[row][column] = std::move(text);
    return absl::OkStatus();
  }

  std::string_view part_;
  const std::vector<std::string>& shared_strings_;
  Budget& budget_;
  std::vector<std::vector<std::string>>& rows_;
  int64_t row_ = -1;
  int64_t column_ = -1;
  bool in_cell_ = false;
  bool in_value_ = false;
  bool has_inline_ = false;
  bool in_inline_text_ = false;
  std::string type_;
  std::string value_;
  std::string inline_;
};

// The workbook part: the package's officeDocument (ECMA-376 Part 2, 8.3: _rels/.rels), or
// xl/workbook.xml where a package has no _rels/.rels.
absl::StatusOr<std::string> FindWorkbookPart(const Package& package) {
  if (!package.Has("_rels/.rels")) {
    return std::string("xl/workbook.xml");
  }
  absl::StatusOr<std::unique_ptr<RelationshipsHandler>> root = ReadRelationships(package, "");
  if (!root.ok()) {
    return root.status();
  }
  const Relationship* document = (*root)->FindType("officeDocument");
  if (document == nullptr) {
    return absl::InvalidArgumentError(
        "no workbook: _rels/.rels has no officeDocument relationship");
  }
  return document->target;
}

}  // namespace

absl::StatusOr<std::vector<ReadSheet>> ReadXlsx(std::string_view bytes) {
  return ReadXlsx(bytes, ReadLimits{});
}

absl::StatusOr<std::vector<ReadSheet>> ReadXlsx(std::string_view bytes, const ReadLimits& limits) {
  absl::StatusOr<std::unique_ptr<Package>> opened = Package::Open(bytes, limits.max_part_bytes);
  if (!opened.ok()) {
    return opened.status();
  }
  const Package& package = **opened;

  absl::StatusOr<std::string> workbook_part = FindWorkbookPart(package);
  if (!workbook_part.ok()) {
    return workbook_part.status();
  }
  absl::StatusOr<std::string> workbook_xml = ReadRequired(package, *workbook_part, "no workbook");
  if (!workbook_xml.ok()) {
    return workbook_xml.status();
  }
  WorkbookHandler workbook;
  if (absl::Status s = ParseXml(*workbook_part, *workbook_xml, workbook); !s.ok()) {
    return s;
  }
  if (workbook.sheets.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(*workbook_part, ": the workbook lists no sheet"));
  }
  absl::StatusOr<std::unique_ptr<RelationshipsHandler>> relationships =
      ReadRelationships(package, *workbook_part);
  if (!relationships.ok()) {
    return relationships.status();
  }

  Budget budget(limits.max_result_bytes);
  std::vector<std::string> shared_strings;
  if (const Relationship* sst = (*relationships)->FindType("sharedStrings")) {
    absl::StatusOr<std::string> xml = ReadRequired(package, sst->target, "the shared strings");
    if (!xml.ok()) {
      return xml.status();
    }
    SharedStringsHandler handler(sst->target, budget);
    if (absl::Status s = ParseXml(sst->target, *xml, handler); !s.ok()) {
      return s;
    }
    shared_strings = std::move(handler.strings);
  }

  std::vector<ReadSheet> sheets;
  sheets.reserve(workbook.sheets.size());
  for (const SheetEntry& entry : workbook.sheets) {
    ReadSheet& sheet = sheets.emplace_back();
    sheet.name = entry.name;
    const std::string label = absl::StrCat("sheet \"", entry.name, "\"");
    const Relationship* r = (*relationships)->Find(entry.relationship);
    if (r == nullptr || r->external) {
      return absl::InvalidArgumentError(absl::StrCat(
          *workbook_part, ": ", label, " refers to relationship ", entry.relationship, ", which ",
          RelsOf(*workbook_part), r == nullptr ? " lacks" : " has as an external link"));
    }
    if (!std::string_view(r->type).ends_with("/worksheet")) {
      continue;  // a chartsheet or dialog sheet: a tab without cells
    }
    absl::StatusOr<std::string> xml = ReadRequired(package, r->target, label);
    if (!xml.ok()) {
      return xml.status();
    }
    WorksheetHandler handler(r->target, shared_strings, budget, sheet.rows);
    if (absl::Status s = ParseXml(r->target, *xml, handler); !s.ok()) {
      return s;
    }
  }
  return sheets;
}

absl::StatusOr<std::string> ReadXlsxPart(std::string_view bytes, std::string_view part) {
  absl::StatusOr<std::unique_ptr<Package>> opened =
      Package::Open(bytes, ReadLimits{}.max_part_bytes);
  if (!opened.ok()) {
    return opened.status();
  }
  return (*opened)->Read(std::string(part));
}

}  // namespace jieshui::sheet
