#!/usr/bin/env bash
# Renumbering benchmark (docs/performance.md, "Renumbering"): the box case of
# configs/box_1m.yaml on a 40^3-cell box (68,921 nodes) in its generated (lexicographic)
# order and shuffled (bench/shuffle_mesh.py), plus the Gmsh cases, under every reorder
# setting, REPS times each; one CSV row per run with the timers of summary.json.
# usage: bench/reorder.sh BUILD_DIR OUT_DIR [THREADS (default 2)] [REPS (default 3)]
#        ND_BUILD=dir also times the nested-dissection METIS variant
#        (cmake -DCMAKE_C_FLAGS=-DMF_REORDER_METIS_KWAY=0) as "metis-nd".
set -euo pipefail
build=$1 out=$2 threads=${3:-2} reps=${4:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3 # Debian's, with h5py
mkdir -p "$out"
memfem=$build/src/memfem
[ -f "$out/box40.h5" ] || "$memfem" convert box:1x1x1:40x40x40 "$out/box40.h5" >/dev/null
[ -f "$out/box40-shuffled.h5" ] || $py "$here/bench/shuffle_mesh.py" "$out/box40.h5" "$out/box40-shuffled.h5" >/dev/null
# one load step, looser tolerances: the figures are per CG iteration and per element
sed -e 's|^steps:.*|steps: {count: 1}|' -e 's|^newton:.*|newton: {rtol: 1.0e-4, atol: 1.0e-10, max_iter: 25}|' \
    -e 's|^linear:.*|linear: {preconditioner: block-jacobi, rtol: 1.0e-4, max_iter: 20000}|' \
    -e 's|^output:.*|output: {dir: out/reorder, every: 0}|' "$here/configs/box_1m.yaml" > "$out/box.yaml"
csv=$out/reorder-t$threads.csv
echo "mesh,reorder,threads,rep,reorder_s,assembly_s,elements_assembled,cg_s,cg_iterations,us_per_cg_iter,ns_per_element" > "$csv"
run() { # mesh-label case mesh-override reorder binary
  local label=$1 case=$2 mesh=$3 reorder=$4 bin=$5 name=$4 steps1=""
  [ -z "$mesh" ] && steps1="--steps 1" # the Gmsh cases: their first load step only
  [ "$bin" != "$memfem" ] && name=metis-nd
  for rep in $(seq 1 "$reps"); do
    local d=$out/run-$label-$name-t$threads-$rep
    "$bin" run "$case" ${mesh:+--mesh "$mesh"} $steps1 --reorder "$reorder" --threads "$threads" --quiet --out "$d" >/dev/null
    $py - "$d/summary.json" "$label" "$name" "$threads" "$rep" >> "$csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); f = s["fom"]; t = f["seconds"]
cg = t["cg_spmv"] + t["cg_preconditioner"] + t["cg_vector_ops"]
print("%s,%s,%s,%s,%.4f,%.4f,%d,%.4f,%d,%.2f,%.1f" % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
      s["run"]["seconds"]["reorder"], t["assembly"], f["elements_assembled"], cg, f["cg_iterations"],
      1e6 * cg / f["cg_iterations"], 1e9 * t["assembly"] / f["elements_assembled"]))
PY
  done
}
for label in box40 box40-shuffled; do
  for r in none rcm metis; do run "$label" "$out/box.yaml" "$out/$label.h5" "$r" "$memfem"; done
  [ -n "${ND_BUILD:-}" ] && run "$label" "$out/box.yaml" "$out/$label.h5" metis "$ND_BUILD/src/memfem"
done
for c in cantilever plate_hole; do
  for r in none rcm metis; do run "$c" "$here/configs/$c.yaml" "" "$r" "$memfem"; done
done
echo "wrote $csv"
