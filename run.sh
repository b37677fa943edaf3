#!/usr/bin/env bash
# Sets up everything (see setup.sh: may install apt packages, and says so), builds Talentdeck
# and opens it on the built-in sandbox ATS (a simulated Greenhouse account; no account needed).
# Pass --sandbox lever or --sandbox ashby to try another provider.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
(cd ui && npm run build)
cargo build
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--sandbox greenhouse)
exec target/debug/talentdeck "${args[@]}"
