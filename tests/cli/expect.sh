# Shared by the CLI test scripts, which source it: a scratch directory
# ($tmp, removed on exit), the pass/fail counters, `expect`, and `summary`
# to end with (prints "N passed, N failed"; fails when any failed).

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}

# expect STATUS PATTERN -- COMMAND...: runs COMMAND, checks its exit status and
# that its combined output matches the extended regex PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 3
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -eq "$want" ] && grep -Eq -- "$pattern" <<<"$out"; then
    pass
  else
    fail "$* -> status $status (want $want), output:"
    sed 's/^/    /' <<<"$out"
  fi
}

# wait_for_sigint_handler PID: returns once PID catches SIGINT (its
# SigCgt mask has bit 2), so a SIGINT sent next reaches halter's handler
# rather than killing a process still starting up (at most 10 s).
wait_for_sigint_handler() {
  local mask
  for _ in $(seq 200); do
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 0
    [ -n "$mask" ] && (((16#$mask & 2) != 0)) && return 0
    sleep 0.05
  done
}

summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
