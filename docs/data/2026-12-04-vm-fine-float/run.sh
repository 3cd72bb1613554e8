#!/bin/bash
# amg.fine_precision single against double, 2 threads, rounds interleaved:
#   1. the fine Gmsh cantilever (bench/dolfinx/cantilever_linear.yaml with amg), ROUNDS rounds;
#   2. configs/box_1m.yaml at 64^3 cells, ROUNDS rounds;
#   3. configs/box_1m.yaml itself, BOX_ROUNDS rounds (about 2.5 minutes a run).
# usage: run.sh MEMFEM CANTILEVER_MSH OUT [ROUNDS [BOX_ROUNDS]]   -> OUT/results.csv
set -euo pipefail
exe=$1 msh=$2 out=$3 rounds=${4:-3} box_rounds=${5:-1}
root=$(cd "$(dirname "$0")/../../.." && pwd)
mkdir -p "$out"
export OMP_PROC_BIND=close OMP_PLACES=cores
sed -e 's/preconditioner: block-jacobi,/preconditioner: amg,/' -e "s|^mesh: .*|mesh: $msh|" \
  -e "s|dir: out/dolfinx-cantilever|dir: $out/o-cantilever|" "$root/bench/dolfinx/cantilever_linear.yaml" > "$out/cantilever-double.yaml"
sed -e 's/preconditioner: block-jacobi,/preconditioner: amg,/' -e "s|\.\./meshes/|$root/meshes/|" \
  -e "s|dir: out/box_1m|dir: $out/o-box|" "$root/configs/box_1m.yaml" > "$out/box-double.yaml"
for c in cantilever box; do
  sed 's/^linear: {\(.*\)}/linear: {\1, amg: {fine_precision: single}}/' "$out/$c-double.yaml" > "$out/$c-single.yaml"
  grep -q "fine_precision: single" "$out/$c-single.yaml"
done
row() { # CASE PRECISION ROUND: one line of results.csv from that run's output
  local f=$out/$1-$2-$3.txt
  echo "$1,$2,$3,$(grep -o '[0-9]* CG iterations' "$f" | head -1 | cut -d' ' -f1),$(grep -o 'total [0-9.]*' "$f" | cut -d' ' -f2),$(grep -o 'pc setup [0-9.]*' "$f" | cut -d' ' -f3),$(grep -o ', pc [0-9.]*' "$f" | cut -d' ' -f3),$(grep -o 'spmv [0-9.]*' "$f" | cut -d' ' -f2),$(grep -o ', assembly [0-9.]*' "$f" | cut -d' ' -f3),$(grep '^rss' "$f" | cut -d' ' -f2),$(grep '^checksum' "$f" | awk '{print $2}')"
}
one() { # CASE PRECISION ROUND [args]
  local c=$1 p=$2 r=$3 y=box; shift 3
  [ "$c" = cantilever ] && y=cantilever
  /usr/bin/time -f "rss %M" "$exe" run "$out/$y-$p.yaml" --threads 2 "$@" > "$out/$c-$p-$r.txt" 2>&1
  row "$c" "$p" "$r"
}
for r in $(seq 1 "$rounds"); do
  for p in double single; do one cantilever "$p" "$r"; done
  for p in double single; do one box64 "$p" "$r" --mesh box:1x1x1:64x64x64; done
done
for r in $(seq 1 "$box_rounds"); do
  for p in double single; do one box_1m "$p" "$r"; done
done
{
  echo "case,precision,round,cg_its,wall_s,pc_setup_s,pc_apply_s,spmv_s,assembly_s,peak_rss_kb,checksum"
  for r in $(seq 1 "$rounds"); do for c in cantilever box64; do for p in double single; do row $c $p $r; done; done; done
  for r in $(seq 1 "$box_rounds"); do for p in double single; do row box_1m $p $r; done; done
} > "$out/results.csv"
