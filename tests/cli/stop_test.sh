#!/usr/bin/env bash
# Runaway C programs, built at -O0 and -O2 (tests/guests/loops/), and a
# start function and an _initialize that never return, are stopped by
# `halter run --timeout 100ms` within 300 ms of wall time and by SIGINT
# within 300 ms of the signal.
#   stop_test.sh HALTER GUEST_DIR
set -u
halter=$1
guests=$2
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stops WHAT -- COMMAND...: COMMAND must end by --timeout 100ms (added here)
# and by SIGINT.
stops() {
  local what=$1
  shift 2
  # Deadline: status 6, "deadline exceeded", within 300 ms.
  local start out status took pid sent
  start=$(now_ms)
  out=$(timeout 20 "$@" --timeout 100ms 2>&1)
  status=$?
  took=$(($(now_ms) - start))
  if [ $status -eq 6 ] && grep -q 'deadline exceeded' <<<"$out" && [ $took -lt 300 ]; then
    passed=$((passed + 1))
  else
    fail "$what --timeout 100ms: status $status in $took ms (want 6 within 300 ms): $out"
  fi
  # SIGINT: status 7 within 300 ms of the signal.
  "$@" >/dev/null 2>&1 &
  pid=$!
  wait_for_sigint_handler $pid
  sleep 0.2
  sent=$(now_ms)
  kill -INT $pid
  # A guest that no check point stops would never end: kill it at 20 s
  # (the watcher ends by itself soon after halter does).
  (for _ in $(seq 200); do
    sleep 0.1
    kill -0 $pid 2>/dev/null || exit 0
  done
  kill -KILL $pid) >/dev/null 2>&1 &
  wait $pid
  status=$?
  took=$(($(now_ms) - sent))
  if [ $status -eq 7 ] && [ $took -lt 300 ]; then
    passed=$((passed + 1))
  else
    fail "$what SIGINT: status $status after $took ms (want 7 within 300 ms)"
  fi
}

for name in forever flag count; do
  for opt in O0 O2; do
    wasm=$guests/loops/${name}_${opt}.wasm
    if [ -f "$wasm" ]; then
      stops "$name -$opt" -- "$halter" run "$wasm"
    else
      fail "$wasm was not built"
    fi
  done
done
stops "start function" -- "$halter" run "$guests/start_loop.wasm" --invoke main
stops "_initialize" -- "$halter" run "$guests/init_loop.wasm" --invoke main

summary
