#!/usr/bin/env bash
# Fresh machine to full test run: install what is missing, build with -Werror, run
# every test (ctest labels: unit, validation, regression, badinput, slow).
#   usage: scripts/test.sh [ctest arguments...]   e.g. scripts/test.sh -LE slow
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" -DMEMFEM_WERROR=ON
cd "$root"
./build/src/memfem run configs/cantilever.yaml --quiet
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
# preconditioner: boomeramg needs the hypre build (it links MPI, which the default build
# does not): build it too and run its tests (label hypre).
"$root/scripts/build.sh" "$root/build-hypre" -DMEMFEM_WERROR=ON -DMEMFEM_HYPRE=ON
ctest --test-dir build-hypre --output-on-failure -j "$(nproc)" -L hypre
