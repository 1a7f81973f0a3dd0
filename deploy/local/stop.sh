#!/usr/bin/env bash
# The stop command of Jieshui (README "Start the system"): stops every service, then Kafka, Redis and
# PostgreSQL, all that deploy/local/start.sh (or stack.sh start) started. Data stays in .state/;
# `rm -rf .state` afterwards resets it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$HERE/stack.sh" stop
