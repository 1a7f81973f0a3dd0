// A contract message kept whole in a bytea column beside the columns its queries filter on (the
// certification and reporting stores): written with Bytes, read back with ParseColumn. Header
// only; the caller links the message's protobuf library.
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace jieshui::db {

template <typename Message>
pqxx::binarystring Bytes(const Message& message) {
  return pqxx::binarystring(message.SerializeAsString());
}

// DATA_LOSS naming `what` when the stored bytes are not a `Message`.
template <typename Message>
absl::StatusOr<Message> ParseColumn(const pqxx::field& field, const char* what) {
  Message out;
  if (!out.ParseFromString(pqxx::binarystring(field).str())) {
    return absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
  }
  return out;
}

}  // namespace jieshui::db
