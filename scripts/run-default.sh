#!/usr/bin/env bash
# Fresh machine to first result: install what is missing, build, run the default case,
# and write its report (plots, headline figures and a picture of the deformed mesh):
# prints the path of out/cantilever/report/index.html.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
cd "$root"
rc=0
./build/src/memfem run configs/cantilever.yaml || rc=$?
# A failed run (exit 1) still wrote summary.json and telemetry.csv: report what converged.
if [ "$rc" -le 1 ]; then
  # The case's material constants are in N/mm^2 (configs/cantilever.yaml).
  scripts/report.sh out/cantilever --render --units MPa
fi
exit "$rc"
