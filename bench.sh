#!/usr/bin/env bash
# Runs the sync benchmark (`talentdeck bench`, see BENCHMARKS.md) from a release build.
# The bench connects a real connection, whose secret goes to the OS keychain: like test.sh, it
# runs inside a private D-Bus session with a throwaway, unlocked gnome-keyring, so a
# developer's login keyring is never touched. Arguments go to `talentdeck bench`, e.g.
#   ./bench.sh --json            ./bench.sh --talents 10000 --changes 100
# except `./bench.sh --window`, the window bench (see below).
set -euo pipefail
cd "$(dirname "$0")"
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing; run ./setup.sh" >&2; exit 1; }
done
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
# `./bench.sh --window`: the real window through WebDriver (release build, 100,000 talents; set
# TALENTDECK_BENCH_TALENTS for fewer), an ignored test of tests/e2e.rs run under a virtual display.
if [ "${1:-}" = "--window" ]; then
  for tool in xvfb-run tauri-driver WebKitWebDriver; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing; run ./setup.sh" >&2; exit 1; }
  done
  (cd ui && npm run build) >&2
  cargo test --release --test e2e --no-run >&2
  XDG_DATA_HOME="$keyring_home" xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
    eval "$(printf talentdeck | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
    cargo test --quiet --release --test e2e window_bench -- --ignored --nocapture'
  exit
fi
# Build first, outside the timed part and with its output on stderr.
cargo build --release --no-default-features --features bench >&2
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  eval "$(printf talentdeck | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  cargo run --quiet --release --no-default-features --features bench -- bench "$@"' bench.sh "$@"
