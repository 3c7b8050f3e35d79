#!/usr/bin/env bash
# The earnings dashboard benchmark: `boptone bench-earnings` (an artist with a year of
# tips, then their dashboard read repeatedly) on a throwaway PostgreSQL cluster and on
# a fresh SQLite file. Writes bench/out/earnings.json.
# Env: DAYS (365), TIPS_PER_DAY (100), SAMPLES (200), PGPORT_BENCH (55433).
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${DAYS:-365}
TIPS_PER_DAY=${TIPS_PER_DAY:-100}
SAMPLES=${SAMPLES:-200}
PORT=${PGPORT_BENCH:-55433}
BIN=target/release/boptone
[[ -x $BIN ]] || cargo build --release -p boptone-server
source scripts/bench-pg.sh

mkdir -p bench/out
args=(bench-earnings --days "$DAYS" --tips-per-day "$TIPS_PER_DAY" --samples "$SAMPLES")
{
  DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/bench" RUST_LOG=warn "$BIN" "${args[@]}"
  DATABASE_URL="sqlite://$DIR/sqlite/bench.db" RUST_LOG=warn "$BIN" "${args[@]}"
} > bench/out/earnings.json
cat bench/out/earnings.json
