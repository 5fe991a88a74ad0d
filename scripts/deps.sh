#!/usr/bin/env bash
# Installs the Debian packages halter needs, only those that are missing.
# Idempotent; runs apt-get update only when something has to be installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  googletest libgtest-dev libbenchmark-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libicu-dev libssl-dev libzstd-dev graphviz
  wabt clang lld wasi-libc libclang-rt-14-dev-wasm32
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    missing+=("$p")
  fi
done

# npm (to fetch guest programs, scripts/fetch_guests.sh) is Debian's package
# `npm`, or comes with a nodejs from elsewhere: install it only when missing.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "deps: missing ${missing[*]} and not root (no sudo available)" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
