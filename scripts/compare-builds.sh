#!/usr/bin/env bash
# Compare memfem builds that differ only in memory strategy on the same work (issue 6):
# build the chosen presets side by side, run the same case several times with each, and
# collect per variant the wall time per phase, peak RSS, allocations per Newton
# iteration, fragmentation ratio, CG iterations and the displacement checksum, which
# must agree across variants (the script fails when it does not).
#
#   usage: scripts/compare-builds.sh [--presets P,...|all] [--size small|medium|large]
#                                    [--reps R] [--threads N] [--out DIR]
#                                    [--build-root DIR] [--prebuilt] [--smoke]
#   --size   small: box 16^3 cells (4,913 nodes, seconds); medium: 101^3 (1.06M nodes);
#            large: the largest cube box up to 10M nodes that fits in 60% of MemAvailable
#            (about 1.8 kB per node)                                   (default small)
#   --prebuilt  use the binaries already in the build directories, build nothing (a
#            machine without compilers, e.g. the device node with a carried bundle);
#            /usr/bin/time is taken from $MF_TIME when set
#   --smoke  small, 1 repetition, presets pool-system,naive-system: keeps the harness
#            working in the test suite; its figures are not for reading
#   defaults: presets pool-jemalloc,pool-system,naive-system,naive-jemalloc,boxed-system,
#            aos-system; 3 repetitions; all cores; builds in build-<preset>/ (or
#            BUILD_ROOT/<preset>); output bench/results/<date>-<host>/
#
# The case is configs/box_1m.yaml (neo-Hookean, 3 load steps, no field output) on the
# size's generated box. Output: runs.csv (every run), summary.csv (median, min, max per
# preset and figure), table.md, wall.png and rss.png (gnuplot), machine.txt, runs/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
presets=pool-jemalloc,pool-system,naive-system,naive-jemalloc,boxed-system,aos-system
size=small reps=3 threads=$(nproc) out="" build_root="" prebuilt=0
time_bin=${MF_TIME:-/usr/bin/time}
while [ $# -gt 0 ]; do
  case $1 in
    --presets) presets=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build-root) build_root=$2; shift 2 ;;
    --prebuilt) prebuilt=1; shift ;;
    --smoke) size=small reps=1 presets=pool-system,naive-system; shift ;;
    *) sed -n '2,/^set -euo/{/^#/p}' "$0" >&2; exit 2 ;;
  esac
done
[ "$presets" = all ] && presets=$(cmake --list-presets=configure 2>/dev/null | sed -n 's/^ *"\([^"]*\)".*/\1/p' |
  grep -E '^(pool|naive|aos|boxed)-' | paste -sd,)  # memory strategies only: not asan-ubsan, tsan, fuzz
case $size in
  small) cells=16 ;;
  medium) cells=101 ;;
  large)
    avail_kb=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
    cells=$(python3 -c "n=min(10e6, 0.6*$avail_kb*1024/1800); print(int(round(n**(1/3))) - 1)") ;;
  *) echo "compare-builds: --size small, medium or large, not '$size'" >&2; exit 2 ;;
esac
mesh=box:1x1x1:${cells}x${cells}x${cells}
[ -n "$out" ] || out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)
mkdir -p "$out/runs"

bin_of() { if [ -n "$build_root" ]; then echo "$build_root/$1/src/memfem"; else echo "$root/build-$1/src/memfem"; fi; }
if [ "$prebuilt" = 1 ]; then
  for p in ${presets//,/ }; do
    [ -x "$(bin_of "$p")" ] || { echo "compare-builds: --prebuilt but no $(bin_of "$p")" >&2; exit 1; }
  done
else
  echo "compare-builds: building ${presets//,/ } (log: $out/build.log)"
  BUILD_ROOT=$build_root TARGETS=memfem "$root/scripts/build-presets.sh" ${presets//,/ } > "$out/build.log" ||
    { echo "compare-builds: a preset does not build (log: $out/build.log)" >&2; exit 1; }
fi

export OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores}
{ "$root/scripts/machine-info.sh"
  echo "threads=$threads; case: configs/box_1m.yaml --mesh $mesh ($size), $reps repetition(s), presets $presets"
} > "$out/machine.txt"

# Repetitions interleave the presets so that a drift of the machine does not land on one.
for r in $(seq 1 "$reps"); do
  for p in ${presets//,/ }; do
    d=$out/runs/$p-$r
    mkdir -p "$d"
    echo "compare-builds: $p, repetition $r of $reps ($mesh)"
    "$time_bin" -v -o "$d/time.txt" "$(bin_of "$p")" run "$root/configs/box_1m.yaml" --mesh "$mesh" \
      --threads "$threads" --quiet --out "$d" > "$d/stdout.txt"
  done
done
python3 "$root/bench/tabulate-builds.py" "$out" | tee "$out/table.md"
if command -v gnuplot > /dev/null; then
  gnuplot -e "dir='$out'" "$root/bench/compare-builds.gp"
else
  echo "compare-builds: gnuplot not found (apt-get install gnuplot-nox): no plots" >&2
fi
echo "compare-builds: results in $out"
