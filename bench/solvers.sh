#!/usr/bin/env bash
# The linear solvers side by side (issue 12, items 4 and 5): every case below with each
# preconditioner, under /usr/bin/time -v, one after the other on this machine; writes
# DIR/runs/<case>-<pc>-t<T>-r<R>/{summary.json,time.txt,stdout.txt}, DIR/solvers.csv and
# DIR/solvers.md (CG iterations per linear solve, set-up and solve seconds, whole run,
# peak RSS; medians and min-max over the repetitions).
#
#   usage: bench/solvers.sh [-p block-jacobi,amg,boomeramg,boomeramg-agg1] [-t 2] [-r 1] [-b 16,32,64]
#                           [-c CASES] [-o DIR]
#   -b   box sizes (cells per edge) of the weak-scaling cases (configs/box_1m.yaml's
#        neo-Hookean box; 101 is box_1m itself, 1.06M nodes)
#   -c   comma-separated subset of: boxes cantilever_linear cantilever_nh plate_hole
#        slender_bar box_nu03 box_nu049 cube_nh (default: all)
#   -p   also boomeramg-aggN: boomeramg with linear.boomeramg.aggressive_levels N (the case
#        copied with that key added)
#   -k   amg keys added to every amg run's case, e.g. -k 'eig_ratio: 10' (linear.amg: {KEYS})
#   MEMFEM (default build/src/memfem) runs none/jacobi/block-jacobi/amg; MEMFEM_HYPRE
#   (default build-hypre/src/memfem) runs boomeramg. Extra memfem flags: MEMFEM_ARGS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pcs=block-jacobi,amg,boomeramg threads=2 reps=1 boxes=16,32,64 cases=all
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-solvers
amg_keys=
while getopts p:t:r:b:c:o:k: opt; do
  case $opt in
    p) pcs=$OPTARG ;; t) threads=$OPTARG ;; r) reps=$OPTARG ;; b) boxes=$OPTARG ;; c) cases=$OPTARG ;;
    o) out=$OPTARG ;; k) amg_keys=$OPTARG ;; *) sed -n 2,18p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
memfem_hypre=${MEMFEM_HYPRE:-$root/build-hypre/src/memfem}
[ -x "$memfem" ] || { echo "solvers.sh: build memfem first (scripts/build.sh)" >&2; exit 2; }
want() { [ "$cases" = all ] || [[ ",$cases," == *",$1,"* ]]; }

# name | case file | --mesh replacement ("" for the case's own)
list=()
if want boxes; then
  for b in ${boxes//,/ }; do list+=("box$b|$root/configs/box_1m.yaml|box:1x1x1:${b}x${b}x${b}"); done
fi
want cantilever_linear && list+=("cantilever_linear|$root/bench/solvers/cantilever_linear.yaml|")
want cantilever_nh && list+=("cantilever_nh|$root/configs/cantilever.yaml|")
want plate_hole && list+=("plate_hole|$root/configs/plate_hole.yaml|")
want slender_bar && list+=("slender_bar|$root/bench/solvers/slender_bar.yaml|")
want box_nu03 && list+=("box_nu03|$root/bench/solvers/box_nu.yaml|")
want box_nu049 && list+=("box_nu049|$root/bench/solvers/box_nu049.yaml|")
want cube_nh && list+=("cube_nh|$root/configs/cube.yaml|")

mkdir -p "$out/runs"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"
for entry in "${list[@]}"; do
  IFS='|' read -r name case_file mesh <<< "$entry"
  for pc in ${pcs//,/ }; do
    exe=$memfem run_case=$case_file run_mesh=$mesh
    if [[ "$pc" == boomeramg* ]]; then
      exe=$memfem_hypre
      [ -x "$exe" ] || { echo "solvers.sh: no hypre build at $exe: skipping $pc" >&2; continue; }
    fi
    key=
    [[ "$pc" =~ ^boomeramg-agg([0-9]+)$ ]] && key="boomeramg: {aggressive_levels: ${BASH_REMATCH[1]}}"
    [ "$pc" = amg ] && [ -n "$amg_keys" ] && key="amg: {$amg_keys}"
    if [ -n "$key" ]; then
      # the case with the key added to linear; its mesh named from here
      run_case=$out/runs/$name-$pc.yaml
      if grep -q '^linear: {' "$case_file"; then sed "s/^linear: {/linear: {$key, /" "$case_file" > "$run_case"
      else { cat "$case_file"; echo "linear: {$key}"; } > "$run_case"; fi
      if [ -z "$run_mesh" ]; then
        run_mesh=$(sed -n 's/^mesh: *//p' "$case_file" | sed 's/ *#.*//')
        [[ "$run_mesh" == box:* || "$run_mesh" == /* ]] || run_mesh=$(cd "$(dirname "$case_file")" && realpath "$run_mesh")
      fi
    fi
    for r in $(seq 1 "$reps"); do
      d=$out/runs/$name-$pc-t$threads-r$r
      mkdir -p "$d"
      args=(run "$run_case" --threads "$threads" --preconditioner "${pc%%-agg*}" --out "$d" --quiet)
      [ -n "$run_mesh" ] && args+=(--mesh "$run_mesh")
      # shellcheck disable=SC2206
      args+=(${MEMFEM_ARGS:-})
      echo "solvers.sh: $name, $pc, $threads threads, repetition $r (load $(cut -d' ' -f1 /proc/loadavg))"
      rc=0
      /usr/bin/time -v -o "$d/time.txt" "$exe" "${args[@]}" > "$d/stdout.txt" 2> "$d/stderr.txt" || rc=$?
      echo "$rc" > "$d/exit_code"
    done
  done
done
python3 "$root/bench/tabulate-solvers.py" "$out" | tee "$out/solvers.md"
