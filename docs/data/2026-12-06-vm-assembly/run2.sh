#!/usr/bin/env bash
# After the three assembly commits: configs/box_1m.yaml with amg, the tree before them
# (BEFORE) against the tree after them (AFTER) with the defaults, with eig_ratio 10 and
# with sweeps 1 + eig_ratio 10, rounds alternating, 2 threads; then the robustness cases
# of bench/solvers.sh with amg and each of the three settings (one run each: iteration
# counts are exact).
#   usage: run2.sh BEFORE AFTER OUT ROUNDS      (memfem binaries: Release, pool, soa, glibc)
set -euo pipefail
before=$1 after=$2 out=$3 rounds=$4
root=$(cd "$(dirname "$0")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out/box_1m"
{ date -u; uname -a; nproc; grep -m1 "model name" /proc/cpuinfo; } > "$out/machine.txt"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {eig_ratio: 10}}/' "$root/configs/box_1m.yaml" > "$out/box_1m/er10.yaml"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {sweeps: 1, eig_ratio: 10}}/' "$root/configs/box_1m.yaml" \
  > "$out/box_1m/sw1er10.yaml"
for r in $(seq 1 "$rounds"); do
  for v in before after after-er10 after-sw1er10; do
    bin=$after case_file=$root/configs/box_1m.yaml
    [ $v = before ] && bin=$before
    [ $v = after-er10 ] && case_file=$out/box_1m/er10.yaml
    [ $v = after-sw1er10 ] && case_file=$out/box_1m/sw1er10.yaml
    /usr/bin/time -f "%e s %M KB" -o "$out/box_1m/$v-$r.time" "$bin" run "$case_file" --threads 2 \
      --preconditioner amg --out "$out/run" > "$out/box_1m/$v-$r.txt"
    cp "$out/run/summary.json" "$out/box_1m/$v-$r.json"
    echo "$v-$r $(cat "$out/box_1m/$v-$r.time") $(grep -oE '[0-9]+ CG iterations' "$out/box_1m/$v-$r.txt")" \
      "$(grep -E '^time' "$out/box_1m/$v-$r.txt")"
  done
done
rm -rf "$out/run"
for k in "" "eig_ratio: 10" "sweeps: 1, eig_ratio: 10"; do
  d=$out/solvers-defaults; [ -n "$k" ] && d=$out/solvers-$(echo "$k" | tr -d ' ,:' )
  MEMFEM=$after "$root/bench/solvers.sh" -p amg -t 2 -r 1 -b 16,32,64 ${k:+-k "$k"} -o "$d" > "$d.log" 2>&1
done
date -u >> "$out/machine.txt"
