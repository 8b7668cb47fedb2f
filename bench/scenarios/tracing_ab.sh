#!/usr/bin/env bash
# Tracing's cost, measured side by side: two private hives run at once on this
# machine, one tracing every request (100 % sampling, OTLP/gRPC export to a
# local test receiver) and one with OTEL_SDK_DISABLED=true. Each round loads
# both at the same time with an `aura bench` each, so that whatever else the
# host is doing slows both alike.
#
#   bench/scenarios/tracing_ab.sh [--rounds N] [aura bench options, e.g. --duration 15s]
#
# Each round prints both hives' throughput and the CPU their two services
# spent per answered request ("us"). The ratio reported is off/on of that CPU:
# on a machine of its own, where the hive is bound by CPU, that is the
# throughput with tracing over the throughput without. The raw req/s of the
# two hives are not compared: they share the cores, and the scheduler shares
# them per thread, not per request, which favours the hive with more threads.
# Run one after the other (negotiate.sh), the throughput ratio moves by ±15 %
# from run to run on a shared machine; this one moves far less.
#
# The receiver decodes and counts the spans (--count-only); set
# AURA_AB_RECEIVER_MODE=--discard for one that only reads them.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${AURA_BUILD_DIR:-$root/build}
aura="$build/src/cli/aura"
receiver="$build/tests/fakes/otlp-test-receiver"
rounds=5
if [ "${1:-}" = "--rounds" ]; then rounds=$2; shift 2; fi
[ $# -gt 0 ] || set -- --duration 15s

work=$(mktemp -d /tmp/aura-tracing-ab.XXXXXX)
source "$root/bench/scenarios/hive.sh"
export AURA_GATEWAY__RATE_LIMIT_PER_MINUTE=10000000
export AURA_LOG_LEVEL=${AURA_LOG_LEVEL:-warning}

cleanup() {
  hive_stop "$work/on" || true
  hive_stop "$work/off" || true
  exec 4>&- 2>/dev/null || true  # closes the receiver's stdin: it exits
  rm -rf "$work"
}
trap cleanup EXIT

# The receiver serves until its stdin closes; the script holds the pipe open.
mkfifo "$work/receiver.in"
"$receiver" --grpc-port 0 --http-port 0 "${AURA_AB_RECEIVER_MODE:---count-only}" \
  <"$work/receiver.in" >"$work/receiver.out" 2>&1 &
exec 4>"$work/receiver.in"
for _ in $(seq 1 100); do grep -q grpc_port "$work/receiver.out" && break; sleep 0.1; done
grpc_port=$(sed -n 's/.*"grpc_port":\([0-9]*\).*/\1/p' "$work/receiver.out")
[ -n "$grpc_port" ] || { echo "the OTLP test receiver did not start" >&2; cat "$work/receiver.out" >&2; exit 1; }

mkdir "$work/on" "$work/off"
(
  export HTTP_PORT=18200 GRPC_PORT=18251 AURA_SERVER__METRICS_PORT=18291
  export OTEL_EXPORTER_OTLP_PROTOCOL=grpc AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port"
  hive_start "$work/on"
)
(
  export HTTP_PORT=18300 GRPC_PORT=18351 AURA_SERVER__METRICS_PORT=18391 OTEL_SDK_DISABLED=true
  hive_start "$work/off"
)

echo "cores: $(nproc)   $(date -u +%Y-%m-%dT%H:%M:%SZ)   aura bench $*"
hz=$(getconf CLK_TCK)
declare -A pid
for mode in on off; do
  for service in aura-core aura-gateway; do pid[$mode:$service]=$(hive_pid "$work/$mode" "$service"); done
done

# Microseconds of CPU per answered request: us_per_request TICKS ANSWERED.
us_per_request() {
  awk -v t="$1" -v hz="$hz" -v n="$2" 'BEGIN {printf "%.1f", (n > 0 ? t / hz / n * 1e6 : 0)}'
}

ratios=()
declare -A service_ticks answered_total  # summed over the rounds
for round in $(seq 1 "$rounds"); do
  declare -A ticks0 ticks rps us
  for key in "${!pid[@]}"; do ticks0[$key]=$(cpu_ticks "${pid[$key]}"); done
  "$aura" bench --gateway "http://127.0.0.1:18200" --json "$@" >"$work/on.json" &
  on_bench=$!
  "$aura" bench --gateway "http://127.0.0.1:18300" --json "$@" >"$work/off.json" &
  off_bench=$!
  wait "$on_bench"
  wait "$off_bench"
  for key in "${!pid[@]}"; do
    ticks[$key]=$(( $(cpu_ticks "${pid[$key]}") - ticks0[$key] ))
    service_ticks[$key]=$(( ${service_ticks[$key]:-0} + ticks[$key] ))
  done
  for mode in on off; do
    rps[$mode]=$(sed -n 's/.*"throughput_rps":\([0-9.]*\).*/\1/p' "$work/$mode.json" | head -1)
    answered=$(sed -n 's/.*"answered":\([0-9]*\).*/\1/p' "$work/$mode.json" | head -1)
    answered_total[$mode]=$(( ${answered_total[$mode]:-0} + ${answered:-0} ))
    us[$mode]=$(us_per_request $(( ticks[$mode:aura-core] + ticks[$mode:aura-gateway] )) "${answered:-0}")
  done
  ratio=$(awk -v on="${us[on]}" -v off="${us[off]}" 'BEGIN {printf "%.3f", (on > 0 ? off / on : 0)}')
  ratios+=("$ratio")
  printf "round %d   on %4.0f req/s %4.0f us   off %4.0f req/s %4.0f us   off/on %s\n" \
    "$round" "${rps[on]}" "${us[on]}" "${rps[off]}" "${us[off]}" "$ratio"
done

printf '%s\n' "${ratios[@]}" | sort -n | awk '{r[NR] = $1; s += $1}
  END {m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
       printf "throughput with tracing over without, on a machine of its own: mean %.3f, median %.3f over %d rounds (loss %.1f %%)\n",
              s / NR, m, NR, (1 - m) * 100}'
for service in aura-core aura-gateway; do
  on=$(us_per_request "${service_ticks[on:$service]}" "${answered_total[on]}")
  off=$(us_per_request "${service_ticks[off:$service]}" "${answered_total[off]}")
  awk -v on="$on" -v off="$off" -v name="$service" \
      -v rss_on="$(resident_mb "${pid[on:$service]}")" -v rss_off="$(resident_mb "${pid[off:$service]}")" 'BEGIN {
    printf "%-13s CPU per answered request: on %4.0f us, off %4.0f us (%+.0f);  resident after the load: on %s, off %s\n",
           name, on, off, on - off, rss_on, rss_off }'
done
