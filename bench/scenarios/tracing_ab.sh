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
# spent per answered request ("us"). The summary also says how much of the
# traced services' CPU their tracing threads used (otel-bsp and otel-export:
# taking batches, encoding and sending them, the recent-span store); the rest
# of what tracing adds is spent on the request threads. A table by thread
# name (request threads, gRPC's pollers, the tracing threads) ends the run.
# The ratio reported is off/on of that CPU:
# on a machine of its own, where the hive is bound by CPU, that is the
# throughput with tracing over the throughput without. The raw req/s of the
# two hives are not compared: they share the cores, and the scheduler shares
# them per thread, not per request, which favours the hive with more threads.
# Run one after the other (negotiate.sh), the throughput ratio moves by ±15 %
# from run to run on a shared machine; this one moves far less.
#
# The receiver decodes and counts the spans (--count-only); set
# AURA_AB_RECEIVER_MODE=--discard for one that only reads them. The traced
# hive takes the caller's sampler settings (OTEL_TRACES_SAMPLER…), so e.g.
# AURA_SERVER__OTEL_SAMPLE_RATIO=0.25 bench/scenarios/tracing_ab.sh prices a
# lower sampling ratio.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${AURA_BUILD_DIR:-$root/build}
aura="$build/src/cli/aura"
rounds=5
if [ "${1:-}" = "--rounds" ]; then rounds=$2; shift 2; fi
[ $# -gt 0 ] || set -- --duration 15s

work=$(mktemp -d /tmp/aura-tracing-ab.XXXXXX)
source "$root/bench/scenarios/hive.sh"
export AURA_GATEWAY__RATE_LIMIT_PER_MINUTE=10000000
export AURA_LOG_LEVEL=${AURA_LOG_LEVEL:-warning}

cleanup() {
  pair_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT

pair_start "$work" "$build" "${AURA_AB_RECEIVER_MODE:---count-only}"
echo "cores: $(nproc)   $(date -u +%Y-%m-%dT%H:%M:%SZ)   aura bench $*"

# Each thread name's CPU over the whole run, for the table after the summary.
snapshot_threads() {
  local key
  for key in "${!pair_pid[@]}"; do ticks_by_thread "${pair_pid[$key]}" >"$work/threads$1.${key/:/.}"; done
}
snapshot_threads 0

ratios=()
declare -A service_ticks export_ticks answered_total  # summed over the rounds
for round in $(seq 1 "$rounds"); do
  declare -A ticks0 ticks rps us export0
  for key in "${!pair_pid[@]}"; do
    ticks0[$key]=$(cpu_ticks "${pair_pid[$key]}")
    export0[$key]=$(thread_ticks "${pair_pid[$key]}" otel-bsp otel-export)
  done
  bench_both "$work" on="${pair_gateway[on]}" off="${pair_gateway[off]}" "$@"
  for key in "${!pair_pid[@]}"; do
    ticks[$key]=$(( $(cpu_ticks "${pair_pid[$key]}") - ticks0[$key] ))
    service_ticks[$key]=$(( ${service_ticks[$key]:-0} + ticks[$key] ))
    export_ticks[$key]=$(( ${export_ticks[$key]:-0} + $(thread_ticks "${pair_pid[$key]}" otel-bsp otel-export) - export0[$key] ))
  done
  for mode in on off; do
    rps[$mode]=$(bench_field "$work/$mode.json" throughput_rps)
    answered=$(bench_field "$work/$mode.json" answered)
    answered_total[$mode]=$(( ${answered_total[$mode]:-0} + ${answered:-0} ))
    both=$(( ${ticks[$mode:aura-core]} + ${ticks[$mode:aura-gateway]} ))
    us[$mode]=$(us_per_request "$both" "${answered:-0}")
  done
  ratio=$(awk -v on="${us[on]}" -v off="${us[off]}" 'BEGIN {printf "%.3f", (on > 0 ? off / on : 0)}')
  ratios+=("$ratio")
  printf "round %d   on %4.0f req/s %4.0f us   off %4.0f req/s %4.0f us   off/on %s\n" \
    "$round" "${rps[on]}" "${us[on]}" "${rps[off]}" "${us[off]}" "$ratio"
done

snapshot_threads 1

loss=$(awk -v m="$(median_of "${ratios[@]}")" 'BEGIN {printf "%.1f", (1 - m) * 100}')
echo "throughput with tracing over without, on a machine of its own: $(mean_and_median "${ratios[@]}") (loss $loss %)"
echo "  95 % interval of the mean: $(mean_interval "${ratios[@]}")"
for service in aura-core aura-gateway; do
  on=$(us_per_request "${service_ticks[on:$service]}" "${answered_total[on]}")
  off=$(us_per_request "${service_ticks[off:$service]}" "${answered_total[off]}")
  threads=$(us_per_request "${export_ticks[on:$service]}" "${answered_total[on]}")
  awk -v on="$on" -v off="$off" -v threads="$threads" -v name="$service" \
      -v rss_on="$(resident_mb "${pair_pid[on:$service]}")" -v rss_off="$(resident_mb "${pair_pid[off:$service]}")" 'BEGIN {
    printf "%-13s CPU per answered request: on %4.0f us, off %4.0f us (%+.0f, of which %.0f on the tracing threads);  resident after the load: on %s, off %s\n",
           name, on, off, on - off, threads, rss_on, rss_off }'
done
echo "by thread name, CPU per answered request over all rounds (threads that ended during the run are left out):"
for service in aura-core aura-gateway; do
  for mode in on off; do
    join -a1 -a2 -e0 -o 0,1.2,2.2 "$work/threads0.$mode.$service" "$work/threads1.$mode.$service" |
      awk -v mode="$mode" '{print $1, mode, $3 - $2}'
  done | awk -v service="$service" -v hz="$(getconf CLK_TCK)" \
             -v n_on="${answered_total[on]}" -v n_off="${answered_total[off]}" '
    { us = $3 / hz * 1e6 / ($2 == "on" ? n_on : n_off); if ($2 == "on") on[$1] += us; else off[$1] += us; names[$1] = 1 }
    END {
      for (name in names) if (on[name] >= 0.5 || off[name] >= 0.5)
        printf "  %-13s %-16s on %5.1f us  off %5.1f us  %+6.1f\n", service, name, on[name], off[name], on[name] - off[name]
    }' | sort -k9,9 -g -r
done
