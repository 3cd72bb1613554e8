#!/usr/bin/env bash
# Smoke test of scripts/scaling.sh (issue 4, item 6): threads 1,2 on a tiny box, one
# repetition, small STREAM arrays. Checks that strong.csv, weak.csv and both PNGs exist,
# that each CSV has a row per thread count with the documented columns, and that the
# strong study's checksums agree across thread counts. Never asserts on wall time.
# Exit 77 (skip) without gnuplot.
#   usage: check_scaling.sh MEMFEM OUTDIR
set -euo pipefail
memfem=$1 out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v gnuplot > /dev/null || { echo "gnuplot not installed (Debian gnuplot-nox): skipped"; exit 77; }
rm -rf "$out"
MEMFEM=$memfem "$root/scripts/scaling.sh" --threads 1,2 --mesh box:1x1x1:4x4x4 --reps 1 --out "$out" --stream-mb 8
fail=0
for f in strong.csv weak.csv strong.png weak.png machine.txt; do
  [ -s "$out/$f" ] || { echo "FAIL: $out/$f missing or empty"; fail=1; }
done
python3 - "$out" <<'PY' || fail=1
import csv, sys
out = sys.argv[1]
need = ["threads", "reps", "elements", "wall_median", "wall_min", "wall_max", "assembly", "solve", "spmv", "pc",
        "vec", "output", "assembly_elements_per_s", "cg_bandwidth_gbs", "stream_triad_gbs", "cg_bandwidth_ratio",
        "efficiency", "checksum"]
bad = []
for study in ("strong", "weak"):
    rows = list(csv.DictReader(open("%s/%s.csv" % (out, study))))
    if [r["threads"] for r in rows] != ["1", "2"]:
        bad.append("%s.csv threads %s" % (study, [r["threads"] for r in rows]))
    missing = [c for c in need if rows and c not in rows[0]]
    if missing:
        bad.append("%s.csv lacks %s" % (study, missing))
    for r in rows:
        if r["checksum"] in ("", "MIXED") or float(r["stream_triad_gbs"]) <= 0:
            bad.append("%s.csv row %s" % (study, r))
    if study == "strong" and len({r["checksum"] for r in rows}) != 1:
        bad.append("strong checksums differ: %s" % [r["checksum"] for r in rows])
    if study == "weak" and rows and int(rows[1]["elements"]) != 2 * int(rows[0]["elements"]):
        bad.append("weak elements %s" % [r["elements"] for r in rows])
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ $fail = 0 ] && echo "scaling smoke test passed"
exit $fail
