// Cantilever beam 10 x 1 x 1 for memfem: clamped at x = 0 ("fixed"), loaded at x = 10 ("tip").
// Make the mesh:  gmsh cantilever.geo -3 -format msh41 -o cantilever.msh
// Finer meshes:   gmsh cantilever.geo -3 -format msh41 -setnumber h 0.0375 -o fine.msh
// (bench/dolfinx/compare.sh makes its medium and fine meshes so).
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 10, 1, 1};

// Faces are picked by bounding box, so the groups do not depend on OCC's face numbering.
eps = 1e-6;
Physical Surface("fixed", 1) = Surface In BoundingBox{-eps, -eps, -eps, eps, 1 + eps, 1 + eps};
Physical Surface("tip", 2) = Surface In BoundingBox{10 - eps, -eps, -eps, 10 + eps, 1 + eps, 1 + eps};
Physical Surface("top", 3) = Surface In BoundingBox{-eps, -eps, 1 - eps, 10 + eps, 1 + eps, 1 + eps};
Physical Surface("bottom", 4) = Surface In BoundingBox{-eps, -eps, -eps, 10 + eps, 1 + eps, eps};
Physical Volume("solid", 10) = {1};

DefineConstant[h = 0.15]; // element size; -setnumber h X overrides it
Mesh.MeshSizeMin = h;
Mesh.MeshSizeMax = h;
Mesh.ElementOrder = 1;
Mesh.MshFileVersion = 4.1;
Mesh.Binary = 0;
