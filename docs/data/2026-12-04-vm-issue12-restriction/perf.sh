#!/usr/bin/env bash
# CPU samples of the V-cycle's kernels (perf record, default event and rate, both
# threads summed) for the two builds on the fine cantilever cases run.sh made: a count
# of work that the VM's minute-to-minute speed hardly moves, where wall times swing.
#   usage: perf.sh BEFORE AFTER OUTDIR   (OUTDIR: run.sh's, with its case files)
set -euo pipefail
before=$1 after=$2 out=$3
export OMP_PROC_BIND=close OMP_PLACES=cores
for b in before after; do
  for c in cantilever cantilever-agg1; do
    perf record -o "$out/perf.data" "${!b}" run "$out/$c.yaml" --threads 2 --quiet --out "$out/perf-run" > /dev/null 2>&1
    echo "== $b $c"
    perf report -i "$out/perf.data" -n --no-children --stdio --sort symbol 2>/dev/null |
      grep -E '(restrict|prolong|residual|update|spmv)[0-9a-z]*\._omp_fn'
  done
done
rm -rf "$out/perf.data" "$out/perf-run"
