#!/usr/bin/env bash
# Starts or stops the real components the tests use — PostgreSQL and Redis — on
# loopback, in a private directory, as this user's own processes.
#
#   eval "$(scripts/services.sh start DIR)"   # prints export lines for the URLs
#   scripts/services.sh stop DIR
#
# Exports AURA_TEST_POSTGRES_URL and AURA_TEST_REDIS_URL. PostgreSQL refuses to
# run as root, so as root it runs as the `postgres` system user.
set -euo pipefail

cmd=${1:?usage: services.sh start|stop DIR}
dir=${2:?usage: services.sh start|stop DIR}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    pgport=$(free_port)
    redisport=$(free_port)
    pgdata="$dir/pg"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    if [ ! -f "$pgdata/PG_VERSION" ]; then
      as_pg "$pgbin/initdb" -D "$pgdata" -U aura --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    fi
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$dir/pg.log" -w -t 60 \
      -o "-p $pgport -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c max_connections=200" start >/dev/null
    as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U aura aura_test >/dev/null 2>&1 || true
    redis-server --port "$redisport" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$redisport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    echo "$pgport" >"$dir/pg.port"
    echo "$redisport" >"$dir/redis.port"
    echo "export AURA_TEST_POSTGRES_URL=postgresql://aura@127.0.0.1:$pgport/aura_test"
    echo "export AURA_TEST_REDIS_URL=redis://127.0.0.1:$redisport/0"
    echo "export AURA_TEST_SERVICES_DIR=$dir"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/pg/postmaster.pid" ]; then
      as_pg "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$dir/redis.pid" ]; then
      kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: services.sh start|stop DIR" >&2
    exit 2
    ;;
esac
