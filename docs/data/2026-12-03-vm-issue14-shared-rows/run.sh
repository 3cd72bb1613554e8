#!/usr/bin/env bash
# The distributed matrix as a view of the part's assembled rows (issue 14): two MPI builds
# interleaved, 2 ranks x 1 thread (a core each), on the linear-elastic box of
# configs/box_1m.yaml at 40^3 and 64^3 cells, with amg and with block-Jacobi.
#   usage: run.sh MEMFEM_BEFORE MEMFEM_AFTER OUTDIR [ROUNDS]   (MPI builds of the same configuration)
# Writes OUTDIR/results.csv: per run, the largest rank's and the summed peak RSS, rank 0's
# matrix bytes, the assembly, pc set-up and solve seconds, CG iterations and checksum.
set -euo pipefail
before=$1 after=$2 out=$3 rounds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd) root=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
sed "s|\.\./meshes/|$root/meshes/|" "$root/configs/box_1m.yaml" > "$out/case-block-jacobi.yaml"
sed 's/^linear: {preconditioner: block-jacobi,/linear: {preconditioner: amg,/' "$out/case-block-jacobi.yaml" \
  > "$out/case-amg.yaml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
export OMP_PROC_BIND=close OMP_PLACES=cores
echo "build,cells,pc,round,peak_rss_mib,peak_rss_sum_mib,matrix_mb,assembly_s,pc_setup_s,solve_s,total_s,cg,checksum" \
  > "$out/results.csv"
for cells in 40 64; do
  for pc in amg block-jacobi; do
    [ "$cells" = 64 ] && [ "$pc" = block-jacobi ] && continue # minutes of CG: the 40^3 box shows it
    for r in $(seq "$rounds"); do
      for b in before after; do
        exe=${!b}
        d="$out/$b-$cells-$pc-r$r"
        mpirun -n 2 --map-by slot:PE=1 --bind-to core "$exe" run "$out/case-$pc.yaml" \
          --mesh "box:1x1x1:${cells}x${cells}x${cells}" --quiet --threads 1 --out "$d" > "$d.txt" 2>&1
        /usr/bin/python3 - "$d/summary.json" "$b" "$cells" "$pc" "$r" >> "$out/results.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fom, t = s["fom"], s["run"]["seconds"]
cg = sum(x["cg_iterations"] for x in s["steps"])
print(",".join(sys.argv[2:6] + ["%.1f" % (fom["peak_rss_bytes"] / 2**20),
                "%.1f" % (fom["peak_rss_bytes_sum_over_ranks"] / 2**20), "%.1f" % (fom["matrix_bytes"] / 1e6),
                "%.3f" % t["assembly"], "%.3f" % t["pc_setup"], "%.3f" % t["solve"], "%.3f" % t["total"], str(cg),
                s["displacement_checksum"]]))
PY
        rm -rf "$d"
      done
    done
  done
done
cat "$out/results.csv"
