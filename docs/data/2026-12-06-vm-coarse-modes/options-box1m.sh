#!/usr/bin/env bash
# configs/box_1m.yaml with amg after the coarse-modes fix: the defaults against two
# settings the 64^3 box suggested (options-64.md), rounds alternating, 2 threads.
#   usage: options-box1m.sh MEMFEM OUT ROUNDS
set -euo pipefail
memfem=$1 out=$2 rounds=$3
root=$(cd "$(dirname "$0")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
cp "$root/configs/box_1m.yaml" "$out/defaults.yaml"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {eig_ratio: 10}}/' "$root/configs/box_1m.yaml" > "$out/er10.yaml"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {sweeps: 1, eig_ratio: 10}}/' "$root/configs/box_1m.yaml" > "$out/sw1er10.yaml"
for r in $(seq 1 "$rounds"); do
  for c in defaults er10 sw1er10; do
    /usr/bin/time -f "%e s %M KB" -o "$out/$c-$r.time" "$memfem" run "$out/$c.yaml" --threads 2 \
      --preconditioner amg --out "$out/run" > "$out/$c-$r.txt"
  done
done
rm -rf "$out/run"
for f in "$out"/*-[0-9]*.txt; do
  echo "$(basename "$f" .txt) $(cat "${f%.txt}.time") $(grep -oE '[0-9]+ CG iterations' "$f") $(grep -E '^checksum' "$f")"
done
