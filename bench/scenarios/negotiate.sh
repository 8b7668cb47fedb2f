#!/usr/bin/env bash
# Load scenario: signed /v1/negotiate end to end (aura-gateway → aura-core →
# store) on this machine. Starts a private hive with `aura up` in a temporary
# data dir and free-ish ports, waits until it is ready, runs `aura bench` with
# the arguments given, prints the resident memory of both services after the
# load and the CPU time each used during it, and stops the hive.
#
#   bench/scenarios/negotiate.sh sqlite   --duration 20s --verify-baseline
#   bench/scenarios/negotiate.sh postgres --duration 20s --verify-baseline
#
# postgres needs AURA_TEST_POSTGRES_URL (e.g. `source /tmp/aura-dev-services.env`);
# the scenario creates its own database on that server and drops it afterwards.
# Per-agent rate limits are lifted for the run (AURA_GATEWAY__RATE_LIMIT_PER_MINUTE).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${AURA_BUILD_DIR:-$root/build}
aura="$build/src/cli/aura"
backend=${1:-sqlite}
shift || true

data=$(mktemp -d /tmp/aura-bench.XXXXXX)
export AURA_DATA_DIR="$data"
export HTTP_PORT=${HTTP_PORT:-18000}
export GRPC_PORT=${GRPC_PORT:-18051}
export AURA_SERVER__METRICS_PORT=${AURA_SERVER__METRICS_PORT:-18091}
export AURA_GATEWAY__RATE_LIMIT_PER_MINUTE=10000000
export AURA_LOG_LEVEL=${AURA_LOG_LEVEL:-warning}

bench_db=""
case "$backend" in
  sqlite) ;;
  postgres)
    : "${AURA_TEST_POSTGRES_URL:?postgres needs AURA_TEST_POSTGRES_URL}"
    bench_db="aura_bench_$$"
    psql -q "$AURA_TEST_POSTGRES_URL" -c "CREATE DATABASE $bench_db" >/dev/null
    export AURA_DATABASE__URL="${AURA_TEST_POSTGRES_URL%/*}/$bench_db"
    ;;
  *) echo "usage: $0 sqlite|postgres [aura bench options]" >&2; exit 2 ;;
esac

source "$root/bench/scenarios/hive.sh"
cleanup() {
  hive_stop "$data"
  if [ -n "$bench_db" ]; then
    psql -q "$AURA_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $bench_db" >/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT
hive_start "$data"

core_pid=$(hive_pid "$data" aura-core)
gateway_pid=$(hive_pid "$data" aura-gateway)
core_cpu0=$(cpu_ticks "$core_pid")
gateway_cpu0=$(cpu_ticks "$gateway_pid")

echo "backend: $backend   cores: $(nproc)   $(date -u +%Y-%m-%dT%H:%M:%SZ)" >&2
status=0
"$aura" bench --gateway "http://127.0.0.1:$HTTP_PORT" "$@" | tee "$data/bench.out" || status=$?

# Requests answered: the JSON report's "answered", or the text report's "N answered in".
answered=$(sed -n 's/.*"answered":\([0-9]*\).*/\1/p; s/^ *\([0-9]*\) answered in.*/\1/p' "$data/bench.out" | head -1)
hz=$(getconf CLK_TCK)
for p in "aura-core:$core_pid:$core_cpu0" "aura-gateway:$gateway_pid:$gateway_cpu0"; do
  IFS=: read -r name pid cpu0 <<<"$p"
  [ -n "$pid" ] || continue
  echo "$name resident after load: $(resident_mb "$pid")" >&2
  ticks=$(( $(cpu_ticks "$pid") - cpu0 ))
  awk -v t="$ticks" -v hz="$hz" -v n="${answered:-0}" -v name="$name" 'BEGIN {
    printf "%s CPU during the run: %.2f s", name, t / hz
    if (n > 0) printf " (%.0f us per answered request)", t / hz / n * 1e6
    printf "\n" }' >&2
done
exit "$status"
