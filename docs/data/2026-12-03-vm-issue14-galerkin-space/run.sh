#!/usr/bin/env bash
# The Galerkin plan's exchange space and header-only own stream (issue 14): two MPI
# builds interleaved on the linear-elastic box of configs/box_1m.yaml with amg, 40^3 and
# 64^3 cells, 2 ranks x 1 thread (a core each); then one run of each build at 4 ranks
# (oversubscribed: memory only).
#   usage: run.sh MEMFEM_BEFORE MEMFEM_AFTER OUTDIR [ROUNDS]   (MPI builds of the same configuration)
# Writes OUTDIR/results.csv: per run, the largest rank's and the summed peak RSS, rank 0's
# peak and final live heap bytes, its multigrid bytes (all levels), the pc set-up and
# solve seconds, CG iterations and checksum.
set -euo pipefail
before=$1 after=$2 out=$3 rounds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd) root=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
sed 's/^linear: {preconditioner: block-jacobi,/linear: {preconditioner: amg,/' "$root/configs/box_1m.yaml" |
  sed "s|\.\./meshes/|$root/meshes/|" > "$out/case.yaml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
export OMP_PROC_BIND=close OMP_PLACES=cores
echo "build,cells,ranks,round,peak_rss_mib,peak_rss_sum_mib,peak_live_mb,live_mb,mg_mb,pc_setup_s,solve_s,cg,checksum" \
  > "$out/results.csv"
run() { # build cells ranks round mpirun-options...
  local b=$1 cells=$2 ranks=$3 r=$4
  shift 4
  local exe=${!b} d="$out/$b-$cells-$ranks-r$r"
  mpirun -n "$ranks" "$@" "$exe" run "$out/case.yaml" --mesh "box:1x1x1:${cells}x${cells}x${cells}" --quiet \
    --threads 1 --out "$d" > "$d.txt" 2>&1
  /usr/bin/python3 - "$d/summary.json" "$b" "$cells" "$ranks" "$r" >> "$out/results.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fom, t, mem, lv = s["fom"], s["run"]["seconds"], s["memory"], s["linear"]["hierarchy"]["levels"]
cg = sum(x["cg_iterations"] for x in s["steps"])
print(",".join(sys.argv[2:6] + ["%.1f" % (fom["peak_rss_bytes"] / 2**20),
                "%.1f" % (fom["peak_rss_bytes_sum_over_ranks"] / 2**20), "%.1f" % (mem["peak_live_bytes"] / 1e6),
                "%.1f" % (mem["final"]["live_bytes"] / 1e6), "%.1f" % (sum(x["bytes"] for x in lv) / 1e6),
                "%.3f" % t["pc_setup"], "%.3f" % t["solve"], str(cg), s["displacement_checksum"]]))
PY
  rm -rf "$d"
}
for cells in 40 64; do
  for r in $(seq "$rounds"); do
    for b in before after; do run "$b" "$cells" 2 "$r" --map-by slot:PE=1 --bind-to core; done
  done
done
for b in before after; do run "$b" 40 4 1 --oversubscribe; done
cat "$out/results.csv"
