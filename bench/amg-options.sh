#!/usr/bin/env bash
# The multigrid's options, one at a time around the defaults (issue 12: defaults chosen
# by measurement): threshold, smoother and sweeps, eig_ratio, coarse_size, aggressive_levels, nullspace,
# fine_precision and reuse, on a few cases, each run `-r` times. Writes DIR/runs/<case>-<option>-r<R>/,
# DIR/amg-options.csv and DIR/amg-options.md (CG iterations per solve, pc set-up, solve
# and run seconds; medians and min-max).
#
#   usage: bench/amg-options.sh [-t 2] [-r 3] [-c CASES] [-o DIR]
#   -c   comma-separated subset of: cantilever_nh box32 plate_hole box_nu049 (default: all)
#   MEMFEM (default build/src/memfem).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=2 reps=3 cases=cantilever_nh,box32,plate_hole,box_nu049
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-amg-options
while getopts t:r:c:o: opt; do
  case $opt in
    t) threads=$OPTARG ;; r) reps=$OPTARG ;; c) cases=$OPTARG ;; o) out=$OPTARG ;; *) sed -n 2,10p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "amg-options.sh: build memfem first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out/runs" "$out/cases"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"

# name | case file | --mesh replacement ("" for the case's own)
declare -A case_file mesh_of
case_file[cantilever_nh]=$root/configs/cantilever.yaml mesh_of[cantilever_nh]=""
case_file[box32]=$root/configs/box_1m.yaml mesh_of[box32]=box:1x1x1:32x32x32
case_file[plate_hole]=$root/configs/plate_hole.yaml mesh_of[plate_hole]=""
case_file[box_nu049]=$root/bench/solvers/box_nu049.yaml mesh_of[box_nu049]=""

# option label | the amg map's keys ("" for the defaults) | linear keys besides amg
options=("default||"
         "threshold-0|threshold: 0|" "threshold-0.02|threshold: 0.02|" "threshold-0.08|threshold: 0.08|"
         "sweeps-2|sweeps: 2|" "sweeps-3|sweeps: 3|"
         "jacobi-2|smoother: jacobi, sweeps: 2|" "jacobi-3|smoother: jacobi, sweeps: 3|"
         "eig_ratio-5|eig_ratio: 5|" "eig_ratio-20|eig_ratio: 20|"
         "coarse_size-50|coarse_size: 50|" "coarse_size-1000|coarse_size: 1000|"
         "aggressive-1|aggressive_levels: 1|" "fine_precision-single|fine_precision: single|"
         "nullspace-current|nullspace: current|" "reuse-0||reuse: 0" "reuse-3||reuse: 3")

for c in ${cases//,/ }; do
  [ -n "${case_file[$c]:-}" ] || { echo "amg-options.sh: unknown case $c" >&2; exit 2; }
  src=${case_file[$c]}
  for o in "${options[@]}"; do
    IFS='|' read -r label amg extra <<< "$o"
    # The case with `linear:` replaced: its mesh path made absolute (relative to the source).
    f=$out/cases/$c-$label.yaml
    rtol=$(sed -n 's/^linear:.*rtol: *\([0-9.eE+-]*\).*/\1/p' "$src")
    lin="{preconditioner: amg, rtol: ${rtol:-1.0e-8}, max_iter: 20000"
    [ -n "$extra" ] && lin="$lin, $extra"
    [ -n "$amg" ] && lin="$lin, amg: {$amg}"
    lin="$lin}"
    sed -e "/^linear:/d" -e "s|^mesh: *\([^b/][^:]*\)$|mesh: $(dirname "$src")/\1|" "$src" > "$f"
    echo "linear: $lin" >> "$f"
    for r in $(seq 1 "$reps"); do
      d=$out/runs/$c-$label-r$r
      mkdir -p "$d"
      args=(run "$f" --threads "$threads" --out "$d" --quiet)
      [ -n "${mesh_of[$c]}" ] && args+=(--mesh "${mesh_of[$c]}")
      echo "amg-options.sh: $c, $label, repetition $r (load $(cut -d' ' -f1 /proc/loadavg))"
      rc=0
      "$memfem" "${args[@]}" > "$d/stdout.txt" 2> "$d/stderr.txt" || rc=$?
      echo "$rc" > "$d/exit_code"
    done
  done
done
python3 "$root/bench/tabulate-amg-options.py" "$out" | tee "$out/amg-options.md"
