#!/bin/sh
# Run a command that must fail cleanly: non-zero exit below 128 (no crash, no signal),
# and an error line on stderr matching a pattern.
#   usage: expect_error.sh EXPECTED_RC PATTERN COMMAND [ARGS...]
# EXPECTED_RC is a number or "any" (any clean failure).
set -u
want_rc=$1 pattern=$2
shift 2
err=$(mktemp)
"$@" >/dev/null 2>"$err"
rc=$?
status=0
if [ "$rc" -eq 0 ]; then
  echo "FAIL: exited 0; expected an error matching: $pattern"; status=1
elif [ "$rc" -ge 128 ]; then
  echo "FAIL: killed by a signal or crashed (exit $rc)"; status=1
elif [ "$want_rc" != any ] && [ "$rc" -ne "$want_rc" ]; then
  echo "FAIL: exit $rc, expected $want_rc"; status=1
fi
if ! grep -Eq "memfem: error: .*$pattern" "$err"; then
  echo "FAIL: stderr lacks 'memfem: error: ...$pattern'"; status=1
fi
echo "--- stderr (exit $rc):"; cat "$err"
rm -f "$err"
exit $status
