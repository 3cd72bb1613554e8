#!/usr/bin/env bash
# Assembly order (issue 4 item 2): plain colouring against METIS blocks with a coloured
# interface, on the same meshes, at each thread count, REPS runs each (median, min-max of
# assembled elements per second from summary.json). One load step of each case: the
# figure is the assembly rate, which the solve does not affect.
#
#   usage: bench/assembly-order.sh [-t 1,2] [-r 3] [-o DIR]
#   MEMFEM=path/to/memfem (default build/src/memfem)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=1,2 reps=3 out=$(mktemp -d)
while getopts t:r:o: opt; do
  case $opt in
    t) threads=$OPTARG ;; r) reps=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n 2,8p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "build memfem first (scripts/build.sh)" >&2; exit 2; }
export OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores}
cases=("box40 $root/configs/box_1m.yaml box:1x1x1:40x40x40"
       "cantilever $root/configs/cantilever.yaml -"
       "plate_hole $root/configs/plate_hole.yaml -")
mkdir -p "$out"
csv=$out/assembly-order.csv
echo "mesh,assembly,threads,rep,elements_per_s,assembly_s,blocks,interface_share,checksum" > "$csv"
for r in $(seq 1 "$reps"); do
  for c in "${cases[@]}"; do
    read -r name case_file mesh <<< "$c"
    for t in ${threads//,/ }; do
      for a in colour blocks; do
        d=$out/$name-$a-$t-$r
        args=(run "$case_file" --assembly "$a" --threads "$t" --steps 1 --quiet --out "$d")
        [ "$mesh" != - ] && args+=(--mesh "$mesh")
        "$memfem" "${args[@]}" > /dev/null
        python3 - "$d/summary.json" "$name" "$a" "$t" "$r" >> "$csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); f = s["fom"]; m = s["mesh"]
print(",".join(sys.argv[2:6] + ["%.0f" % f["assembly_elements_per_s"], "%.4f" % f["seconds"]["assembly"],
      str(m["assembly_blocks"]), "%.3f" % m["assembly_interface_share"], s["displacement_checksum"]]))
PY
      done
    done
  done
done
python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
groups = {}
for r in rows:
    groups.setdefault((r["mesh"], r["threads"], r["assembly"]), []).append(r)
print("| mesh | threads | assembly | M elements/s, median (min-max) | blocks | interface share |")
print("|---|---|---|---|---|---|")
for (mesh, t, a), rs in sorted(groups.items()):
    v = [float(r["elements_per_s"]) / 1e6 for r in rs]
    print("| %s | %s | %s | %.2f (%.2f-%.2f) | %s | %s |" % (mesh, t, a, statistics.median(v), min(v), max(v),
                                                     rs[0]["blocks"], rs[0]["interface_share"]))
for mesh in sorted({r["mesh"] for r in rows}):
    for a in ("colour", "blocks"):
        sums = {r["checksum"] for r in rows if r["mesh"] == mesh and r["assembly"] == a}
        if len(sums) != 1:
            sys.exit("%s %s: checksums differ across thread counts: %s" % (mesh, a, sums))
print("\nchecksums identical across thread counts and repetitions for each mesh and order")
PY
echo "csv: $csv"
