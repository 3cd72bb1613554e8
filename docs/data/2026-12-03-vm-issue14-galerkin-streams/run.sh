#!/usr/bin/env bash
# The Galerkin plan's streams made to size (issue 14): memfem's multigrid at 2 ranks x 1
# thread (a core each) on the linear-elastic 40^3 box (configs/box_1m.yaml with amg, as in
# ../2026-12-03-vm-issue14-amg), two builds interleaved three times.
#   usage: run.sh MEMFEM_BEFORE MEMFEM_AFTER OUTDIR   (MPI builds of the same configuration)
# Writes OUTDIR/results.csv: per run, the largest rank's and the summed peak RSS, rank 0's
# multigrid bytes per level, the set-up and V-cycle seconds, CG iterations and checksum.
set -euo pipefail
before=$1 after=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd) root=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
sed 's/^linear: {preconditioner: block-jacobi,/linear: {preconditioner: amg,/' "$root/configs/box_1m.yaml" |
  sed "s|\.\./meshes/|$root/meshes/|" > "$out/case.yaml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
export OMP_PROC_BIND=close OMP_PLACES=cores
echo "build,round,peak_rss_mib,peak_rss_sum_mib,mg_level0_mb,mg_level1_mb,mg_total_mb,pc_setup_s,pc_s,solve_s,cg,checksum" \
  > "$out/results.csv"
for r in 1 2 3; do
  for b in before after; do
    exe=${!b}
    d="$out/$b-r$r"
    mpirun -n 2 --map-by slot:PE=1 --bind-to core "$exe" run "$out/case.yaml" --mesh box:1x1x1:40x40x40 --quiet \
      --threads 1 --out "$d" > "$d.txt" 2>&1
    /usr/bin/python3 - "$d/summary.json" "$b" "$r" >> "$out/results.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fom, t, lv = s["fom"], s["run"]["seconds"], s["linear"]["hierarchy"]["levels"]
cg = sum(x["cg_iterations"] for x in s["steps"])
print(",".join([sys.argv[2], sys.argv[3], "%.1f" % (fom["peak_rss_bytes"] / 2**20),
                "%.1f" % (fom["peak_rss_bytes_sum_over_ranks"] / 2**20), "%.1f" % (lv[0]["bytes"] / 1e6),
                "%.1f" % (lv[1]["bytes"] / 1e6), "%.1f" % (sum(x["bytes"] for x in lv) / 1e6),
                "%.3f" % t["pc_setup"], "%.3f" % t["pc"], "%.3f" % t["solve"], str(cg), s["displacement_checksum"]]))
PY
  done
done
cat "$out/results.csv"
