# Sourced by the load scenarios: start, inspect and stop a private hive.
#
#   source "$root/bench/scenarios/hive.sh"          # needs $aura (the aura binary)
#   hive_start "$dir"       # `aura up` with AURA_DATA_DIR=$dir and the caller's environment
#   hive_pid "$dir" aura-core
#   cpu_ticks "$pid"
#   hive_stop "$dir"
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

# Resident memory of a process, e.g. "32.5 MB".
resident_mb() { awk '/VmRSS/ {printf "%.1f MB", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }
