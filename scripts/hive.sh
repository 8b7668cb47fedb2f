#!/usr/bin/env bash
# The README's run command: install and build (scripts/setup.sh), then start a
# whole hive on this machine with `aura up` (arguments are passed on, e.g.
# --no-scenarios). Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
exec "${AURA_BUILD_DIR:-$root/build}/src/cli/aura" up "$@"
