#!/usr/bin/env bash
# Runs the Playwright suite against the release server on a fresh database: a new
# SQLite file, or a new database on the PostgreSQL server named by DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -x target/release/boptone && -f target/release/hash.txt ]] || {
  echo "error: build first (make build)" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  name="e2e_$(date +%s)_$$"
  psql "$DATABASE_URL" -qc "CREATE DATABASE $name" >/dev/null
  db_url="${DATABASE_URL%/*}/$name"
else
  db_url="sqlite://$tmp/e2e.db"
fi

export E2E_PORT=$port
export BASE_URL="http://127.0.0.1:$port"
export E2E_DATABASE_URL=$db_url
export E2E_STORAGE_URL="$tmp/media"
export E2E_SERVER_BIN="$PWD/target/release/boptone"
export E2E_SITE_ROOT="$PWD/target/site"
cd end2end
npx playwright test "$@"
