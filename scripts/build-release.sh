#!/usr/bin/env bash
# The release build: the WebAssembly front end (content-hashed and precompressed) and
# the server, side by side. One `cargo leptos build --release --precompress` would
# build them one after the other (it does whenever files are hashed or precompressed);
# they share nothing (separate target folders), and building them together keeps both
# cores busy through each one's single-threaded stretches (linking, wasm-opt, brotli).
# `--frontend-only` builds the front end alone (`make test`, which runs the server that
# `cargo test` built).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
front_end() { cargo leptos build --release --precompress --split --frontend-only; }
if [[ ${1:-} == --frontend-only ]]; then
  front_end
  exit
fi
front_end &
front=$!
server=0
cargo leptos build --release --server-only || server=$?
front_status=0
wait "$front" || front_status=$?
if (( server != 0 || front_status != 0 )); then
  echo "error: release build failed (server $server, front end $front_status)" >&2
  exit 1
fi
