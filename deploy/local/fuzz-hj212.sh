#!/usr/bin/env bash
# Fuzzes the HJ 212-2017 codec (libs/hj212) with libFuzzer: compiles libs/hj212/*.cpp and
# libs/hj212/fuzz/hj212_fuzz.cpp with clang++ (-fsanitize=fuzzer,address,undefined; libFuzzer is
# clang's, and the presets' builds are not instrumented for it), then runs it for a bounded time. Fails on a crash,
# a sanitizer report, a broken invariant, a timeout or running out of memory.
#
#   fuzz-hj212.sh [seconds]   default 60; 0 only replays the corpus (no new inputs)
#
# Seeds: libs/hj212/fuzz/corpus (committed, read only). New inputs go to build/fuzz-hj212/corpus,
# kept between runs; a crashing input is saved as build/fuzz-hj212/crash-* (replay it with
# build/fuzz-hj212/hj212_fuzz <file>).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

seconds="${1:-60}"
case "$seconds" in
  '' | *[!0-9]*) echo "fuzz-hj212: seconds must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac

command -v clang++ >/dev/null || {
  echo "fuzz-hj212: clang++ is not installed (deploy/local/install-deps.sh)" >&2
  exit 2
}
out="$ROOT/build/fuzz-hj212"
bin="$out/hj212_fuzz"
seeds="$ROOT/libs/hj212/fuzz/corpus"
mkdir -p "$out/corpus"

# Rebuild only when a source or header is newer than the binary.
sources=(libs/hj212/*.cpp libs/hj212/fuzz/hj212_fuzz.cpp)
stale=0
[ -x "$bin" ] || stale=1
for f in "${sources[@]}" libs/hj212/*.hpp; do
  if [ "$f" -nt "$bin" ]; then stale=1; fi
done
if [ "$stale" -eq 1 ]; then
  echo "fuzz-hj212: compiling $bin"
  absl_flags="$(pkg-config --cflags --libs absl_status absl_statusor absl_strings \
    absl_str_format absl_time absl_flat_hash_map)"
  read -r -a absl <<<"$absl_flags"
  clang++ -std=c++20 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I libs "${sources[@]}" "${absl[@]}" -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
fi

log="$out/fuzz.log"
args=(-artifact_prefix="$out/" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
if [ "$seconds" -eq 0 ]; then
  echo "fuzz-hj212: replaying the corpus"
  args+=(-runs=0)
else
  echo "fuzz-hj212: fuzzing for ${seconds}s (log: ${log#"$ROOT"/})"
  args+=(-max_total_time="$seconds")
fi
touch "$log.start"
status=0
# UBSan reports end the run (-fno-sanitize-recover) and leave an artifact like any crash.
UBSAN_OPTIONS=print_stacktrace=1 "$bin" "${args[@]}" "$out/corpus" "$seeds" >"$log" 2>&1 ||
  status=$?

runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
corpus_size="$(find "$out/corpus" -type f | wc -l)"
if [ "$status" -ne 0 ]; then
  # The report: from the first sanitizer or invariant message on (libFuzzer's progress before it
  # is noise), or the log's end when there is none.
  report="$(sed -n '/==[0-9]*== \?ERROR\|runtime error:\|hj212_fuzz: invariant broken/,$p' "$log")"
  if [ -n "$report" ]; then
    printf '%s\n' "$report" | head -n 80 >&2
  else
    tail -n 40 "$log" >&2
  fi
  echo "fuzz-hj212: FAILED (exit $status) after ${runs:-?} runs; inputs saved as:" >&2
  find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) -newer "$log.start" 2>/dev/null | sed 's/^/  /' >&2 || true
  exit 1
fi
echo "fuzz-hj212: ${runs:-0} runs, no crash (corpus: $corpus_size inputs in ${out#"$ROOT"/}/corpus)"
