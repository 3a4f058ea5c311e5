# Helpers shared by the end-to-end test scripts (sourced, not run).
# Each script calls check for every assertion and e2e_finish at the end,
# which prints the closing "N passed, N failed" line and sets the status.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

# quiet COMMAND...: runs it with stdout discarded.
quiet() { "$@" >/dev/null; }

# jqtrue FILE FILTER: FILTER, run over all the JSON lines of FILE as one
# array, is true.
jqtrue() { jq -e -s "$2" "$1" >/dev/null; }

# jqone FILE FILTER: FILTER, run over the one JSON document in FILE, is true.
jqone() { jq -e "$2" "$1" >/dev/null; }

e2e_finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
