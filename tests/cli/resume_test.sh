#!/usr/bin/env bash
# Executions saved by one halter process and continued by others (README
# "Snapshots"): `run --suspend-on --snapshot-to` and `resume`, across a
# chain of processes, against the uninterrupted run.
#   resume_test.sh HALTER EXAMPLES_DIR
set -u
halter=$1
examples=$2
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
