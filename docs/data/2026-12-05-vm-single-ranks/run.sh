#!/usr/bin/env bash
# amg.precision single across processes: rank memory and time against double.
# configs/box_1m.yaml (amg, one load step) on a generated CELLS^3 box, at one process
# and at each of RANKS x 1 thread, double and single alternating, ROUNDS times; keeps
# every printout and writes one line per run to OUT/runs.csv.
#   usage: run.sh MEMFEM OUT CELLS "RANKS..." ROUNDS    (e.g. ... out 64 "2 4" 2)
set -euo pipefail
memfem=$1 out=$2 cells=$3 ranks=$4 rounds=$5
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
for p in double single; do
  sed -e "s/^linear: {\(.*\)}/linear: {\1, preconditioner: amg, amg: {precision: $p}}/" \
    -e "s/preconditioner: block-jacobi, //" "$root/configs/box_1m.yaml" > "$out/box-$p.yaml"
done
csv=$out/runs.csv
echo "ranks,precision,round,wall_s,pc_setup_s,pc_s,cg,largest_peak_mib,sum_peak_mib,rank0_solver_mib,checksum" > "$csv"
field() { sed -n "$1" "$2" | head -1; }
for r in 1 $ranks; do
  for k in $(seq 1 "$rounds"); do
    for p in double single; do
      log=$out/box$cells-r$r-$p-$k.txt
      args=(run "$out/box-$p.yaml" --mesh "box:1x1x1:${cells}x${cells}x${cells}" --steps 1 --out "$out/o-$p")
      if [ "$r" = 1 ]; then OMP_NUM_THREADS=1 "$memfem" "${args[@]}" --threads 1 > "$log" 2>&1
      else mpirun --oversubscribe -np "$r" -x OMP_NUM_THREADS=1 "$memfem" "${args[@]}" > "$log" 2>&1; fi
      wall=$(field 's/^time *total \([0-9.]*\) s.*/\1/p' "$log")
      setup=$(field 's/^time .*pc setup \([0-9.]*\),.*/\1/p' "$log")
      pc=$(field 's/^time .*, pc \([0-9.]*\),.*/\1/p' "$log")
      cg=$(field 's/^converged.*, \([0-9]*\) CG iterations.*/\1/p' "$log")
      peak=$(field 's/^memory *peak RSS \([0-9.]*\) MiB.*/\1/p' "$log")
      arrays=$(field 's/^memory .*solver arrays \([0-9.]*\) MiB.*/\1/p' "$log")
      sum=$(field 's/.*peak RSS the largest rank.s, \([0-9.]*\) MiB summed.*/\1/p' "$log")
      sum=${sum:-$peak}
      sumck=$(field 's/^checksum *//p' "$log")
      echo "$r,$p,$k,$wall,$setup,$pc,$cg,$peak,$sum,$arrays,$sumck" >> "$csv"
    done
  done
done
column -s, -t "$csv"
