#!/usr/bin/env bash
# Where hypre 2.26's BoomerAMG set-up flag 12 ("error in argument 1") comes from, and which
# setting makes it (2026-12-04). Needs a -DMEMFEM_HYPRE=ON build and gdb.
#   usage: run.sh BUILD_OF_HEAD BUILD_WITH_PATCH   (the second built with settings-from-env.patch applied)
set -uo pipefail
head=$1 patched=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd); root=$(cd "$here/../../.." && pwd)
out=$(mktemp -d)
# 1. who raises it: a breakpoint on hypre's error handler, and on every l1-norm computation
#    (one per level; hypre's own level statistics printed after the set-up)
for c in plate_hole cube; do
  echo "== $c: hypre_ParCSRComputeL1Norms calls (one per level) and error-handler calls, in order"
  OMP_NUM_THREADS=1 MEMFEM_HYPRE_PRINT=1 gdb -q -batch -x "$here/l1norms.gdb" --args "$head/src/memfem" run \
    "$root/configs/$c.yaml" --preconditioner boomeramg --steps 1 --out "$out/$c" --quiet 2>&1 |
    grep -E "^L1Norms|^ERROR|^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9]+" | head -24
done
# 2. which setting: the interpolation settings one at a time (the patched build reads them
#    from the environment), and no interpolation vectors at all
for c in plate_hole cube cantilever; do
  for env in "X=0" "XREF=0" "XVAR=1" "XVAR=3" "XSM=0" "XNOVEC=1"; do
    r=$(env $env OMP_NUM_THREADS=1 "$patched/src/memfem" run "$root/configs/$c.yaml" --preconditioner boomeramg \
          --steps 1 --out "$out/x" --quiet 2>&1)
    flag=no; grep -q "reports error 12" <<< "$r" && flag=yes
    echo "$c,$env,flag $flag,$(grep -o '[0-9]* CG iterations' <<< "$r")"
  done
done
rm -rf "$out"
