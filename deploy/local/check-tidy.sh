#!/usr/bin/env bash
# Fails when clang-tidy (.clang-tidy at the repository root) reports anything in the project's own
# C++ code: every tracked .cpp/.cc file (generated protobuf/gRPC code lives in the build tree and is
# never tracked), with the headers under libs/, services/, tools/ and tests/ they include.
#   check-tidy.sh [--all] [build-dir]   default build/debug; it must hold compile_commands.json
#
# By default it checks the code that ships: libraries, services and tools. --all adds the tests
# and benchmarks (test/ folders, *_test.cpp, tests/), which take as long again: run it before
# committing test code. CI runs the default, to stay well inside its time (README "Run the tests");
# the tests are compiled with -Wall -Wextra and run under AddressSanitizer and UBSan there.
# JIESHUI_TIDY_JOBS sets the parallelism (default: the number of CPUs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

all=0
if [ "${1:-}" = --all ]; then
  all=1
  shift
fi
build_dir="${1:-build/debug}"
if [ ! -f "$build_dir/compile_commands.json" ]; then
  echo "check-tidy: $build_dir/compile_commands.json is missing: configure and build first" >&2
  echo "  (cmake --preset debug && cmake --build --preset debug)" >&2
  exit 2
fi
build_dir="$(cd "$build_dir" && pwd)"
command -v clang-tidy >/dev/null || {
  echo "check-tidy: clang-tidy is not installed (deploy/local/install-deps.sh)" >&2
  exit 2
}

mapfile -t files < <(git ls-files '*.cpp' '*.cc')
if [ "$all" -eq 0 ]; then
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -vE '(^|/)(test|tests)/|_test\.cc?p?p?$')
fi
[ ${#files[@]} -gt 0 ] || exit 0
# Only files the build compiles have a command line; a file left out of the build (e.g. by
# JIESHUI_ONLY_LIBS) is reported, not silently passed.
mapfile -t compiled < <(python3 -c '
import json, os, sys
for e in json.load(open(sys.argv[1])):
    print(os.path.normpath(os.path.join(e["directory"], e["file"])))' \
  "$build_dir/compile_commands.json" | sort -u)
targets=()
for f in "${files[@]}"; do
  if printf '%s\n' "${compiled[@]}" | grep -qxF "$ROOT/$f"; then
    targets+=("$ROOT/$f")
  else
    echo "check-tidy: skipped $f (not in $build_dir/compile_commands.json)" >&2
  fi
done
[ ${#targets[@]} -gt 0 ] || exit 0

jobs="${JIESHUI_TIDY_JOBS:-$(nproc)}"
# Anchored at the repository root: nothing under build/ (generated code) and no system header.
header_filter="^${ROOT}/(libs|services|tools|tests)/"
# One clang-tidy unit per build target (deploy/local/tidy_units.py says why), in parallel.
exec python3 "$ROOT/deploy/local/tidy_units.py" --build-dir "$build_dir" \
  --header-filter "$header_filter" --jobs "$jobs" "${targets[@]}"
