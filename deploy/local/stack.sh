#!/usr/bin/env bash
# Jieshui on one machine, without containers: Kafka (KRaft), Redis and PostgreSQL 15, then the
# services that are built, on loopback only, with all state under <repo>/.state ($JIESHUI_STATE_DIR).
#
#   stack.sh start  [COMPONENT ...]   start (idempotent) and wait until ready
#   stack.sh stop   [COMPONENT ...]   graceful stop (services, then infrastructure; SIGKILL at last)
#   stack.sh status [COMPONENT ...]   running/stopped + ready; exit 0 only if all ready
#   stack.sh wait   [COMPONENT ...]   wait until ready (does not start anything)
#   stack.sh keys [--yaml]            where the local API keys are, and how to use one
#                                     (--yaml: their auth.api_keys list, e.g. for docker-compose)
#
# COMPONENT: kafka redis postgres, or a service (registry, ingest, quota, certification,
# reporting). Default: all, services only if built; services start in that order (quota reads the
# topics of registry and ingest, certification those of registry and quota, reporting those of
# registry, quota and certification). A service
# is ready when grpc.health.v1.Health/Check answers SERVING (jieshui-health, tools/health).
# Ports: Kafka 127.0.0.1:19092 (controller 19093), Redis 127.0.0.1:16379, PostgreSQL
# 127.0.0.1:15432 (user/password/database jieshui); registry gRPC 50051, metrics 9151; ingest gRPC
# 50052, metrics 9152, HJ 212 on 9212 (JIESHUI_INGEST_HJ212_LISTEN moves it); quota gRPC 50053,
# metrics 9153; certification gRPC 50054, metrics 9154; reporting gRPC 50055, metrics 9155.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

STATE="$JIESHUI_STATE_DIR"
ROOT="$JIESHUI_REPO_ROOT"
PRESET="${JIESHUI_PRESET:-debug}"
BUILD_DIR="${JIESHUI_BUILD_DIR:-$ROOT/build/$PRESET}"
STOP_TIMEOUT="${JIESHUI_STOP_TIMEOUT:-60}"

# The parts, one per concern; each takes its own settings from the environment.
# shellcheck source-path=SCRIPTDIR source=stack/lib.sh
. "$HERE/stack/lib.sh"
# shellcheck source-path=SCRIPTDIR source=stack/kafka.sh
. "$HERE/stack/kafka.sh"
# shellcheck source-path=SCRIPTDIR source=stack/redis.sh
. "$HERE/stack/redis.sh"
# shellcheck source-path=SCRIPTDIR source=stack/postgres.sh
. "$HERE/stack/postgres.sh"
# shellcheck source-path=SCRIPTDIR source=stack/keys.sh
. "$HERE/stack/keys.sh"
# shellcheck source-path=SCRIPTDIR source=stack/services.sh
. "$HERE/stack/services.sh"
INFRA_COMPONENTS=(kafka redis postgres)

# ---------------------------------------------------------------- commands

lock_state() {
  mkdir -p "$STATE"
  # The servers are started with fd 9 closed (9>&-) so they never inherit this lock.
  exec 9>"$STATE/.stack.lock"
  if ! flock -n 9; then
    say "stack: waiting for another stack.sh (lock $STATE/.stack.lock)"
    flock -w 300 9 || { err "another stack.sh still holds $STATE/.stack.lock after 300s"; exit 1; }
  fi
}

# Chosen by main: the infrastructure and the services to act on, and whether they were named
# (a named service that is not built is an error; by default it is skipped).
SEL_INFRA=()
SEL_SERVICES=()
NAMED=0

cmd_start() {
  local c pid src rc=0 t0=$SECONDS failed=()
  bash "$HERE/install-deps.sh"
  lock_state
  for c in "${SEL_INFRA[@]}"; do
    src=0
    start_component "$c" || src=$?
    if [ $src -eq 3 ]; then
      failed+=("$c:port"); rc=1
    elif [ $src -ne 0 ]; then
      failed+=("$c"); rc=1
    fi
  done
  export STACK_STARTED_HERE=1
  for c in "${SEL_INFRA[@]}"; do
    [[ " ${failed[*]:-} " == *" $c:port "* ]] && continue
    [[ " ${failed[*]:-} " == *" $c "* ]] && { show_log_tail "$c"; continue; }
    # A part may need to finish its set-up once the server accepts connections (postgres: the role).
    if { ! declare -F "${c}_after_start" >/dev/null || "${c}_after_start"; } && wait_ready "$c"; then
      say "$c: ready ($(describe "$c"))"
    else
      show_log_tail "$c" extra
      rc=1
    fi
  done
  # Services after the infrastructure, one at a time: started, then waited for.
  [ ${#SEL_SERVICES[@]} -eq 0 ] || ensure_keys
  for c in "${SEL_SERVICES[@]}"; do
    if [ $NAMED -eq 0 ] && ! service_built "$c"; then
      say "$(not_built_line "$c")"
      continue
    fi
    src=0
    start_component "$c" || src=$?
    if [ $src -ne 0 ]; then rc=1; continue; fi
    if wait_ready "$c"; then
      say "$c: ready ($(describe "$c"))"
    else
      show_log_tail "$c"
      if pid="$(running_pid "$c")"; then
        err "$c: left running (pid $pid) in case it is only slow: 'stack.sh wait $c' or 'stack.sh stop $c'"
      fi
      rc=1
    fi
  done
  if [ $rc -eq 0 ]; then say "stack: ready in $((SECONDS - t0))s (state: $STATE)"; else err "start FAILED"; fi
  return $rc
}

cmd_stop() {
  local i
  lock_state
  # services first (reverse order), then the infrastructure (reverse order: the databases last)
  for ((i = ${#SEL_SERVICES[@]} - 1; i >= 0; i--)); do
    act stop "${SEL_SERVICES[i]}"
  done
  for ((i = ${#SEL_INFRA[@]} - 1; i >= 0; i--)); do
    act stop "${SEL_INFRA[i]}"
  done
}

cmd_status() {
  local c pid rc=0 state ready
  for c in "${SEL_INFRA[@]}" "${SEL_SERVICES[@]}"; do
    if pid="$(running_pid "$c")"; then state="running (pid $pid)"; else state="stopped"; fi
    if act ready "$c"; then
      ready="ready"
    elif is_service "$c" && [ "$state" = stopped ] && ! service_built "$c"; then
      # not built: shown, but only a failure when asked for by name
      ready="not built"
      [ $NAMED -eq 0 ] || rc=1
    else
      ready="not ready"; rc=1
    fi
    printf '%-13s %-22s %-10s %s\n' "$c" "$state" "$ready" "$(describe "$c")"
  done
  return $rc
}

cmd_wait() {
  local c rc=0
  for c in "${SEL_INFRA[@]}" "${SEL_SERVICES[@]}"; do
    if [ $NAMED -eq 0 ] && is_service "$c" && ! service_built "$c"; then continue; fi
    if wait_ready "$c"; then say "$c: ready"; else rc=1; fi
  done
  return $rc
}

cmd_keys() {
  case "${1:-}" in
    "" | --yaml) ;;
    *) err "keys: unknown argument '$1' (--yaml)"; exit 2 ;;
  esac
  lock_state
  if [ "${1:-}" = --yaml ]; then
    ensure_keys >&2
    api_keys_yaml
    return
  fi
  ensure_keys
  keys_show
}

usage() {
  # The comment block at the top, up to the first line that is not a comment.
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 2
}

main() {
  [ $# -ge 1 ] || usage
  local cmd="$1" c s picked=" "
  shift
  if [ "$cmd" = keys ]; then
    cmd_keys "$@"
    return
  fi
  for c in "$@"; do
    case "$c" in
      pg | postgresql) c=postgres ;;
    esac
    if [[ " ${INFRA_COMPONENTS[*]} ${SERVICES[*]} " != *" $c "* ]]; then
      err "unknown component '$c' (${INFRA_COMPONENTS[*]} ${SERVICES[*]})"
      exit 2
    fi
    picked+="$c "
    NAMED=1
  done
  # Always in the table's order, whatever the order given.
  for c in "${INFRA_COMPONENTS[@]}"; do
    if [ $NAMED -eq 0 ] || [[ "$picked" == *" $c "* ]]; then SEL_INFRA+=("$c"); fi
  done
  for s in "${SERVICES[@]}"; do
    if [ $NAMED -eq 0 ] || [[ "$picked" == *" $s "* ]]; then SEL_SERVICES+=("$s"); fi
  done
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    keys) cmd_keys ;;
    -h | --help | help) usage ;;
    *) err "unknown command '$cmd'"; usage ;;
  esac
}

main "$@"
