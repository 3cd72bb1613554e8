#!/usr/bin/env bash
# The solver's memory options side by side (issue 12, the 10M-node target): the
# neo-Hookean box of configs/box_1m.yaml at N^3 cells with block-Jacobi and amg, the
# tangent stored full or as its upper triangle (`matrix: symmetric`), the multigrid's
# prolongators and coarse operators in double or float (`amg.precision: single`). Each
# run under /usr/bin/time -v; writes DIR/runs/<variant>-r<R>/, DIR/solver-memory.csv and
# DIR/solver-memory.md (peak RSS and bytes per node, the hierarchy's bytes, CG
# iterations per solve, set-up, solve and run seconds; medians and min-max).
#
#   usage: bench/solver-memory.sh [-n 64] [-t 2] [-r 1] [-s STEPS] [-v VARIANTS] [-o DIR]
#   -n   cells per edge of the box ((n+1)^3 nodes; 101 is box_1m, 215 about 10M nodes)
#   -s   load steps to run (default: the case's 3)
#   -v   comma-separated subset of: bj-full bj-symmetric amg-full amg-symmetric
#        amg-full-single amg-symmetric-single (default: all)
#   MEMFEM (default build/src/memfem).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cells=64 threads=2 reps=1 steps="" variants=bj-full,bj-symmetric,amg-full,amg-symmetric,amg-full-single,amg-symmetric-single
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-solver-memory
while getopts n:t:r:s:v:o: opt; do
  case $opt in
    n) cells=$OPTARG ;; t) threads=$OPTARG ;; r) reps=$OPTARG ;; s) steps=$OPTARG ;; v) variants=$OPTARG ;;
    o) out=$OPTARG ;; *) sed -n 2,15p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "solver-memory.sh: build memfem first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out/runs"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"
# The case with the multigrid in single precision: box_1m.yaml's linear line plus the key.
case_double=$root/configs/box_1m.yaml
case_single=$out/box_1m_single.yaml
sed 's/^linear: {\(.*\)}/linear: {\1, amg: {precision: single}}/' "$case_double" > "$case_single"
grep -q "precision: single" "$case_single" || { echo "solver-memory.sh: could not derive $case_single" >&2; exit 2; }

for v in ${variants//,/ }; do
  case $v in
    bj-full) pc=block-jacobi matrix=full case_file=$case_double ;;
    bj-symmetric) pc=block-jacobi matrix=symmetric case_file=$case_double ;;
    amg-full) pc=amg matrix=full case_file=$case_double ;;
    amg-symmetric) pc=amg matrix=symmetric case_file=$case_double ;;
    amg-full-single) pc=amg matrix=full case_file=$case_single ;;
    amg-symmetric-single) pc=amg matrix=symmetric case_file=$case_single ;;
    *) echo "solver-memory.sh: unknown variant $v" >&2; exit 2 ;;
  esac
  for r in $(seq 1 "$reps"); do
    d=$out/runs/$v-r$r
    mkdir -p "$d"
    args=(run "$case_file" --mesh "box:1x1x1:${cells}x${cells}x${cells}" --threads "$threads"
          --preconditioner "$pc" --matrix "$matrix" --out "$d" --quiet)
    [ -n "$steps" ] && args+=(--steps "$steps")
    echo "solver-memory.sh: $v, ${cells}^3 cells, $threads threads, repetition $r (load $(cut -d' ' -f1 /proc/loadavg))"
    rc=0
    /usr/bin/time -v -o "$d/time.txt" "$memfem" "${args[@]}" > "$d/stdout.txt" 2> "$d/stderr.txt" || rc=$?
    echo "$rc" > "$d/exit_code"
  done
done
python3 "$root/bench/tabulate-solver-memory.py" "$out" | tee "$out/solver-memory.md"
