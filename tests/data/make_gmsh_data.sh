#!/bin/sh
# Regenerates the Gmsh-made test meshes of this folder (run it here; needs gmsh >= 4.7).
# The small handcrafted files (sparse_tags.msh, inverted_tet.msh, ...) are written by
# hand and not touched. The meshes are deterministic for a given gmsh version; the
# committed ones were made with gmsh 4.8.4.
set -eu
cd "$(dirname "$0")"
g() { gmsh "$@" -v 1 >/dev/null; }

# The same coarse cube through the four writers (tests compare the loaded meshes).
g cube_small.geo -3 -format msh41 -o cube_v41_ascii.msh
g cube_small.geo -3 -format msh41 -bin -o cube_v41_binary.msh
g cube_small.geo -3 -format msh22 -o cube_v22_ascii.msh
g cube_small.geo -3 -format msh22 -bin -o cube_v22_binary.msh
# ... and with parametric coordinates in the 4.1 node blocks.
g cube_small.geo -3 -format msh41 -setnumber Mesh.SaveParametric 1 -o cube_param_ascii.msh
g cube_small.geo -3 -format msh41 -bin -setnumber Mesh.SaveParametric 1 -o cube_param_binary.msh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A surface in two physical surfaces, the volume in two physical volumes (tags 7 and 3).
cat > "$tmp/two_groups.geo" <<'GEO'
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};
eps = 1e-6;
xmin() = Surface In BoundingBox{-eps, -eps, -eps, eps, 1 + eps, 1 + eps};
Physical Surface("xmin", 1) = xmin();
Physical Surface("clamp", 2) = xmin();
Physical Volume("solid", 7) = {1};
Physical Volume("core", 3) = {1};
Mesh.MeshSizeMin = 1;
Mesh.MeshSizeMax = 1;
GEO
g "$tmp/two_groups.geo" -3 -format msh41 -o two_groups_v41.msh
g "$tmp/two_groups.geo" -3 -format msh22 -o two_groups_v22.msh

# Physical point and curve: their elements are counted and skipped.
cat > "$tmp/points_lines.geo" <<'GEO'
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};
Physical Point("corner", 20) = {1};
Physical Curve("edge", 21) = {1};
Physical Surface("skin", 1) = {1:6};
Physical Volume("solid", 10) = {1};
Mesh.MeshSizeMin = 0.5;
Mesh.MeshSizeMax = 0.5;
GEO
g "$tmp/points_lines.geo" -3 -format msh41 -o points_lines_v41.msh
g "$tmp/points_lines.geo" -3 -format msh22 -o points_lines_v22.msh

# Everything saved, one unnamed surface group, no physical volume: unassigned elements.
cat > "$tmp/save_all.geo" <<'GEO'
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};
Physical Surface(5) = {1};
Mesh.MeshSizeMin = 1;
Mesh.MeshSizeMax = 1;
Mesh.SaveAll = 1;
GEO
g "$tmp/save_all.geo" -3 -format msh41 -o save_all_v41.msh
g "$tmp/save_all.geo" -3 -format msh22 -o save_all_v22.msh

# Second-order tetrahedra only (no surface groups, so the first element block is type 11).
cat > "$tmp/tet10.geo" <<'GEO'
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};
Physical Volume("solid", 10) = {1};
Mesh.MeshSizeMin = 1;
Mesh.MeshSizeMax = 1;
Mesh.ElementOrder = 2;
GEO
g "$tmp/tet10.geo" -3 -format msh41 -o tet10.msh

# Cut in the middle of $Elements.
for v in ascii binary; do
  f=cube_v41_$v.msh
  start=$(grep -a -b -o '\$Elements' "$f" | head -1 | cut -d: -f1)
  end=$(grep -a -b -o '\$EndElements' "$f" | head -1 | cut -d: -f1)
  head -c $(( (start + end) / 2 )) "$f" > truncated_$v.msh
done
