#!/usr/bin/env bash
# Smoke test of scripts/scaling.sh (issues 4 and 14): threads 1,2 (or, with --ranks, 1 and
# 2 ranks of 1 thread, or with --configs 2x1,1x2 and amg: a memfem built with MPI) on a
# tiny box, one repetition, small STREAM arrays. Checks that strong.csv, weak.csv and both PNGs exist, that each CSV has a
# row per configuration with the documented columns, that the strong study's checksums
# agree across configurations, and that a 2-rank run reports communication time. Never
# asserts on wall time. Exit 77 (skip) without gnuplot.
#   usage: check_scaling.sh MEMFEM OUTDIR [--ranks|--configs]
set -euo pipefail
memfem=$1 out=$2 mode=${3:-threads}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v gnuplot > /dev/null || { echo "gnuplot not installed (Debian gnuplot-nox): skipped"; exit 77; }
rm -rf "$out"
if [ "$mode" = --ranks ]; then
  configs=1x1,2x1
  MEMFEM=$memfem "$root/scripts/scaling.sh" --ranks 1,2 --threads 1 --mesh box:1x1x1:4x4x4 --reps 1 --out "$out" \
    --stream-mb 8
elif [ "$mode" = --configs ]; then # the pairs named, in cores-then-ranks order, with amg
  configs=1x2,2x1
  MEMFEM=$memfem "$root/scripts/scaling.sh" --configs 2x1,1x2 --preconditioner amg --mesh box:1x1x1:4x4x4 \
    --reps 1 --out "$out" --stream-mb 8
  grep -q '"preconditioner":[[:space:]]*"amg"' "$out/runs/strong-r2t1-rep1/summary.json" ||
    { echo "FAIL: --preconditioner amg did not reach the run"; exit 1; }
else
  configs=1x1,1x2
  MEMFEM=$memfem "$root/scripts/scaling.sh" --threads 1,2 --mesh box:1x1x1:4x4x4 --reps 1 --out "$out" --stream-mb 8
fi
fail=0
for f in strong.csv weak.csv strong.png weak.png machine.txt; do
  [ -s "$out/$f" ] || { echo "FAIL: $out/$f missing or empty"; fail=1; }
done
python3 - "$out" "$configs" <<'PY' || fail=1
import csv, sys
out, configs = sys.argv[1], sys.argv[2].split(",")
need = ["config", "ranks", "threads", "cores", "communication", "reps", "elements", "wall_median", "wall_min", "wall_max", "assembly", "solve", "spmv", "pc",
        "vec", "output", "assembly_elements_per_s", "cg_bandwidth_gbs", "stream_triad_gbs", "cg_bandwidth_ratio",
        "efficiency", "checksum", "peak_rss_mib", "peak_rss_sum_mib", "pc_setup"]
bad = []
for study in ("strong", "weak"):
    rows = list(csv.DictReader(open("%s/%s.csv" % (out, study))))
    if [r.get("config") for r in rows] != configs:
        bad.append("%s.csv configurations %s, expected %s" % (study, [r.get("config") for r in rows], configs))
    for r in rows:
        if (float(r["communication"]) > 0) != (int(r["ranks"]) > 1):
            bad.append("%s.csv %s: communication %s s" % (study, r["config"], r["communication"]))
    missing = [c for c in need if rows and c not in rows[0]]
    if missing:
        bad.append("%s.csv lacks %s" % (study, missing))
    for r in rows:
        if r["checksum"] in ("", "MIXED") or float(r["stream_triad_gbs"]) <= 0:
            bad.append("%s.csv row %s" % (study, r))
    if study == "strong" and len({r["checksum"] for r in rows}) != 1:
        bad.append("strong checksums differ: %s" % [r["checksum"] for r in rows])
    if study == "weak" and len({int(r["elements"]) / int(r["cores"]) for r in rows}) != 1:
        bad.append("weak elements per core %s" % [(r["elements"], r["cores"]) for r in rows])
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ $fail = 0 ] && echo "scaling smoke test passed"
exit $fail
