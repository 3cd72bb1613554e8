#!/usr/bin/env bash
# Assembly before and after the scatter with a constant node count, alternating builds:
# memfem-bench assembly on the 48^3 box (1 and 2 threads, 7 repetitions per call) and
# configs/box_1m.yaml's neo-Hookean box at 64^3 cells, one load step, amg, 2 threads.
#   usage: run.sh BEFORE_BUILD AFTER_BUILD OUT ROUNDS   (build folders: src/memfem, bench/memfem-bench)
set -euo pipefail
before=$1 after=$2 out=$3 rounds=${4:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
export OMP_PROC_BIND=close OMP_PLACES=cores
mkdir -p "$out"
echo "build,round,what,threads,median_s,min_s,max_s,checksum" > "$out/results.csv"
for r in $(seq 1 "$rounds"); do
  for b in before after; do
    dir=$before; [ "$b" = after ] && dir=$after
    "$dir/bench/memfem-bench" assembly --mesh box:1x1x1:48x48x48 --threads 1,2 --reps 7 > "$out/bench-$b-$r.csv"
    grep ",assembly_time,s," "$out/bench-$b-$r.csv" | awk -F, -v b=$b -v r=$r \
      '{split($11, h, "[= ]"); print b "," r ",bench assembly 48^3," $4 "," $8 "," $9 "," $10 "," h[3]}' >> "$out/results.csv"
    "$dir/src/memfem" run "$root/configs/box_1m.yaml" --mesh box:1x1x1:64x64x64 --steps 1 --preconditioner amg \
      --threads 2 --out "$out/run-$b-$r" --quiet > /dev/null
    /usr/bin/python3 - "$out/run-$b-$r/summary.json" "$b" "$r" >> "$out/results.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["fom"]["seconds"]["assembly"]
print(f"{sys.argv[2]},{sys.argv[3]},run 64^3 assembly,2,{t:.3f},{t:.3f},{t:.3f},{s['displacement_checksum']}")
PY
  done
done
