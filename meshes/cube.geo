// Unit cube [0,1]^3 for memfem, one named group per face.
// Make the mesh:  gmsh cube.geo -3 -format msh41 -o cube.msh
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};

// Faces are picked by bounding box, so the groups do not depend on OCC's face numbering.
eps = 1e-6;
Physical Surface("xmin", 1) = Surface In BoundingBox{-eps, -eps, -eps, eps, 1 + eps, 1 + eps};
Physical Surface("xmax", 2) = Surface In BoundingBox{1 - eps, -eps, -eps, 1 + eps, 1 + eps, 1 + eps};
Physical Surface("ymin", 3) = Surface In BoundingBox{-eps, -eps, -eps, 1 + eps, eps, 1 + eps};
Physical Surface("ymax", 4) = Surface In BoundingBox{-eps, 1 - eps, -eps, 1 + eps, 1 + eps, 1 + eps};
Physical Surface("zmin", 5) = Surface In BoundingBox{-eps, -eps, -eps, 1 + eps, 1 + eps, eps};
Physical Surface("zmax", 6) = Surface In BoundingBox{-eps, -eps, 1 - eps, 1 + eps, 1 + eps, 1 + eps};
Physical Volume("solid", 10) = {1};

DefineConstant[h = 0.1];
Mesh.MeshSizeMin = h;
Mesh.MeshSizeMax = h;
Mesh.ElementOrder = 1;
Mesh.MshFileVersion = 4.1;
Mesh.Binary = 0;
