#!/usr/bin/env bash
# memfem before and after the residual-only check of a linear problem's last step,
# each against DOLFINx in the same compare.sh call (bench/dolfinx/compare.sh): the fine
# Gmsh cantilever, DOLFINx on 2 ranks, memfem amg at 2 threads, 3 repetitions, with
# memfem's amg defaults and with 'fine_precision: single, aggressive_levels: 1'; the
# calls in the order before, after, before, after.
#   usage: run.sh BEFORE AFTER OUT MESH     (MESH: the fine cantilever .msh)
set -euo pipefail
before=$1 after=$2 out=$3 mesh=$4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores
for keys in "" "fine_precision: single, aggressive_levels: 1"; do
  tag=${keys:+agg1-single}; tag=${tag:-default}
  for b in before after; do
    bin=$before; [ "$b" = after ] && bin=$after
    mkdir -p "$out/$tag-$b/meshes"
    cp "$mesh" "$out/$tag-$b/meshes/cantilever-fine.msh"
    "$root/bench/dolfinx/compare.sh" --out "$out/$tag-$b" --sizes fine --reps 3 --ranks 2 --threads 2 \
      --pcs amg --no-install --amg-keys "$keys" "$bin"
  done
done
