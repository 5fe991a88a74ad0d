#!/usr/bin/env bash
# clang from @yowasp/clang (scripts/fetch_guests.sh) under `halter run` and
# under node:wasi (tests/clang/node_wasi.mjs): wall time and peak RSS of each
# job of the wasi_clang test, one fresh process per run, one run each;
# halter's "run" column is the guest's own time (--stats), the rest of its
# wall time is reading, validating and lowering the module.
#   bench/clang_bench.sh BUILD_DIR
set -euo pipefail
build=$1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
llvm=$root/.cache/guests/llvm.wasm
resources=$root/.cache/guests/llvm-resources
src=$root/tests/clang
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure RUNTIME ARGS...: prints "exit-status wall-s rss-MiB [run-s]".
measure() {
  local runtime=$1
  shift
  local out
  out=$(mktemp -d "$tmp/out.XXXXXX")
  local run=("$build/halter" run --stats)
  [ "$runtime" = node ] && run=(node --no-warnings "$src/node_wasi.mjs")
  local status=0
  /usr/bin/time -f '%e %M' -o "$tmp/time" "${run[@]}" "$llvm" --dir "$resources::/usr" \
    --dir "$src::/src" --dir "$out::/out:rw" -- clang "$@" </dev/null >/dev/null 2>"$tmp/stderr" || status=$?
  local run_s=""
  if [ "$runtime" = halter ]; then
    run_s=$(awk '/^wall time:/ { v = $3; if ($4 == "ms") v /= 1000; printf "%.2f", v }' "$tmp/stderr")
  fi
  # The last line: GNU time puts "Command exited with non-zero status" first.
  tail -n 1 "$tmp/time" | awk -v s="$status" -v run="$run_s" '{ printf "%s %.2f %.0f %s\n", s, $1, $2 / 1024, run }'
}

printf "%-8s %6s %10s %10s %10s %10s %10s\n" job exit "halter s" "(run s)" "halter MiB" "node s" "node MiB"
while read -r name args; do
  # shellcheck disable=SC2086 # args are split on purpose
  read -r hx hs hm hr <<<"$(measure halter $args)"
  # shellcheck disable=SC2086
  read -r nx ns nm <<<"$(measure node $args)"
  printf "%-8s %6s %10s %10s %10s %10s %10s\n" "$name" "$hx/$nx" "$hs" "$hr" "$hm" "$ns" "$nm"
done <<'JOBS'
version --version
ir -O2 -ffreestanding -S -emit-llvm -o - /src/unit.c
object -O2 -Wall -c /src/hosted.c -o /out/hosted.o
errors -fsyntax-only /src/broken.c
JOBS
