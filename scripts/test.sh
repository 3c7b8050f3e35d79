#!/usr/bin/env bash
# Every check of Boptone, failing on the first failure:
# fmt, clippy (browser build, then the server build as it compiles for the tests), Rust
# tests on SQLite and PostgreSQL, the release build of the front end, and the
# Playwright suite in Chromium against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

say() { printf '\n\033[1;35m==>\033[0m %s\n' "$*"; }
started=$SECONDS
timed() { local t=$SECONDS; "$@"; printf '    (%ss)\n' $((SECONDS - t)); }

# PostgreSQL for the tests: DATABASE_URL or TEST_DATABASE_URL may name a server where
# the tests create their own databases; otherwise the tests start a throwaway cluster
# in a fresh temp folder, stopped and removed when this script ends.
if [[ -z "${TEST_DATABASE_URL:-}" && "${DATABASE_URL:-}" == postgres* ]]; then
  export TEST_DATABASE_URL=$DATABASE_URL
fi
export BOPTONE_TEST_PG_DIR=${BOPTONE_TEST_PG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/boptone-test-pg.XXXXXX")}
chmod 755 "$BOPTONE_TEST_PG_DIR"
stop_cluster() {
  local data=$BOPTONE_TEST_PG_DIR/data
  if [[ -f $data/postmaster.pid ]]; then
    local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    else "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true; fi
  fi
  rm -rf "$BOPTONE_TEST_PG_DIR"
}
trap stop_cluster EXIT

say "cargo fmt --check, leptosfmt --check (view! macros)"
timed cargo fmt --all --check
timed leptosfmt --check --quiet app/src

say "clippy: browser build (hydrate, wasm32)"
timed cargo clippy --locked -p boptone -p boptone-app -p boptone-frontend --target wasm32-unknown-unknown -- -D warnings

say "clippy and Rust tests (server build): domain, services and HTTP on SQLite and PostgreSQL"
# Clippy lints the workspace's crates (lib, binary and tests; warnings denied) while they are
# compiled for the tests, as `cargo clippy` would, instead of in a separate check
# build of everything: clippy-driver wraps rustc for the workspace only, and
# CLIPPY_ARGS carries its arguments as cargo-clippy passes them.
# A hung test fails the run in 20 minutes instead of holding CI for 90.
timed env RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
  timeout 1200 cargo test --locked -p boptone -p boptone-app -p boptone-server --features boptone/testing

say "release build of the front end (WebAssembly split by page group, precompressed)"
timed scripts/build-release.sh --frontend-only

say "Playwright end-to-end tests (Chromium, the server the tests built, fresh database)"
timed env E2E_SERVER=debug scripts/e2e.sh

say "all checks passed in $((SECONDS - started))s"
