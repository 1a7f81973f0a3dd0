#!/usr/bin/env bash
# Fails when a C++ or proto file of the repository differs from what clang-format (.clang-format) makes of it.
#   check-format.sh         check only
#   check-format.sh --fix   rewrite the files in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# Tracked files and new ones not yet added (but never ignored ones such as the build tree).
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.h' '*.cc' '*.proto')
[ ${#files[@]} -gt 0 ] || exit 0
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/jieshui-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/jieshui-format.$$ | cut -d: -f1 | sort -u | sed 's/^/  not formatted: /'
  rm -f /tmp/jieshui-format.$$
  echo "check-format: run deploy/local/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/jieshui-format.$$
echo "check-format: ${#files[@]} files formatted"
