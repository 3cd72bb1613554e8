#!/usr/bin/env bash
# Issue 14's study for an HPC node, in one run that fits a short lease: pure MPI against
# hybrid against pure OpenMP on all of the node's cores, with the same bits in every
# configuration. Steps, each bounded in time (bench/node-steps.sh):
#   1. MPI works: the cube with amg on 2 ranks gives the one-process checksum;
#   2. configs/box_1m.yaml (1.06M nodes) with amg at ranks x threads on all cores;
#   3. the distributed CG (memfem-bench dist-cg, 64^3 box) at ranks x threads, each
#      configuration with and without overlapping its products with the ghost exchange;
#   4. thread scaling of a whole run (48^3 box, amg, STREAM triad after each run);
#   5. step 2 again, a second round, if time is left, on the box as `memfem convert --order
#      rcm --parts ...` writes it (its renumbering and METIS cuts stored, which the runs
#      read instead of making them on rank 0; the same bits): the set-up's serial share.
# The estimates are the 16-core node's times of 2026-12-04 (docs/parallel.md).
# Results land in OUT/node.tar.gz (rewritten after each step), the log in OUT/node.log.
#
#   usage: bench/node-mpi-study.sh BUNDLE OUT [--budget SECONDS] [--quick]
#   BUNDLE    made here by bench/node-mpi-bundle.sh
#   --budget  seconds the study may take (default 540; a step that would not fit in what
#             is left is skipped)
#   --quick   tiny sizes and this machine's cores, to try the script itself anywhere
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: node-mpi-study.sh BUNDLE OUT [--budget S] [--quick]" >&2; exit 2; }
# shellcheck source=bench/node-steps.sh
source "$root/bench/node-steps.sh"
study_begin node-mpi-study "$1" "$2" 540 "${@:3}" || exit 2
# hardware threads are the CPUs (scripts/mpi-launch.sh binds ranks to them)
export OMP_PROC_BIND=close OMP_PLACES=threads OMP_WAIT_POLICY=passive
export MEMFEM=$bundle/bin/memfem MEMFEM_BENCH=$bundle/bin/memfem-bench
n=$(nproc)
# ranks x threads on all n cores: pure OpenMP, hybrids, pure MPI (powers of two)
configs=1x$n r=2
while [ "$r" -lt "$n" ]; do
  [ $((n % r)) -eq 0 ] && configs=$configs,${r}x$((n / r))
  r=$((r * 2))
done
configs=$configs,${n}x1
threads=1 t=2
while [ "$t" -lt "$n" ]; do threads=$threads,$t; t=$((t * 2)); done
threads=$threads,$n
if [ "$quick" = 1 ]; then
  thr_mesh=box:1x1x1:8x8x8 cg_mesh=box:1x1x1:10x10x10 big_mesh=box:1x1x1:12x12x12 reps=2
  est_box=10 est_thr=10 est_cg=10 est_convert=5
else
  thr_mesh=box:1x1x1:48x48x48 cg_mesh=box:1x1x1:64x64x64 big_mesh=box:1x1x1:101x101x101 reps=5
  est_box=300 est_thr=95 est_cg=130 est_convert=30
fi
say "cpus $n; configurations $configs; threads $threads; bundle $bundle; budget $budget s"
{ "$root/scripts/machine-info.sh" "$MEMFEM"; echo; lscpu; echo; head -n 5 /proc/meminfo; echo
  mpiexec --version; } > "$work/machine.txt" 2>&1
pack

mpi_check() { # one process and 2 ranks must give one checksum
  local one two
  one=$("$MEMFEM" run "$root/configs/cube.yaml" --preconditioner amg --threads 1 --out "$work/check-1" |
    awk '/^checksum/ {print $2}')
  two=$("$root/scripts/mpi-launch.sh" 2 1 "$MEMFEM" run "$root/configs/cube.yaml" --preconditioner amg \
    --threads 1 --out "$work/check-2" | awk '/^checksum/ {print $2}')
  echo "mpi check: 1 process $one, 2 ranks $two"
  [ -n "$one" ] && [ "$one" = "$two" ]
}
export -f mpi_check
export root work
step "MPI check (cube, amg, 1 process and 2 ranks)" 10 bash -c mpi_check
mpi_ok=0
grep -q "mpi check: 1 process \([0-9a-f]*\), 2 ranks \1$" "$log" && mpi_ok=1
[ "$mpi_ok" = 1 ] || { say "MPI does not work here: pure OpenMP only"; configs=1x$n; }

box_round() { # ROUND MESH
  step "round $1: $2, amg, $configs" "$est_box" \
    "$root/scripts/scaling.sh" --strong-only --no-stream --configs "$configs" --mesh "$2" --reps 1 \
    --preconditioner amg --out "$work/box-round$1"
}
box_round 1 "$big_mesh"
[ "$mpi_ok" = 1 ] && step "dist-cg, $cg_mesh, $configs, with and without the overlap" "$est_cg" \
  "$root/bench/ranks-threads.sh" -w -c "1x1,$configs" -m "$cg_mesh" -r 1 -n "$reps" -i 50 -o "$work/dist-cg"
step "thread scaling, whole run, $thr_mesh, amg, threads $threads" "$est_thr" \
  "$root/scripts/scaling.sh" --strong-only --configs "$(echo "1x${threads//,/,1x}")" --mesh "$thr_mesh" \
  --reps 1 --preconditioner amg --out "$work/threads"
# round 2 on the box with its cuts stored (outside $work: the file is not packed)
cut_mesh=${TMPDIR:-/tmp}/memfem-node-box-$$.h5
parts=$(tr ',' '\n' <<< "$configs" | cut -dx -f1 | awk '$1 > 1' | paste -sd,)
round2_mesh=$big_mesh
if [ -n "$parts" ] && [ $((budget - ($(date +%s) - start))) -ge $((est_box + est_convert)) ]; then
  step "convert $big_mesh with its cuts for $parts ranks" "$est_convert" \
    "$MEMFEM" convert "$big_mesh" "$cut_mesh" --order rcm --parts "$parts"
  [ -f "$cut_mesh" ] && round2_mesh=$cut_mesh
fi
box_round 2 "$round2_mesh"
rm -f "$cut_mesh"
say "done"
pack
rm -rf "$work"
