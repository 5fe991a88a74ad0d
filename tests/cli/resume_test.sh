#!/usr/bin/env bash
# Executions saved by one halter process and continued by others (README
# "Snapshots"): `run --suspend-on --snapshot-to` and `resume`, across a
# chain of processes, against the uninterrupted run.
#   resume_test.sh HALTER EXAMPLES_DIR GUESTS_DIR
set -u
halter=$1
examples=$2
guests=$3
agent=$examples/agent.wasm
compute=$examples/compute.wasm
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

# agent.c's run(10): three spawn_agent calls, then three waits, each
# answered by a new process.
snap=$tmp/agent.snap
suspend=(--suspend-on host.spawn_agent --suspend-on host.wait)
expect 12 'suspended in host.spawn_agent\(10\); saved to' -- \
  "$halter" run "$agent" --invoke run 10 "${suspend[@]}" --snapshot-to "$snap" --fuel 1000000
expect 12 'suspended in host.spawn_agent\(11\)' -- "$halter" resume "$agent" "$snap" --value 1
expect 12 'suspended in host.spawn_agent\(12\)' -- "$halter" resume "$agent" "$snap" --value 2
expect 12 'suspended in host.wait\(1\)' -- "$halter" resume "$agent" "$snap" --value 3
cp "$snap" "$tmp/at_first_wait.snap"
expect 12 'suspended in host.wait\(2\)' -- "$halter" resume "$agent" "$snap" --value 100
expect 12 'suspended in host.wait\(3\)' -- "$halter" resume "$agent" "$snap" --value 200
expect 0 '^600$' -- "$halter" resume "$agent" "$snap" --value 300 --stats
# The same snapshot resumed twice continues the same way; an error answer
# reaches the guest as a negative code (a failed agent counts 0).
cp "$tmp/at_first_wait.snap" "$snap"
expect 12 'suspended in host.wait\(2\)' -- "$halter" resume "$agent" "$snap" --value 100
expect 12 'suspended in host.wait\(3\)' -- "$halter" resume "$agent" "$snap" --error "agent 2 crashed"
expect 0 '^400$' -- "$halter" resume "$agent" "$snap" --value 300
# --snapshot-to elsewhere leaves the original as it was.
expect 12 'saved to .*/moved.snap' -- \
  "$halter" resume "$agent" "$tmp/at_first_wait.snap" --value 7 --snapshot-to "$tmp/moved.snap"
expect 12 'suspended in host.wait\(2\)' -- \
  "$halter" resume "$agent" "$tmp/at_first_wait.snap" --value 7 --snapshot-to "$tmp/other.snap"

# Out of fuel in one process, fed more in each of the next: the result and
# the fuel used equal the uninterrupted run's.
work=(--invoke count_primes 20000)
want_result=$("$halter" run "$compute" "${work[@]}" --fuel 100000000 --stats 2>"$tmp/plain.err")
want_fuel=$(grep -Eo 'fuel used: +[0-9]+' "$tmp/plain.err" | grep -Eo '[0-9]+')
fsnap=$tmp/primes.snap
"$halter" run "$compute" "${work[@]}" --fuel 50000 --snapshot-to "$fsnap" >/dev/null 2>&1
status=$?
hops=0
got_result=""
while [ "$status" -eq 5 ] && [ "$hops" -lt 1000 ]; do
  got_result=$("$halter" resume "$compute" "$fsnap" --add-fuel 50000 --stats 2>"$tmp/hop.err")
  status=$?
  hops=$((hops + 1))
done
got_fuel=$(grep -Eo 'fuel used: +[0-9]+' "$tmp/hop.err" | grep -Eo '[0-9]+')
if [ "$status" -eq 0 ] && [ "$hops" -gt 5 ] && [ "$got_result" = "$want_result" ] &&
  [ "$got_fuel" = "$want_fuel" ]; then
  pass
else
  fail "count_primes through $hops processes: status $status, result $got_result (want" \
    "$want_result), fuel used $got_fuel (want $want_fuel)"
fi

# A WASI command parked with files open (tests/guests/wasi/journal.c): each
# decide() answered by a new process that grants another copy of the
# directory under the same guest name, /data. The WASI state in the
# snapshot carries the offsets, the listing's place, args, env and the
# deterministic clock; the last process prints the whole run.
journal=$guests/wasi/journal.wasm
fill_journal() {
  mkdir -p "$1/sub"
  printf 'alpha\nbeta\ngamma\ndelta\n' >"$1/in.txt"
  printf 'abcdefghijkl' >"$1/raw.bin"
  for e in e1 e2 e3 e4; do printf '%s' "$e" >"$1/sub/$e"; done
}
fill_journal "$tmp/j0"
jsnap=$tmp/journal.snap
# Each process's stdout in turn (what the guest had buffered is written by
# whichever process flushes it); its status and stderr checked as it goes.
: >"$tmp/journal.out"
hop() {
  local want_status=$1 want=$2
  shift 2
  "$@" >>"$tmp/journal.out" 2>"$tmp/hop.err"
  local status=$?
  if [ "$status" -eq "$want_status" ] && { [ -z "$want" ] || grep -Eq -- "$want" "$tmp/hop.err"; }; then
    pass
  else
    fail "$* -> status $status (want $want_status):"
    sed 's/^/    /' "$tmp/hop.err"
  fi
}
hop 12 'suspended in host.decide\(0\); saved to' \
  "$halter" run "$journal" /data --dir "$tmp/j0::/data:rw" --env GREETING=hello --deterministic \
  --suspend-on host.decide --snapshot-to "$jsnap"
for n in 1 2 3 4; do
  cp -r "$tmp/j$((n - 1))" "$tmp/j$n"
  if [ "$n" -lt 4 ]; then want="suspended in host.decide\\($n\\)"; status=12; else want=''; status=0; fi
  hop "$status" "$want" "$halter" resume "$journal" "$jsnap" --dir "$tmp/j$n::/data:rw" \
    --value $((n * 10 - 3))
done
want_out=$(printf '%s\n' 'line 0: alpha -> 7, raw "abc", entry e1, 1000000 ns in' \
  'line 1: beta -> 17, raw "def", entry e2, 2000000 ns in' \
  'line 2: gamma -> 27, raw "ghi", entry e3, 3000000 ns in' \
  'line 3: delta -> 37, raw "jkl", entry e4, 4000000 ns in' \
  'out: 0 alpha x7' 'out: 1 beta x17' 'out: 2 gamma x27' 'out: 3 delta x37' \
  "arg 0: $journal" 'arg 1: /data' 'GREETING=hello')
if [ "$(head -n 11 "$tmp/journal.out")" = "$want_out" ] &&
  grep -Eqx 'monotonic 0\.005000000, random [0-9a-f]{8}' "$tmp/journal.out" &&
  [ "$(cat "$tmp/j4/out.txt")" = "$(printf '0 alpha x7\n1 beta x17\n2 gamma x27\n3 delta x37')" ]; then
  pass
else
  fail "journal through 5 processes; output:"
  sed 's/^/    /' "$tmp/journal.out"
fi
# The restorer must grant /data; a pipe held open cannot be saved.
expect 13 'needs a preopen named /data' -- "$halter" resume "$journal" "$jsnap" --value 1
fill_journal "$tmp/fifo"
rm "$tmp/fifo/raw.bin"
mkfifo "$tmp/fifo/raw.bin"
expect 13 'fd [0-9]+ \(raw.bin beneath /data\) is a pipe' -- \
  "$halter" run "$journal" --dir "$tmp/fifo::/data:rw" --suspend-on host.decide \
  --snapshot-to "$tmp/fifo.snap"

# Bad input: each a clear error and its own status.
"$halter" run "$compute" "${work[@]}" --fuel 1000 --snapshot-to "$fsnap" >/dev/null 2>&1
expect 2 'out of fuel, not in a host call' -- "$halter" resume "$compute" "$fsnap" --value 1
expect 13 'another module' -- "$halter" resume "$agent" "$fsnap"
head -c 100 "$fsnap" >"$tmp/short.snap"
expect 13 'truncated' -- "$halter" resume "$compute" "$tmp/short.snap"
printf 'garbage' >"$tmp/garbage.snap"
expect 13 'InvalidSnapshot' -- "$halter" resume "$compute" "$tmp/garbage.snap"
expect 1 'directory' -- "$halter" resume "$compute" "$tmp"
expect 2 'returns 1 value\(s\)' -- "$halter" resume "$agent" "$tmp/at_first_wait.snap"
expect 2 'give --value or --error, not both' -- \
  "$halter" resume "$agent" "$tmp/at_first_wait.snap" --value 1 --error no
expect 2 'imports no function host.nope' -- \
  "$halter" run "$agent" --invoke run 1 --suspend-on host.nope
expect 12 'not saved: no --snapshot-to' -- "$halter" run "$agent" --invoke run 1 "${suspend[@]}"

summary
