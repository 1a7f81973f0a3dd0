#!/usr/bin/env bash
# Installs every Debian package Jieshui needs to build, test and run.
# Idempotent and fast when everything is already present (one dpkg-query, no apt-get).
#
#   install-deps.sh           everything (development machine, CI)
#   install-deps.sh --build   only what `cmake --preset ... && cmake --build` needs (deploy/docker/Dockerfile)
set -euo pipefail

BUILD_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # gRPC + protobuf
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # Kafka, Redis, PostgreSQL clients
  librdkafka-dev libhiredis-dev libpqxx-dev libpq-dev
  # libraries
  libabsl-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  prometheus-cpp-dev libcpp-httplib-dev libssl-dev zlib1g-dev libjemalloc-dev
  # spreadsheets: XLSX written with libxlsxwriter, read back with libzip + expat
  libxlsxwriter-dev libzip-dev libexpat1-dev
  # the build configures the tests too
  libgtest-dev libgmock-dev
)
DEV_PACKAGES=(
  # formatting, lint, sanitizers
  clang-format clang-tidy clang libclang-rt-14-dev
  # benchmarks
  libbenchmark-dev
  # servers and tools of the local stack
  redis-server redis-tools postgresql-15 postgresql-client-15 kcat
  openjdk-17-jre-headless maven docker-compose curl netcat-openbsd procps iproute2 util-linux python3
)

case "${1:-}" in
  "") PACKAGES=("${BUILD_PACKAGES[@]}" "${DEV_PACKAGES[@]}") ;;
  --build) PACKAGES=("${BUILD_PACKAGES[@]}") ;;
  *) echo "install-deps: unknown argument $1 (--build)" >&2; exit 2 ;;
esac

missing=()
while read -r status name; do
  [ "$status" = "installed" ] || missing+=("$name")
done < <(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null || true)
# dpkg-query prints nothing for packages it has never heard of: add those too.
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -q '^installed$' || missing+=("$p")
done
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start system-wide redis/postgresql services on their default ports when a
# service manager exists; the local stack runs its own instances on other ports, so that is harmless.
echo "install-deps: done"
