#!/usr/bin/env bash
# End-to-end checks of the halter CLI: exit statuses, limit flags, --stats.
#   cli_test.sh HALTER EXAMPLES_DIR GUESTS_DIR FLITE_WASM
set -u
halter=$1
examples=$2
wasi=$3/wasi
guests=$3
flite=$4
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

runaway=$examples/runaway.wasm
expect 6 'deadline exceeded' -- "$halter" run "$runaway" --invoke spin --timeout 100ms
expect 5 'out of fuel after 1000000 units' -- "$halter" run "$runaway" --invoke spin --fuel 1000000
expect 5 'fuel used: +1000000 of 1000000' -- "$halter" run "$runaway" --invoke spin --fuel 1000000 --stats
expect 0 '^64$' -- "$halter" run "$runaway" --invoke grow_all --max-memory 4MiB
expect 0 'a grow was refused by --max-memory' -- "$halter" run "$runaway" --invoke grow_all --max-memory 4MiB --stats
expect 0 'peak memory: 4.00 MiB' -- "$halter" run "$runaway" --invoke grow_all --max-memory 4MiB --stats
expect 2 'bad duration "soon"' -- "$halter" run "$runaway" --invoke spin --timeout soon
expect 2 'bad size "lots"' -- "$halter" run "$runaway" --invoke spin --max-memory lots
expect 2 'must not be negative' -- "$halter" run "$runaway" --invoke spin --fuel -5
expect 9 'exceeds the limit' -- "$halter" run "$runaway" --invoke spin --max-memory 1KiB
expect 4 'StackExhausted' -- "$halter" run "$examples/compute.wasm" --invoke fib 20 --max-stack 16
expect 4 'IntegerDivideByZero' -- "$halter" run "$examples/compute.wasm" --invoke divide 7 0

# disasm: register code by function index or export name.
expect 0 '^func [0-9]+ "fib":$' -- "$halter" disasm "$examples/compute.wasm" --func fib
expect 0 '^0: Fuel #[0-9]+$' -- "$halter" disasm "$examples/compute.wasm" --func fib --metered
expect 0 'Return' -- "$halter" disasm "$examples/compute.wasm"
expect 2 'no function nope' -- "$halter" disasm "$examples/compute.wasm" --func nope
expect 2 'no function 999' -- "$halter" disasm "$examples/compute.wasm" --func 999
printf 'not wasm' >"$tmp/bad.wasm"
expect 1 'BadMagic' -- "$halter" disasm "$tmp/bad.wasm"

# WASI commands: _start with argv, stdio, granted directories, exit codes.
printf 'one two\nthree\n' >"$tmp/in.txt"
mkdir -p "$tmp/data" "$tmp/out"
echo "inside" >"$tmp/data/file.txt"
expect 0 '^ *2 +3 +14$' -- "$halter" run "$wasi/wc.wasm" --stdin "$tmp/in.txt"
expect 0 '^inside$' -- "$halter" run "$wasi/cat.wasm" --dir "$tmp/data::/data" -- /data/file.txt
expect 1 'ENOTCAPABLE|ENOENT' -- "$halter" run "$wasi/cat.wasm" --dir "$tmp/data::/data" -- /etc/passwd
expect 1 'ENOTCAPABLE' -- "$halter" run "$wasi/cat.wasm" --dir "$tmp/data::/data" -- /data/../../etc/passwd
expect 0 'write /out/new.txt: EROFS' -- "$halter" run "$wasi/fs.wasm" --dir "$tmp/out::/out" -- write /out/new.txt hello
expect 0 'write /out/new.txt: ok' -- "$halter" run "$wasi/fs.wasm" --dir "$tmp/out::/out:rw" -- write /out/new.txt hello
expect 0 '^hello' -- cat "$tmp/out/new.txt"
expect 7 'exiting with 7' -- "$halter" run "$wasi/exit.wasm" -- 7
expect 0 'scaling 14' -- "$halter" run "$wasi/reactor.wasm" --invoke scaled 14
expect 0 '^42$' -- "$halter" run "$wasi/reactor.wasm" --invoke scaled 14
expect 0 'env: GREETING=hi' -- "$halter" run "$wasi/env.wasm" --env GREETING=hi
expect 2 'bad --env' -- "$halter" run "$wasi/env.wasm" --env novalue
expect 2 'bad --dir' -- "$halter" run "$wasi/env.wasm" --dir ::/x
# A missing preopen is reported before the module is read or compiled.
expect 2 'no-such-dir' -- "$halter" run "$tmp/no-such-module.wasm" --dir "$tmp/no-such-dir::/x"
expect 2 'not a WASI command' -- "$halter" run "$runaway"
expect 6 'deadline exceeded' -- "$halter" run "$wasi/sleep.wasm" --timeout 100ms -- 5000
# The npm program (scripts/fetch_guests.sh): Flite writes a WAV file.
mkdir -p "$tmp/speech"
expect 0 '' -- "$halter" run "$flite" --dir "$tmp/speech::/out:rw" -- -t "hello world" -o /out/hello.wav
expect 0 '^17246$' -- stat -c %s "$tmp/speech/hello.wav"
# Pipelines: the final output alone on stdout, the summary on stderr, exit
# 10 for a bad manifest and 11 for a failed pipeline.
cat >"$tmp/chain.yaml" <<YAML
strategy: level
processors:
  - {id: up, type: local, processor: change_text_case_upper}
  - {id: app, type: wasm, module: $guests/dagwood_append.wasm, depends_on: [up]}
  - {id: count, type: local, processor: token_counter, depends_on: [app]}
  - {id: rev, type: local, processor: reverse_text, depends_on: [count]}
YAML
expect 0 '^MSAW::IH$' -- sh -c "'$halter' pipeline run '$tmp/chain.yaml' --input hi 2>/dev/null"
expect 0 '^MSAW::IH$' -- sh -c "echo -n hi | '$halter' pipeline run '$tmp/chain.yaml' 2>/dev/null"
expect 0 'pipeline succeeded \(level\): 4 returned' -- "$halter" pipeline run "$tmp/chain.yaml" --input hi
expect 0 'pipeline succeeded \(reactive\)' -- "$halter" pipeline run "$tmp/chain.yaml" --input hi --strategy reactive
expect 0 '"outcome": "returned"' -- sh -c "'$halter' pipeline run '$tmp/chain.yaml' --input hi --report '$tmp/r.json' >/dev/null 2>&1; cat '$tmp/r.json'"
expect 0 'level 2: count' -- "$halter" pipeline check "$tmp/chain.yaml"
expect 0 '"up" -> "app";' -- "$halter" pipeline graph "$tmp/chain.yaml"
cat >"$tmp/failing.yaml" <<YAML
strategy: work_queue
failure_strategy: continue_on_error
processors:
  - {id: bad, type: wasm, module: $guests/dagwood_trap.wasm}
  - {id: after, type: local, processor: reverse_text, depends_on: [bad]}
  - {id: other, type: local, processor: reverse_text}
YAML
expect 11 "dependency 'bad' trapped" -- "$halter" pipeline run "$tmp/failing.yaml" --input x
# The live progress view: on stderr when it is a terminal (script gives it
# one), or with --progress always; never in a pipe by default.
cat >"$tmp/spin.yaml" <<YAML
strategy: level
processors:
  - {id: spin, type: wasm, module: $guests/dagwood_loop.wasm, options: {fuel_level: 500000000, timeout: 400ms}}
YAML
expect 11 '\[0/1\] 0 done, 0 failed, 0 skipped, 1 running: spin 0\.[0-9]s' -- "$halter" pipeline run "$tmp/spin.yaml" --input x --progress always
expect 0 '\[[0-4]/4\] ' -- script -qec "'$halter' pipeline run '$tmp/chain.yaml' --input hi" /dev/null
if "$halter" pipeline run "$tmp/spin.yaml" --input x 2>&1 | grep -q 'running'; then
  failed=$((failed + 1))
  echo "FAIL: the progress view was drawn into a pipe"
else passed=$((passed + 1)); fi
printf 'strategy: level_by_level\nprocessors: []\n' >"$tmp/bad.yaml"
expect 10 'unknown variant `level_by_level`' -- "$halter" pipeline check "$tmp/bad.yaml"
printf 'strategy: level\nprocessors:\n  - {id: a, type: local, processor: nope}\n' >"$tmp/bad2.yaml"
expect 10 "Unknown local processor implementation: 'nope'" -- "$halter" pipeline run "$tmp/bad2.yaml" --input x
expect 1 'cannot read' -- "$halter" pipeline check "$tmp/missing.yaml"
expect 1 'Is a directory' -- "$halter" pipeline check "$tmp"
expect 2 'input-file .*: Is a directory' -- "$halter" pipeline run "$tmp/chain.yaml" --input-file "$tmp"
expect 2 'stdin: Is a directory' -- sh -c "'$halter' pipeline run '$tmp/chain.yaml' < '$tmp'"
printf 'strategy: level\ntypo: 1\nprocessors: []\n' >"$tmp/warn.yaml"
expect 0 'warning: manifest: unknown key `typo`' -- "$halter" pipeline check "$tmp/warn.yaml"
first=$("$halter" run "$wasi/env.wasm" --deterministic --seed 5 2>&1)
second=$("$halter" run "$wasi/env.wasm" --deterministic --seed 5 2>&1)
if [ -n "$first" ] && [ "$first" = "$second" ]; then passed=$((passed + 1)); else
  failed=$((failed + 1))
  echo "FAIL: --deterministic runs differ"
fi

# Module files are read bounded (--max-module-size, default 1 GiB): exit status 8.
# `timeout` turns a read that never ends into a failure instead of a hang.
truncate -s 1073741825 "$tmp/sparse.wasm" # one byte above 1 GiB, no disk used
expect 8 'its size, 1.00 GiB, is above the limit of 1.00 GiB' -- timeout 20 "$halter" validate "$tmp/sparse.wasm"
expect 8 'above the limit' -- timeout 20 "$halter" inspect "$tmp/sparse.wasm"
expect 8 'above the limit' -- timeout 20 "$halter" run "$tmp/sparse.wasm"
expect 8 '/dev/zero: it holds more than the limit of 1.00 MiB' -- timeout 20 "$halter" validate /dev/zero --max-module-size 1MiB
expect 8 'more than the limit of 64.00 KiB' -- timeout 20 bash -c "yes | '$halter' validate /dev/stdin --max-module-size 64KiB"
expect 1 'BadMagic' -- timeout 20 bash -c "head -c 100 /dev/zero | '$halter' validate /dev/stdin --max-module-size 100"
expect 8 'more than the limit of 99 B' -- timeout 20 bash -c "head -c 100 /dev/zero | '$halter' validate /dev/stdin --max-module-size 99"
size=$(stat -c %s "$runaway")
expect 0 '^ok$' -- "$halter" validate "$runaway" --max-module-size "$size"
expect 8 'above the limit' -- "$halter" validate "$runaway" --max-module-size $((size - 1))
expect 2 'bad size' -- "$halter" validate "$runaway" --max-module-size lots
expect 2 'max-call-depth must be at least 1' -- "$halter" run "$runaway" --invoke spin --max-call-depth 0

# Ctrl-C cancels the guest: exit status 7.
"$halter" run "$runaway" --invoke spin >/dev/null 2>&1 &
pid=$!
wait_for_sigint_handler $pid
sleep 0.1
kill -INT $pid
wait $pid
status=$?
if [ $status -eq 7 ]; then passed=$((passed + 1)); else
  failed=$((failed + 1))
  echo "FAIL: SIGINT during spin -> status $status (want 7)"
fi

summary
