#!/usr/bin/env bash
# `halter preinit` end to end: a C guest's expensive init (tests/guests/wasi/
# primes.c) pre-initialised, then run under halter and under Node's V8
# (node:wasi) with the same output as the original, for much less fuel;
# the written module validates with wabt; refusals give the exit statuses
# of exit_status.h.
#   preinit_test.sh HALTER GUESTS_DIR NODE_WASI_MJS WAT2WASM
set -u
halter=$1
wasi=$2/wasi
node_wasi=$3
wat2wasm=$4
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

in=$wasi/primes.wasm
out=$tmp/primes.pre.wasm
expect 0 "wrote $out" -- "$halter" preinit "$in" -o "$out"
[ -s "$out" ] || fail "no module written"
expect 0 '^ok$' -- "$halter" validate "$out"
if command -v wasm-validate >/dev/null; then
  expect 0 '' -- wasm-validate "$out"
else
  echo "note: no wasm-validate (wabt); not checked"
fi
# The written module exports neither the init function nor has a start section.
expect 1 '' -- sh -c "'$halter' inspect '$out' | grep -E 'wizer.initialize|^ +8 start'"

original=$("$halter" run "$in" 2>&1)
pre=$("$halter" run "$out" 2>&1)
if grep -q '^pre-initialised: no$' <<<"$original" && grep -q '^primes below 2000000: 148933$' <<<"$original"; then pass; else
  fail "the original printed:"
  sed 's/^/    /' <<<"$original"
fi
# Everything but the first line is the same; the first says who did the init.
if [ "$(sed 1d <<<"$original")" = "$(sed 1d <<<"$pre")" ] && grep -q '^pre-initialised: yes$' <<<"$pre"; then pass; else
  fail "the pre-initialised module printed:"
  sed 's/^/    /' <<<"$pre"
fi
if command -v node >/dev/null; then
  node_pre=$(node --no-warnings "$node_wasi" "$out" 2>&1)
  node_original=$(node --no-warnings "$node_wasi" "$in" 2>&1)
  if [ "$node_pre" = "$pre" ] && [ "$node_original" = "$original" ]; then pass; else
    fail "node printed other lines:"
    sed 's/^/    /' <<<"$node_pre"
  fi
else
  echo "note: no node; the written module was not run under V8"
fi

# Fuel: the pre-initialised run skips the sieve (over 20 times less fuel).
fuel_of() {
  "$halter" run "$1" --fuel 1000000000000 --stats 2>&1 >/dev/null | sed -n 's/^fuel used: *\([0-9]*\) of .*/\1/p'
}
fuel_original=$(fuel_of "$in")
fuel_pre=$(fuel_of "$out")
echo "fuel used: original $fuel_original, pre-initialised $fuel_pre"
if [ -n "$fuel_original" ] && [ -n "$fuel_pre" ] && [ $((fuel_pre * 20)) -lt "$fuel_original" ]; then pass; else
  fail "fuel: original $fuel_original, pre-initialised $fuel_pre"
fi
# Pre-initialising again changes nothing the guest can see.
expect 0 'wrote' -- "$halter" preinit "$in" -o "$tmp/again.wasm"
if cmp -s "$out" "$tmp/again.wasm"; then pass; else fail "two preinits of one module differ"; fi

# Refusals and their exit statuses.
wat() { # NAME TEXT: $tmp/NAME.wasm from the WAT text
  printf '%s\n' "$2" >"$tmp/$1.wat"
  "$wat2wasm" "$tmp/$1.wat" -o "$tmp/$1.wasm" || fail "wat2wasm $1"
}
wat trap '(module (func (export "wizer.initialize") unreachable))'
wat spin '(module (func (export "wizer.initialize") (loop $l (br $l))))'
wat typed '(module (func (export "wizer.initialize") (param i32)))'
wat memory '(module (import "env" "mem" (memory 1)) (func (export "wizer.initialize")))'
wat exit '(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32)))
  (memory (export "memory") 1) (func (export "wizer.initialize") (call $e (i32.const 3))))'
wat setup '(module (global $g (mut i32) (i32.const 0)) (func (export "setup") (global.set $g (i32.const 5)))
  (func (export "get") (result i32) (global.get $g)))'
expect 4 'init function "wizer.initialize" trapped: .*unreachable' -- "$halter" preinit "$tmp/trap.wasm" -o "$tmp/x.wasm"
expect 5 'ran out of fuel after 1000 units' -- "$halter" preinit "$tmp/spin.wasm" -o "$tmp/x.wasm" --fuel 1000
expect 6 'passed its deadline' -- "$halter" preinit "$tmp/spin.wasm" -o "$tmp/x.wasm" --timeout 100ms
expect 2 'it must be \(\) -> \(\)' -- "$halter" preinit "$tmp/typed.wasm" -o "$tmp/x.wasm"
expect 2 'exports no function "nope"' -- "$halter" preinit "$in" -o "$tmp/x.wasm" --init-func nope
expect 1 'it imports env.mem, a memory' -- "$halter" preinit "$tmp/memory.wasm" -o "$tmp/x.wasm"
expect 4 'exited with code 3' -- "$halter" preinit "$tmp/exit.wasm" -o "$tmp/x.wasm"
expect 2 'bad --env' -- "$halter" preinit "$in" -o "$tmp/x.wasm" --env novalue
expect 2 'must not be negative' -- "$halter" preinit "$in" -o "$tmp/x.wasm" --fuel -1
expect 2 'output' -- "$halter" preinit "$in"
expect 1 'BadMagic' -- sh -c "printf 'not wasm' >'$tmp/bad.wasm'; '$halter' preinit '$tmp/bad.wasm' -o '$tmp/x.wasm'"
expect 1 'cannot write' -- "$halter" preinit "$tmp/setup.wasm" --init-func setup -o "$tmp/no-such-dir/x.wasm"
[ -e "$tmp/x.wasm" ] && fail "a refused preinit wrote its output"
# --init-func: another name, and the state it left.
expect 0 'wrote' -- "$halter" preinit "$tmp/setup.wasm" --init-func setup -o "$tmp/setup.pre.wasm"
expect 0 '^5$' -- "$halter" run "$tmp/setup.pre.wasm" --invoke get
expect 2 'no exported function "setup"' -- "$halter" run "$tmp/setup.pre.wasm" --invoke setup

summary
