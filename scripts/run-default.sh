#!/usr/bin/env bash
# Fresh machine to first result: install what is missing, build, run the default case.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
cd "$root"
./build/src/memfem run configs/cantilever.yaml
