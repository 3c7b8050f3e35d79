#!/usr/bin/env bash
# The job queue benchmark: `boptone bench-jobs` on a throwaway PostgreSQL 15 cluster
# (the settings below: 2-core / 24 GB box, synchronous_commit=on, fsync=on) and on a
# fresh SQLite file. Prints one JSON object per database and writes bench/out/jobs.json.
# Env: JOBS (100000), SAMPLES (2000), REPEATS (3), PGPORT_BENCH (55433).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-100000}
SAMPLES=${SAMPLES:-2000}
REPEATS=${REPEATS:-3}
PORT=${PGPORT_BENCH:-55433}
BIN=target/release/boptone
[[ -x $BIN ]] || cargo build --release -p boptone-server
source scripts/bench-pg.sh

mkdir -p bench/out
out=bench/out/jobs.json
: > "$out.lines"
for pass in $(seq 1 "$REPEATS"); do
  echo "pass $pass/$REPEATS: postgres" >&2
  DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/bench" RUST_LOG=warn "$BIN" bench-jobs --jobs "$JOBS" --samples "$SAMPLES" >> "$out.lines"
  echo "pass $pass/$REPEATS: sqlite" >&2
  rm -rf "$DIR/sqlite"
  DATABASE_URL="sqlite://$DIR/sqlite/bench.db" RUST_LOG=warn "$BIN" bench-jobs --jobs "$JOBS" --samples "$SAMPLES" >> "$out.lines"
done
python3 - "$out.lines" "$out" <<'PY'
import json, statistics, sys, datetime, os, platform
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
res = {"what": "boptone job queue: drain of N no-op jobs, enqueue-to-start latency", "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "host": {"cpus": os.cpu_count(), "os": platform.platform()}}
for db in ("postgres", "sqlite"):
    runs = [l for l in lines if l["database"] == db]
    summary = {}
    for c in sorted({d["concurrency"] for r in runs for d in r["drain"]}, reverse=True):
        v = [d["jobs_per_s"] for r in runs for d in r["drain"] if d["concurrency"] == c]
        summary[f"jobs_per_s_c{c}"] = round(statistics.median(v))
        summary[f"jobs_per_s_c{c}_runs"] = [round(x) for x in v]
    for q in ("p50_ms", "p99_ms"):
        v = [r["latency"][q] for r in runs]
        summary[q] = round(statistics.median(v), 3)
        summary[q + "_runs"] = v
    res[db] = summary
res["raw"] = lines
open(sys.argv[2], "w").write(json.dumps(res, indent=1) + "\n")
print(json.dumps({k: v for k, v in res.items() if k != "raw"}))
PY
rm -f "$out.lines"
