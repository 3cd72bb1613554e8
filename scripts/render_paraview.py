"""The deformed mesh coloured by von Mises stress, drawn by ParaView (scripts/render.sh).

Run by pvpython --force-offscreen-rendering (Debian: paraview, python3-paraview):
    render_paraview.py RESULTS.xdmf OUT.png STEP|last SCALE UNITS
Reads results.xdmf (Xdmf3ReaderT), warps the mesh by displacement x SCALE, colours its
surface by the cell-wise von Mises stress with a colour bar (title and units), shows the
undeformed outline in grey, fits the camera to the deformed shape, white background, no
axes grid. Exits 3 when ParaView's Python modules cannot be imported (render.sh then
falls back to matplotlib).
"""
import math
import os
import sys
import xml.etree.ElementTree as ET

try:
    from paraview import simple as pv
except ImportError as e:
    print("render.sh: ParaView's Python modules are not available (%s)" % e, file=sys.stderr)
    sys.exit(3)



def nice_ticks(lo, hi, n=5):
    """About n round values strictly inside [lo, hi], none close to the range labels."""
    if not hi > lo:
        return []
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    ticks = [first + i * step for i in range(n + 2) if first + i * step <= hi]
    margin = 0.07 * (hi - lo)
    return [t for t in ticks if lo + margin < t < hi - margin]


src, out, step_arg, scale, units = sys.argv[1:6]
scale = float(scale)

# Time = step number; the load factor is in each step's Information element.
load_factor = {}
for grid in ET.parse(src).getroot().iter("Grid"):
    t, info = grid.find("Time"), grid.find("Information[@Name='load_factor']")
    if t is not None:
        load_factor[int(float(t.get("Value")))] = float(info.get("Value")) if info is not None else float("nan")
if not load_factor:
    sys.exit("render.sh: error: %s holds no written step" % src)
step = max(load_factor) if step_arg == "last" else int(step_arg)
if step not in load_factor:
    sys.exit("render.sh: error: %s has no step %d (written: %s)" % (src, step, sorted(load_factor)))

reader = pv.Xdmf3ReaderT(FileName=[src])
reader.CellArrays = ["von_mises"]
reader.PointArrays = ["displacement"]
reader.UpdatePipeline(float(step))
# Linear tets have one stress per element; the picture shows at each node the average of
# its elements' values (ParaView's Cell Data to Point Data), the colour bar their range.
nodal = pv.CellDatatoPointData(Input=reader, ProcessAllArrays=0, CellDataArraytoprocess=["von_mises"])
surface = pv.ExtractSurface(Input=nodal)
warp = pv.WarpByVector(Input=surface, Vectors=["POINTS", "displacement"], ScaleFactor=scale)
warp.UpdatePipeline(float(step))
vm_lo, vm_hi = warp.PointData["von_mises"].GetRange()
outline = pv.FeatureEdges(Input=surface, BoundaryEdges=0, FeatureEdges=1, NonManifoldEdges=0, FeatureAngle=40.0)
edges = pv.FeatureEdges(Input=warp, BoundaryEdges=0, FeatureEdges=1, NonManifoldEdges=0, FeatureAngle=40.0)

width, height = 1400, 640
view = pv.CreateView("RenderView")
view.ViewSize = [width, height]
view.ViewTime = float(step)
if hasattr(view, "UseColorPaletteForBackground"):
    view.UseColorPaletteForBackground = 0
view.Background = [1.0, 1.0, 1.0]
view.OrientationAxesVisibility = 1
view.OrientationAxesLabelColor = [0.15, 0.15, 0.15]
view.CenterAxesVisibility = 0
if hasattr(view, "UseFXAA"):
    view.UseFXAA = 1

shown = pv.Show(warp, view)
shown.Representation = "Surface"
pv.ColorBy(shown, ("POINTS", "von_mises"))
lut = pv.GetColorTransferFunction("von_mises")
lut.ApplyPreset("Turbo" if "Turbo" in pv.GetLookupTableNames() else "Jet", True)
shown.RescaleTransferFunctionToDataRange(False, True)
shown.Ambient, shown.Diffuse = 0.25, 0.8

ghost = pv.Show(outline, view)
ghost.DiffuseColor = ghost.AmbientColor = [0.55, 0.55, 0.55]
ghost.LineWidth = 1.0
ghost.Opacity = 0.6
ridge = pv.Show(edges, view)
ridge.DiffuseColor = ridge.AmbientColor = [0.1, 0.1, 0.1]
ridge.LineWidth = 1.5
ghost.ColorArrayName = ridge.ColorArrayName = ["POINTS", ""]  # plain lines, not coloured by stress

bar = pv.GetScalarBar(lut, view)
bar.Title = "von Mises stress, nodal average"
bar.ComponentTitle = "[%s]" % units
bar.TitleColor = bar.LabelColor = [0.1, 0.1, 0.1]
bar.TitleFontSize, bar.LabelFontSize = 18, 16
bar.TitleBold = 0
bar.RangeLabelFormat = bar.LabelFormat = "%.0f" if 100 <= vm_hi < 1e6 else "%.3g"
bar.AutomaticLabelFormat = 0
bar.AddRangeLabels = 1
bar.UseCustomLabels = 1
bar.CustomLabels = nice_ticks(vm_lo, vm_hi)
bar.ScalarBarLength = 0.6
bar.WindowLocation = "Any Location"
bar.Orientation = "Vertical"
bar.Position = [0.89, 0.2]
bar.Visibility = 1

caption = pv.Text(Text="%s: step %d, load factor %.3g, displacement x%g (grey: undeformed)" % (
    os.path.basename(os.path.dirname(os.path.abspath(src))) or src, step, load_factor[step], scale))
label = pv.Show(caption, view)
label.Color = [0.1, 0.1, 0.1]
label.FontSize = 20
label.WindowLocation = "Upper Left Corner"

# A three-quarter view from the front, z up, fitted to the deformed body and the
# undeformed outline, then moved so that the colour bar keeps the right-hand part.
view.CameraViewUp = [0.0, 0.0, 1.0]
view.CameraFocalPoint = [0.0, 0.0, 0.0]
view.CameraPosition = [0.45, -1.0, 0.4]
view.ResetCamera(True)  # closest: fits the bounding box on screen, not its sphere
camera = view.GetActiveCamera()
camera.Dolly(0.9)
pos, focal, up = camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp()
look = [f - p for f, p in zip(focal, pos)]
dist = math.sqrt(sum(c * c for c in look))
right = [look[1] * up[2] - look[2] * up[1], look[2] * up[0] - look[0] * up[2], look[0] * up[1] - look[1] * up[0]]
norm = math.sqrt(sum(c * c for c in right)) or 1.0
visible_width = 2 * dist * math.tan(math.radians(camera.GetViewAngle() / 2)) * width / height
shift = [0.06 * visible_width * c / norm for c in right]
camera.SetPosition(*[p + d for p, d in zip(pos, shift)])
camera.SetFocalPoint(*[f + d for f, d in zip(focal, shift)])
pv.SaveScreenshot(out, view, ImageResolution=[width, height], TransparentBackground=0)
print("wrote %s (ParaView, step %d)" % (out, step))
