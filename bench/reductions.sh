#!/usr/bin/env bash
# What exact reductions cost (issue 14, linear.reproducible): each case with
# --reproducible true and false, alternating within every repetition so that both see
# the same machine state; writes DIR/runs/<case>-<exact|chunked>-t<T>-r<R>/{summary.json,
# time.txt,stdout.txt}, DIR/reductions.csv and DIR/reductions.md (whole run, solve,
# vector-kernel and preconditioner seconds; medians and min-max over the repetitions).
#
#   usage: bench/reductions.sh [-t 1,2] [-r 3] [-o DIR]
#   MEMFEM (default build/src/memfem).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=1,2 reps=3
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-reductions
while getopts t:r:o: opt; do
  case $opt in
    t) threads=$OPTARG ;; r) reps=$OPTARG ;; o) out=$OPTARG ;; *) sed -n 2,9p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "reductions.sh: build memfem first (scripts/build.sh)" >&2; exit 2; }

# name | case file | extra memfem arguments
list=("cantilever-bj|$root/configs/cantilever.yaml|"
      "box32-bj|$root/configs/box_1m.yaml|--mesh box:1x1x1:32x32x32 --preconditioner block-jacobi"
      "box32-amg|$root/configs/box_1m.yaml|--mesh box:1x1x1:32x32x32 --preconditioner amg")
mkdir -p "$out/runs"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"
for r in $(seq 1 "$reps"); do
  for entry in "${list[@]}"; do
    IFS='|' read -r name case_file extra <<< "$entry"
    for t in ${threads//,/ }; do
      for mode in exact chunked; do
        d=$out/runs/$name-$mode-t$t-r$r
        mkdir -p "$d"
        flag=true
        [ "$mode" = chunked ] && flag=false
        # shellcheck disable=SC2206
        args=(run "$case_file" --threads "$t" --reproducible "$flag" --out "$d" --quiet $extra)
        echo "reductions.sh: $name, $mode, $t threads, repetition $r (load $(cut -d' ' -f1 /proc/loadavg))"
        /usr/bin/time -v -o "$d/time.txt" "$memfem" "${args[@]}" > "$d/stdout.txt" 2> "$d/stderr.txt"
      done
    done
  done
done
python3 "$root/bench/tabulate-reductions.py" "$out" | tee "$out/reductions.md"
