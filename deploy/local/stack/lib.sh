# shellcheck shell=bash
# What stack.sh does the same way for every component (sourced by stack.sh, not run): messages,
# pidfiles and processes, ports, logs, waiting until ready.
#
# A component is a piece of infrastructure (kafka.sh, redis.sh, postgres.sh) or a service
# (services.sh). Each part records its component's facts with `component` and defines
# <name>_start, <name>_stop and <name>_ready (a service: service_start NAME, ...), which `act`
# calls. A start hook may return 3: a port is held by something else (said on stderr).

declare -A C_PIDFILE C_PATTERN C_PORTS C_LOG C_TIMEOUT C_DESCRIBE C_EXTRA_LOG
# The services, in start order (filled by services.sh).
SERVICES=()

# component NAME KEY=VALUE...: records a component's facts. pidfile; pattern, a string its command
# line contains (so a reused PID is not taken for it); ports, space-separated; log; timeout, of its
# readiness in seconds; describe, what `status` shows after it; extra_log (optional), a second log
# shown with the first when it does not become ready.
component() {
  local name="$1" kv
  shift
  for kv in "$@"; do
    case "${kv%%=*}" in
      pidfile) C_PIDFILE[$name]="${kv#*=}" ;;
      pattern) C_PATTERN[$name]="${kv#*=}" ;;
      ports) C_PORTS[$name]="${kv#*=}" ;;
      log) C_LOG[$name]="${kv#*=}" ;;
      timeout) C_TIMEOUT[$name]="${kv#*=}" ;;
      describe) C_DESCRIBE[$name]="${kv#*=}" ;;
      extra_log) C_EXTRA_LOG[$name]="${kv#*=}" ;;
      *) err "component $name: unknown fact '$kv'"; exit 2 ;;
    esac
  done
}

describe() { echo "${C_DESCRIBE[$1]}"; }

say() { printf '%s\n' "$*"; }
err() { printf 'stack: %s\n' "$*" >&2; }

is_service() {
  local s
  for s in "${SERVICES[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}

# act start|stop|ready COMPONENT: <component>_<verb>, or service_<verb> NAME for a service.
act() {
  if is_service "$2"; then "service_$1" "$2"; else "$2_$1"; fi
}

# pid_alive PID PATTERN: the process exists and its command line contains PATTERN
# (guards against a stale pidfile whose PID was reused by something else).
pid_alive() {
  local pid="$1" pattern="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Prints the PID of the running component, or fails (and removes a stale pidfile).
running_pid() {
  local c="$1" pidfile pid
  pidfile="${C_PIDFILE[$c]}"
  [ -f "$pidfile" ] || return 1
  pid="$(head -n1 "$pidfile" 2>/dev/null | tr -dc '0-9')"
  if [ -n "$pid" ] && pid_alive "$pid" "${C_PATTERN[$c]}"; then
    echo "$pid"
    return 0
  fi
  rm -f "$pidfile" 2>/dev/null || true
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# Fails with a clear message when one of the component's ports is held by something else.
check_ports_free() {
  local c="$1" p holder bad=0
  for p in ${C_PORTS[$c]}; do
    if port_listening "$p"; then
      holder="$(ss -Hltnp "sport = :$p" 2>/dev/null | sed -n 's/.*users:(\(.*\))$/\1/p' | head -n1)"
      err "$c: port $p is already in use by something that is not this stack's $c: ${holder:-unknown process (run as root to see it)}"
      ss -ltnp "sport = :$p" >&2 2>/dev/null || true
      bad=1
    fi
  done
  return $bad
}

# show_log_tail COMPONENT [extra]: the last lines of its log (with `extra`: and of its extra_log)
# on stderr.
show_log_tail() {
  local c="$1" f files=("${C_LOG[$1]}")
  [ "${2:-}" = extra ] && files+=("${C_EXTRA_LOG[$c]:-}")
  for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    err "---- last lines of $f ----"
    tail -n 40 "$f" >&2 || true
    err "----"
  done
}

# stop_pid COMPONENT PID SIGNAL [TIMEOUT]: graceful signal, wait (default $STOP_TIMEOUT s), then SIGKILL.
stop_pid() {
  local c="$1" pid="$2" sig="$3" limit="${4:-$STOP_TIMEOUT}" pattern waited=0
  pattern="${C_PATTERN[$c]}"
  kill -s "$sig" "$pid" 2>/dev/null || true
  while pid_alive "$pid" "$pattern"; do
    if [ "$waited" -ge "$((limit * 5))" ]; then
      err "$c: pid $pid still alive after ${limit}s, sending SIGKILL"
      # A service leads its own process group (setsid): take whatever it started along.
      if is_service "$c" && [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ]; then
        kill -KILL -- "-$pid" 2>/dev/null || true
      fi
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

# record_pid COMPONENT PID: writes the pidfile of a process just started in the background, then
# waits (up to 5 s) until it has exec'd its program or ended. Until the exec its command line is
# this script's, and running_pid would take the pidfile for a stale one and remove it, leaving the
# program running unseen ("process exited during start-up"; stop would not find it).
record_pid() {
  local c="$1" pid="$2" _
  echo "$pid" >"${C_PIDFILE[$c]}"
  for _ in $(seq 1 100); do
    if pid_alive "$pid" "${C_PATTERN[$c]}" || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
}

# start_component COMPONENT: says so when it already runs, else starts it (its start hook's status).
start_component() {
  local pid
  if pid="$(running_pid "$1")"; then
    say "$1: already running (pid $pid)"
    return 0
  fi
  act start "$1"
}

# stop_component COMPONENT SIGNAL [TIMEOUT]: stop_pid when it runs; its pidfile is removed.
stop_component() {
  local c="$1" pid
  if pid="$(running_pid "$c")"; then
    say "$c: stopping (pid $pid)"
    stop_pid "$c" "$pid" "$2" "${3:-}"
    say "$c: stopped"
  else
    say "$c: not running"
  fi
  rm -f "${C_PIDFILE[$c]}"
}

# wait_ready COMPONENT: poll readiness until the component's timeout; fail early if it died.
wait_ready() {
  local c="$1" limit start now
  limit="${C_TIMEOUT[$c]}"
  start=$SECONDS
  while :; do
    if act ready "$c"; then return 0; fi
    now=$SECONDS
    if [ $((now - start)) -ge "$limit" ]; then
      err "$c: not ready after ${limit}s"
      return 1
    fi
    if [ "${STACK_STARTED_HERE:-0}" = 1 ] && ! running_pid "$c" >/dev/null; then
      err "$c: process exited during start-up"
      return 1
    fi
    sleep 0.5
  done
}
