#!/usr/bin/env bash
# Run a program on R MPI ranks of T OpenMP threads each, placed for a scaling figure:
# while R x T fits the machine's CPUs, each rank is bound to its own T CPUs (hardware
# threads counted as CPUs, so a node with SMT maps the same way) and OpenMP places its
# threads inside them; beyond, the ranks are unbound and oversubscribed (a correctness
# run, not a figure). One rank without MPI runs the program itself unless FORCE_MPI=1.
#
#   usage: scripts/mpi-launch.sh RANKS THREADS PROGRAM [ARGS...]
#   MPIEXEC  the launcher (default mpiexec, Open MPI's)
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,9p "$0" >&2; exit 2; }
r=$1 t=$2
shift 2
if [ "$r" -eq 1 ] && [ "${FORCE_MPI:-0}" != 1 ]; then
  exec "$@"
fi
mpiexec=${MPIEXEC:-mpiexec}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ $((r * t)) -le "$(nproc)" ]; then
  exec "$mpiexec" -n "$r" --use-hwthread-cpus --map-by "slot:PE=$t" --bind-to hwthread "$@"
fi
exec "$mpiexec" -n "$r" --oversubscribe --bind-to none -x OMP_PROC_BIND=false "$@"
