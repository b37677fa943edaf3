#!/usr/bin/env bash
# Runs all of Talentdeck's tests: the UI's type check and component tests, rustfmt and clippy, then
# every Rust test of the workspace
# (store, sandbox ATS, CLI, sync, keychain and the end-to-end test of the real window).
# The Rust tests run inside a virtual display (Xvfb) and a private D-Bus session with an
# unlocked gnome-keyring, so the real window and the real Secret Service are exercised.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh

echo "== UI: build, type check, component tests"
(cd ui && npm run build && npm run check && npm test)

echo "== Rust: format"
cargo fmt --all --check

# Clippy lints every workspace crate (-D warnings) while the test build compiles it: clippy-driver
# stands in for rustc on the workspace's own crates only, so the dependencies are compiled once,
# not a second time in check mode (that second pass alone took longer than the tests on 2 cores).
# The headless feature set (--no-default-features) is linted by `./lint.sh`.
clippy_driver="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export RUSTC_WORKSPACE_WRAPPER="$clippy_driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

echo "== Rust: all tests (the workspace linted by clippy as it builds)"
if command -v xvfb-run >/dev/null && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  # A throwaway keyring (its own XDG data folder), so a developer's login keyring is never touched.
  keyring_home=$(mktemp -d)
  trap 'rm -rf "$keyring_home"' EXIT
  XDG_DATA_HOME="$keyring_home" xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
    eval "$(printf talentdeck | gnome-keyring-daemon --unlock --components=secrets)"
    cargo test --workspace --features talentdeck/bench --no-fail-fast "$@"' test.sh "$@"
else
  echo "!!! WARNING: no Xvfb / dbus-run-session / gnome-keyring here: the end-to-end window test and the"
  echo "!!! keychain tests cannot run and will report themselves SKIPPED. Run ./setup.sh to install them."
  cargo test --workspace --features talentdeck/bench --no-fail-fast "$@"
fi
