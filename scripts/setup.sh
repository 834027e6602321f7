#!/usr/bin/env bash
# Installs, idempotently, everything the desktop app, the server and the test suite need on a
# Debian 12 / Ubuntu machine: system packages, the UI's npm packages and tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo-installed tools live here; a non-login shell may not have it on PATH.
cargo_bin="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
case ":$PATH:" in *":$cargo_bin:"*) ;; *) PATH="$cargo_bin:$PATH" ;; esac

packages=(
  build-essential pkg-config file curl libssl-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth webkit2gtk-driver dbus-daemon dbus-x11 imagemagick xdg-utils
  procps
  postgresql
  fonts-inter fonts-dejavu-core fonts-noto-color-emoji
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "setup: missing packages (${missing[*]}) and neither root nor sudo; install them as root" >&2
      exit 1
    fi
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for tool in cargo npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup: $tool not found; install Rust (rustup) and Node.js 20 or newer first" >&2
    exit 1
  fi
done

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing UI packages"
  (cd ui && npm ci --no-audit --no-fund)
fi
