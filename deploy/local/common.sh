# shellcheck shell=bash
# Shared settings of the local stack scripts (sourced, not run).
# Everything can be overridden from the environment.

JIESHUI_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JIESHUI_STATE_DIR="${JIESHUI_STATE_DIR:-$JIESHUI_REPO_ROOT/.state}"
JIESHUI_CACHE_DIR="${JIESHUI_CACHE_DIR:-${HOME:-/root}/.cache/jieshui}"
JIESHUI_KAFKA_VERSION="${JIESHUI_KAFKA_VERSION:-4.1.1}"
KAFKA_HOME_DIR="$JIESHUI_CACHE_DIR/kafka-$JIESHUI_KAFKA_VERSION"
KAFKA_LIBS_DIR="$KAFKA_HOME_DIR/libs"
# Written by fetch-kafka.sh only after a complete copy: its presence is the fast path.
KAFKA_LIBS_MARKER="$KAFKA_LIBS_DIR/.complete"

kafka_libs_present() {
  [ -f "$KAFKA_LIBS_MARKER" ] && [ -f "$KAFKA_LIBS_DIR/kafka_2.13-$JIESHUI_KAFKA_VERSION.jar" ] &&
    [ -f "$KAFKA_LIBS_DIR/kafka-tools-$JIESHUI_KAFKA_VERSION.jar" ]
}
