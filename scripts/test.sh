#!/usr/bin/env bash
# Fresh machine to full test run: install what is missing, build with -Werror, run
# every test (ctest labels: unit, validation, regression, badinput, memory, bench, fuzz,
# slow).
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
# preconditioner: boomeramg needs the hypre build (it links MPI, which the default build
# does not): build it too and run its tests (label hypre).
"$root/scripts/build.sh" "$root/build-hypre" -DMEMFEM_WERROR=ON -DMEMFEM_HYPRE=ON
ctest --test-dir build-hypre --output-on-failure -j "$(nproc)" -L hypre
