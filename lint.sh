#!/usr/bin/env bash
# Lints both feature sets with clippy (-D warnings) and checks the formatting: the desktop app with
# the benches, and the headless build without the window (`--no-default-features`). `./test.sh`
# lints the first while it builds the tests; run this before a change that touches cfg'd code.
set -euo pipefail
cd "$(dirname "$0")"
cargo fmt --all --check
cargo clippy --workspace --all-targets --features talentdeck/bench -- -D warnings
cargo clippy --workspace --all-targets --no-default-features -- -D warnings
