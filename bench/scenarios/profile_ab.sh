#!/usr/bin/env bash
# Where tracing's CPU goes, function by function: the same two hives as
# tracing_ab.sh (one tracing every request with OTLP/gRPC export, one with
# OTEL_SDK_DISABLED=true), loaded side by side, while `perf record` samples
# each of the four services. Each service's CPU per answered request (from
# /proc, over the whole load) is shared out over its functions in proportion
# to their samples, and the functions are listed by what tracing adds to them.
#
#   bench/scenarios/profile_ab.sh [--top N] [--duration 30s]
#
# The microseconds are estimates: a function's share of one service's samples
# times that service's CPU per request. Shares of a few tenths of a per cent
# (a few dozen samples) are noise; compare runs before trusting a small line.
# Functions that tracing makes slower without calling them (malloc, memcpy,
# the kernel's scheduler) show up here, which instruction counts (valgrind's
# callgrind, bench/README.md) cannot show. Needs perf (installed with apt-get
# when missing) and about a minute.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${AURA_BUILD_DIR:-$root/build}
aura="$build/src/cli/aura"
top=40
duration=30
while [ $# -gt 0 ]; do
  case $1 in
    --top) top=$2; shift 2 ;;
    --duration) duration=${2%s}; shift 2 ;;
    *) echo "usage: $0 [--top N] [--duration SECONDS]" >&2; exit 2 ;;
  esac
done
[ "$duration" -ge 10 ] || { echo "--duration: at least 10s" >&2; exit 2; }

if ! perf --version >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
fi

work=$(mktemp -d /tmp/aura-profile-ab.XXXXXX)
source "$root/bench/scenarios/hive.sh"
export AURA_GATEWAY__RATE_LIMIT_PER_MINUTE=10000000
export AURA_LOG_LEVEL=${AURA_LOG_LEVEL:-warning}

cleanup() {
  pair_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT

pair_start "$work" "$build" --count-only

# A short warm-up, so that pools, caches and connections are at their working size.
bench_both "$work" on="${pair_gateway[on]}" off="${pair_gateway[off]}" --duration 3s

echo "cores: $(nproc)   $(date -u +%Y-%m-%dT%H:%M:%SZ)   both hives loaded for ${duration}s, sampled for $((duration - 6))s" >&2
declare -A ticks0
for key in "${!pair_pid[@]}"; do ticks0[$key]=$(cpu_ticks "${pair_pid[$key]}"); done
bench_both "$work" on="${pair_gateway[on]}" off="${pair_gateway[off]}" --duration "${duration}s" &
load=$!
sleep 3
perfs=()
for key in "${!pair_pid[@]}"; do
  perf record -q -F 999 -o "$work/${key/:/.}.perf" -p "${pair_pid[$key]}" -- sleep $((duration - 6)) >/dev/null 2>&1 &
  perfs+=($!)
done
wait "$load" "${perfs[@]}"

# Per service: "US<TAB>[dso] symbol" lines, the service's CPU per answered
# request shared out by samples.
profile() {
  local mode=$1 service=$2
  local key="$mode:$service" answered ticks us
  answered=$(bench_field "$work/$mode.json" answered)
  ticks=$(cpu_ticks "${pair_pid[$key]}")
  us=$(us_per_request "$((ticks - ticks0[$key]))" "${answered:-0}")
  perf report -i "$work/$mode.$service.perf" --stdio -n --sort dso,sym -t $'\t' 2>/dev/null |
    awk -F'\t' -v us="$us" '!/^#/ && NF >= 4 {
      gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); gsub(/^ +| +$/, "", $4)
      n[$3 "\t" $4] += $2; total += $2 }
      END { for (k in n) { split(k, f, "\t"); dso = f[1] ~ /^\[/ ? f[1] : "[" f[1] "]"
                           printf "%.3f\t%s %s\n", n[k] / total * us, dso, f[2] } }'
}

# Joins the on and off profiles: "ON<TAB>OFF<TAB>NAME".
joined() {
  awk -F'\t' 'NR == FNR { off[$2] = $1; next }
              { printf "%s\t%s\t%s\n", $1, off[$2] + 0, $2; delete off[$2] }
              END { for (k in off) printf "0\t%s\t%s\n", off[k], k }' "$2" "$1"
}

for service in aura-core aura-gateway; do
  profile on "$service" >"$work/$service.on.tsv"
  profile off "$service" >"$work/$service.off.tsv"
  joined "$work/$service.on.tsv" "$work/$service.off.tsv" >"$work/$service.tsv"
  awk -F'\t' -v name="$service" '{ on += $1; off += $2 }
    END { printf "\n%s: CPU per answered request %.0f us traced, %.0f us untraced (%+.0f us)\n", name, on, off, on - off }' \
    "$work/$service.tsv"
  echo "  by library (us per request: traced, untraced, added)"
  awk -F'\t' '{ dso = $3; sub(/\].*/, "]", dso); on[dso] += $1; off[dso] += $2 }
    END { for (d in on) printf "%8.1f %8.1f %+8.1f  %s\n", on[d], off[d], on[d] - off[d], d }' "$work/$service.tsv" |
    sort -k3,3 -g -r | awk 'NR <= 8'
  echo "  by function, most added first"
  awk -F'\t' '{ printf "%8.1f %8.1f %+8.1f  %s\n", $1, $2, $1 - $2, substr($3, 1, 110) }' "$work/$service.tsv" |
    sort -k3,3 -g -r | awk -v top="$top" 'NR <= top'
done
