#!/usr/bin/env bash
# memfem-bench assembly on the 64^3 box (configs/box_1m.yaml's mesh, 1,572,864 tets) at 1
# and 2 threads with each step's binary, rounds alternating; one CSV per run.
#   usage: assembly-bench.sh OUT ROUNDS NAME=BENCH [NAME=BENCH ...]
set -euo pipefail
out=$1 rounds=$2
shift 2
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for nb in "$@"; do
    name=${nb%%=*} bench=${nb#*=}
    "$bench" assembly --mesh box:1x1x1:64x64x64 --threads 1,2 --reps 5 > "$out/$name-$r.csv" 2> /dev/null
    echo "$name-$r $(grep ',assembly_time,' "$out/$name-$r.csv" | cut -d, -f4,8-10 | tr '\n' ' ')"
  done
done
