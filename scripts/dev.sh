#!/usr/bin/env bash
# Karamat's one build script: installs what is missing, then builds, runs or tests.
#   scripts/dev.sh run     build and serve on LEPTOS_SITE_ADDR (default 127.0.0.1:3000)
#   scripts/dev.sh test    the whole suite: unit, service, router (SQLite, and PostgreSQL when
#                          TEST_DATABASE_URL is set), the wasm dependency check, Playwright
#   scripts/dev.sh build   release build of server and wasm
#   scripts/dev.sh tools   only install/check the toolchain
#   scripts/dev.sh bench   release build, then scripts/bench.sh (national scale, not a test)
#   scripts/dev.sh api-check URL   schemathesis against URL/api/v1/openapi.json (make test runs it)
#   scripts/dev.sh env     print the toolchain environment (for `eval`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.11"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' Cargo.lock)"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
MODE_FILE="$ROOT/target/.karamat-toolchain"
# Chosen by the CI script or the caller; the PostgreSQL half of the suite runs only when set.
TEST_DATABASE_URL="${TEST_DATABASE_URL:-}"

log() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || die "please install: $* (no apt-get here)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# --- choose the toolchain once: rustup with the wasm target where it can be had, else Debian's
# rustc/cargo with the std source and -Zbuild-std (the same toolchain for host and wasm). ---
choose_toolchain() {
  mkdir -p "$ROOT/target"
  local mode=""
  [ -f "$MODE_FILE" ] && mode="$(cat "$MODE_FILE")"
  if [ -z "$mode" ]; then
    if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
      mode=rustup
    elif command -v rustup >/dev/null && timeout 180 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
      mode=rustup
    else
      mode=debian
    fi
    echo "$mode" > "$MODE_FILE"
    log "toolchain mode: $mode (remembered in target/.karamat-toolchain)"
  fi
  if [ "$mode" = debian ]; then
    if ! { [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library/std ] && [ -e /usr/bin/rust-lld ]; } \
       || ! version_ge "$(/usr/bin/rustc --version | awk '{print $2}')" "1.94.0"; then
      apt_install rustc-web cargo-web rust-web-src lld-22
    fi
    export PATH="/usr/bin:$CARGO_HOME/bin:$PATH"
    export RUSTC_BOOTSTRAP=1
    LIB_ARGS=(--lib-cargo-args=-Zbuild-std=std,panic_abort)
    WASM_BUILD_STD=(-Zbuild-std=std,panic_abort)
  else
    export PATH="$CARGO_HOME/bin:$PATH"
    LIB_ARGS=()
    WASM_BUILD_STD=()
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
  TOOLCHAIN_MODE="$mode"
}

ensure_node() {
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp="$ROOT/end2end/node_modules/.karamat-stamp"
  local want
  want="$(sha256sum "$ROOT/end2end/package-lock.json" | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm ci (Playwright library and binaryen's wasm-opt; no browser download)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
    echo "$want" > "$stamp"
  fi
}

ensure_cargo_tools() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes several minutes once)"
    # Its locked dependencies need cargo >= 1.96; an older rustup toolchain borrows Debian's for this one install.
    local installer=(cargo)
    if ! version_ge "$(cargo --version | awk '{print $2}')" "1.96.0"; then
      if ! { [ -x /usr/bin/cargo ] && version_ge "$(/usr/bin/cargo --version | awk '{print $2}')" "1.96.0"; }; then
        apt_install rustc-web cargo-web
      fi
      installer=(env RUSTC=/usr/bin/rustc /usr/bin/cargo)
    fi
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      "${installer[@]}" install --root "$CARGO_HOME" cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (the version Cargo.lock needs)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

# The API property check (schemathesis, from PyPI) in a virtualenv under target/.
SCHEMATHESIS_VERSION="4.32.5"
ensure_schemathesis() {
  local venv="$ROOT/target/venv"
  if "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then return; fi
  command -v python3 >/dev/null || apt_install python3
  rm -rf "$venv"
  python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
  log "pip install schemathesis $SCHEMATHESIS_VERSION (the API property check)"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

# `/api/v1` against its own OpenAPI document, every check schemathesis has: each answer's status,
# content type, headers and body are the documented ones, no server error, every request the
# document allows is taken and every one it forbids is refused.
api_check() {
  local base="$1"
  log "API property check: schemathesis against $base/api/v1/openapi.json"
  # From target/: schemathesis keeps a `.schemathesis/` cache in the directory it runs in.
  (cd "$ROOT/target" && "$ROOT/target/venv/bin/st" run "$base/api/v1/openapi.json" \
    --checks all \
    --max-examples "${API_CHECK_EXAMPLES:-40}" --generation-deterministic --workers 2 --no-color)
}

ensure_chromium() {
  if [ -z "${CHROMIUM_PATH:-}" ]; then
    [ -x /usr/bin/chromium ] || apt_install chromium
    export CHROMIUM_PATH=/usr/bin/chromium
  fi
}

tools() {
  choose_toolchain
  ensure_node
  ensure_cargo_tools
}

build() {
  tools
  log "cargo leptos build --release ($TOOLCHAIN_MODE toolchain)"
  local t0=$SECONDS
  # --split: lazy routes (staff, employment, account) become their own wasm chunks.
  cargo leptos build --release --split "${LIB_ARGS[@]}"
  # brotli/gzip forms of the bundle, once per build rather than per request.
  "$ROOT/target/release/karamat" precompress --dir "$ROOT/target/site/pkg"
  log "build took $((SECONDS - t0)) s"
}

leptos_env() {
  export LEPTOS_OUTPUT_NAME=karamat LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg
  export LEPTOS_HASH_FILES=true LEPTOS_ENV=PROD
}

run() {
  build
  leptos_env
  export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
  export KARAMAT_ENV="${KARAMAT_ENV:-dev}"
  mkdir -p "$ROOT/data"
  local bin="$ROOT/target/release/karamat"
  "$bin" migrate up
  "$bin" seed --scale demo --if-empty
  cat <<TXT

Karamat is at http://$LEPTOS_SITE_ADDR  (database: ${DATABASE_URL:-sqlite://data/karamat.db})
Sign in at http://$LEPTOS_SITE_ADDR/sign-in with password  karamat-demo-1405  as:
  donor@demo.karamat.ir            → /account
  entrepreneur@demo.karamat.ir     → /employment/dashboard
  social.worker@demo.karamat.ir    → /staff   (Tehran province)
  prison.officer@demo.karamat.ir   → /staff   (Tehran central prison)
  manager@demo.karamat.ir          → /staff   (Tehran province)
  finance@demo.karamat.ir          → /staff
  admin@demo.karamat.ir            → /staff
  auditor@demo.karamat.ir          → /staff   (read-only)
Ctrl-C stops the server.

TXT
  exec "$bin" serve
}

# The browser build must never contain server-only crates.
wasm_deps_check() {
  log "checking the hydrate build's dependency tree"
  local tree
  tree="$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none --format '{p}' 2>/dev/null | awk '{print $1}' | sort -u)"
  [ -n "$tree" ] || die "cargo tree printed nothing for the frontend"
  local bad=""
  for crate in sea-orm sea-query sqlx sqlx-core libsqlite3-sys tokio mio argon2 governor chacha20poly1305 axum hyper; do
    if grep -qx "$crate" <<<"$tree"; then bad="$bad $crate"; fi
  done
  [ -z "$bad" ] || die "server-only crates in the wasm build:$bad"
  echo "wasm dependency check: $(wc -l <<<"$tree") crates, none server-only"
}

E2E_PID=""
E2E_DIR=""
e2e_cleanup() {
  if [ -n "$E2E_PID" ]; then kill "$E2E_PID" 2>/dev/null || true; wait "$E2E_PID" 2>/dev/null || true; fi
  if [ -n "$E2E_DIR" ]; then rm -rf "$E2E_DIR"; fi
}

e2e() {
  ensure_chromium
  leptos_env
  local port="${E2E_PORT:-3107}"
  E2E_DIR="$(mktemp -d)"
  local dir="$E2E_DIR"
  export LEPTOS_SITE_ADDR="127.0.0.1:$port" KARAMAT_ENV=dev DATABASE_URL="sqlite://$dir/e2e.db?mode=rwc"
  local bin="$ROOT/target/release/karamat"
  "$bin" seed --scale demo >/dev/null
  "$bin" serve >"$dir/server.log" 2>&1 &
  E2E_PID=$!
  local pid=$E2E_PID
  trap e2e_cleanup EXIT
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || { cat "$dir/server.log"; die "server exited"; }
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$dir/server.log"; die "server did not answer"; }
  log "Playwright in $(basename "$CHROMIUM_PATH") against http://127.0.0.1:$port"
  local rc=0
  (cd "$ROOT/end2end" && BASE_URL="http://127.0.0.1:$port" npx playwright test) || rc=$?
  if [ $rc -eq 0 ] && [ "${API_CHECK:-1}" = 1 ]; then
    api_check "http://127.0.0.1:$port" || rc=$?
  fi
  if [ $rc -ne 0 ]; then echo "--- server log ---"; tail -n 80 "$dir/server.log"; fi
  return $rc
}

# Formatting and clippy on both builds (server `ssr`, browser `hydrate`), warnings as errors.
# Debian's fallback toolchain may ship neither tool: there the step says so and goes on (CI runs
# the rustup toolchain, which has both).
lint() {
  if cargo fmt --version >/dev/null 2>&1; then
    log "cargo fmt --check"
    cargo fmt --all --check
  else
    log "rustfmt is not part of this toolchain ($TOOLCHAIN_MODE): format check skipped"
  fi
  if ! cargo clippy --version >/dev/null 2>&1; then
    log "clippy is not part of this toolchain ($TOOLCHAIN_MODE): skipped"
    return 0
  fi
  log "clippy, server build (ssr) and browser build (hydrate), warnings as errors"
  cargo clippy --workspace --exclude frontend --features app/ssr --all-targets -- -D warnings
  cargo clippy -p frontend --target wasm32-unknown-unknown "${WASM_BUILD_STD[@]}" -- -D warnings
}

test_all() {
  tools
  lint
  if [ -n "$TEST_DATABASE_URL" ]; then
    export TEST_DATABASE_URL
    log "Rust tests on SQLite and PostgreSQL ($TEST_DATABASE_URL)"
  else
    log "Rust tests on SQLite (set TEST_DATABASE_URL=postgres://… to add PostgreSQL)"
  fi
  # Two at a time, each test in its own process (cargo-nextest): the hang that once forced one
  # test at a time is fixed (vendor/reactive_graph), and a process per test keeps process-wide
  # state (the metrics recorder, the audit key) from leaking between tests. Without nextest, one
  # test at a time in one process. The timeout keeps a hang from eating CI's 90 minutes.
  rm -f "$ROOT/target/tmp/faults-report.txt"
  if cargo nextest --version >/dev/null 2>&1; then
    timeout 1800 cargo nextest run --workspace --exclude frontend --features app/ssr --no-fail-fast
  else
    log "cargo-nextest not found: the Rust tests run one at a time"
    timeout 1800 cargo test --workspace --exclude frontend --features app/ssr -- --test-threads=1
  fi
  if [ -f "$ROOT/target/tmp/faults-report.txt" ]; then
    log "fault tests (server/tests/scenarios/faults.rs):"; cat "$ROOT/target/tmp/faults-report.txt"
  fi
  wasm_deps_check
  build
  ensure_schemathesis
  e2e
}

cmd="${1:-test}"
case "$cmd" in
  run) run ;;
  test) test_all ;;
  build) build ;;
  tools) tools ;;
  bench) build; ensure_chromium; "$ROOT/scripts/bench.sh" ;;
  e2e) tools; ensure_schemathesis; e2e ;;
  api-check) ensure_schemathesis; api_check "${2:?base URL, e.g. http://127.0.0.1:3000}" ;;
  wasm-check) choose_toolchain; wasm_deps_check ;;
  lint) choose_toolchain; lint ;;
  env) choose_toolchain; echo "export PATH=\"$PATH\"${RUSTC_BOOTSTRAP:+ RUSTC_BOOTSTRAP=1}" ;;
  *) die "unknown command: $cmd (run|test|build|tools|e2e|api-check|bench|wasm-check|lint|env)" ;;
esac
