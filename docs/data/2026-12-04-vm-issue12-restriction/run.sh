#!/usr/bin/env bash
# The multigrid restriction reading P front to back (issue 12): two builds interleaved,
# the same arithmetic (checksums must agree).
#   usage: run.sh BEFORE AFTER BEFORE_MPI AFTER_MPI OUTDIR [ROUNDS]
# BEFORE/AFTER are one-process Release builds' memfem, *_MPI the MPI builds' (one
# configuration for both sides). Runs, rounds interleaved:
#   1. the fine Gmsh cantilever (meshes/cantilever.geo, h 0.0375) of the DOLFINx
#      comparison, linear, amg with the defaults and with aggressive_levels 1, 2 threads;
#   2. the linear-elastic box of configs/box_1m.yaml at 40^3 cells, amg, 2 ranks x 1 thread;
#   3. configs/box_1m.yaml with amg, 2 threads, one round (about 2.5 minutes a run).
# Writes OUTDIR/results.csv: wall seconds (the run's own total), V-cycle (pc apply),
# pc set-up and solve seconds, CG iterations, peak RSS and checksum per run.
set -euo pipefail
before=$1 after=$2 before_mpi=$3 after_mpi=$4 out=$5 rounds=${6:-3}
here=$(cd "$(dirname "$0")" && pwd) root=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
"$root/scripts/machine-info.sh" > "$out/machine.txt" 2>&1 || true
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
export OMP_PROC_BIND=close OMP_PLACES=cores
[ -s "$out/cantilever-fine.msh" ] ||
  gmsh "$root/meshes/cantilever.geo" -3 -format msh41 -setnumber h 0.0375 -o "$out/cantilever-fine.msh" -v 1 > /dev/null
sed 's/preconditioner: block-jacobi,/preconditioner: amg,/' "$root/bench/dolfinx/cantilever_linear.yaml" |
  sed "s|^mesh: .*|mesh: $out/cantilever-fine.msh|" > "$out/cantilever.yaml"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {aggressive_levels: 1}}/' "$out/cantilever.yaml" > "$out/cantilever-agg1.yaml"
sed 's/^linear: {preconditioner: block-jacobi,/linear: {preconditioner: amg,/' "$root/configs/box_1m.yaml" |
  sed "s|\.\./meshes/|$root/meshes/|" > "$out/box.yaml"
echo "build,case,ranks,threads,round,wall_s,vcycle_s,pc_setup_s,solve_s,cg,peak_rss_mib,checksum" > "$out/results.csv"
run() { # build case ranks threads round -- command...
  local b=$1 c=$2 ranks=$3 threads=$4 r=$5 d="$out/$1-$2-$5"
  shift 6
  "$@" --quiet --threads "$threads" --out "$d" > "$d.txt" 2>&1
  /usr/bin/python3 - "$d/summary.json" "$b" "$c" "$ranks" "$threads" "$r" >> "$out/results.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t, fom = s["run"]["seconds"], s["fom"]
print(",".join(sys.argv[2:7] + ["%.3f" % t["total"], "%.3f" % t["pc"], "%.3f" % t["pc_setup"], "%.3f" % t["solve"],
                str(sum(x["cg_iterations"] for x in s["steps"])), "%.1f" % (fom["peak_rss_bytes"] / 2**20),
                s["displacement_checksum"]]))
PY
  rm -rf "$d"
}
for r in $(seq "$rounds"); do
  for b in before after; do
    exe=${!b} mpi_var=${b}_mpi
    run "$b" cantilever 1 2 "$r" -- "$exe" run "$out/cantilever.yaml"
    run "$b" cantilever-agg1 1 2 "$r" -- "$exe" run "$out/cantilever-agg1.yaml"
    run "$b" box40-2ranks 2 1 "$r" -- mpirun -n 2 --map-by slot:PE=1 --bind-to core "${!mpi_var}" run "$out/box.yaml" \
      --mesh box:1x1x1:40x40x40
  done
done
for b in before after; do run "$b" box_1m 1 2 1 -- "${!b}" run "$out/box.yaml"; done
cat "$out/results.csv"
