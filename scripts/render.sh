#!/usr/bin/env bash
# A picture of a result: the deformed mesh's outer surface coloured by von Mises stress.
#
#   usage: scripts/render.sh DIR/results.h5 [OUT.png] [--step N] [--scale S]
#   default: the last written step, true displacement (scale 1), OUT = DIR/von_mises.png
#
# Uses python3-matplotlib and python3-h5py (Debian packages; scripts/install-deps.sh).
# Each boundary triangle (a tet face no other tet shares) is drawn at its deformed place
# with the colour of its element's von Mises stress, back to front, with offscreen Agg.
set -euo pipefail
# Debian's python3-h5py/-matplotlib serve /usr/bin/python3; a python3 earlier on PATH may lack them.
py=python3
python3 -c "import h5py, matplotlib" 2>/dev/null || py=/usr/bin/python3
[ $# -ge 1 ] || { sed -n 2,9p "$0"; exit 2; }
exec "$py" - "$@" <<'PY'
import os
import sys

import matplotlib
matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: E402

args = sys.argv[1:]
src = args.pop(0)
step, scale, out = None, 1.0, None
while args:
    a = args.pop(0)
    if a == "--step":
        step = int(args.pop(0))
    elif a == "--scale":
        scale = float(args.pop(0))
    elif out is None:
        out = a
    else:
        sys.exit("render.sh: unexpected argument %s" % a)
out = out or os.path.join(os.path.dirname(os.path.abspath(src)), "von_mises.png")
try:
    f = h5py.File(src, "r")
except OSError as e:
    sys.exit("render.sh: error: %s: %s" % (src, e))
with f:
    steps = sorted(int(k) for k in f["steps"])
    if not steps:
        sys.exit("render.sh: error: %s holds no written step" % src)
    step = steps[-1] if step is None else step
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

fig = plt.figure(figsize=(9, 5), dpi=150)
ax = fig.add_subplot(projection="3d")
norm = plt.Normalize(val.min(), val.max())
cmap = plt.get_cmap("viridis")
coll = Poly3DCollection(tri, facecolors=cmap(norm(val)), edgecolors=(0, 0, 0, 0.15), linewidths=0.2)
ax.add_collection3d(coll)
lo, hi = X.min(axis=0), X.max(axis=0)
ax.set_xlim(lo[0], hi[0]); ax.set_ylim(lo[1], hi[1]); ax.set_zlim(lo[2], hi[2])
ax.set_box_aspect(hi - lo)
ax.view_init(elev=20, azim=-60)
ax.set_xlabel("x"); ax.set_ylabel("y"); ax.set_zlabel("z")
sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
fig.colorbar(sm, ax=ax, shrink=0.6, label="von Mises stress")
ax.set_title("%s: step %d, load factor %.3g, displacement x%g" % (os.path.basename(src), step, lf, scale))
fig.savefig(out, bbox_inches="tight")
print("wrote %s (step %d, %d boundary triangles)" % (out, step, len(tri)))
PY
