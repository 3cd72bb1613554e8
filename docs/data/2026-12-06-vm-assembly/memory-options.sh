#!/usr/bin/env bash
# configs/box_1m.yaml with amg and the new smoother defaults: the defaults against the two
# memory options together (amg.precision single, matrix symmetric), rounds alternating,
# 2 threads; wall and peak RSS from /usr/bin/time.
#   usage: memory-options.sh MEMFEM OUT ROUNDS
set -euo pipefail
memfem=$1 out=$2 rounds=$3
root=$(cd "$(dirname "$0")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {precision: single}}/' "$root/configs/box_1m.yaml" > "$out/single.yaml"
grep -q precision "$out/single.yaml"
for r in $(seq 1 "$rounds"); do
  for v in defaults single-symmetric; do
    args=(run "$root/configs/box_1m.yaml" --threads 2 --preconditioner amg --out "$out/run")
    [ $v = single-symmetric ] && args=(run "$out/single.yaml" --threads 2 --preconditioner amg --matrix symmetric
                                      --out "$out/run")
    /usr/bin/time -f "%e s %M KB" -o "$out/$v-$r.time" "$memfem" "${args[@]}" > "$out/$v-$r.txt"
    cp "$out/run/summary.json" "$out/$v-$r.json"
    echo "$v-$r $(cat "$out/$v-$r.time") $(grep -oE '[0-9]+ CG iterations' "$out/$v-$r.txt") $(grep -E '^checksum' "$out/$v-$r.txt")"
  done
done
rm -rf "$out/run"
