#!/bin/sh
# A run whose Newton fails after all cutbacks: exit 1, a clear error, and a summary.json
# that records the failure and keeps the steps that converged.
#   usage: check_failed_run.sh MEMFEM CASE OUTDIR
set -u
memfem=$1 case=$2 out=$3
rm -rf "$out"
"$memfem" run "$case" --out "$out" --quiet >/dev/null 2>"$out.err"
rc=$?
cat "$out.err"
[ "$rc" -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
grep -q "memfem: error: load step" "$out.err" || { echo "FAIL: no error line"; exit 1; }
[ -f "$out/summary.json" ] || { echo "FAIL: no summary.json"; exit 1; }
grep -Eq '"status":[[:space:]]*"load step' "$out/summary.json" || { echo "FAIL: status not recorded"; exit 1; }
grep -Eq '"step":[[:space:]]*1,' "$out/summary.json" || { echo "FAIL: converged steps missing"; exit 1; }
grep -Eq '"converged":[[:space:]]*false' "$out/summary.json" && { echo "FAIL: unconverged step listed"; exit 1; }
echo "ok: failed run reported and summarised"
