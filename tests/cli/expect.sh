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

summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
