#!/usr/bin/env bash
# The fine cantilever of the DOLFINx comparison with amg: the smoother's old defaults
# (sweeps 2, eig_ratio 20, given as keys) against the new ones, rounds alternating, 2 threads.
#   usage: cantilever.sh MEMFEM FINE_MSH OUT ROUNDS
set -euo pipefail
memfem=$1 fine=$2 out=$3 rounds=$4
root=$(cd "$(dirname "$0")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
cp "$root/bench/dolfinx/cantilever_linear.yaml" "$out/new.yaml"
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {sweeps: 2, eig_ratio: 20}}/' "$out/new.yaml" > "$out/old.yaml"
grep -q eig_ratio "$out/old.yaml"
for r in $(seq 1 "$rounds"); do
  for v in old new; do
    /usr/bin/time -f "%e s %M KB" -o "$out/$v-$r.time" "$memfem" run "$out/$v.yaml" --mesh "$fine" --threads 2 \
      --preconditioner amg --out "$out/run" --quiet > /dev/null
    cp "$out/run/summary.json" "$out/$v-$r.json"
    echo "$v-$r $(cat "$out/$v-$r.time") $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
print(d['fom']['cg_iterations'], 'CG its, V-cycles', round(d['run']['seconds']['pc'], 3), 's', d['displacement_checksum'])" \
      "$out/$v-$r.json")"
  done
done
rm -rf "$out/run"
