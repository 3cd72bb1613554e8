#!/usr/bin/env bash
# Fresh machine to full test run: install what is missing, build with -Werror, run
# every test (ctest labels: unit, validation, regression, badinput, memory, bench, fuzz,
# slow; and hypre, mpi in the MPI build).
#   usage: scripts/test.sh [ctest arguments...]   e.g. scripts/test.sh -LE slow
#          scripts/test.sh --sanitize [ctest arguments...]
# --sanitize builds the asan-ubsan preset (GCC, AddressSanitizer + UBSan, build-asan-ubsan)
# and runs the fast suite in it (ctest --preset asan-ubsan: every test but the slow,
# bench and fuzz labels; a sanitizer finding aborts the test's process and fails it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
cd "$root"
if [ "${1:-}" = "--sanitize" ]; then
  shift
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan -j "$(nproc)"
  ctest --preset asan-ubsan -j "$(nproc)" "$@"
  exit
fi
"$root/scripts/build.sh" "$root/build" -DMEMFEM_WERROR=ON
./build/src/memfem run configs/cantilever.yaml --quiet
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
# preconditioner: boomeramg and the processes of MEMFEM_MPI link MPI, which the default
# build does not: one more build with both, and its tests (labels hypre and mpi).
"$root/scripts/build.sh" "$root/build-hypre" -DMEMFEM_WERROR=ON -DMEMFEM_HYPRE=ON -DMEMFEM_MPI=ON
ctest --test-dir build-hypre --output-on-failure -j "$(nproc)" -L "hypre|mpi"
