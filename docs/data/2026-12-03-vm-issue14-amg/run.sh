#!/usr/bin/env bash
# memfem's multigrid across processes on the 2-vCPU VM (docs/parallel.md, "memfem's
# multigrid across processes"): a linear-elastic 40^3 box (configs/box_1m.yaml with amg),
# at 1 rank x 2 threads (no mpirun), 1 rank x 1 thread and 2 ranks x 1 thread (a core
# each), three rounds with the configurations interleaved; then tabulate.py.
#   usage: docs/data/2026-12-03-vm-issue14-amg/run.sh MEMFEM(an MPI build) OUTDIR
set -euo pipefail
memfem=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd) root=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
sed 's/^linear: {preconditioner: block-jacobi,/linear: {preconditioner: amg,/' "$root/configs/box_1m.yaml" |
  sed "s|\.\./meshes/|$root/meshes/|" > "$out/case.yaml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
export OMP_PROC_BIND=close OMP_PLACES=cores
args=(run "$out/case.yaml" --mesh box:1x1x1:40x40x40 --quiet)
for r in 1 2 3; do
  "$memfem" "${args[@]}" --threads 2 --out "$out/1x2-r$r" > "$out/1x2-r$r.txt" 2>&1
  "$memfem" "${args[@]}" --threads 1 --out "$out/1x1-r$r" > "$out/1x1-r$r.txt" 2>&1
  mpirun -n 2 --map-by slot:PE=1 --bind-to core "$memfem" "${args[@]}" --threads 1 --out "$out/2x1-r$r" \
    > "$out/2x1-r$r.txt" 2>&1
done
/usr/bin/python3 "$here/tabulate.py" "$out"
