#!/bin/sh
# Alternating runs of two builds on configs/box_1m.yaml (amg, 2 threads): whole printouts
# kept, one line per run in OUT/runs.csv (build, round, wall s, assembly s, tangents).
# usage: run.sh BEFORE_MEMFEM AFTER_MEMFEM OUT MESH ROUNDS
set -eu
before=$1 after=$2 out=$3 mesh=$4 rounds=$5
case_yaml=$(cd "$(dirname "$0")/../../.." && pwd)/configs/box_1m.yaml
mkdir -p "$out"
export OMP_PROC_BIND=close OMP_PLACES=cores
echo "build,round,wall_s,assembly_s,elements_assembled,with_tangent,checksum" > "$out/runs.csv"
r=1
while [ "$r" -le "$rounds" ]; do
  for b in before after; do
    eval bin=\$$b
    log="$out/$b-$r.txt"
    "$bin" run "$case_yaml" --mesh "$mesh" --threads 2 --preconditioner amg --out "$out/o-$b" > "$log" 2>&1
    wall=$(sed -n 's/^time *total \([0-9.]*\) s.*/\1/p' "$log")
    asm=$(sed -n 's/^time .*assembly \([0-9.]*\),.*/\1/p' "$log")
    sum=$(sed -n 's/^checksum *//p' "$log")
    el=$(/usr/bin/python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['fom']; \
print(f['elements_assembled'], f['elements_assembled_with_tangent'])" "$out/o-$b/summary.json")
    echo "$b,$r,$wall,$asm,$(echo "$el" | tr ' ' ','),$sum" >> "$out/runs.csv"
  done
  r=$((r + 1))
done
cat "$out/runs.csv"
