#!/usr/bin/env bash
# bench/solvers.sh, bench/solver-memory.sh, bench/amg-options.sh and bench/elements.sh
# (its cantilever part, quick ladders) on tiny cases: each writes its CSV and markdown,
# every run converged, and the multigrid's memory options report what they claim (single
# precision: a smaller hierarchy). Never a time.
#   usage: check_solver_benches.sh MEMFEM OUTDIR
set -euo pipefail
memfem=$1 out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rm -rf "$out" && mkdir -p "$out"
export MEMFEM=$memfem
fail() { echo "FAIL: $*" >&2; exit 1; }

"$root/bench/solvers.sh" -p block-jacobi,amg -t 1 -r 2 -b 4 -c boxes -o "$out/solvers" > "$out/solvers.log"
[ "$(grep -c ',converged,' "$out/solvers/solvers.csv")" -eq 2 ] || fail "solvers.sh: expected 2 converged rows"
grep -q '^| box4 | 125 | amg | 1 | converged |' "$out/solvers/solvers.md" || fail "solvers.sh: no amg row in solvers.md"

"$root/bench/solver-memory.sh" -n 4 -t 1 -s 1 -v amg-full,amg-full-single -o "$out/memory" > "$out/memory.log"
python3 - "$out/memory/solver-memory.csv" <<'PY'
import csv, sys
rows = {r["variant"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert set(rows) == {"amg-full", "amg-full-single"}, rows.keys()
assert all(r["status"] == "converged" for r in rows.values())
full, single = (float(rows[v]["hierarchy_bytes_per_node_median"]) for v in ("amg-full", "amg-full-single"))
assert 0 < single < full, (single, full)
PY

"$root/bench/amg-options.sh" -t 1 -r 1 -c box_nu049 -o "$out/options" > "$out/options.log"
[ "$(grep -c ',converged,' "$out/options/amg-options.csv")" -eq 17 ] || fail "amg-options.sh: expected 17 converged rows (the defaults and 16 options)"

"$root/bench/elements.sh" -p "" -q -r 1 -o "$out/elements" > "$out/elements.log"
python3 - "$out/elements/cantilever.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
kinds = {r["element"] for r in rows}
assert kinds == {"tet4", "tet10", "hex8", "hex8 mean-dilatation"}, kinds
assert all(float(r["uz_median"]) < 0 for r in rows), "tip deflections must point down"
assert all(float(r["matrix_bytes_per_node"]) > 0 for r in rows)
PY
grep -q "Cheapest mesh within 1%" "$out/elements/elements.md" || fail "elements.sh: no summary table"
grep -q "| tet10 | 2 |" "$out/elements/elements.md" || fail "elements.sh: tet10 k=2 row missing"
echo "solver benches: solvers.sh, solver-memory.sh, amg-options.sh and elements.sh wrote their tables"
