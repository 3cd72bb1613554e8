"""ParaView reads memfem's results.xdmf (issue 5: "ParaView opens it directly").

Run with pvpython (Debian packages paraview, python3-paraview):
    pvpython check_paraview.py MEMFEM CASE OUTDIR
Runs CASE into OUTDIR, opens OUTDIR/results.xdmf with ParaView's Xdmf3ReaderT and
checks: one time step per written step, the mesh's point and cell counts, the arrays
displacement (3 components, on points), cauchy_stress (6, on cells) and von_mises (1, on
cells), and that the displacement ParaView reads at the last step is the one in
results.h5 (max |difference| 0: the same doubles). Exits 77 (skipped) when ParaView's
Python modules are not available.
"""
import os
import subprocess
import sys

try:
    from paraview import servermanager
    from paraview.simple import Xdmf3ReaderT
    from vtk.util.numpy_support import vtk_to_numpy
except ImportError as e:
    print("skipped: ParaView's Python modules are not available (%s)" % e)
    sys.exit(77)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


memfem, case, out = sys.argv[1:4]
p = subprocess.run([memfem, "run", case, "--quiet", "--out", out], capture_output=True, text=True)
if p.returncode != 0:
    fail("memfem failed: %s" % p.stderr)
info = subprocess.run([memfem, "info", os.path.join(out, "results.h5")], capture_output=True, text=True)
if info.returncode != 0:
    fail("memfem info results.h5 failed: %s" % info.stderr)

reader = Xdmf3ReaderT(FileName=[os.path.join(out, "results.xdmf")])
reader.UpdatePipelineInformation()
times = list(reader.TimestepValues) if reader.TimestepValues else []
if len(times) < 1:
    fail("ParaView found no time steps in results.xdmf")
reader.UpdatePipeline(times[-1])
data = servermanager.Fetch(reader)
# Xdmf3ReaderT gives an unstructured grid (or a multiblock holding one).
if data.IsA("vtkMultiBlockDataSet"):
    data = data.GetBlock(0)
n_points, n_cells = data.GetNumberOfPoints(), data.GetNumberOfCells()
if n_points == 0 or n_cells == 0:
    fail("ParaView read an empty mesh")
for i in range(min(n_cells, 50)):
    if data.GetCellType(i) != 10:  # VTK_TETRA
        fail("cell %d has VTK type %d, expected a tetrahedron (10)" % (i, data.GetCellType(i)))
expect = {("point", "displacement"): 3, ("cell", "cauchy_stress"): 6, ("cell", "von_mises"): 1}
for (where, name), ncomp in expect.items():
    arrays = data.GetPointData() if where == "point" else data.GetCellData()
    a = arrays.GetArray(name)
    if a is None:
        fail("ParaView finds no %s array '%s'" % (where, name))
    if a.GetNumberOfComponents() != ncomp:
        fail("%s has %d components, expected %d" % (name, a.GetNumberOfComponents(), ncomp))
    if a.GetNumberOfTuples() != (n_points if where == "point" else n_cells):
        fail("%s has %d tuples" % (name, a.GetNumberOfTuples()))

import h5py  # noqa: E402  (after the ParaView check: pvpython may not see h5py)

with h5py.File(os.path.join(out, "results.h5"), "r") as h5:
    steps = sorted(h5["steps"].keys())
    if len(steps) != len(times):
        fail("ParaView sees %d time steps, results.h5 has %d" % (len(times), len(steps)))
    u = h5["steps"][steps[-1]]["displacement"][...]
    if u.shape != (n_points, 3):
        fail("results.h5 displacement %s, ParaView has %d points" % (u.shape, n_points))
    pv_u = vtk_to_numpy(data.GetPointData().GetArray("displacement"))
    diff = abs(pv_u - u).max()
    if diff != 0.0:
        fail("displacement read by ParaView differs from results.h5 by %g" % diff)
print("ok: ParaView %s read %d steps, %d points, %d tetrahedra, arrays displacement/cauchy_stress/von_mises"
      % (servermanager.vtkSMProxyManager.GetParaViewSourceVersion(), len(times), n_points, n_cells))
