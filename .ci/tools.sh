# Shuzhai's toolchain: sourced by .ci/serve, .ci/test and bench/run.
# Installs only what is missing (quiet when everything is there) and puts the tools on PATH.
# Nothing is downloaded from anywhere but the package registries (crates.io, npm, Debian).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SHUZHAI_TOOLS_DIR:-$HOME/.cache/shuzhai/tools}"
# Build output lives outside the clone, so fresh clones and CI runs rebuild incrementally.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shuzhai/target}"
# cargo-leptos builds with LEPTOS_OUTPUT_NAME set; setting it for every cargo command keeps
# `cargo test` and `cargo clippy` from rebuilding Leptos with different settings.
export LEPTOS_OUTPUT_NAME=shuzhai
export PATH="$TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Both exist from the start: the test command writes its background log into the target
# directory before anything has been compiled there.
mkdir -p "$TOOLS" "$CARGO_TARGET_DIR"

# Every step is announced with the minutes and seconds since the first command began.
export SHUZHAI_T0="${SHUZHAI_T0:-$(date +%s)}"
say() {
  local t=$(( $(date +%s) - SHUZHAI_T0 ))
  printf '\033[1m==> [%d:%02d] %s\033[0m\n' $(( t / 60 )) $(( t % 60 )) "$*" >&2
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
  # apt_install BINARY PACKAGE...
  local bin="$1"; shift
  command -v "$bin" >/dev/null 2>&1 && return 0
  say "installing $* (Debian)"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# The build tools below are compiled once and then run for seconds per build, so they are
# compiled for a short build rather than for speed (and in a throwaway directory, not the
# store's target). cargo-leptos' own release profile (fat LTO, one codegen unit) took 21
# minutes of the two cores. cargo-leptos is compiled without optimisation: it drives cargo,
# wasm-bindgen and wasm-opt, and building the release site took the same time with it
# (measured: 120 s unoptimised, 127 s at opt-level 1, the same files). wasm-bindgen-cli
# rewrites whole wasm files itself, so it keeps opt-level 1, without whole-program
# optimisation, in many codegen units.
install_tool() {
  (unset CARGO_TARGET_DIR
   CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
     CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install --quiet "$@")
}
install_unoptimised_tool() {
  (unset CARGO_TARGET_DIR
   CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0 cargo install --quiet --debug "$@")
}

# cargo-leptos 0.3.10.
ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q ' 0\.3\.10$'; then
    say "installing cargo-leptos 0.3.10 (once)"
    install_unoptimised_tool cargo-leptos@0.3.10 --locked
  fi
}

# wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock (the two
# must match), with wasm-bindgen-test-runner for the wasm tests.
ensure_wasm_bindgen() {
  local wb
  wb="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    say "installing wasm-bindgen-cli $wb"
    # Not --locked: its lockfile pins a crate version this registry mirror lacks.
    install_tool wasm-bindgen-cli --version "$wb" --force
  fi
}

# `ensure_build_tools --later`: all but cargo-leptos and wasm-bindgen-cli, which the caller
# installs itself later (the test command, in the background).
ensure_build_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown >/dev/null
  fi
  if [ "${1:-}" != --later ]; then
    ensure_cargo_leptos
    ensure_wasm_bindgen
  fi
  # Compresses the bundle once at build time (served as .br / .gz, see build_release).
  apt_install brotli brotli
  if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    # The npm build of binaryen: Debian's (v108) produces wasm that does not hydrate.
    say "installing wasm-opt (npm binaryen@132)"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" binaryen@132 >/dev/null
  fi
}

ensure_test_tools() {
  apt_install chromium chromium
  # For the wasm tests run by wasm-bindgen-test-runner in headless Chromium.
  apt_install chromedriver chromium-driver
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] ||
     [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing the end-to-end test packages (npm)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund >/dev/null)
  fi
}

# Runs the wasm tests of the browser crate in headless Chromium; extra arguments go to the
# test harness (bench/run passes `--include-ignored --nocapture`).
wasm_browser_test() {
  local profile="$1"
  shift
  (cd "$ROOT/frontend" && CHROMEDRIVER=/usr/bin/chromedriver \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --profile "$profile" --target wasm32-unknown-unknown --test reco_wasm -- "$@") \
    2> >(grep -vE '^\s*(Compiling|Finished|Running|Blocking)\b' >&2)
}

ensure_bench_tools() {
  apt_install wrk wrk
  apt_install brotli brotli
}

# Builds the release site: server binary + optimised wasm, CSS and assets in target/site.
# `build_release --frontend-only`: the site without the server binary (the test command
# runs the one its own build made).
build_release() {
  say "building the release site"
  # Only warnings and errors get through; progress lines are dropped. A failed build fails
  # the pipeline (pipefail).
  (cd "$ROOT" && cargo leptos build --release --split "$@" 2>&1) | {
    grep -vE '^\s*(Compiling|Checking|Fresh|Finished|Blocking)\b|Cargo.*finished|generating JS/WASM|tree-shaker' >&2 || true
  }
  # The bundle compressed once, at the strongest settings, next to each file: the server
  # sends shuzhai.wasm.br to browsers that accept brotli instead of compressing on the fly.
  local f
  for f in "$ROOT/target/site/pkg/"*.{wasm,js,css}; do
    [ -f "$f" ] || continue
    if [ ! -f "$f.br" ] || [ "$f" -nt "$f.br" ]; then
      brotli -f -q 11 -o "$f.br" "$f"
      gzip -9 -k -f -n "$f"
    fi
  done
}

# The test command's build of the server side: profile `ci` (Cargo.toml), the store's two
# crates and the SurrealDB server of the ws:// tests (.ci/surreal-server) selected together,
# so that they share one compilation of SurrealDB and of the crates under it. clippy lints
# it in that same build: clippy-driver compiles the workspace's own crates with every lint
# on and warnings as errors (what `cargo clippy --all-targets -- -D warnings` checks), rustc
# the dependencies, so they are not checked in a build of their own first. Every cargo
# command on that build goes through ci_cargo with these packages, so that none of them
# resolves features anew and compiles it again.
CI_PACKAGES=(-p app -p server -p surreal-server)
ci_cargo() {
  local command="$1"
  shift
  RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver" \
    CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
    cargo "$command" --profile ci "${CI_PACKAGES[@]}" "$@"
}
CI_BIN="$CARGO_TARGET_DIR/ci"

# Builds a real SurrealDB server (.ci/surreal-server: the `surreal` command of the same
# version the store embeds, from crates.io, memory engine only), with the rest of the test
# build: `--all-targets`, as `cargo test` resolves features (with the dev-dependencies),
# so that one build serves both.
build_surreal_server() {
  ci_cargo build --quiet --all-targets
}

# Builds that server if needed and starts it on a free port with root user root/root. Sets
# SURREAL_URL (ws://…) and SURREAL_PID (the caller stops it with `kill $SURREAL_PID`).
start_surreal_server() {
  build_surreal_server
  local port log="$CARGO_TARGET_DIR/surreal.log"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "$CI_BIN/surreal" start --bind "127.0.0.1:$port" --user root --pass root \
    --log warn --no-banner memory >"$log" 2>&1 &
  SURREAL_PID=$!
  local _
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      SURREAL_URL="ws://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$SURREAL_PID" 2>/dev/null || break
    sleep 0.5
  done
  cat "$log" >&2
  echo "the SurrealDB server did not start" >&2
  return 1
}
