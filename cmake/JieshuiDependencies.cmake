# Third-party libraries, all from Debian 12 packages (deploy/local/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
# protobuf 3.21 ships no usable CONFIG package on Debian: module mode.
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
# Header-only command-line parsing for the tools (libcli11-dev): CLI11::CLI11.
find_package(CLI11 CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG QUIET)
find_package(OpenSSL REQUIRED)

pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++)
# The admin API is only in the C library, which rdkafka++ does not re-export.
pkg_check_modules(RDKAFKA_C REQUIRED IMPORTED_TARGET rdkafka)
# hiredis' own CMake config is broken on Debian 12: use pkg-config.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
# jemalloc (libjemalloc-dev): the services' allocator. With glibc malloc, memory allocated on a
# gRPC thread and freed on librdkafka's delivery thread contends on one arena lock; measured with
# tests/bench/ingest_bench, jemalloc cut ingest's CPU per reading from 11.2 to about 6 us.
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)

# jieshui_service_allocator(<executable>): links jemalloc, except under sanitizers, whose own
# allocator must see every malloc.
function(jieshui_service_allocator target)
  if(NOT JIESHUI_SANITIZE)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
