#!/usr/bin/env bash
# The browser bundle benchmark: the compressed WebAssembly and JavaScript a first
# visit to the landing page and to the feed downloads before the page is interactive
# (hydrated), measured in Chromium against the release server on a fresh database.
# Writes bench/out/bundle.json. Build first: make build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
[[ -x target/release/boptone && -f target/release/hash.txt ]] || make build

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$tmp/bench.db" STORAGE_URL="$tmp/media" RUST_LOG=warn
export LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$PWD/target/site"
./target/release/boptone seed-demo >/dev/null
./target/release/boptone serve & server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

mkdir -p bench/out
(cd end2end && node bench/bundle.mjs "http://127.0.0.1:$port" / /feed) > bench/out/bundle.json
python3 - <<'PY'
import json
pages = json.load(open("bench/out/bundle.json"))
print("| page | WebAssembly (compressed) | JavaScript (compressed) | files | hydrated after |")
print("|---|---|---|---|---|")
for p in pages:
    print(f"| `{p['path']}` | {p['wasm_bytes'] / 1024:,.0f} KB | {p['js_bytes'] / 1024:,.0f} KB "
          f"| {len(p['files'])} | {p['hydrated_ms']} ms |")
PY
