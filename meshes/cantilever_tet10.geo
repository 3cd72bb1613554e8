// Cantilever beam 10 x 1 x 1 in 10-node (quadratic) tetrahedra: the geometry and groups of
// cantilever.geo ("fixed" at x = 0, "tip" at x = 10, "top", "bottom", volume "solid").
// Make the mesh:  gmsh cantilever_tet10.geo -3 -format msh41 -o cantilever_tet10.msh
// Gmsh writes its 10-node tetrahedron (type 11) with node 8 on edge 2-3 and node 9 on edge
// 1-3 (0-based); memfem's reader and scripts/compare-calculix.sh swap them into the
// VTK/CalculiX C3D10 order. Edges are straight (SecondOrderLinear), edge nodes at midpoints.
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 10, 1, 1};
eps = 1e-6;
Physical Surface("fixed", 1) = Surface In BoundingBox{-eps, -eps, -eps, eps, 1 + eps, 1 + eps};
Physical Surface("tip", 2) = Surface In BoundingBox{10 - eps, -eps, -eps, 10 + eps, 1 + eps, 1 + eps};
Physical Surface("top", 3) = Surface In BoundingBox{-eps, -eps, 1 - eps, 10 + eps, 1 + eps, 1 + eps};
Physical Surface("bottom", 4) = Surface In BoundingBox{-eps, -eps, -eps, 10 + eps, 1 + eps, eps};
Physical Volume("solid", 10) = {1};
DefineConstant[h = 0.25]; // element size (3603 tetrahedra, 6648 nodes); -setnumber h X overrides it
Mesh.MeshSizeMin = h;
Mesh.MeshSizeMax = h;
Mesh.ElementOrder = 2;
Mesh.SecondOrderLinear = 1;
Mesh.HighOrderOptimize = 0;
Mesh.MshFileVersion = 4.1;
Mesh.Binary = 0;
