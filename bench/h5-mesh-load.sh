#!/usr/bin/env bash
# Mesh load time: memfem's HDF5 mesh against ASCII Gmsh MSH 2.2, same mesh (issue 5).
#
#   usage: bench/h5-mesh-load.sh [-m MESH_SPEC] [-r REPS] [-o DIR]
#   default: box:1x1x1:99x99x99 (1,000,000 nodes, 5,821,794 tetrahedra), 3 repetitions
#
# Makes MESH.h5 with `memfem convert`, writes the same mesh as ASCII MSH 2.2 from it
# (python3-h5py), then times `memfem info` (load + volume check + report) on each, REPS
# times, with OMP_NUM_THREADS=1, and prints min/median seconds and the ratio. Files go to
# DIR (default a temporary directory, removed at the end).
set -euo pipefail
# Debian's python3-h5py/-matplotlib serve /usr/bin/python3; a python3 earlier on PATH may lack them.
py=python3
python3 -c "import h5py, matplotlib" 2>/dev/null || py=/usr/bin/python3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
spec=box:1x1x1:99x99x99 reps=3 out=""
while getopts m:r:o: opt; do
  case $opt in
    m) spec=$OPTARG ;; r) reps=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n 2,10p "$0"; exit 2 ;;
  esac
done
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || { echo "build memfem first (scripts/build.sh)" >&2; exit 2; }
keep=1
if [ -z "$out" ]; then out=$(mktemp -d); keep=0; fi
mkdir -p "$out"
export OMP_NUM_THREADS=1
"$memfem" convert "$spec" "$out/mesh.h5"
"$py" - "$out/mesh.h5" "$out/mesh.msh" <<'PY'
import sys
import h5py
import numpy as np
src, dst = sys.argv[1:3]
with h5py.File(src, "r") as f:
    m = f["mesh"]
    X, tags = m["coordinates"][...], m["node_tags"][...]
    conn, etags, reg = m["connectivity"][...], m["element_tags"][...], m["element_region"][...]
    faces = m["faces"][...]
    groups = [(g.attrs["name"].decode(), int(g.attrs["dim"]), int(g.attrs["tag"]),
               g["faces"][...] if "faces" in g else None) for _, g in sorted(m["groups"].items(), key=lambda x: int(x[0]))]
with open(dst, "w") as o:
    o.write("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$PhysicalNames\n%d\n" % len(groups))
    for name, dim, tag, _ in groups:
        o.write('%d %d "%s"\n' % (dim, tag, name))
    o.write("$EndPhysicalNames\n$Nodes\n%d\n" % len(X))
    np.savetxt(o, np.column_stack([tags, X]), fmt="%d %.17g %.17g %.17g")
    tri = [(tag, faces[fl]) for _, dim, tag, fl in groups if dim == 2]
    n_tri = sum(len(f) for _, f in tri)
    o.write("$EndNodes\n$Elements\n%d\n" % (n_tri + len(conn)))
    k = 1
    for tag, fc in tri:
        ids = np.arange(k, k + len(fc)); k += len(fc)
        np.savetxt(o, np.column_stack([ids, np.full(len(fc), 2), np.full(len(fc), 2), np.full(len(fc), tag),
                                        np.full(len(fc), tag), tags[fc]]), fmt="%d")
    vt = np.array([g[2] for g in groups])[np.maximum(reg, 0)]
    np.savetxt(o, np.column_stack([np.arange(k, k + len(conn)), np.full(len(conn), 4), np.full(len(conn), 2),
                                    vt, vt, tags[conn]]), fmt="%d")
    o.write("$EndElements\n")
PY
echo "# $(date -u +%FT%TZ) $(hostname); $(lscpu | sed -n 's/^Model name: *//p'); OMP_NUM_THREADS=1"
ls -l "$out/mesh.msh" "$out/mesh.h5" | awk '{printf "%-40s %8.1f MiB\n", $NF, $5/1048576}'
"$memfem" info "$out/mesh.h5" | sed -n 2,3p
"$py" - "$memfem" "$out/mesh.msh" "$out/mesh.h5" "$reps" <<'PY'
import statistics, subprocess, sys, time
memfem, msh, h5, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
times = {msh: [], h5: []}
for _ in range(reps):
    for path in (msh, h5):  # interleaved, so drift hits both alike
        t0 = time.perf_counter()
        subprocess.run([memfem, "info", path], check=True, stdout=subprocess.DEVNULL)
        times[path].append(time.perf_counter() - t0)
for name, path in (("ASCII .msh", msh), ("HDF5 .h5", h5)):
    t = times[path]
    print("%-11s load (memfem info): min %.3f s, median %.3f s over %d runs" % (name, min(t), statistics.median(t), len(t)))
print("ratio .msh/.h5 (median): %.1fx" % (statistics.median(times[msh]) / statistics.median(times[h5])))
PY
[ "$keep" -eq 1 ] || rm -rf "$out"
