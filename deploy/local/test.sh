#!/usr/bin/env bash
# The test command of Jieshui (README "Run the tests"): installs what is missing, builds, checks
# formatting and the compose file, runs clang-tidy, starts the local stack (Kafka, Redis, PostgreSQL
# on loopback), runs every ctest label, fuzzes the HJ 212 codec (JIESHUI_FUZZ_SECONDS, default 60,
# 0 skips), and stops the stack again, also when a test fails. A stack that was already running
# before is left running.
#
# The default preset is asan (a debug build with AddressSanitizer and UndefinedBehaviorSanitizer):
# one build that both runs the tests and catches memory errors, which is what CI runs.
#
#   bash deploy/local/test.sh [--preset asan|debug|release] [--label unit|integration|e2e]
#                             [--no-tidy]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

preset=asan
labels=(unit integration e2e)
tidy=1
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --label) labels=("$2"); shift 2 ;;
    --no-tidy) tidy=0; shift ;;
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

# clang-tidy needs the compile commands (and generated headers) of a build; any preset will do
# (its sanitizer flags do not change what clang-tidy sees).
if [ "$tidy" -eq 1 ]; then
  step "clang-tidy (.clang-tidy)"
  bash "$HERE/check-tidy.sh" "build/$preset"
fi

# The tests need the infrastructure only (they start the service binaries they test themselves).
infra=(kafka redis postgres)
started_stack=0
if ! bash "$HERE/stack.sh" status "${infra[@]}" >/dev/null 2>&1; then
  started_stack=1
fi
stop_stack() {
  if [ "$started_stack" -eq 1 ]; then
    step "stopping the local stack"
    bash "$HERE/stack.sh" stop || true
  fi
}
trap stop_stack EXIT

step "starting the local stack (${infra[*]})"
bash "$HERE/stack.sh" start "${infra[@]}"

failed=0
total_passed=0
total_failed=0
log="$(mktemp)"
for label in "${labels[@]}"; do
  count=$(ctest --preset "$preset" -N -L "^${label}\$" | sed -n 's/^Total Tests: //p')
  if [ "${count:-0}" -eq 0 ]; then
    step "ctest -L $label: no tests with this label yet"
    continue
  fi
  step "ctest -L $label ($count tests)"
  if ! ctest --preset "$preset" -L "^${label}\$" --timeout 600 -j 2 | tee "$log"; then
    failed=1
  fi
  # "100% tests passed, 0 tests failed out of 52"
  summary=$(grep -E 'tests failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$summary" ]; then
    n_failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
    n_total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
    total_failed=$((total_failed + n_failed))
    total_passed=$((total_passed + n_total - n_failed))
  else
    failed=1  # ctest ended without its summary (crashed or killed)
  fi
done
rm -f "$log"

# libFuzzer on the HJ 212 codec (deploy/local/fuzz-hj212.sh, clang, its own sanitizers), with the
# unit tests. The fuzzer is built apart from the preset, with its own sanitizers.
# JIESHUI_FUZZ_SECONDS sets how long (default 60); 0 skips it.
fuzz_seconds="${JIESHUI_FUZZ_SECONDS:-60}"
fuzz_failed=0
if printf '%s\n' "${labels[@]}" | grep -qx unit; then
  if [ "$fuzz_seconds" = 0 ]; then
    step "fuzzing libs/hj212: skipped (JIESHUI_FUZZ_SECONDS=0)"
  else
    step "fuzzing libs/hj212 (${fuzz_seconds}s, JIESHUI_FUZZ_SECONDS)"
    bash "$HERE/fuzz-hj212.sh" "$fuzz_seconds" || fuzz_failed=1
  fi
fi

echo
echo "test.sh: preset $preset, labels ${labels[*]}"
echo "test.sh: ${total_passed} passed, ${total_failed} failed"
if [ "$failed" -ne 0 ] || [ "$total_failed" -ne 0 ]; then
  echo "test.sh: some tests failed" >&2
  exit 1
fi
if [ "$fuzz_failed" -ne 0 ]; then
  echo "test.sh: fuzzing libs/hj212 failed (see its report above)" >&2
  exit 1
fi
