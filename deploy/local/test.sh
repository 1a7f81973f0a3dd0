#!/usr/bin/env bash
# The test command of Jieshui (README "Run the tests"): installs what is missing, builds, checks
# formatting and the compose file, runs clang-tidy (debug preset), starts the local stack (Kafka,
# Redis, PostgreSQL on loopback), runs every ctest label, and stops the stack again, also when a
# test fails. A stack that was already running before is left running.
#
#   bash deploy/local/test.sh [--preset debug|asan|release] [--label unit|integration|e2e]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

preset=debug
labels=(unit integration e2e)
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --label) labels=("$2"); shift 2 ;;
    *) echo "test.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "installing missing Debian packages"
bash "$HERE/install-deps.sh"
step "fetching Kafka jars (cached)"
bash "$HERE/fetch-kafka.sh"

step "checking formatting (clang-format) and docker-compose.yml"
bash "$HERE/check-format.sh"
docker-compose -f "$ROOT/docker-compose.yml" config -q
echo "docker-compose.yml is valid"

step "building (preset $preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

# clang-tidy needs the compile commands (and generated headers) of a build; one preset is enough.
if [ "$preset" = debug ]; then
  step "clang-tidy (.clang-tidy)"
  bash "$HERE/check-tidy.sh" "build/$preset"
fi

started_stack=0
if ! bash "$HERE/stack.sh" status >/dev/null 2>&1; then
  started_stack=1
fi
stop_stack() {
  if [ "$started_stack" -eq 1 ]; then
    step "stopping the local stack"
    bash "$HERE/stack.sh" stop || true
  fi
}
trap stop_stack EXIT

step "starting the local stack"
bash "$HERE/stack.sh" start

failed=0
for label in "${labels[@]}"; do
  step "ctest -L $label"
  # --no-tests=ignore: a label may have no tests yet (e2e arrives with the services).
  if ! ctest --preset "$preset" -L "^${label}\$" --no-tests=ignore --timeout 600 -j 2; then
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "test.sh: some tests failed" >&2
  exit 1
fi
echo "test.sh: all tests passed"
