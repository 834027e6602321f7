#!/usr/bin/env bash
# The whole check, in the order CI runs it: setup, UI type check and build, formatting, lints,
# build, then every test under a virtual display (the end-to-end tests open the real app).
# Stops at the first failing stage and names it; prints how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo-installed tools (tauri-driver) live here; a non-login shell may not have it on PATH.
cargo_bin="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
case ":$PATH:" in *":$cargo_bin:"*) ;; *) export PATH="$cargo_bin:$PATH" ;; esac

started=$SECONDS

# stage NAME COMMAND...: runs COMMAND, prints its duration, exits with a clear message on failure.
stage() {
  local name=$1 start=$SECONDS status=0
  shift
  echo "== stage: $name"
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "== FAILED: stage '$name' (exit $status after $((SECONDS - start)) s): $*" >&2
    exit "$status"
  fi
  echo "== stage: $name ($((SECONDS - start)) s)"
}

# A display for the end-to-end tests, and a session bus of their own so nothing the app starts
# on the bus (accessibility services) outlives the run.
headless=(xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session --)

stage setup bash scripts/setup.sh
stage "ui check" npm --prefix ui run check
stage "ui build" npm --prefix ui run build
stage fmt cargo fmt --all --check
stage clippy cargo clippy --workspace --all-targets --locked -- -D warnings
# Same targets and features as the test run, so the tests reuse this build and the desktop binary
# the end-to-end tests launch exists.
stage build cargo build --workspace --all-targets --locked
if cargo nextest --version >/dev/null 2>&1; then
  stage tests "${headless[@]}" cargo nextest run --workspace --locked
  # nextest does not run doctests.
  stage doctests cargo test --workspace --doc --locked
else
  stage tests "${headless[@]}" cargo test --workspace --locked
fi

echo "== all stages passed ($((SECONDS - started)) s)"
