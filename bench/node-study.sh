#!/usr/bin/env bash
# The whole study for an HPC node, in one run that fits a short lease: microbenchmarks of
# every build, thread scaling of the solver, and whole-run build comparisons, each step
# bounded in time; every result lands in OUT/node.tar.gz (rewritten after each step, so
# an interrupted study still returns what it finished) and the log in OUT/node.log.
#
#   usage: bench/node-study.sh BUNDLE OUT [--budget SECONDS] [--quick]
#   BUNDLE  made here by bench/node-bundle.sh (binaries of every preset + libraries)
#   --budget  seconds the study may take (default 480); a step that would not fit in
#             what is left is skipped, and said so in the log
#   --quick   tiny sizes, to try the script itself on any machine
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: node-study.sh BUNDLE OUT [--budget S] [--quick]" >&2; exit 2; }
# shellcheck source=bench/node-steps.sh
source "$root/bench/node-steps.sh"
study_begin node-study "$1" "$2" 480 "${@:3}" || exit 2
export OMP_PROC_BIND=close OMP_PLACES=cores
n=$(nproc)

threads=1 t=2
while [ "$t" -le "$n" ]; do threads=$threads,$t; t=$((t * 2)); done
[[ ,$threads, == *,$n,* ]] || threads=$threads,$n
b=$bundle/build
if [ "$quick" = 1 ]; then
  asm_mesh=box:1x1x1:10x10x10 cg_mesh=$asm_mesh nodes=200000 scal_mesh=box:1x1x1:8x8x8 reps=2 scal_reps=1
  medium=small
else
  asm_mesh=box:1x1x1:48x48x48 cg_mesh=box:1x1x1:64x64x64 nodes=8000000 scal_mesh=box:1x1x1:36x36x36 reps=5 scal_reps=3
  medium=medium
fi
say "threads $threads; bundle $bundle; budget $budget s"
"$root/scripts/machine-info.sh" "$b/pool-jemalloc/src/memfem" > "$work/machine.txt" 2>&1
{ lscpu; echo; numactl --hardware 2>/dev/null || true; cat /proc/meminfo | head -n 5; } > "$work/lscpu.txt" 2>&1
pack

all=pool-system,naive-system,pool-jemalloc,naive-jemalloc,pool-mimalloc,naive-mimalloc,pool-tcmalloc,naive-tcmalloc,aos-system,aos-jemalloc,boxed-system,boxed-jemalloc
step "kernel bandwidth (cg + STREAM), $threads threads" 90 \
  "$root/bench/microbench.sh" --prebuilt --build-root "$b" --presets pool-jemalloc --only cg --threads "$threads" \
  --reps "$reps" --iters 20 --mesh "$cg_mesh" --out "$work/micro-cg"
step "assembly, 12 builds, 1 and $n threads" 100 \
  "$root/bench/microbench.sh" --prebuilt --build-root "$b" --presets "$all" --only assembly --threads "1,$n" \
  --reps "$reps" --mesh "$asm_mesh" --out "$work/micro-assembly"
step "iterate, 1 and $n threads" 45 \
  "$root/bench/microbench.sh" --prebuilt --build-root "$b" --presets pool-system,pool-jemalloc,boxed-system \
  --only iterate --threads "1,$n" --reps "$reps" --nodes "$nodes" --out "$work/micro-iterate"
MEMFEM=$b/pool-jemalloc/src/memfem step "strong scaling, $threads threads" 170 \
  "$root/scripts/scaling.sh" --strong-only --no-stream --threads "$threads" --mesh "$scal_mesh" \
  --reps "$scal_reps" --out "$work/scaling"
step "whole runs, 6 builds, $n threads, small" 40 \
  "$root/scripts/compare-builds.sh" --prebuilt --build-root "$b" --threads "$n" --reps 3 --size small \
  --out "$work/compare-small"
step "whole run, medium (1.06M nodes), pool-jemalloc, $n threads" 150 \
  "$root/scripts/compare-builds.sh" --prebuilt --build-root "$b" --threads "$n" --reps 1 --size "$medium" \
  --presets pool-jemalloc --out "$work/compare-medium"
say "done"
pack
rm -rf "$work"
