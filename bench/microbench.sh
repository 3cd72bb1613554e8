#!/usr/bin/env bash
# Run the microbenchmarks (memfem-bench: assembly, cg, iterate) in several builds on the
# same work (issue 6, item 1). Each build measures its own memory strategy; the tables
# put them side by side with medians and min-max spreads. Nothing here fails on time;
# it fails when builds disagree on the assembled internal force (bit-identity).
#
#   usage: bench/microbench.sh [--presets P,...] [--threads LIST] [--reps R]
#                              [--mesh SPEC] [--iters K] [--nodes N] [--only assembly,cg,iterate]
#                              [--out DIR] [--build-root DIR] [--prebuilt]
#   --presets   builds to compare (default pool-system,naive-system,pool-jemalloc,
#               naive-jemalloc,pool-mimalloc,naive-mimalloc,pool-tcmalloc,naive-tcmalloc,
#               aos-system,boxed-system,boxed-jemalloc)
#   --threads   thread counts, "max" = all cores      (default 1,max)
#   --reps      timed repetitions per figure           (default 5)
#   --mesh      assembly and cg mesh                   (default box:1x1x1:48x48x48)
#   --iters     cg: SpMVs per repetition and PCG iterations per solve (default 50)
#   --nodes     iterate: records                       (default 8000000)
#   --only      a subset of the three benchmarks
#   --prebuilt  use BUILD_ROOT/<preset>/bench/memfem-bench as it is (no compiler needed)
# Output (default bench/results/<date>-<host>-micro/): micro.csv (every row of every
# build), micro.md (tables), assembly.png and iterate.png (gnuplot), machine.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
presets=pool-system,naive-system,pool-jemalloc,naive-jemalloc,pool-mimalloc,naive-mimalloc,pool-tcmalloc,naive-tcmalloc,aos-system,boxed-system,boxed-jemalloc
threads=1,max reps=5 mesh=box:1x1x1:48x48x48 iters=50 nodes=8000000 only=assembly,cg,iterate
out="" build_root="" prebuilt=0
while [ $# -gt 0 ]; do
  case $1 in
    --presets) presets=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --mesh) mesh=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build-root) build_root=$2; shift 2 ;;
    --prebuilt) prebuilt=1; shift ;;
    *) sed -n '2,/^set -euo/{/^#/p}' "$0" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-micro
mkdir -p "$out"
dir_of() { if [ -n "$build_root" ]; then echo "$build_root/$1"; else echo "$root/build-$1"; fi; }
if [ "$prebuilt" = 1 ]; then
  for p in ${presets//,/ }; do
    [ -x "$(dir_of "$p")/bench/memfem-bench" ] || { echo "microbench: --prebuilt but no $(dir_of "$p")/bench/memfem-bench" >&2; exit 1; }
  done
else
  echo "microbench: building ${presets//,/ } (log: $out/build.log)"
  BUILD_ROOT=$build_root TARGETS="memfem memfem-bench" "$root/scripts/build-presets.sh" ${presets//,/ } > "$out/build.log" ||
    { echo "microbench: a preset does not build (log: $out/build.log)" >&2; exit 1; }
fi

export OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores}
{ "$root/scripts/machine-info.sh"
  echo "microbench: threads $threads, $reps repetitions, mesh $mesh, iterate $nodes records, presets $presets"
} > "$out/machine.txt"
csv=$out/micro.csv
echo "bench,variant,case,threads,reps,metric,unit,median,min,max,note" > "$csv"
for b in ${only//,/ }; do
  case $b in
    assembly) args=(--mesh "$mesh") ;;
    cg) args=(--mesh "$mesh" --iters "$iters") ;;
    iterate) args=(--nodes "$nodes") ;;
    *) echo "microbench: --only takes assembly, cg, iterate, not '$b'" >&2; exit 2 ;;
  esac
  for p in ${presets//,/ }; do
    echo "microbench: $b, $p"
    "$(dir_of "$p")/bench/memfem-bench" "$b" "${args[@]}" --threads "$threads" --reps "$reps" \
      2>> "$out/stderr.txt" | tail -n +2 >> "$csv"
  done
done
python3 "$root/bench/tabulate-micro.py" "$csv" | tee "$out/micro.md"
if command -v gnuplot > /dev/null; then
  grep -q '^assembly,' "$csv" && gnuplot -e "csv='$csv'; png='$out/assembly.png'" "$root/bench/microbench.gp"
  first=$(awk -F, '$1 == "iterate" {print $2; exit}' "$csv")
  [ -n "$first" ] && gnuplot -e "csv='$csv'; png='$out/iterate.png'; build='$first'" "$root/bench/iterate.gp"
fi
echo "microbench: results in $out"
