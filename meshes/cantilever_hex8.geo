// Cantilever beam 10 x 1 x 1 in 8-node hexahedra: the geometry and groups of cantilever.geo
// ("fixed" at x = 0, "tip" at x = 10, "top", "bottom", volume "solid"), a structured
// nx x ny x nz grid of cubes (transfinite, recombined): by default 40 x 4 x 4 = 640
// hexahedra, 1025 nodes, the mesh `memfem convert box:10x1x1:40x4x4:hex8` generates.
// Make the mesh:  gmsh cantilever_hex8.geo -3 -format msh41 -o cantilever_hex8.msh
// Gmsh's 8-node hexahedron (type 5) numbers its nodes as VTK and CalculiX C3D8 do.
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 10, 1, 1};
eps = 1e-6;
Physical Surface("fixed", 1) = Surface In BoundingBox{-eps, -eps, -eps, eps, 1 + eps, 1 + eps};
Physical Surface("tip", 2) = Surface In BoundingBox{10 - eps, -eps, -eps, 10 + eps, 1 + eps, 1 + eps};
Physical Surface("top", 3) = Surface In BoundingBox{-eps, -eps, 1 - eps, 10 + eps, 1 + eps, 1 + eps};
Physical Surface("bottom", 4) = Surface In BoundingBox{-eps, -eps, -eps, 10 + eps, 1 + eps, eps};
Physical Volume("solid", 10) = {1};
DefineConstant[nx = 40, ny = 4, nz = 4]; // cells per axis; -setnumber nx N overrides them
// Curves along z first, then along y (all curves in the planes z = 0 and z = 1 hold the
// y and x curves), then along x: each later line overrides the earlier ones.
Transfinite Curve{:} = nz + 1;
Transfinite Curve{Curve In BoundingBox{-eps, -eps, -eps, 10 + eps, 1 + eps, eps}} = ny + 1;
Transfinite Curve{Curve In BoundingBox{-eps, -eps, 1 - eps, 10 + eps, 1 + eps, 1 + eps}} = ny + 1;
Transfinite Curve{Curve In BoundingBox{-eps, -eps, -eps, 10 + eps, eps, eps}} = nx + 1;
Transfinite Curve{Curve In BoundingBox{-eps, 1 - eps, -eps, 10 + eps, 1 + eps, eps}} = nx + 1;
Transfinite Curve{Curve In BoundingBox{-eps, -eps, 1 - eps, 10 + eps, eps, 1 + eps}} = nx + 1;
Transfinite Curve{Curve In BoundingBox{-eps, 1 - eps, 1 - eps, 10 + eps, 1 + eps, 1 + eps}} = nx + 1;
Transfinite Surface{:};
Recombine Surface{:};
Transfinite Volume{1};
Mesh.ElementOrder = 1;
Mesh.MshFileVersion = 4.1;
Mesh.Binary = 0;
