// jieshui-cli: what every subcommand does around its calls (commands.cpp, report_commands.cpp):
// print the result or the failure, make one call with a fresh context carrying the API key, fetch
// the pages of a list, stop at a bad option before anything is called.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "call.hpp"
#include "commands.hpp"
#include "grpcpp/grpcpp.h"

namespace jieshui::cli {

// Pages asked for by --all: large enough to need few calls, small enough for any server limit.
inline constexpr int kAllPageSize = 500;
inline constexpr int kFirstPageSize = 50;

// "<command>: <message>" on stderr; returns kExitFailed.
int Fail(const std::string& command, std::string_view message);

void Print(const std::string& text);
// `json` and a line break on stdout.
void PrintJson(const std::string& json);

std::shared_ptr<grpc::Channel> Channel(const std::string& target);

// Fails the command with the status's message when it is not OK.
std::optional<int> BadOption(const std::string& command, const absl::Status& status);

// Each parse of an option names its flag; a bad one ends the command before any call.
template <typename T>
std::optional<int> Parsed(const std::string& command, const absl::StatusOr<T>& value, T* out) {
  if (!value.ok()) {
    return Fail(command, std::string(value.status().message()));
  }
  *out = *value;
  return std::nullopt;
}

// Makes one call with a fresh context; std::nullopt when it succeeded, otherwise the exit status
// after printing why.
template <typename CallFn>
std::optional<int> Invoke(const GlobalOptions& options, const std::string& command,
                          const std::string& target, CallFn call) {
  auto context =
      tools::MakeCallContext(options.api_key, std::chrono::seconds(options.timeout_seconds));
  if (!context.ok()) {
    return Fail(command, std::string(context.status().message()));
  }
  const grpc::Status status = call(context->get());
  if (!status.ok()) {
    return Fail(command, tools::DescribeCallFailure(status, target));
  }
  return std::nullopt;
}

// The first page of a list (kFirstPageSize rows) or, with `all_pages`, every page (kAllPageSize
// rows a call), gathered into `all` with the last page's PageResponse; std::nullopt when every
// call succeeded, otherwise the exit status. `rows` picks a response's repeated field, `call`
// makes one call.
template <typename Request, typename Response, typename RowsFn, typename CallFn>
std::optional<int> FetchPages(const GlobalOptions& options, const std::string& command,
                              const std::string& target, Request request, bool all_pages,
                              Response* all, RowsFn rows, CallFn call) {
  request.mutable_page()->set_page_size(all_pages ? kAllPageSize : kFirstPageSize);
  while (true) {
    Response page;
    if (auto failed = Invoke(options, command, target,
                             [&](grpc::ClientContext* c) { return call(c, request, &page); })) {
      return failed;
    }
    // The rows gathered so far, then this page's; the other fields (a total, the indicator a list
    // is about) are the last page's.
    std::remove_pointer_t<decltype(rows(*all))> gathered;
    gathered.Swap(rows(*all));
    for (auto& row : *rows(page)) {
      *gathered.Add() = std::move(row);
    }
    rows(page)->Clear();
    *all = std::move(page);
    rows(*all)->Swap(&gathered);
    if (!all_pages || all->page().next_page_token().empty()) {
      return std::nullopt;
    }
    request.mutable_page()->set_page_token(all->page().next_page_token());
  }
}

}  // namespace jieshui::cli
