#!/usr/bin/env bash
# What each element type costs and buys (issue 13): assembly rate per element type and
# memory build, matrix bytes per node, and time and peak RSS to reach 1% tip-deflection
# error on a cantilever with tet4, tet10, hex8 and hex8 with mean dilatation.
#
#   usage: bench/elements.sh [-p PRESETS] [-r REPS] [-t THREADS] [-n CELLS] [-q] [-o DIR]
#   -p  memory builds for the assembly rates (default pool-system,naive-system,
#       pool-jemalloc,boxed-system; built (incrementally) in build-<preset>/ by
#       scripts/build-presets.sh); "" skips the assembly part
#   -n  assembly boxes: N^3 cells for tet4 and hex8, (N/2)^3 for tet10, so that every
#       type has (N+1)^3 nodes (default 40: 68,921 nodes)
#   -r  repetitions (default 3): rounds of the assembly part (presets interleaved, 3
#       timed assemblies per call) and runs of each cantilever mesh
#   -t  thread counts of the assembly part (default 1,<cores>); the cantilever runs use
#       all cores
#   -q  quick: the cantilever ladders stop at k = 3 (the smoke test's setting)
#   MEMFEM (default build/src/memfem) runs the cantilever study.
# Cantilever: bench/elements/cantilever_linear.yaml on box:10x1x1:(10k)x(k)x(k):TYPE for
# a ladder of k per type (even k for tet4 and hex8, so that the probe at the tip face's
# centre is a node; tet10 has one there for every k), each run under /usr/bin/time -v. The reference deflection is
# Richardson's extrapolation of the three finest tet10 runs (their observed order).
# Writes DIR/machine.txt, DIR/assembly.csv, DIR/runs/<type>-k<k>-r<R>/, DIR/cantilever.csv
# and DIR/elements.md (medians and min-max).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
presets=pool-system,naive-system,pool-jemalloc,boxed-system
reps=3 threads=1,$(nproc) cells=40 quick=0
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-elements
while getopts p:r:t:n:qo: opt; do
  case $opt in
    p) presets=$OPTARG ;; r) reps=$OPTARG ;; t) threads=$OPTARG ;; n) cells=$OPTARG ;; q) quick=1 ;;
    o) out=$OPTARG ;; *) sed -n 2,21p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "elements.sh: build memfem first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out/runs"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"
echo "threads=$threads cells=$cells reps=$reps presets=$presets" >> "$out/machine.txt"

# ---- assembly rate per element type and memory build ----
# Every preset built first; then REPS rounds in which the presets take turns on each
# type, so that a slow spell of a shared machine falls on all of them alike (run one
# preset after another and the spell decides the comparison: an earlier version of this
# script showed jemalloc 31-40% slower on tet10 and hex8, which interleaved runs did not
# reproduce). Each call times 3 assemblies in one process; the table reports the median
# over rounds of each round's median, and the rounds' min-max.
: > "$out/assembly.csv"
for p in ${presets//,/ }; do
  echo "elements.sh: building preset $p (incremental)"
  TARGETS="memfem memfem-bench" "$root/scripts/build-presets.sh" "$p" > "$out/build-$p.log" 2>&1 ||
    { tail -20 "$out/build-$p.log"; exit 1; }
done
for r in $(seq 1 "$reps"); do
  for type in tet4 tet10 hex8; do
    n=$cells; [ $type = tet10 ] && n=$((cells / 2))
    for p in ${presets//,/ }; do
      echo "elements.sh: assembly round $r, $type box ${n}^3, $p (load $(cut -d' ' -f1 /proc/loadavg))"
      "$root/build-$p/bench/memfem-bench" assembly --mesh "box:1x1x1:${n}x${n}x${n}:$type" --threads "$threads" \
        --reps 3 | grep '^assembly,' | sed "s/^/$type,$r,/" >> "$out/assembly.csv"
    done
  done
done

# ---- cantilever: accuracy against time and memory ----
case_full=$root/bench/elements/cantilever_linear.yaml
case_md=$out/cantilever_linear_mean_dilatation.yaml
sed 's/^mesh: \(.*\)$/mesh: \1\nvolumetric: mean-dilatation/' "$case_full" > "$case_md"
ladder() {
  case $1 in
    tet4) echo 2 4 6 8 12 16 24 ;;
    tet10) echo 1 2 3 4 6 8 ;;
    hex8|hex8md) echo 2 4 6 8 12 16 ;;
  esac
}
for kind in tet4 tet10 hex8 hex8md; do
  type=${kind%md}; case_file=$case_full; [ $kind = hex8md ] && case_file=$case_md
  for k in $(ladder $kind); do
    [ $quick -eq 1 ] && [ "$k" -gt 3 ] && continue
    for r in $(seq 1 "$reps"); do
      d=$out/runs/$kind-k$k-r$r
      mkdir -p "$d"
      echo "elements.sh: cantilever $kind k=$k repetition $r (load $(cut -d' ' -f1 /proc/loadavg))"
      rc=0
      /usr/bin/time -v -o "$d/time.txt" "$memfem" run "$case_file" --mesh "box:10x1x1:$((10 * k))x${k}x${k}:$type" \
        --out "$d" --quiet > "$d/stdout.txt" 2> "$d/stderr.txt" || rc=$?
      echo "$rc" > "$d/exit_code"
    done
  done
done
python3 "$root/bench/tabulate-elements.py" "$out" | tee "$out/elements.md"
