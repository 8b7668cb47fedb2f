#!/usr/bin/env bash
# Two builds compared side by side: a hive from each runs at the same time on
# this machine, both tracing every request (OTLP/gRPC to one local test
# receiver), each loaded by an `aura bench` of its own. Use it to tell whether
# a change to the request path, tracing above all, made it cheaper.
#
#   bench/scenarios/builds_ab.sh REFERENCE_BUILD [--rounds N] [aura bench options]
#
# The candidate is this tree's build ($AURA_BUILD_DIR or ./build). A reference
# build of another revision, e.g. the one before a change:
#
#   git worktree add /tmp/ref HEAD~1 && cp -r third_party /tmp/ref/
#   cmake -S /tmp/ref -B /tmp/ref/build -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build /tmp/ref/build --target aura aura-core aura-gateway otlp-test-receiver
#
# Each round prints the CPU that core + gateway spent per answered request in
# each hive, and reference/candidate: above 1 the candidate is cheaper. The
# two hives have the same threads and do the same work, so they share the
# cores alike; a build against itself agrees within about 0.3 % per round on a
# calm host, which is far finer than runs made one after another (±15 %). On a
# busy host single rounds stray by a few per cent: believe an effect that
# several runs of six rounds or more agree on, not one run. The summary's 95 %
# interval of the mean helps: while it contains 1.000, no difference is shown.
# Settings in the environment (OTEL_*, AURA_*) apply to both hives.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 1 ] && [ -x "$1/src/cli/aura" ] || {
  echo "usage: $0 REFERENCE_BUILD [--rounds N] [aura bench options]" >&2
  exit 2
}
reference=$(cd "$1" && pwd)
shift
candidate=${AURA_BUILD_DIR:-$root/build}
rounds=5
if [ "${1:-}" = "--rounds" ]; then rounds=$2; shift 2; fi
[ $# -gt 0 ] || set -- --duration 15s

work=$(mktemp -d /tmp/aura-builds-ab.XXXXXX)
aura="$candidate/src/cli/aura"  # hive.sh starts hives with $aura
source "$root/bench/scenarios/hive.sh"
export AURA_GATEWAY__RATE_LIMIT_PER_MINUTE=10000000
export AURA_LOG_LEVEL=${AURA_LOG_LEVEL:-warning}

cleanup() {
  hive_stop "$work/ref" || true
  hive_stop "$work/cand" || true
  receiver_stop
  rm -rf "$work"
}
trap cleanup EXIT

receiver_start "$work" "$candidate" --count-only

export OTEL_EXPORTER_OTLP_PROTOCOL=grpc AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$receiver_grpc_port"
mkdir "$work/ref" "$work/cand"
(
  aura="$reference/src/cli/aura"
  export HTTP_PORT=18400 GRPC_PORT=18451 AURA_SERVER__METRICS_PORT=18491
  hive_start "$work/ref"
)
(
  export HTTP_PORT=18500 GRPC_PORT=18551 AURA_SERVER__METRICS_PORT=18591
  hive_start "$work/cand"
)

echo "cores: $(nproc)   $(date -u +%Y-%m-%dT%H:%M:%SZ)   aura bench $*"
echo "reference: $reference"
echo "candidate: $candidate"
declare -A port=([ref]=18400 [cand]=18500) pids
for hive in ref cand; do
  pids[$hive]="$(hive_pid "$work/$hive" aura-core) $(hive_pid "$work/$hive" aura-gateway)"
done
hive_ticks() {
  local total=0 pid
  for pid in ${pids[$1]}; do total=$((total + $(cpu_ticks "$pid"))); done
  echo "$total"
}

ratios=()
for round in $(seq 1 "$rounds"); do
  declare -A ticks0 us rps
  for hive in ref cand; do ticks0[$hive]=$(hive_ticks "$hive"); done
  bench_both "$work" ref="http://127.0.0.1:${port[ref]}" cand="http://127.0.0.1:${port[cand]}" "$@"
  for hive in ref cand; do
    ticks=$(( $(hive_ticks "$hive") - ticks0[$hive] ))
    answered=$(bench_field "$work/$hive.json" answered)
    rps[$hive]=$(bench_field "$work/$hive.json" throughput_rps)
    us[$hive]=$(us_per_request "$ticks" "${answered:-0}")
  done
  ratio=$(awk -v r="${us[ref]}" -v c="${us[cand]}" 'BEGIN {printf "%.3f", (c > 0 ? r / c : 0)}')
  ratios+=("$ratio")
  printf "round %d   reference %4.0f req/s %4.0f us   candidate %4.0f req/s %4.0f us   reference/candidate %s\n" \
    "$round" "${rps[ref]}" "${us[ref]}" "${rps[cand]}" "${us[cand]}" "$ratio"
done

echo "CPU per answered request, reference over candidate: $(mean_and_median "${ratios[@]}")"
echo "  95 % interval of the mean: $(mean_interval "${ratios[@]}") (above 1: the candidate is cheaper)"
