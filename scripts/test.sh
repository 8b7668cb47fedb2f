#!/usr/bin/env bash
# Runs the whole test suite from a clean clone: installs and builds (setup.sh),
# starts real PostgreSQL and Redis on loopback in a private directory, runs
# every test with ctest, then runs the telemetry library's tests once more
# built with AddressSanitizer and UndefinedBehaviorSanitizer, and stops what it
# started.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest (and skip the sanitizer pass)
#   AURA_SKIP_SANITIZERS=1 scripts/test.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${AURA_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"

services=$(mktemp -d /tmp/aura-test-services.XXXXXX)
cleanup() {
  "$root/scripts/services.sh" stop "$services" || true
  rm -rf "$services"
}
trap cleanup EXIT
eval "$("$root/scripts/services.sh" start "$services")"

cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"

# The sanitizer pass: the concurrent core of tracing (lock-free queues, spans
# recycled across threads, shutdown while an export still runs) under ASan and
# UBSan. Only the telemetry tests, so that it stays a minute or two.
if [ $# -eq 0 ] && [ "${AURA_SKIP_SANITIZERS:-}" != 1 ]; then
  asan=${AURA_ASAN_BUILD_DIR:-$root/build-asan}
  echo "test: telemetry tests under AddressSanitizer and UndefinedBehaviorSanitizer ($asan)"
  cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAURA_SANITIZE=address,undefined \
    -DAURA_BUILD_BENCHMARKS=OFF >/dev/null
  mapfile -t targets < <(sed -n 's/^aura_cc_test(NAME \(telemetry_[a-z_]*\).*/\1/p' "$root/src/telemetry/CMakeLists.txt")
  cmake --build "$asan" --target "${targets[@]}"
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  for t in "${targets[@]}"; do
    if ! "$asan/src/telemetry/$t" --gtest_brief=1 >"$asan/$t.log" 2>&1; then
      cat "$asan/$t.log" >&2
      echo "test: $t failed under the sanitizers (log above, and in $asan/$t.log)" >&2
      exit 1
    fi
  done
  echo "test: ${#targets[@]} telemetry test programs passed under the sanitizers"
fi
