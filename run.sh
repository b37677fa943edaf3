#!/usr/bin/env bash
# Sets up everything (see setup.sh: may install apt packages, and says so), builds Talentdeck
# and opens it on the built-in sandbox ATS (a simulated Greenhouse account; no account needed).
# Pass --try-sandbox lever or --try-sandbox ashby to try another provider (the binary's own
# option: any arguments go to `talentdeck` unchanged).
#
# TALENTDECK_RUN_PREBUILT=PATH skips the setup and the build and opens that binary instead: the
# test suite uses it to run this very script, with the arguments a user gets, on the binary it
# has just built (tests/run_command.rs).
set -euo pipefail
cd "$(dirname "$0")"
bin="${TALENTDECK_RUN_PREBUILT:-}"
if [ -z "$bin" ]; then
  ./setup.sh
  (cd ui && npm run build)
  cargo build
  bin=target/debug/talentdeck
fi
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--try-sandbox greenhouse)
exec "$bin" "${args[@]}"
