#!/usr/bin/env bash
# The Galerkin product's ghost P rows in the exchange space: rank memory before and after.
# configs/box_1m.yaml (amg, one load step) on a generated CELLS^3 box at each of RANKS x 1
# thread, the two builds alternating; keeps each run's printout (the largest rank's peak
# RSS, the sum over ranks, rank 0's solver arrays and multigrid level bytes).
#   usage: run.sh BEFORE AFTER OUT CELLS "RANKS..."    (e.g. ... out 64 "4 8")
set -euo pipefail
before=$1 after=$2 out=$3 cells=$4 ranks=$5
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
for r in $ranks; do
  for b in before after; do
    bin=$before; [ "$b" = after ] && bin=$after
    mpirun --oversubscribe -np "$r" -x OMP_NUM_THREADS=1 "$bin" run "$root/configs/box_1m.yaml" \
      --mesh "box:1x1x1:${cells}x${cells}x${cells}" --steps 1 --preconditioner amg --out "$out/run-$b-r$r" \
      > "$out/box$cells-r$r-$b.txt" 2>&1
    echo "== $r ranks, $b"
    grep -E "^memory|^ranks|^  level|^checksum|^multigrid" "$out/box$cells-r$r-$b.txt"
  done
done
