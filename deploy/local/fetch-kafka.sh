#!/usr/bin/env bash
# Puts the Apache Kafka broker + tools classpath (jars) into
#   ${JIESHUI_CACHE_DIR:-$HOME/.cache/jieshui}/kafka-<version>/libs
# from Maven Central, with mvn and the normal ~/.m2 repository (see deploy/kafka/pom.xml).
# Does nothing when the jars are already there. Version: $JIESHUI_KAFKA_VERSION (default in common.sh).
# Usage: fetch-kafka.sh [--force]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

force=0
[ "${1:-}" = "--force" ] && force=1

if [ $force -eq 0 ] && kafka_libs_present; then
  echo "fetch-kafka: kafka $JIESHUI_KAFKA_VERSION present in $KAFKA_LIBS_DIR"
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch-kafka: mvn not found (run deploy/local/install-deps.sh)" >&2; exit 1; }
mkdir -p "$KAFKA_HOME_DIR"
# One fetch at a time (two stack.sh start in parallel must not interleave copies).
exec 8>"$KAFKA_HOME_DIR/.fetch.lock"
flock -w 600 8 || { echo "fetch-kafka: could not lock $KAFKA_HOME_DIR/.fetch.lock" >&2; exit 1; }
if [ $force -eq 0 ] && kafka_libs_present; then
  echo "fetch-kafka: kafka $JIESHUI_KAFKA_VERSION present in $KAFKA_LIBS_DIR"
  exit 0
fi

echo "fetch-kafka: fetching kafka $JIESHUI_KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS_DIR"
tmp="$KAFKA_HOME_DIR/libs.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mvn_args=(-B -q -f "$JIESHUI_REPO_ROOT/deploy/kafka/pom.xml" -Dkafka.version="$JIESHUI_KAFKA_VERSION")
# Maven finds ~/.m2 through Java's user.home (the passwd entry), not $HOME: when the two differ
# (service accounts, `runuser` without -l), use $HOME/.m2 so the fetch works and caches there.
pw_home="$(getent passwd "$(id -un)" 2>/dev/null | cut -d: -f6 || true)"
if [ -n "${HOME:-}" ] && [ "$pw_home" != "$HOME" ] && [ -z "${MAVEN_OPTS:-}" ]; then
  mvn_args+=(-Dmaven.repo.local="$HOME/.m2/repository")
fi
# Debian's Maven 3.8 prints stray ANSI resets even in batch mode: strip them.
mvn "${mvn_args[@]}" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 |
  sed 's/\x1b\[[0-9;]*m//g'
[ -f "$tmp/kafka_2.13-$JIESHUI_KAFKA_VERSION.jar" ] || { echo "fetch-kafka: kafka_2.13 jar missing after mvn" >&2; exit 1; }
date -u +%FT%TZ >"$tmp/.complete"
rm -rf "$KAFKA_LIBS_DIR"
mv "$tmp" "$KAFKA_LIBS_DIR"
trap - EXIT
echo "fetch-kafka: $(ls "$KAFKA_LIBS_DIR"/*.jar | wc -l) jars in $KAFKA_LIBS_DIR"
