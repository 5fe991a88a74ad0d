#!/usr/bin/env bash
# Runs clang from @yowasp/clang (scripts/fetch_guests.sh) under halter and
# under Node's node:wasi with the same command lines, and checks that stdout,
# stderr, exit status and the files written are byte for byte the same.
#   clang_test.sh HALTER LLVM_WASM RESOURCE_DIR
set -euo pipefail
halter=$1
llvm=$2
resources=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A missing guest fails the test: a skipped comparison must not look like a pass.
if [ ! -f "$llvm" ] || [ ! -f "$resources/include/stddef.h" ]; then
  echo "FAIL: $llvm or $resources is missing: run scripts/fetch_guests.sh" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# job NAME ARGS...: runs `llvm.wasm clang ARGS` under both runtimes, with the
# resource directory at /usr (clang's -print-resource-dir), this directory's
# sources at /src (read-only in halter) and an empty /out. Each run's results
# go to $tmp/RUNTIME/NAME/: stdout, stderr, status and out/.
job() {
  local name=$1
  shift
  local runtime
  for runtime in halter node; do
    local dir=$tmp/$runtime/$name
    mkdir -p "$dir/out"
    local run=("$halter" run)
    [ $runtime = node ] && run=(node --no-warnings "$here/node_wasi.mjs")
    local t0=$SECONDS status=0
    "${run[@]}" "$llvm" --dir "$resources::/usr" --dir "$here::/src" --dir "$dir/out::/out:rw" \
      -- clang "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr" || status=$?
    echo "$status" >"$dir/status"
    echo "$name: $runtime exit $status, $((SECONDS - t0)) s"
  done
  if diff -r "$tmp/halter/$name" "$tmp/node/$name" >"$tmp/$name.diff"; then
    echo "$name: identical"
  else
    failed=$((failed + 1))
    echo "FAIL: $name: halter and node differ:"
    head -c 4000 "$tmp/$name.diff"
  fi
}

# expect NAME FILE PATTERN: NAME's FILE (from node; halter's is the same when
# the job passed) matches the extended regex, so that two runs failing alike
# do not pass.
expect() {
  if ! grep -Eaq -- "$3" "$tmp/node/$1/$2"; then
    failed=$((failed + 1))
    echo "FAIL: $1: $2 does not match '$3':"
    head -c 2000 "$tmp/node/$1/$2"
  fi
}

job version --version
expect version status '^0$'
expect version stdout '^clang version 21\.1\.4 '
expect version stdout '^Target: wasm32-unknown-wasip1$'

# LLVM IR on stdout; freestanding, so only the resource headers are read
# (a hosted stdint.h would include wasi-libc's).
job ir -O2 -ffreestanding -S -emit-llvm -o - /src/unit.c
expect ir status '^0$'
expect ir stdout '^define hidden i32 @fnv1a\('
expect ir stdout '^target triple = "wasm32-unknown-wasip1"$'

# A hosted program (wasi-libc headers) compiled to a wasm object file in
# /out, with a -Wall warning on stderr.
job object -O2 -Wall -c /src/hosted.c -o /out/hosted.o
expect object status '^0$'
expect object stderr "unused variable 'unused'"
if ! printf '\0asm\1\0\0\0' | cmp -s -n 8 - "$tmp/node/object/out/hosted.o"; then
  failed=$((failed + 1))
  echo "FAIL: object: out/hosted.o is not a wasm module"
fi

# Errors: exit status 1 and diagnostics.
job errors -fsyntax-only /src/broken.c
expect errors status '^1$'
expect errors stderr "use of undeclared identifier 'undeclared'"

if [ $failed -gt 0 ]; then
  echo "wasi_clang: $failed failed"
  exit 1
fi
echo "wasi_clang: all jobs identical"
