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
# COMPONENT: kafka redis postgres, or a service (registry, ingest, quota). Default: all, services only
# if built; services start in that order (quota reads the topics of registry and ingest).
# Ports: Kafka 127.0.0.1:19092 (controller 19093), Redis 127.0.0.1:16379, PostgreSQL
# 127.0.0.1:15432 (user/password/database jieshui); registry gRPC 50051, metrics 9151; ingest gRPC
# 50052, metrics 9152, HJ 212 on 9212 (JIESHUI_INGEST_HJ212_LISTEN moves it); quota gRPC 50053,
# metrics 9153.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"

STATE="$JIESHUI_STATE_DIR"
ROOT="$JIESHUI_REPO_ROOT"
INFRA_COMPONENTS=(kafka redis postgres)

KAFKA_PORT="${JIESHUI_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${JIESHUI_KAFKA_CONTROLLER_PORT:-19093}"
REDIS_PORT="${JIESHUI_REDIS_PORT:-16379}"
PG_PORT="${JIESHUI_PG_PORT:-15432}"
PG_BIN="${JIESHUI_PG_BIN:-/usr/lib/postgresql/15/bin}"

KAFKA_TIMEOUT="${JIESHUI_KAFKA_TIMEOUT:-120}"
REDIS_TIMEOUT="${JIESHUI_REDIS_TIMEOUT:-30}"
PG_TIMEOUT="${JIESHUI_PG_TIMEOUT:-60}"
STOP_TIMEOUT="${JIESHUI_STOP_TIMEOUT:-60}"
SERVICE_TIMEOUT="${JIESHUI_SERVICE_TIMEOUT:-60}"
SERVICE_STOP_TIMEOUT="${JIESHUI_SERVICE_STOP_TIMEOUT:-30}"

# ---------------------------------------------------------------- services
#
# One line per service: name, binary (under the build tree), config file (under the repo), gRPC
# port, metrics port ("-" = none). A new service is one more line here; everything else is generic.
# The lines are in start order (stop is the reverse): a service after those whose topics it reads.
# The ports can be moved with JIESHUI_<NAME>_GRPC_PORT / JIESHUI_<NAME>_METRICS_PORT (stack.sh
# settings: they are not passed on to the service, whose config has no such keys).
SERVICE_TABLE=(
  "registry services/registry/jieshui-registry services/registry/registry.yaml 50051 9151"
  "ingest services/ingest/jieshui-ingest services/ingest/ingest.yaml 50052 9152"
  "quota services/quota/jieshui-quota services/quota/quota.yaml 50053 9153"
)
PRESET="${JIESHUI_PRESET:-debug}"
BUILD_DIR="${JIESHUI_BUILD_DIR:-$ROOT/build/$PRESET}"
PG_PASSWORD="jieshui"  # the local stack's jieshui role (pg_bootstrap)
# Principal kinds that get a local API key in $STATE/keys/<principal>.key ("enterprise" needs a USCC
# per key and is left out).
KEY_PRINCIPALS=(water_affairs partner industry development_reform statistics meter_gateway)
KEYS_DIR="$STATE/keys"

SERVICES=()
declare -A SVC_BIN SVC_CONFIG SVC_GRPC_PORT SVC_METRICS_PORT
load_service_table() {
  local line name bin cfg grpc metrics var
  for line in "${SERVICE_TABLE[@]}"; do
    read -r name bin cfg grpc metrics <<<"$line"
    SERVICES+=("$name")
    SVC_BIN[$name]="$BUILD_DIR/$bin"
    SVC_CONFIG[$name]="$ROOT/$cfg"
    var="$(service_env_prefix "$name")GRPC_PORT"
    SVC_GRPC_PORT[$name]="${!var:-$grpc}"
    var="$(service_env_prefix "$name")METRICS_PORT"
    SVC_METRICS_PORT[$name]="${!var:-$metrics}"
  done
}

# JIESHUI_<NAME>_: the prefix of a service's config overrides (libs/config EnvVarName).
service_env_prefix() { printf 'JIESHUI_%s_' "$(printf '%s' "$1" | tr 'a-z.-' 'A-Z__')"; }

is_service() {
  local s
  for s in "${SERVICES[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}

service_built() { [ -x "${SVC_BIN[$1]}" ]; }

build_hint() {
  local target
  target="$(basename "${SVC_BIN[$1]}")"
  echo "cmake --preset $PRESET && cmake --build --preset $PRESET --target $target"
}

load_service_table

KAFKA_DIR="$STATE/kafka"
REDIS_DIR="$STATE/redis"
PG_DIR="$STATE/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

say() { printf '%s\n' "$*"; }
err() { printf 'stack: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- processes and ports

# pid_alive PID PATTERN: the process exists and its command line contains PATTERN
# (guards against a stale pidfile whose PID was reused by something else).
pid_alive() {
  local pid="$1" pattern="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

pidfile_of() {
  case "$1" in
    kafka) echo "$KAFKA_DIR/kafka.pid" ;;
    redis) echo "$REDIS_DIR/redis.pid" ;;
    postgres) echo "$PG_DIR/postgres.pid" ;;
    *) echo "$STATE/$1/$1.pid" ;;
  esac
}

pattern_of() {
  case "$1" in
    kafka) echo "kafka.Kafka $KAFKA_DIR/server.properties" ;;
    redis) echo "redis-server 127.0.0.1:$REDIS_PORT" ;;
    postgres) echo "postgres" ;;
    *) echo "$(basename "${SVC_BIN[$1]}") --config" ;;
  esac
}

ports_of() {
  case "$1" in
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
    postgres) echo "$PG_PORT" ;;
    *)
      echo "${SVC_GRPC_PORT[$1]}"
      [ "${SVC_METRICS_PORT[$1]}" = - ] || echo "${SVC_METRICS_PORT[$1]}"
      ;;
  esac
}

log_of() {
  case "$1" in
    kafka) echo "$KAFKA_DIR/logs/server.log" ;;
    redis) echo "$REDIS_DIR/redis.log" ;;
    postgres) echo "$PG_DIR/postgres.log" ;;
    *) echo "$STATE/$1/$1.log" ;;
  esac
}

# Prints the PID of the running component, or fails (and removes a stale pidfile).
running_pid() {
  local c="$1" pidfile pid
  pidfile="$(pidfile_of "$c")"
  [ -f "$pidfile" ] || return 1
  pid="$(head -n1 "$pidfile" 2>/dev/null | tr -dc '0-9')"
  if [ -n "$pid" ] && pid_alive "$pid" "$(pattern_of "$c")"; then
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
  for p in $(ports_of "$c"); do
    if port_listening "$p"; then
      holder="$(ss -Hltnp "sport = :$p" 2>/dev/null | sed -n 's/.*users:(\(.*\))$/\1/p' | head -n1)"
      err "$c: port $p is already in use by something that is not this stack's $c: ${holder:-unknown process (run as root to see it)}"
      ss -ltnp "sport = :$p" >&2 2>/dev/null || true
      bad=1
    fi
  done
  return $bad
}

show_log_tail() {
  local c="$1" f
  for f in "$(log_of "$c")" ${2:-}; do
    [ -f "$f" ] || continue
    err "---- last lines of $f ----"
    tail -n 40 "$f" >&2 || true
    err "----"
  done
}

# stop_pid COMPONENT PID SIGNAL [TIMEOUT]: graceful signal, wait (default $STOP_TIMEOUT s), then SIGKILL.
stop_pid() {
  local c="$1" pid="$2" sig="$3" limit="${4:-$STOP_TIMEOUT}" pattern waited=0
  pattern="$(pattern_of "$c")"
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

# as_pg_owner CMD...: run as the PostgreSQL data owner (the postgres OS user when we are root).
as_pg_owner() {
  if [ $IS_ROOT -eq 1 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_superuser() {
  if [ $IS_ROOT -eq 1 ]; then echo postgres; else id -un; fi
}

# ---------------------------------------------------------------- readiness

ready_kafka() {
  port_open "$KAFKA_PORT" || return 1
  timeout 15 kcat -b "127.0.0.1:$KAFKA_PORT" -L -m 10 >/dev/null 2>&1
}

ready_redis() {
  [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

ready_postgres() {
  timeout 5 pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || return 1
  [ "$(PGCONNECT_TIMEOUT=5 timeout 10 psql -X -qAt "postgresql://jieshui:jieshui@127.0.0.1:$PG_PORT/jieshui" -c 'select 1' 2>/dev/null)" = "1" ]
}

# Postgres accepting connections (before the jieshui role exists).
pg_accepting() { timeout 5 pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }

# ready_of COMPONENT: an infrastructure component's check, or a service's.
ready_of() {
  if is_service "$1"; then ready_service "$1"; else "ready_$1"; fi
}

timeout_of() {
  case "$1" in
    kafka) echo "$KAFKA_TIMEOUT" ;;
    redis) echo "$REDIS_TIMEOUT" ;;
    postgres) echo "$PG_TIMEOUT" ;;
    *) echo "$SERVICE_TIMEOUT" ;;
  esac
}

# wait_ready COMPONENT: poll readiness until the component's timeout; fail early if it died.
wait_ready() {
  local c="$1" limit start now
  limit="$(timeout_of "$c")"
  start=$SECONDS
  while :; do
    if ready_of "$c"; then return 0; fi
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

# ---------------------------------------------------------------- kafka

kafka_java() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  "$java" "$@"
}

kafka_write_config() {
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by deploy/local/stack.sh on every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data

num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true

# single node: internal topics with one replica, fewer partitions than the default 50 so the
# first consumer group / transaction / share group does not wait for 50 partitions to appear
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=10
group.initial.rebalance.delay.ms=0

num.network.threads=3
num.io.threads=4
log.retention.hours=168
log.segment.bytes=268435456
EOF
}

kafka_classpath() { echo "$KAFKA_LIBS_DIR/*"; }

start_kafka() {
  local pid cid
  if pid="$(running_pid kafka)"; then say "kafka: already running (pid $pid)"; return 0; fi
  check_ports_free kafka || return 3
  if ! kafka_libs_present; then
    bash "$HERE/fetch-kafka.sh" || { err "kafka: fetching the jars failed"; return 1; }
  fi
  kafka_write_config
  if [ ! -s "$KAFKA_DIR/cluster.id" ]; then
    cid="$(kafka_java -cp "$(kafka_classpath)" -Dlog4j2.configurationFile="$HERE/kafka-log4j2.properties" \
      -Dkafka.logs.dir="$KAFKA_DIR/logs" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    [ -n "$cid" ] || { err "kafka: StorageTool random-uuid failed"; return 1; }
    echo "$cid" >"$KAFKA_DIR/cluster.id"
  fi
  cid="$(cat "$KAFKA_DIR/cluster.id")"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    say "kafka: formatting storage (cluster id $cid)"
    if ! kafka_java -cp "$(kafka_classpath)" -Dlog4j2.configurationFile="$HERE/kafka-log4j2.properties" \
      -Dkafka.logs.dir="$KAFKA_DIR/logs" kafka.tools.StorageTool format -t "$cid" \
      -c "$KAFKA_DIR/server.properties" --ignore-formatted >"$KAFKA_DIR/format.log" 2>&1; then
      err "kafka: storage format failed"
      cat "$KAFKA_DIR/format.log" >&2
      return 1
    fi
  fi
  # shellcheck disable=SC2086
  (
    cd "$KAFKA_DIR"
    exec setsid java \
      ${KAFKA_HEAP_OPTS:--Xms512M -Xmx1G} \
      -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
      "-Xlog:gc*:file=$KAFKA_DIR/logs/kafkaServer-gc.log:time,tags:filecount=5,filesize=20M" \
      -Dkafka.logs.dir="$KAFKA_DIR/logs" \
      -Dlog4j2.configurationFile="$HERE/kafka-log4j2.properties" \
      -cp "$(kafka_classpath)" \
      kafka.Kafka "$KAFKA_DIR/server.properties"
  ) </dev/null >>"$KAFKA_DIR/stdout.log" 2>&1 9>&- &
  echo $! >"$KAFKA_DIR/kafka.pid"
  say "kafka: started (pid $!)"
}

stop_kafka() {
  local pid
  if pid="$(running_pid kafka)"; then
    say "kafka: stopping (pid $pid)"
    stop_pid kafka "$pid" TERM
    say "kafka: stopped"
  else
    say "kafka: not running"
  fi
  rm -f "$KAFKA_DIR/kafka.pid"
}

# ---------------------------------------------------------------- redis

start_redis() {
  local pid i
  if pid="$(running_pid redis)"; then say "redis: already running (pid $pid)"; return 0; fi
  check_ports_free redis || return 3
  mkdir -p "$REDIS_DIR/data"
  cat >"$REDIS_DIR/redis.conf" <<EOF
# Generated by deploy/local/stack.sh on every start: edit the script, not this file.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $REDIS_DIR/redis.pid
logfile $REDIS_DIR/redis.log
dir $REDIS_DIR/data
appendonly yes
appendfsync everysec
save 3600 1 300 100 60 10000
databases 16
EOF
  rm -f "$REDIS_DIR/redis.pid"
  setsid redis-server "$REDIS_DIR/redis.conf" </dev/null >>"$REDIS_DIR/redis.log" 2>&1 9>&- || {
    err "redis: redis-server failed to start"
    return 1
  }
  for i in $(seq 1 50); do
    [ -s "$REDIS_DIR/redis.pid" ] && break
    sleep 0.1
  done
  say "redis: started (pid $(cat "$REDIS_DIR/redis.pid" 2>/dev/null || echo '?'))"
}

stop_redis() {
  local pid
  if pid="$(running_pid redis)"; then
    say "redis: stopping (pid $pid)"
    stop_pid redis "$pid" TERM
    say "redis: stopped"
  else
    say "redis: not running"
  fi
  rm -f "$REDIS_DIR/redis.pid"
}

# ---------------------------------------------------------------- postgres

# As root the server runs as the postgres OS user: it must own its folder and be able to reach it.
pg_prepare_dirs() {
  mkdir -p "$PG_DIR" "$PG_SOCK"
  if [ $IS_ROOT -eq 1 ]; then
    chown postgres:postgres "$PG_DIR" "$PG_SOCK"
    [ -d "$PG_DATA" ] && chown -R postgres:postgres "$PG_DATA"
    [ -f "$PG_DIR/postgres.log" ] && chown postgres:postgres "$PG_DIR/postgres.log"
    local d="$PG_DIR"
    while [ "$d" != "/" ]; do
      d="$(dirname "$d")"
      if ! runuser -u postgres -- test -x "$d"; then
        say "postgres: making $d traversable (o+x) for the postgres user"
        chmod o+x "$d"
      fi
    done
  fi
  chmod 700 "$PG_DIR"
}

pg_write_config() {
  as_pg_owner tee "$PG_DATA/jieshui.conf" >/dev/null <<EOF
# Generated by deploy/local/stack.sh on every start: edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 300
shared_buffers = 256MB
password_encryption = 'scram-sha-256'
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  as_pg_owner tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOF
# Generated by deploy/local/stack.sh on every start: edit the script, not this file.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  peer
host    all       all   127.0.0.1/32   scram-sha-256
EOF
}

pg_init_once() {
  [ -f "$PG_DATA/PG_VERSION" ] && return 0
  say "postgres: initdb $PG_DATA"
  rm -rf "$PG_DATA"
  as_pg_owner mkdir -p "$PG_DATA"
  if ! as_pg_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$(pg_superuser)" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1; then
    err "postgres: initdb failed"
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  echo "include_if_exists = 'jieshui.conf'" | as_pg_owner tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

start_postgres() {
  local pid i
  if pid="$(running_pid postgres)"; then say "postgres: already running (pid $pid)"; return 0; fi
  check_ports_free postgres || return 3
  [ -x "$PG_BIN/postgres" ] || { err "postgres: $PG_BIN/postgres not found (postgresql-15)"; return 1; }
  pg_prepare_dirs
  pg_init_once || return 1
  pg_write_config
  # A postmaster.pid left by a killed server: ours is not running (checked above), so drop it.
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    pid="$(head -n1 "$PG_DATA/postmaster.pid" | tr -dc '0-9')"
    if ! pid_alive "$pid" postgres; then rm -f "$PG_DATA/postmaster.pid"; fi
  fi
  as_pg_owner touch "$PG_DIR/postgres.log"
  if ! as_pg_owner setsid "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -W start >/dev/null 9>&-; then
    err "postgres: pg_ctl start failed"
    return 1
  fi
  for i in $(seq 1 100); do
    [ -s "$PG_DATA/postmaster.pid" ] && break
    sleep 0.1
  done
  pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9')"
  [ -n "$pid" ] || { err "postgres: no postmaster.pid after start"; return 1; }
  echo "$pid" >"$PG_DIR/postgres.pid"
  say "postgres: started (pid $pid)"
}

# Role and database of the services: created once, checked on every start (cheap).
pg_bootstrap() {
  local su start=$SECONDS
  su="$(pg_superuser)"
  until pg_accepting; do
    [ $((SECONDS - start)) -ge "$PG_TIMEOUT" ] && { err "postgres: not accepting connections"; return 1; }
    sleep 0.3
  done
  as_pg_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$su" -d postgres <<'EOF' >/dev/null
SELECT 'CREATE ROLE jieshui LOGIN CREATEDB PASSWORD ''jieshui'''
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jieshui')\gexec
SELECT 'CREATE DATABASE jieshui OWNER jieshui'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'jieshui')\gexec
EOF
}

stop_postgres() {
  local pid
  if pid="$(running_pid postgres)"; then
    say "postgres: stopping (pid $pid)"
    # SIGINT = "fast" shutdown: disconnects clients (SIGTERM would wait for every test client).
    stop_pid postgres "$pid" INT
    say "postgres: stopped"
  else
    say "postgres: not running"
  fi
  rm -f "$PG_DIR/postgres.pid"
}

# ---------------------------------------------------------------- API keys

# A new random API key: from tools/apikey when it is built, else 32 random bytes, base64url.
new_api_key() {
  local tool="$BUILD_DIR/tools/apikey/jieshui-apikey" key=""
  if [ -x "$tool" ]; then
    key="$("$tool" "$1" --name "local $1" 2>/dev/null | sed -n 's/^key .*: *//p' | head -n1)" || key=""
  fi
  [ -n "$key" ] || key="js_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  printf '%s' "$key"
}

# Creates the missing $KEYS_DIR/<principal>.key files (mode 600); existing keys are kept.
ensure_keys() {
  local p f made=()
  (umask 077 && mkdir -p "$KEYS_DIR")
  chmod 700 "$KEYS_DIR"
  for p in "${KEY_PRINCIPALS[@]}"; do
    f="$KEYS_DIR/$p.key"
    [ -s "$f" ] && continue
    (umask 077 && new_api_key "$p" >"$f.tmp") && mv -f "$f.tmp" "$f"
    made+=("$p")
  done
  chmod 600 "$KEYS_DIR"/*.key
  [ ${#made[@]} -eq 0 ] || say "keys: created ${made[*]} in $KEYS_DIR (stack.sh keys)"
}

# The auth.api_keys value for the services: a YAML flow list of every local key's SHA-256.
api_keys_yaml() {
  local p key hash items=()
  for p in "${KEY_PRINCIPALS[@]}"; do
    key="$(tr -d '[:space:]' <"$KEYS_DIR/$p.key")"
    hash="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
    items+=("{sha256: $hash, principal: $p, name: local $p key}")
  done
  local joined
  joined="$(printf ', %s' "${items[@]}")"
  echo "[${joined:2}]"
}

# ---------------------------------------------------------------- services

# config_declares FILE KEY: the YAML file declares section.key (two levels, as service configs are).
# Only declared keys may be set from the environment: libs/config refuses unknown JIESHUI_<NAME>_ vars.
config_declares() {
  awk -v want_section="${2%%.*}" -v want_key="${2#*.}" '
    /^[A-Za-z0-9_-]+:/ { section = $0; sub(/:.*/, "", section); child = ""; next }
    /^[ ]+[A-Za-z0-9_-]+:/ {
      match($0, /^[ ]+/); indent = RLENGTH
      if (child == "") child = indent
      if (indent != child) next
      key = $0; sub(/^[ ]+/, "", key); sub(/:.*/, "", key)
      if (section == want_section && key == want_key) found = 1
    }
    END { exit !found }' "$1"
}

# The infrastructure a service's config points at: kafka, postgres, redis.
service_needs() {
  local cfg="${SVC_CONFIG[$1]}"
  config_declares "$cfg" kafka.bootstrap_servers && echo kafka
  config_declares "$cfg" postgres.host && echo postgres
  config_declares "$cfg" redis.host && echo redis
  return 0
}

# The JIESHUI_<NAME>_<KEY>=value overrides that point a service at this stack, one per line, for
# the keys its config declares.
service_overrides() {
  local s="$1" cfg="${SVC_CONFIG[$1]}" prefix key value metrics=""
  prefix="$(service_env_prefix "$s")"
  [ "${SVC_METRICS_PORT[$s]}" = - ] || metrics="127.0.0.1:${SVC_METRICS_PORT[$s]}"
  while IFS='=' read -r key value; do
    if config_declares "$cfg" "$key"; then
      printf '%s%s=%s\n' "$prefix" "$(printf '%s' "$key" | tr 'a-z.-' 'A-Z__')" "$value"
    fi
  done <<EOF
grpc.listen=127.0.0.1:${SVC_GRPC_PORT[$s]}
metrics.listen=$metrics
kafka.bootstrap_servers=127.0.0.1:$KAFKA_PORT
postgres.host=127.0.0.1
postgres.port=$PG_PORT
postgres.database=jieshui
postgres.user=jieshui
postgres.password=$PG_PASSWORD
redis.host=127.0.0.1
redis.port=$REDIS_PORT
auth.api_keys=$(api_keys_yaml)
EOF
}

ready_service() {
  local s="$1"
  running_pid "$s" >/dev/null || return 1
  grep -qE '"msg": *"grpc server started"' "$(log_of "$s")" 2>/dev/null || return 1
  port_open "${SVC_GRPC_PORT[$s]}"
}

start_service() {
  local s="$1" pid dir log bin cfg dep overrides=() unset_vars=()
  if pid="$(running_pid "$s")"; then say "$s: already running (pid $pid)"; return 0; fi
  bin="${SVC_BIN[$s]}"
  cfg="${SVC_CONFIG[$s]}"
  if ! service_built "$s"; then
    err "$s: ${bin#"$ROOT"/} is not built: $(build_hint "$s")"
    return 1
  fi
  [ -f "$cfg" ] || { err "$s: config $cfg not found"; return 1; }
  for dep in $(service_needs "$s"); do
    if ! "ready_$dep"; then
      err "$s: needs $dep, which is not ready (bash deploy/local/stack.sh start $dep)"
      return 1
    fi
  done
  check_ports_free "$s" || return 3
  ensure_keys
  dir="$STATE/$s"
  log="$(log_of "$s")"
  mkdir -p "$dir"
  # One log per run: the previous one is kept as <service>.log.1.
  if [ -f "$log" ]; then mv -f "$log" "$log.1"; fi
  mapfile -t overrides < <(service_overrides "$s")
  # stack.sh's own port settings share the service's prefix but are no config keys: not passed on.
  unset_vars=(-u "$(service_env_prefix "$s")GRPC_PORT" -u "$(service_env_prefix "$s")METRICS_PORT")
  (
    cd "$dir"
    exec setsid env "${unset_vars[@]}" "${overrides[@]}" "$bin" --config "$cfg"
  ) </dev/null >>"$log" 2>&1 9>&- &
  echo $! >"$(pidfile_of "$s")"
  say "$s: started (pid $!, ${bin#"$ROOT"/})"
}

stop_service() {
  local s="$1" pid
  if pid="$(running_pid "$s")"; then
    say "$s: stopping (pid $pid)"
    stop_pid "$s" "$pid" TERM "$SERVICE_STOP_TIMEOUT"
    say "$s: stopped"
  else
    say "$s: not running"
  fi
  rm -f "$(pidfile_of "$s")"
}

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

# PostgreSQL is only "ready" once the jieshui role and database exist: create them first.
wait_ready_after_start() {
  if [ "$1" = postgres ]; then
    pg_bootstrap && wait_ready postgres
  else
    wait_ready "$1"
  fi
}

# Chosen by main: the infrastructure and the services to act on, and whether they were named
# (a named service that is not built is an error; by default it is skipped).
SEL_INFRA=()
SEL_SERVICES=()
NAMED=0

not_built_line() {
  echo "$1: not built (${SVC_BIN[$1]#"$ROOT"/}), skipped; build it with: $(build_hint "$1")"
}

cmd_start() {
  local c pid rc=0 t0=$SECONDS failed=()
  bash "$HERE/install-deps.sh"
  lock_state
  for c in "${SEL_INFRA[@]}"; do
    local src=0
    "start_$c" || src=$?
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
    if wait_ready_after_start "$c"; then
      say "$c: ready ($(describe "$c"))"
    else
      local extra=""
      [ "$c" = kafka ] && extra="$KAFKA_DIR/stdout.log"
      show_log_tail "$c" "$extra"
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
    local src=0
    start_service "$c" || src=$?
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

describe() {
  case "$1" in
    kafka) echo "127.0.0.1:$KAFKA_PORT, kafka $JIESHUI_KAFKA_VERSION" ;;
    redis) echo "127.0.0.1:$REDIS_PORT" ;;
    postgres) echo "postgresql://jieshui:jieshui@127.0.0.1:$PG_PORT/jieshui" ;;
    *)
      local d="grpc 127.0.0.1:${SVC_GRPC_PORT[$1]}"
      [ "${SVC_METRICS_PORT[$1]}" = - ] || d+=", metrics 127.0.0.1:${SVC_METRICS_PORT[$1]}"
      echo "$d, log $(log_of "$1")"
      ;;
  esac
}

cmd_stop() {
  local i
  lock_state
  # services first (reverse order), then the infrastructure (reverse order: the databases last)
  for ((i = ${#SEL_SERVICES[@]} - 1; i >= 0; i--)); do
    stop_service "${SEL_SERVICES[i]}"
  done
  for ((i = ${#SEL_INFRA[@]} - 1; i >= 0; i--)); do
    "stop_${SEL_INFRA[i]}"
  done
}

cmd_status() {
  local c pid rc=0 state ready
  for c in "${SEL_INFRA[@]}" "${SEL_SERVICES[@]}"; do
    if pid="$(running_pid "$c")"; then state="running (pid $pid)"; else state="stopped"; fi
    if ready_of "$c"; then
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
  local p
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
  say "Local API keys (one per principal kind; the services get their SHA-256 at start):"
  for p in "${KEY_PRINCIPALS[@]}"; do
    printf '  %-20s %s\n' "$p" "$KEYS_DIR/$p.key"
  done
  say "Use one (gRPC metadata \"authorization: Bearer <key>\"):"
  say "  export JIESHUI_API_KEY=\$(cat $KEYS_DIR/water_affairs.key)"
  say "  grpcurl -plaintext -H \"authorization: Bearer \$JIESHUI_API_KEY\" -d '{}' \\"
  say "    127.0.0.1:${SVC_GRPC_PORT[registry]:-50051} jieshui.registry.v1.RegistryService/ListEnterprises"
  say "docker-compose.yml takes the same keys from JIESHUI_AUTH_API_KEYS:"
  say "  export JIESHUI_AUTH_API_KEYS=\"\$(bash deploy/local/stack.sh keys --yaml)\""
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
