#!/usr/bin/env bash
# configs/box_1m.yaml with amg, 2 threads, rounds alternating: the tree before the
# assembly changes of 2026-12-06 (BASE), with the prefetch (PF), with the prefetch and the
# mirrored element tangent (SYM), and SYM with amg.eig_ratio 10.
#   usage: run.sh BASE PF SYM OUT ROUNDS      (memfem binaries: Release, pool, soa, glibc)
#   writes OUT/{base,pf,sym,sym-er10}-R.{txt,json,time} and prints one line per run
set -euo pipefail
base=$1 pf=$2 sym=$3 out=$4 rounds=$5
root=$(cd "$(dirname "$0")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
{ date -u; uname -a; nproc; grep -m1 "model name" /proc/cpuinfo; } > "$out/machine.txt"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {eig_ratio: 10}}/' "$root/configs/box_1m.yaml" > "$out/er10.yaml"
grep -q eig_ratio "$out/er10.yaml"
for r in $(seq 1 "$rounds"); do
  for v in base pf sym sym-er10; do
    case $v in base) bin=$base ;; pf) bin=$pf ;; *) bin=$sym ;; esac
    case_file=$root/configs/box_1m.yaml; [ $v = sym-er10 ] && case_file=$out/er10.yaml
    /usr/bin/time -f "%e s %M KB" -o "$out/$v-$r.time" "$bin" run "$case_file" --threads 2 \
      --preconditioner amg --out "$out/run" > "$out/$v-$r.txt"
    cp "$out/run/summary.json" "$out/$v-$r.json"
    echo "$v-$r $(cat "$out/$v-$r.time") $(grep -oE '[0-9]+ CG iterations' "$out/$v-$r.txt") $(grep -E '^time' "$out/$v-$r.txt")"
  done
done
rm -rf "$out/run"
date -u >> "$out/machine.txt"
