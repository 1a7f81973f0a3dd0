#!/usr/bin/env bash
# The start command of Jieshui (README "Start the system"): installs what is missing, builds (release
# preset), starts Kafka, Redis, PostgreSQL and every service on loopback, loads a simulated Wuzhong
# district through the services (jieshui-simulator: registry, plans and quotas, a period of meter
# readings by gRPC and HJ 212 with gateway faults, a certification history: titles, some expired,
# balance tests, audits and projects, applications in progress; Statistics' value added and the
# 2020 baseline) and prints where to look and what happened, and the district's six rows of the
# action plan's table this year against the targets. `bash deploy/local/stop.sh` ends everything
# it started.
#
#   bash deploy/local/start.sh [--no-district] [SIMULATOR OPTIONS]
#
# SIMULATOR OPTIONS go to `jieshui-simulator run` (tools/simulator/README.md), e.g.
# --seed 7 --enterprises 100 --from 2026-11-01 --faults none. The district is loaded once per
# seed: a second start prints the first run's outcome again (rm .state/simulator to load anew),
# and the six rows as reporting serves them then.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$HERE/common.sh"
ROOT="$JIESHUI_REPO_ROOT"
cd "$ROOT"

load=1
sim_args=()
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-district) load=0; shift ;;
    --seed) seed="$2"; sim_args+=("$1" "$2"); shift 2 ;;
    --seed=*) seed="${1#--seed=}"; sim_args+=("$1"); shift ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) sim_args+=("$1"); shift ;;
  esac
done

export JIESHUI_PRESET="${JIESHUI_PRESET:-release}"
BUILD="$ROOT/build/$JIESHUI_PRESET"
# The simulated history starts on the 1st of last month: ingest takes readings that old (its
# default back-fill window is 7 days, for live gateways).
export JIESHUI_INGEST_VEE_BACKFILL_WINDOW="${JIESHUI_INGEST_VEE_BACKFILL_WINDOW:-1600h}"

step() { printf '\n==> %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "installing missing Debian packages"
bash "$HERE/install-deps.sh"
step "fetching Kafka jars (cached)"
bash "$HERE/fetch-kafka.sh"

step "building (preset $JIESHUI_PRESET)"
cmake --preset "$JIESHUI_PRESET" >/dev/null
cmake --build --preset "$JIESHUI_PRESET" --target jieshui-registry jieshui-ingest jieshui-quota \
  jieshui-certification jieshui-reporting jieshui-health jieshui-apikey jieshui-simulator jieshui-cli \
  jieshui-registry-cli

simulator="$BUILD/tools/simulator/jieshui-simulator"
key_file="$JIESHUI_STATE_DIR/keys/water_affairs.key"
enterprise_keys="$JIESHUI_STATE_DIR/keys/enterprises"

step "starting the stack"
# Services run from this build with this back-fill window, and with the enterprise keys below:
# restart any started otherwise.
bash "$HERE/stack.sh" stop registry ingest quota certification reporting >/dev/null
if [ "$load" -eq 1 ]; then
  # The district's applicants apply with keys of their own (an enterprise key per USCC): made
  # before the services start, which take every key of $enterprise_keys (stack/keys.sh).
  (umask 077 && mkdir -p "$JIESHUI_STATE_DIR/keys")
  "$simulator" keys --dir "$enterprise_keys" "${sim_args[@]}"
fi
bash "$HERE/stack.sh" start

# This year's six rows of the action plan's table as reporting serves them now (the year's months
# reported so far, Shanghai time), each against the year's target or, when the year has none, the
# latest year's.
show_six_rows() {
  step "the district's six rows of the action plan's table, $(TZ=Asia/Shanghai date +%Y) so far"
  JIESHUI_API_KEY="$(cat "$key_file")" "$simulator" indicators --year "$(TZ=Asia/Shanghai date +%Y)"
}

outcome="$JIESHUI_STATE_DIR/simulator/district-seed-$seed.txt"
if [ "$load" -eq 1 ]; then
  mkdir -p "$JIESHUI_STATE_DIR/simulator"
  if [ -s "$outcome" ] && ! grep -q '^Reporting: ' "$outcome"; then
    # Loaded before the simulator submitted value added and the baseline: load it again (a re-run
    # finds what is there and adds what is missing).
    step "the district of seed $seed was loaded without reporting's submissions; loading it again"
    rm -f "$outcome"
  fi
  if [ -s "$outcome" ]; then
    step "the district of seed $seed was loaded before; its outcome then"
    cat "$outcome"
  else
    step "loading the simulated district (seed $seed)"
    if JIESHUI_API_KEY="$(cat "$key_file")" "$simulator" run \
      --enterprise-keys "$enterprise_keys" \
      --industry-key-file "$JIESHUI_STATE_DIR/keys/industry.key" \
      --statistics-key-file "$JIESHUI_STATE_DIR/keys/statistics.key" \
      "${sim_args[@]}" >"$outcome.tmp"; then
      mv "$outcome.tmp" "$outcome"
      cat "$outcome"
    else
      rc=$?
      cat "$outcome.tmp"
      if [ "$rc" -eq 1 ]; then
        # Figures that differ from the ground truth (a service still catching up, or wrong): the
        # six rows as reporting serves them now, to see where it stands.
        show_six_rows || true
      fi
      echo "start.sh: jieshui-simulator failed (exit $rc); the stack keeps running" >&2
      exit "$rc"
    fi
  fi
  show_six_rows
fi

cat <<EOF

==> Jieshui is running (stop it: bash deploy/local/stop.sh)
  registry       gRPC 127.0.0.1:50051  metrics http://127.0.0.1:9151/metrics
  ingest         gRPC 127.0.0.1:50052  metrics http://127.0.0.1:9152/metrics  HJ 212 127.0.0.1:9212
  quota          gRPC 127.0.0.1:50053  metrics http://127.0.0.1:9153/metrics
  certification  gRPC 127.0.0.1:50054  metrics http://127.0.0.1:9154/metrics
  reporting      gRPC 127.0.0.1:50055  metrics http://127.0.0.1:9155/metrics
  Kafka 127.0.0.1:19092, Redis 127.0.0.1:16379,
  PostgreSQL postgresql://jieshui:jieshui@127.0.0.1:15432/jieshui
  logs: $JIESHUI_STATE_DIR/<service>/<service>.log; API keys: $JIESHUI_STATE_DIR/keys/
  (the simulated applicants': $JIESHUI_STATE_DIR/keys/enterprises/<USCC>.key)

Look around with the operator CLI (tools/cli/README.md):
  export JIESHUI_API_KEY=\$(cat $key_file)
  ${BUILD#"$ROOT"/}/tools/cli/jieshui-cli enterprises list
  ${BUILD#"$ROOT"/}/tools/cli/jieshui-cli over-plan --month $(TZ=Asia/Shanghai date +%Y-%m)
  ${BUILD#"$ROOT"/}/tools/cli/jieshui-cli alerts --status open
  grpcurl -plaintext -H "authorization: Bearer \$JIESHUI_API_KEY" \\
    -d '{"on": {"year": $(TZ=Asia/Shanghai date +%Y), "month": $(TZ=Asia/Shanghai date +%-m), "day": $(TZ=Asia/Shanghai date +%-d)}}' \\
    127.0.0.1:50054 jieshui.certification.v1.CertificationService/ListCertified
  ${BUILD#"$ROOT"/}/tools/simulator/jieshui-simulator indicators --year $(TZ=Asia/Shanghai date +%Y) [--json]
  grpcurl -plaintext -H "authorization: Bearer \$JIESHUI_API_KEY" \\
    -d '{"period": {"kind": "PERIOD_KIND_YEAR", "year": $(TZ=Asia/Shanghai date +%Y)}}' \\
    127.0.0.1:50055 jieshui.reporting.v1.ReportingService/GetIndicators
  (the district's indicators, the six rows against the 2020 baseline with Statistics' value added;
  a year to date holds no value added, which is annual, so row 1 reads undefined there)
EOF
