# shellcheck shell=bash
# stack.sh's services (sourced, not run): the table of services, how each is pointed at this
# stack, started in its own process group and checked (grpc.health.v1.Health/Check answers SERVING).

SERVICE_TIMEOUT="${JIESHUI_SERVICE_TIMEOUT:-60}"
SERVICE_STOP_TIMEOUT="${JIESHUI_SERVICE_STOP_TIMEOUT:-30}"

# One line per service: name, binary (under the build tree), config file (under the repo), gRPC
# port, metrics port ("-" = none). A new service is one more line here; everything else is generic.
# The lines are in start order (stop is the reverse): a service after those whose topics it reads.
# The ports can be moved with JIESHUI_<NAME>_GRPC_PORT / JIESHUI_<NAME>_METRICS_PORT (stack.sh
# settings: they are not passed on to the service, whose config has no such keys).
SERVICE_TABLE=(
  "registry services/registry/jieshui-registry services/registry/registry.yaml 50051 9151"
  "ingest services/ingest/jieshui-ingest services/ingest/ingest.yaml 50052 9152"
  "quota services/quota/jieshui-quota services/quota/quota.yaml 50053 9153"
  "certification services/certification/jieshui-certification services/certification/certification.yaml 50054 9154"
  "reporting services/reporting/jieshui-reporting services/reporting/reporting.yaml 50055 9155"
)
# The readiness probe (tools/health): a service is ready when it answers SERVING.
HEALTH_PROBE="$BUILD_DIR/tools/health/jieshui-health"

declare -A SVC_BIN SVC_CONFIG SVC_GRPC_PORT SVC_METRICS_PORT

# JIESHUI_<NAME>_: the prefix of a service's config overrides (libs/config EnvVarName).
service_env_prefix() { printf 'JIESHUI_%s_' "$(printf '%s' "$1" | tr 'a-z.-' 'A-Z__')"; }

load_service_table() {
  local line name bin cfg grpc metrics var describe ports
  for line in "${SERVICE_TABLE[@]}"; do
    read -r name bin cfg grpc metrics <<<"$line"
    SERVICES+=("$name")
    SVC_BIN[$name]="$BUILD_DIR/$bin"
    SVC_CONFIG[$name]="$ROOT/$cfg"
    var="$(service_env_prefix "$name")GRPC_PORT"
    SVC_GRPC_PORT[$name]="${!var:-$grpc}"
    var="$(service_env_prefix "$name")METRICS_PORT"
    SVC_METRICS_PORT[$name]="${!var:-$metrics}"
    describe="grpc 127.0.0.1:${SVC_GRPC_PORT[$name]}"
    ports="${SVC_GRPC_PORT[$name]}"
    if [ "${SVC_METRICS_PORT[$name]}" != - ]; then
      ports+=" ${SVC_METRICS_PORT[$name]}"
      describe+=", metrics 127.0.0.1:${SVC_METRICS_PORT[$name]}"
    fi
    component "$name" \
      pidfile="$STATE/$name/$name.pid" \
      pattern="$(basename "${SVC_BIN[$name]}") --config" \
      ports="$ports" \
      log="$STATE/$name/$name.log" \
      timeout="$SERVICE_TIMEOUT" \
      describe="$describe, log $STATE/$name/$name.log"
  done
}
load_service_table

# Built = its binary and the readiness probe are there (stack.sh could not tell it is ready
# without the probe).
service_built() { [ -x "${SVC_BIN[$1]}" ] && [ -x "$HEALTH_PROBE" ]; }

build_hint() {
  local targets
  targets="$(basename "${SVC_BIN[$1]}") $(basename "$HEALTH_PROBE")"
  echo "cmake --preset $PRESET && cmake --build --preset $PRESET --target $targets"
}

# What is missing of a service that is not built, relative to the repo.
service_missing() {
  local f missing=()
  for f in "${SVC_BIN[$1]}" "$HEALTH_PROBE"; do
    [ -x "$f" ] || missing+=("${f#"$ROOT"/}")
  done
  echo "${missing[*]}"
}

not_built_line() {
  echo "$1: not built (no $(service_missing "$1")), skipped; build it with: $(build_hint "$1")"
}

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

# Ready = its process runs and grpc.health.v1.Health/Check answers SERVING (no API key needed:
# the health service is exempt from auth, libs/grpcserver/interceptors.cpp).
service_ready() {
  running_pid "$1" >/dev/null || return 1
  if [ ! -x "$HEALTH_PROBE" ]; then
    if [ -z "${PROBE_MISSING_SAID:-}" ]; then
      PROBE_MISSING_SAID=1
      err "${HEALTH_PROBE#"$ROOT"/} is not built, so no service counts as ready:" \
        "cmake --build --preset $PRESET --target $(basename "$HEALTH_PROBE")"
    fi
    return 1
  fi
  "$HEALTH_PROBE" "127.0.0.1:${SVC_GRPC_PORT[$1]}" --timeout 2s >/dev/null 2>&1
}

service_start() {
  local s="$1" dir log bin cfg dep overrides=() unset_vars=()
  bin="${SVC_BIN[$s]}"
  cfg="${SVC_CONFIG[$s]}"
  if ! service_built "$s"; then
    err "$s: not built (no $(service_missing "$s")): $(build_hint "$s")"
    return 1
  fi
  [ -f "$cfg" ] || { err "$s: config $cfg not found"; return 1; }
  for dep in $(service_needs "$s"); do
    if ! act ready "$dep"; then
      err "$s: needs $dep, which is not ready (bash deploy/local/stack.sh start $dep)"
      return 1
    fi
  done
  check_ports_free "$s" || return 3
  ensure_keys
  dir="$STATE/$s"
  log="${C_LOG[$s]}"
  mkdir -p "$dir"
  # One log per run: the previous one is kept as <service>.log.1.
  if [ -f "$log" ]; then mv -f "$log" "$log.1"; fi
  mapfile -t overrides < <(service_overrides "$s")
  # stack.sh's own port settings share the service's prefix but are no config keys: not passed on.
  unset_vars=(-u "$(service_env_prefix "$s")GRPC_PORT" -u "$(service_env_prefix "$s")METRICS_PORT")
  (
    cd "$dir" || exit
    exec setsid env "${unset_vars[@]}" "${overrides[@]}" "$bin" --config "$cfg"
  ) </dev/null >>"$log" 2>&1 9>&- &
  record_pid "$s" $!
  say "$s: started (pid $!, ${bin#"$ROOT"/})"
}

service_stop() { stop_component "$1" TERM "$SERVICE_STOP_TIMEOUT"; }
