#!/usr/bin/env bash
# The coarse levels' rigid-body modes in one frame (2026-12-06): memfem's multigrid before
# and after, on the quiet 2-vCPU VM, 2 threads, rounds alternating.
#   usage: run.sh BEFORE AFTER OUT ROUNDS [FINE_MSH]
#   BEFORE, AFTER: memfem binaries (Release, pool, soa, glibc malloc)
#   writes OUT/solvers-{before,after}/ (bench/solvers.sh -p amg: iterations on every case),
#   OUT/cantilever/{before,after}-{default,agg1}-R.{json,time}, OUT/box_1m/{before,after}-R.{json,time,txt}
#   FINE_MSH: the fine Gmsh cantilever (made with gmsh 4.8.4 when absent; 39 MB, not committed)
set -euo pipefail
before=$1 after=$2 out=$3 rounds=$4
root=$(cd "$(dirname "$0")/../../.." && pwd)
fine=${5:-$out/cantilever-fine.msh}
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out/cantilever" "$out/box_1m"
{ date -u; uname -a; nproc; grep -m1 "model name" /proc/cpuinfo; "$before" --version | head -1; "$after" --version | head -1; } > "$out/machine.txt"

# 1. iterations on every case of the robustness table (one run each: counts are exact)
for b in before after; do
  bin=$before; [ $b = after ] && bin=$after
  MEMFEM=$bin "$root/bench/solvers.sh" -p amg -t 2 -r 1 -b 16,32,64 -o "$out/solvers-$b"
done

# 2. the fine cantilever of the DOLFINx comparison, defaults and aggressive_levels 1
[ -f "$fine" ] || gmsh "$root/meshes/cantilever.geo" -3 -format msh41 -setnumber h 0.0375 -o "$fine" -v 1 >/dev/null
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {aggressive_levels: 1}}/' "$root/bench/dolfinx/cantilever_linear.yaml" \
  > "$out/cantilever/agg1.yaml"
grep -q aggressive_levels "$out/cantilever/agg1.yaml"
for r in $(seq 1 "$rounds"); do
  for b in before after; do
    bin=$before; [ $b = after ] && bin=$after
    for c in default agg1; do
      case_file=$root/bench/dolfinx/cantilever_linear.yaml; [ $c = agg1 ] && case_file=$out/cantilever/agg1.yaml
      /usr/bin/time -f "%e s %M KB" -o "$out/cantilever/$b-$c-$r.time" "$bin" run "$case_file" --mesh "$fine" \
        --threads 2 --preconditioner amg --out "$out/run" --quiet > /dev/null
      cp "$out/run/summary.json" "$out/cantilever/$b-$c-$r.json"
    done
  done
done

# 3. configs/box_1m.yaml with amg
for r in $(seq 1 "$rounds"); do
  for b in before after; do
    bin=$before; [ $b = after ] && bin=$after
    /usr/bin/time -f "%e s %M KB" -o "$out/box_1m/$b-$r.time" "$bin" run "$root/configs/box_1m.yaml" --threads 2 \
      --preconditioner amg --out "$out/run" > "$out/box_1m/$b-$r.txt"
    cp "$out/run/summary.json" "$out/box_1m/$b-$r.json"
  done
done
rm -rf "$out/run"
