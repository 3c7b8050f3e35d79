#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Boptone needs and is missing.
# Pinned versions; anything already present at the right version is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.129
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required (Rust via rustup, Node.js 20+ with npm)." >&2; exit 1; }
done

# Debian packages: installed through apt when running as root, otherwise named.
need_pkgs=()
command -v cc >/dev/null || need_pkgs+=(build-essential)
# The linker native builds use (.cargo/config.toml).
command -v mold >/dev/null || need_pkgs+=(mold)
# Bops and tracks are probed and transcoded with ffprobe and ffmpeg (jobs, demo data).
command -v ffmpeg >/dev/null || need_pkgs+=(ffmpeg)
if (( WITH_TEST )); then
  command -v chromium >/dev/null || need_pkgs+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_pkgs+=(postgresql)
  command -v psql >/dev/null || need_pkgs+=(postgresql-client)
fi
if (( ${#need_pkgs[@]} )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "error: missing system packages. Install them with:" >&2
    echo "  sudo apt-get install -y ${need_pkgs[*]}" >&2
    exit 1
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(cargo leptos --version 2>/dev/null || true)" != *" $CARGO_LEPTOS_VERSION"* ]]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != *" $WASM_BINDGEN_VERSION"* ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
fi

# leptosfmt formats `view!` macros; `make test` checks them.
LEPTOSFMT_VERSION=0.1.33
if (( WITH_TEST )) && [[ "$(leptosfmt --version 2>/dev/null || true)" != *" $LEPTOSFMT_VERSION"* ]]; then
  say "installing leptosfmt $LEPTOSFMT_VERSION (about 3 minutes, once)"
  cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
fi

# npm packages: tailwind and wasm-opt (binaryen) for the build, Playwright for tests.
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.boptone-stamp
  if [[ ! -f $stamp || $dir/package-lock.json -nt $stamp ]]; then
    say "installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}
npm_ci .
# hls.js plays Bops where the browser lacks native HLS: copied into the site's files.
mkdir -p public/vendor
cp -p node_modules/hls.js/dist/hls.light.min.js public/vendor/hls.light.min.js
cp -p node_modules/hls.js/LICENSE public/vendor/hls.js.LICENSE.txt
(( WITH_TEST )) && npm_ci end2end

# moto's S3-compatible server, for the object storage tests.
if (( WITH_TEST )) && ! command -v moto_server >/dev/null; then
  say "installing moto's S3 server (PyPI moto[server])"
  python3 -m pip install --quiet 'moto[server]==5.2.1'
fi
exit 0
