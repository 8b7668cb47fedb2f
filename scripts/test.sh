#!/usr/bin/env bash
# Runs the whole test suite from a clean clone: installs and builds (setup.sh),
# starts real PostgreSQL and Redis on loopback in a private directory, runs
# every test with ctest, and stops what it started.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest
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
