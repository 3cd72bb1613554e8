#!/usr/bin/env bash
# See a run: plots and a one-page HTML report of one or more memfem output directories.
#
#   usage: scripts/report.sh DIR [DIR...] [--out OUT] [--render] [--units U] [--title T]
#
# Reads DIR/summary.json and DIR/telemetry.csv and writes OUT/index.html with
# convergence.png, memory.png and phases.png (default OUT: DIR/report; with several
# DIRs, whose plots are overlaid, report-A-vs-B next to the first). --render adds the
# deformed mesh of DIR/results.h5 (scripts/render.sh; --units names the stress unit).
# Prints the path of index.html. Details: scripts/report.py.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { sed -n 2,10p "$0" >&2; exit 2; }
# Debian's python3-matplotlib serves /usr/bin/python3; a python3 earlier on PATH may lack it.
py=python3
python3 -c "import matplotlib" 2>/dev/null || py=/usr/bin/python3
exec "$py" "$here/report.py" "$@"
