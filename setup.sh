#!/usr/bin/env bash
# Installs what Talentdeck needs to build, run and test on Debian/Ubuntu, skipping whatever is
# already there: system packages (apt), the UI's npm packages, and tauri-driver for the
# end-to-end tests. Safe to run again; prints what it installs.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev   # the desktop window (WebKitGTK, GTK 3, libsoup 3)
  libdbus-1-dev           # the OS keychain through the Secret Service
  gnome-keyring dbus      # a Secret Service for tests and for desktops without one
  xvfb xauth              # a virtual display for the end-to-end tests
  webkit2gtk-driver       # WebKitWebDriver, driven by tauri-driver in end-to-end tests
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages with apt-get: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The UI's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund)
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver (cargo install) for the end-to-end tests"
  cargo install tauri-driver --version 2.1.0 --locked
fi

# rustfmt and clippy check every change (test.sh); rustup's default profile has them.
for component in rustfmt clippy; do
  tool=$([ "$component" = rustfmt ] && echo fmt || echo clippy)
  if ! cargo "$tool" --version >/dev/null 2>&1; then
    echo "setup: adding the $component component (rustup)"
    rustup component add "$component"
  fi
done
