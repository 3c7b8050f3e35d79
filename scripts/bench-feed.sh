#!/usr/bin/env bash
# The feed benchmarks. `boptone bench-feed` loads 100,000 Bops and 10,000 fans (follows,
# loyalty, likes) and times the feed's first page, the next page and a visitor's page,
# on a throwaway PostgreSQL cluster and on a fresh SQLite file (bench/out/feed.json).
# Then the first frame: the release server with the demo data, /feed opened in fresh
# Chromium contexts, the time until the first Bop paints a frame (bench/out/first-frame.json).
# Env: BOPS (100000), FANS (10000), SAMPLES (300), RUNS (10), PGPORT_BENCH (55433).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
ONLY=${1:-all}   # `first-frame` skips the database benchmark
BOPS=${BOPS:-100000}
FANS=${FANS:-10000}
SAMPLES=${SAMPLES:-300}
RUNS=${RUNS:-10}
PORT=${PGPORT_BENCH:-55433}
BIN=target/release/boptone
[[ -x $BIN && -f target/release/hash.txt ]] || make build
source scripts/bench-pg.sh

mkdir -p bench/out
if [[ $ONLY != first-frame ]]; then
  args=(bench-feed --bops "$BOPS" --fans "$FANS" --samples "$SAMPLES")
  {
    DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/bench" RUST_LOG=warn "$BIN" "${args[@]}"
    DATABASE_URL="sqlite://$DIR/sqlite/bench.db" RUST_LOG=warn "$BIN" "${args[@]}"
  } > bench/out/feed.json
fi

# The first frame, on the demo data.
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(
  export DATABASE_URL="sqlite://$tmp/ff.db" STORAGE_URL="$tmp/media" RUST_LOG=warn
  # The site's file names carry content hashes (target/release/hash.txt).
  export LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_HASH_FILES=true
  "$BIN" seed-demo >/dev/null
  exec "$BIN" serve
) & server=$!
stop_server() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap 'stop_server; stop' EXIT
for _ in $(seq 600); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
(cd end2end && node bench/first-frame.mjs "http://127.0.0.1:$port" "$RUNS") > bench/out/first-frame.json

python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("bench/out/feed.json") if l.strip()]
print("| database | Bops | fans | first page p50 / p99 | next page p50 / p99 | visitor p50 / p99 |")
print("|---|---|---|---|---|---|")
for r in rows:
    f = lambda t: f"{r[t]['p50_ms']:.1f} / {r[t]['p99_ms']:.1f} ms"
    print(f"| {r['database']} | {r['bops']:,} | {r['fans']:,} | {f('first_page')} | {f('next_page')} | {f('anonymous')} |")
ff = json.load(open("bench/out/first-frame.json"))
cb = ff["callback"]
print(f"\nFirst frame of the first Bop, {ff['runs']} fresh visits: presented p50 {ff['p50_ms']} ms, p90 {ff['p90_ms']} ms, max {ff['max_ms']} ms; "
      f"its callback on the main thread p50 {cb['p50']} ms, p90 {cb['p90']} ms")
PY
