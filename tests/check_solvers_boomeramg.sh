#!/usr/bin/env bash
# bench/solvers.sh's boomeramg-aggN variant (a hypre build): the case copied with
# linear.boomeramg.aggressive_levels N, its relative mesh path still found; both runs
# converge and each summary.json names the levels it ran with. Never a time.
#   usage: check_solvers_boomeramg.sh MEMFEM OUTDIR
set -euo pipefail
memfem=$1 out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rm -rf "$out" && mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
MEMFEM=$memfem MEMFEM_HYPRE=$memfem "$root/bench/solvers.sh" -p boomeramg,boomeramg-agg1 -t 1 -r 1 \
  -c plate_hole,boxes -b 6 -o "$out" > "$out/solvers.log"
[ "$(grep -c ',converged,' "$out/solvers.csv")" -eq 4 ] || fail "expected 4 converged rows: $(cat "$out/solvers.csv")"
for c in plate_hole box6; do
  for v in "boomeramg 0" "boomeramg-agg1 1"; do
    set -- $v
    levels=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["linear"]["boomeramg"]["aggressive_levels"])' \
      "$out/runs/$c-$1-t1-r1/summary.json")
    [ "$levels" = "$2" ] || fail "$c with $1: aggressive_levels $levels in summary.json, expected $2"
  done
done
grep -q '^| plate_hole | [0-9]* | boomeramg-agg1 | 1 | converged |' "$out/solvers.md" || fail "no boomeramg-agg1 row"
echo "solvers.sh boomeramg-agg1: the case with aggressive_levels 1, converged"
