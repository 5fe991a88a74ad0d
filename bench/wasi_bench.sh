#!/usr/bin/env bash
# WASI benchmarks (issue "WASI preview1"), timings reported, never judged:
#   1. startup: a hello-world command, `halter run` against `node` with
#      node:wasi, each run as a fresh process; median of N runs;
#   2. throughput: bench/guests/wordcount.c over 100 MB of text on stdin,
#      under halter and node against its native build; best of K runs; the
#      three outputs must agree.
#   bench/wasi_bench.sh BUILD_DIR [--quick]
set -euo pipefail
build=$1
quick=${2:-}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
halter=$build/halter
guests=$build/bench/guests
node=(node --no-warnings "$root/bench/run_wasi.js")
runs=20 reps=3 size=100M
if [ "$quick" = "--quick" ]; then runs=2 reps=1 size=1M; fi

now() { date +%s%N; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# time_runs N CMD...: prints the median wall time of N runs, in ms.
time_runs() {
  local n=$1
  shift
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null
    t1=$(now)
    echo $(((t1 - t0) / 1000))
  done | median | awk '{printf "%.2f", $1 / 1000}'
}

echo "Startup: hello-world WASI command, median of $runs runs (ms)"
h=$(time_runs "$runs" "$halter" run "$guests/hello_wasi.wasm")
n=$(time_runs "$runs" "${node[@]}" "$guests/hello_wasi.wasm")
printf "%-10s %10s %10s %12s\n" "" "halter" "node" "node/halter"
printf "%-10s %10s %10s %11sx\n" "hello" "$h" "$n" "$(div "$n" "$h")"

input=$(mktemp)
trap 'rm -f "$input"' EXIT
head -c "$size" < <(yes "the quick brown fox jumps over the lazy dog, 0123456789 times;") >"$input"
want=$("$guests/wordcount_native" <"$input")
for cmd in "$halter run $guests/wordcount.wasm" "${node[*]} $guests/wordcount.wasm"; do
  got=$($cmd <"$input")
  if [ "$got" != "$want" ]; then
    echo "output mismatch: $cmd gave '$got', native '$want'" >&2
    exit 1
  fi
done
best() { # best of $reps, in ms
  local best=
  for _ in $(seq "$reps"); do
    local t0 t1 ms
    t0=$(now)
    "$@" <"$input" >/dev/null
    t1=$(now)
    ms=$(((t1 - t0) / 1000000))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}
echo
echo "Throughput: wordcount over $size of text on stdin, best of $reps (ms); output: $want"
nat=$(best "$guests/wordcount_native")
hal=$(best "$halter" run "$guests/wordcount.wasm")
nod=$(best "${node[@]}" "$guests/wordcount.wasm")
printf "%-10s %10s %10s %10s %14s %12s\n" "" "native" "halter" "node" "halter/native" "node/native"
printf "%-10s %10s %10s %10s %13sx %11sx\n" "wordcount" "$nat" "$hal" "$nod" \
  "$(div "$hal" "$nat")" "$(div "$nod" "$nat")"
