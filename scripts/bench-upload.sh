#!/usr/bin/env bash
# The upload memory benchmark: the release server's memory in use (VmRSS) before a
# 200 MB Bop upload and the most in use while it streams in (sampled every 10 ms), the
# process's lifetime peak (VmHWM), and the upload's time, on loopback. Memory that does
# not grow with the file means the upload was never held in memory.
# Writes bench/out/upload.json.
# Env: UPLOAD_MB (200). Build first: make build.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${UPLOAD_MB:-200}
BIN=target/release/boptone
[[ -x $BIN ]] || make build

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$tmp/bench.db" STORAGE_URL="$tmp/media" RUST_LOG=warn
export LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$PWD/target/site"
# No job workers: the benchmark measures the upload, not the transcode.
export JOB_WORKERS=0 MAX_VIDEO_BYTES=$(( (MB + 1) * 1024 * 1024 ))
"$BIN" seed-demo >/dev/null
"$BIN" serve & server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fs "$base/healthz" >/dev/null && break
  sleep 0.1
done
memory() { awk -v field="$1:" '$1 == field {print $2}' "/proc/$server/status"; }

# An MP4 signature, then MB megabytes: accepted by its first bytes (the transcode,
# not run here, would refuse it).
video=$tmp/upload.mp4
{ printf '\0\0\0\x18ftypmp42\0\0\0\0mp42isom'; head -c $(( MB * 1024 * 1024 )) /dev/urandom; } > "$video"

jar=$tmp/cookies
curl -fs -c "$jar" -H "Origin: $base" --data-urlencode "email=nova@demo.boptone.app" \
  --data-urlencode "password=boptone-demo" "$base/api/accounts/sign_in" >/dev/null
before=$(memory VmRSS)
# The most memory in use while the upload streams in, sampled every 10 ms.
samples=$tmp/rss
( while kill -0 "$server" 2>/dev/null; do memory VmRSS >> "$samples"; sleep 0.01; done ) & sampler=$!
start=$(date +%s.%N)
answer=$(curl -fs -b "$jar" -H "Origin: $base" -H "Content-Type: video/mp4" \
  --data-binary "@$video" "$base/uploads/bops?caption=bench")
end=$(date +%s.%N)
kill "$sampler" 2>/dev/null || true
during=$(sort -n "$samples" | tail -1)
after=$(memory VmHWM)
stored=$(find "$tmp/media" -name original -printf '%s')
mkdir -p bench/out
python3 - "$MB" "$before" "$during" "$after" "$start" "$end" "$answer" "$stored" > bench/out/upload.json <<'PY'
import json, sys
mb, before, during, after, start, end, answer, stored = sys.argv[1:]
seconds = float(end) - float(start)
print(json.dumps({
    "upload_mb": int(mb),
    "stored_bytes": int(stored),
    "rss_before_kb": int(before),
    "most_rss_during_upload_kb": int(during),
    "growth_during_upload_mb": round((int(during) - int(before)) / 1024, 1),
    "process_peak_rss_kb": int(after),
    "seconds": round(seconds, 2),
    "mb_per_second": round(int(mb) / seconds, 1),
    "answer": json.loads(answer),
}, indent=2))
PY
cat bench/out/upload.json
