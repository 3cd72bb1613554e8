#!/usr/bin/env bash
# Figures of the core solver (issue 2): run one case at several thread counts, several
# times each, under /usr/bin/time -v, and tabulate phase times, iterations, assembly
# rate, CG bandwidth and peak RSS (median and min-max over the repetitions).
#
#   usage: bench/core-figures.sh [-c CASE] [-m MESH_SPEC] [-t 1,2] [-r REPS] [-o DIR]
#   default: configs/box_1m.yaml (1.06M nodes, 3 load steps), threads 1,2, 1 repetition
#
# Writes DIR/run-T-R/{summary.json,time.txt,stdout.txt} and DIR/figures.csv, prints a
# table. Needs python3 for the table (Debian package python3).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case_file=$root/configs/box_1m.yaml mesh="" threads=1,2 reps=1
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-core
while getopts c:m:t:r:o: opt; do
  case $opt in
    c) case_file=$OPTARG ;; m) mesh=$OPTARG ;; t) threads=$OPTARG ;; r) reps=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n 2,12p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "build memfem first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"
for t in ${threads//,/ }; do
  for r in $(seq 1 "$reps"); do
    d=$out/run-$t-$r
    mkdir -p "$d"
    args=(run "$case_file" --threads "$t" --out "$d")
    [ -n "$mesh" ] && args+=(--mesh "$mesh")
    echo "threads $t, repetition $r ..."
    /usr/bin/time -v -o "$d/time.txt" "$memfem" "${args[@]}" > "$d/stdout.txt"
  done
done
python3 "$root/bench/tabulate-core.py" "$out" | tee "$out/table.md"
