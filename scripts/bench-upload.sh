#!/usr/bin/env bash
# The upload memory benchmark: the release server's peak memory (VmHWM) before and
# after a 200 MB Bop upload streams in, and the upload's time, on loopback. A flat
# peak means the upload was never held in memory. Writes bench/out/upload.json.
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
peak() { awk '/VmHWM/ {print $2}' "/proc/$server/status"; }

# An MP4 signature, then MB megabytes: accepted by its first bytes (the transcode,
# not run here, would refuse it).
video=$tmp/upload.mp4
{ printf '\0\0\0\x18ftypmp42\0\0\0\0mp42isom'; head -c $(( MB * 1024 * 1024 )) /dev/urandom; } > "$video"

jar=$tmp/cookies
curl -fs -c "$jar" -H "Origin: $base" --data-urlencode "email=nova@demo.boptone.app" \
  --data-urlencode "password=boptone-demo" "$base/api/accounts/sign_in" >/dev/null
before=$(peak)
start=$(date +%s.%N)
answer=$(curl -fs -b "$jar" -H "Origin: $base" -H "Content-Type: video/mp4" \
  --data-binary "@$video" "$base/uploads/bops?caption=bench")
end=$(date +%s.%N)
after=$(peak)
mkdir -p bench/out
python3 - "$MB" "$before" "$after" "$start" "$end" "$answer" > bench/out/upload.json <<'PY'
import json, sys
mb, before, after, start, end, answer = sys.argv[1:]
seconds = float(end) - float(start)
print(json.dumps({
    "upload_mb": int(mb),
    "peak_rss_before_kb": int(before),
    "peak_rss_after_kb": int(after),
    "peak_growth_mb": round((int(after) - int(before)) / 1024, 1),
    "seconds": round(seconds, 2),
    "mb_per_second": round(int(mb) / seconds, 1),
    "answer": json.loads(answer),
}, indent=2))
PY
cat bench/out/upload.json
