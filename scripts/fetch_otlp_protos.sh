#!/usr/bin/env bash
# Installs the official OTLP .proto files into DEST (default third_party/otlp-protos).
#
#   scripts/fetch_otlp_protos.sh [DEST]
#
# The protos come from the npm package @opentelemetry/otlp-grpc-exporter-base@0.38.0,
# which ships them under build/protos/ (opentelemetry/proto/...). Idempotent: when
# DEST already holds the trace service proto nothing is fetched. The npm install
# happens in a private scratch folder that is removed afterwards.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=${1:-"$here/../third_party/otlp-protos"}
pkg="@opentelemetry/otlp-grpc-exporter-base@0.38.0"
marker="opentelemetry/proto/collector/trace/v1/trace_service.proto"

if [ -f "$dest/$marker" ]; then
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_otlp_protos: npm is required" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts --no-save \
    --prefix "$work" "$pkg" >/dev/null 2>&1) ||
  { echo "fetch_otlp_protos: npm install $pkg failed" >&2; exit 1; }
src="$work/node_modules/@opentelemetry/otlp-grpc-exporter-base/build/protos"
[ -f "$src/$marker" ] || { echo "fetch_otlp_protos: $pkg has no build/protos/$marker" >&2; exit 1; }
mkdir -p "$dest"
cp -R "$src/." "$dest/"
echo "fetch_otlp_protos: installed OTLP protos into $dest" >&2
