#!/usr/bin/env bash
# Builds halter and shows the CLI on a C guest compiled to wasm32 at build time
# (examples/guests/compute.c: a prime sieve, a Mandelbrot checksum, Fibonacci,
# a division that traps), a real WASI program from the npm registry, a
# pipeline, a snapshot restored by another process, and limits stopping a
# guest that never returns.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/deps.sh
bash scripts/fetch_guests.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target halter_cli example_c_guests example_guests snapshot_file

halter=build/halter
guest=build/examples/compute.wasm

run() {
  echo "\$ $*"
  "$@"
  echo
}

run "$halter" validate "$guest"
run "$halter" inspect "$guest"
run "$halter" run "$guest" --invoke count_primes 1000000
run "$halter" run "$guest" --invoke mandelbrot 200 200 100
run "$halter" run "$guest" --invoke fib 90

# A real program from the npm registry (Flite, speech synthesis in C, built for
# WASI): it may write only to the directory granted read-write.
out=$(mktemp -d)
run "$halter" run .cache/guests/flite.wasm --dir "$out::/out:rw" --stats -- -t "hello from the sandbox" -o /out/hello.wav
ls -l "$out"
echo
rm -rf "$out"

# A pipeline (examples/pipelines/text.yaml): two of DAGwood's text
# processors, a sandboxed wasm processor with its own fuel and deadline,
# and a join; the final output on stdout, the per-node summary on stderr.
run "$halter" pipeline check build/examples/text.yaml --modules-relative-to-manifest
run "$halter" pipeline run build/examples/text.yaml --modules-relative-to-manifest \
  --input "hello pipelines"
echo

# A snapshot (README "Snapshots"): one process runs the guest's expensive
# init and saves the instance; a second restores it and answers at once.
snap=$(mktemp)
run build/examples/snapshot_file save build/examples/primes.wasm "$snap"
run build/examples/snapshot_file load build/examples/primes.wasm "$snap"
rm -f "$snap"

# Non-zero exit statuses: a trap is 4, a missing import is 3; a guest that
# never returns is stopped by a deadline (6) or by fuel (5).
set +e
echo "\$ $halter run build/examples/runaway.wasm --invoke spin --timeout 100ms"
"$halter" run build/examples/runaway.wasm --invoke spin --timeout 100ms
echo "exit status: $?"
echo
echo "\$ $halter run build/examples/runaway.wasm --invoke spin --fuel 5000000 --stats"
"$halter" run build/examples/runaway.wasm --invoke spin --fuel 5000000 --stats
echo "exit status: $?"
echo
echo "\$ $halter run $guest --invoke divide 7 0"
"$halter" run "$guest" --invoke divide 7 0
echo "exit status: $?"
echo
echo "\$ $halter run build/examples/hello.wasm --invoke greet"
"$halter" run build/examples/hello.wasm --invoke greet
echo "exit status: $?"
