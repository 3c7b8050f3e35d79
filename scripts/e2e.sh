#!/usr/bin/env bash
# Runs the Playwright suite against the server on a fresh database: a new SQLite file,
# or a new database on the PostgreSQL server named by DATABASE_URL. The server is the
# release build; with E2E_SERVER=debug, the binary `cargo test` built (what `make test`
# uses: the same code, without a second, optimised build of it), serving the release
# front end.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -f target/release/hash.txt && -d target/site/pkg ]] || {
  echo "error: build the front end first (make build)" >&2; exit 1; }
server_bin=$PWD/target/${E2E_SERVER:-release}/boptone
[[ -x $server_bin ]] || { echo "error: no server at $server_bin: build it first" >&2; exit 1; }
if [[ ${E2E_SERVER:-release} != release ]]; then
  # The site's file names carry content hashes; the server reads them beside itself.
  cp target/release/hash.txt "$(dirname "$server_bin")/hash.txt"
  export LEPTOS_HASH_FILES=true
fi

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
export E2E_SERVER_BIN="$server_bin"
export E2E_SITE_ROOT="$PWD/target/site"
cd end2end
npx playwright test "$@"
