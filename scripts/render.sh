#!/usr/bin/env bash
# A picture of a result: the deformed mesh coloured by von Mises stress.
#
#   usage: scripts/render.sh DIR|DIR/results.h5|DIR/results.xdmf [OUT.png]
#                            [--step N] [--scale S] [--units U] [--matplotlib]
#   default: the last written step, true displacement (scale 1), OUT = DIR/von_mises.png,
#            units "unit of E" (memfem has no unit system: stresses are in the unit of
#            the material constants; the default case's are MPa: --units MPa)
#
# With ParaView's pvpython (Debian: paraview, python3-paraview; scripts/install-deps.sh)
# it reads results.xdmf, warps the mesh by the displacement and colours its surface by
# von Mises stress (nodal average of the element values) with a colour bar, the
# undeformed outline in grey, a fitted camera and no axes grid: scripts/render_paraview.py,
# offscreen, on a private Xvfb display when there is none. Without pvpython, or with
# --matplotlib, or when ParaView fails, matplotlib draws the boundary triangles with
# their element's value (python3-matplotlib, python3-h5py).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n 2,16p "$0" >&2; exit 2; }
src="" out="" step="" scale=1 units="unit of E" engine=paraview
while [ $# -gt 0 ]; do
  case $1 in
    --step) [ $# -ge 2 ] || usage; step=$2; shift 2 ;;
    --scale) [ $# -ge 2 ] || usage; scale=$2; shift 2 ;;
    --units) [ $# -ge 2 ] || usage; units=$2; shift 2 ;;
    --matplotlib) engine=matplotlib; shift ;;
    -h|--help|-*) usage ;;
    *) if [ -z "$src" ]; then src=$1; elif [ -z "$out" ]; then out=$1; else usage; fi; shift ;;
  esac
done
[ -n "$src" ] || usage
[ -d "$src" ] && src=$src/results.h5
dir=$(dirname "$src")
h5=$dir/$(basename "$src" .xdmf)
h5=${h5%.h5}.h5
xdmf=${h5%.h5}.xdmf
out=${out:-$dir/von_mises.png}
[[ "$step" =~ ^[0-9]*$ ]] || { echo "render.sh: error: --step expects a step number, got '$step'" >&2; exit 2; }

# ParaView's Debian build renders through X, also offscreen: without a display it gets a
# private virtual one (Xvfb; -displayfd: it picks a free display number itself). Two
# virtual servers starting while a render waits for its own can leave that render
# without a connection ("bad X server connection", as concurrent xvfb-run -a do), so
# renders that start one take turns (flock).
xvfb_pid="" log="" lock=""
cleanup() {
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2> /dev/null || true
  [ -z "$log" ] || rm -f "$log"
  [ -z "$lock" ] || exec {lock}>&-
  xvfb_pid="" log="" lock=""
}
trap cleanup EXIT
start_xvfb() {
  local f n
  exec {lock}> "${TMPDIR:-/tmp}/memfem-render-xvfb.lock"
  flock -w 600 "$lock" || return 1
  f=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3> "$f" 2> /dev/null &
  xvfb_pid=$!
  for _ in $(seq 100); do [ -s "$f" ] && break; sleep 0.1; done
  n=$(head -n 1 "$f")
  rm -f "$f"
  [ -n "$n" ] && export DISPLAY=:$n
}

if [ "$engine" = paraview ]; then
  if ! command -v pvpython > /dev/null; then
    echo "render.sh: pvpython not found (Debian: paraview python3-paraview); drawing with matplotlib" >&2
    engine=matplotlib
  elif [ ! -f "$xdmf" ]; then
    echo "render.sh: no $xdmf for ParaView; drawing with matplotlib" >&2
    engine=matplotlib
  elif [ -z "${DISPLAY:-}" ] && ! { command -v Xvfb > /dev/null && start_xvfb; }; then
    echo "render.sh: no X display and no Xvfb (Debian: xvfb); drawing with matplotlib" >&2
    engine=matplotlib
  fi
fi
if [ "$engine" = paraview ]; then
  log=$(mktemp)
  # XOpenDisplay sometimes fails on a healthy Xvfb (a plain Xlib loop: 51 of 200 opens on
  # a loaded 2-core VM), and pvpython aborts on the first failure ("bad X server
  # connection"): up to five starts before falling back to matplotlib.
  for attempt in 1 2 3 4 5; do
    rc=0
    pvpython --force-offscreen-rendering "$here/render_paraview.py" "$xdmf" "$out" "${step:-last}" "$scale" "$units" \
      > "$log" 2>&1 || rc=$?
    [ "$rc" -ne 0 ] && grep -q "bad X server connection" "$log" || break
    sleep "$attempt"
  done
  if [ "$rc" -eq 0 ] && [ -s "$out" ]; then grep '^wrote' "$log"; exit 0; fi
  grep -q '^render.sh: error:' "$log" && { grep '^render.sh: error:' "$log" >&2; exit 2; }
  grep -v "^ *[0-9]* *0x" "$log" | tail -n 5 >&2 # without the stack trace
  echo "render.sh: ParaView failed (exit $rc); drawing with matplotlib" >&2
fi
cleanup

# Debian's python3-h5py/-matplotlib serve /usr/bin/python3; a python3 earlier on PATH may lack them.
py=python3
python3 -c "import h5py, matplotlib" 2>/dev/null || py=/usr/bin/python3
exec "$py" - "$h5" "$out" "${step:-last}" "$scale" "$units" <<'PY'
import os
import sys

import matplotlib
matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: E402

src, out, step, scale, units = sys.argv[1:6]
scale = float(scale)
try:
    f = h5py.File(src, "r")
except OSError as e:
    sys.exit("render.sh: error: %s: %s" % (src, e))
with f:
    steps = sorted(int(k) for k in f["steps"])
    if not steps:
        sys.exit("render.sh: error: %s holds no written step" % src)
    step = steps[-1] if step == "last" else int(step)
    if step not in steps:
        sys.exit("render.sh: error: %s has no step %d (written: %s)" % (src, step, steps))
    g = f["steps/%06d" % step]
    X = f["mesh/coordinates"][...] + scale * g["displacement"][...]
    conn = f["mesh/connectivity"][...]
    vm = g["von_mises"][...]
    lf = float(g.attrs["load_factor"])

# Boundary faces: the faces of tets that appear once.
local = np.array([[0, 2, 1], [0, 1, 3], [1, 2, 3], [0, 3, 2]])
faces = conn[:, local].reshape(-1, 3)
owner = np.repeat(np.arange(len(conn)), 4)
key = np.sort(faces, axis=1)
_, idx, counts = np.unique(key, axis=0, return_index=True, return_counts=True)
once = idx[counts == 1]
tri, val = X[faces[once]], vm[owner[once]]

fig = plt.figure(figsize=(9, 4.5), dpi=150)
ax = fig.add_subplot(projection="3d")
norm = plt.Normalize(val.min(), val.max())
cmap = plt.get_cmap("turbo")
coll = Poly3DCollection(tri, facecolors=cmap(norm(val)), edgecolors=(0, 0, 0, 0.08), linewidths=0.2)
ax.add_collection3d(coll)
lo, hi = X.min(axis=0), X.max(axis=0)
ax.set_xlim(lo[0], hi[0]); ax.set_ylim(lo[1], hi[1]); ax.set_zlim(lo[2], hi[2])
ax.set_box_aspect(hi - lo)
ax.view_init(elev=20, azim=-65)
ax.set_axis_off()
sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
fig.colorbar(sm, ax=ax, shrink=0.7, label="von Mises stress, element values [%s]" % units)
ax.set_title("%s: step %d, load factor %.3g, displacement x%g" % (
    os.path.basename(os.path.dirname(os.path.abspath(src))), step, lf, scale), fontsize=10)
fig.savefig(out, bbox_inches="tight")
print("wrote %s (matplotlib, step %d, %d boundary triangles)" % (out, step, len(tri)))
PY
