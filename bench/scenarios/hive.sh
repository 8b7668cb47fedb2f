# Sourced by the load scenarios: start, inspect and stop a private hive.
#
#   source "$root/bench/scenarios/hive.sh"          # needs $aura (the aura binary)
#   hive_start "$dir"       # `aura up` with AURA_DATA_DIR=$dir and the caller's environment
#   hive_pid "$dir" aura-core
#   cpu_ticks "$pid"
#   thread_ticks "$pid" otel-bsp otel-export
#   ticks_by_thread "$pid"  # "name ticks" lines, one per thread name
#   hive_stop "$dir"
#
# and, for the side-by-side scenarios, receiver_start/receiver_stop (the OTLP
# test receiver), pair_start/pair_stop (a traced and an untraced hive),
# bench_both, bench_field, us_per_request, median_of, mean_and_median and
# mean_interval.
#
# Ports and settings come from the environment as for `aura up` (HTTP_PORT,
# GRPC_PORT, AURA_SERVER__METRICS_PORT, OTEL_*, …); run hive_start in a
# subshell to give one hive settings of its own.

# Starts the hive in the background and waits (up to 60 s) until it is ready.
hive_start() {
  local dir=$1
  AURA_DATA_DIR="$dir" "$aura" up --no-scenarios >"$dir/up.out" 2>&1 &
  echo $! >"$dir/up.pid"
  local pid=$!
  for _ in $(seq 1 600); do
    grep -q "ready at" "$dir/up.out" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the hive in $dir did not become ready" >&2
  cat "$dir/up.out" >&2
  return 1
}

# The pid of one of the hive's services (aura-core or aura-gateway).
hive_pid() {
  sed -n "s/.*$2 (pid \([0-9]*\)).*/\1/p" "$1/up.out" | head -1
}

# Stops the hive (SIGTERM, as Ctrl-C would) and waits until it is gone.
hive_stop() {
  local pid
  pid=$(cat "$1/up.pid" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# The CPU ticks of all of a process's threads, summed by thread name: a
# "name ticks" line per name, sorted by name (a space in a name becomes `_`).
ticks_by_thread() {
  local task
  for task in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ 2>/dev/null <"$task/comm" || echo gone)" "$(cpu_ticks "$1/task/${task##*/}")"
  done | awk '{ticks[$1] += $2} END {for (name in ticks) print name, ticks[name]}' | sort
}

# The CPU ticks of a process's threads with one of the names given, e.g.
# thread_ticks "$pid" otel-bsp otel-export (the tracing threads).
thread_ticks() {
  local pid=$1
  shift
  ticks_by_thread "$pid" | awk -v wanted=" $* " 'index(wanted, " " $1 " ") {total += $2} END {print total + 0}'
}

# Resident memory of a process, e.g. "32.5 MB".
resident_mb() { awk '/VmRSS/ {printf "%.1f MB", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }

# Side-by-side scenarios (tracing_ab.sh, builds_ab.sh) share the helpers below.

# Starts the OTLP test receiver of build $2 in the background, serving until
# receiver_stop, with its files in $1 and the mode $3 (--count-only or
# --discard); sets receiver_grpc_port.
receiver_start() {
  local dir=$1 build=$2 mode=$3
  mkfifo "$dir/receiver.in"
  "$build/tests/fakes/otlp-test-receiver" --grpc-port 0 --http-port 0 "$mode" \
    <"$dir/receiver.in" >"$dir/receiver.out" 2>&1 &
  exec 4>"$dir/receiver.in"  # the receiver serves until its stdin closes
  for _ in $(seq 1 100); do grep -q grpc_port "$dir/receiver.out" && break; sleep 0.1; done
  receiver_grpc_port=$(sed -n 's/.*"grpc_port":\([0-9]*\).*/\1/p' "$dir/receiver.out")
  [ -n "$receiver_grpc_port" ] || {
    echo "the OTLP test receiver did not start" >&2
    cat "$dir/receiver.out" >&2
    return 1
  }
}
receiver_stop() { exec 4>&- 2>/dev/null || true; }

# The traced and the untraced hive of tracing_ab.sh and profile_ab.sh, started
# with the receiver (mode $3) under $1 (in $1/on and $1/off): "on" traces
# every request and exports over OTLP/gRPC to the receiver, "off" runs with
# OTEL_SDK_DISABLED=true. Sets pair_pid[on|off:aura-core|aura-gateway] and
# pair_gateway[on|off] (the gateways' URLs). pair_stop $1 stops all three.
pair_start() {
  local dir=$1 build=$2 mode=$3 m s
  receiver_start "$dir" "$build" "$mode"
  mkdir "$dir/on" "$dir/off"
  (
    export HTTP_PORT=18200 GRPC_PORT=18251 AURA_SERVER__METRICS_PORT=18291
    export OTEL_EXPORTER_OTLP_PROTOCOL=grpc AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$receiver_grpc_port"
    hive_start "$dir/on"
  )
  (
    export HTTP_PORT=18300 GRPC_PORT=18351 AURA_SERVER__METRICS_PORT=18391 OTEL_SDK_DISABLED=true
    hive_start "$dir/off"
  )
  declare -gA pair_pid pair_gateway=([on]=http://127.0.0.1:18200 [off]=http://127.0.0.1:18300)
  for m in on off; do
    for s in aura-core aura-gateway; do pair_pid[$m:$s]=$(hive_pid "$dir/$m" "$s"); done
  done
}
pair_stop() {
  hive_stop "$1/on" || true
  hive_stop "$1/off" || true
  receiver_stop
}

# Loads two gateways at once, each with an `aura bench` of the same options,
# and waits for both; each writes its JSON to DIR/NAME.json:
#   bench_both DIR NAME=URL NAME=URL [aura bench options]
bench_both() {
  local dir=$1 first=$2 second=$3 pid
  shift 3
  "$aura" bench --gateway "${first#*=}" --json "$@" >"$dir/${first%%=*}.json" &
  pid=$!
  "$aura" bench --gateway "${second#*=}" --json "$@" >"$dir/${second%%=*}.json"
  wait "$pid"
}

# A number from `aura bench --json` output: bench_field FILE answered
bench_field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1" | head -1; }

# Microseconds of CPU per answered request: us_per_request TICKS ANSWERED.
us_per_request() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN {printf "%.1f", (n > 0 ? t / hz / n * 1e6 : 0)}'
}

# The median of the numbers given, e.g. 0.903.
median_of() {
  printf '%s\n' "$@" | sort -n | awk '{r[NR] = $1}
    END {printf "%.3f", NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2}'
}

# "M ± H" for the numbers given: their mean and the half-width of its 95 %
# confidence interval (Student's t, rounds taken as independent), e.g.
# "1.004 ± 0.006". An interval that contains 1.000 means no difference was
# shown. One number gives "M ± ?".
mean_interval() {
  printf '%s\n' "$@" | awk '{x[NR] = $1; s += $1}
    END {
      m = s / NR
      if (NR < 2) { printf "%.3f ± ?", m; exit }
      for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
      # Two-sided 95 % quantiles of the t distribution, 1 to 30 degrees of freedom.
      n = split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 " \
                "2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 " \
                "2.045 2.042", t, " ")
      q = NR - 1 <= n ? t[NR - 1] : 1.96
      printf "%.3f ± %.3f", m, q * sqrt(v / (NR - 1) / NR)
    }'
}

# "mean M, median D over N rounds" of the numbers given.
mean_and_median() {
  local mean
  mean=$(printf '%s\n' "$@" | awk '{s += $1} END {printf "%.3f", s / NR}')
  echo "mean $mean, median $(median_of "$@") over $# rounds"
}
