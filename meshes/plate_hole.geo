// Plate 10 x 10 x 1 with a central hole of radius 1 at (5, 5), for memfem; the mesh is
// refined towards the hole, where the stress concentrates.
// Make the mesh:  gmsh plate_hole.geo -3 -format msh41 -o plate_hole.msh
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 10, 10, 1};
Cylinder(2) = {5, 5, 0, 0, 0, 1, 1};
BooleanDifference(3) = {Volume{1}; Delete;}{Volume{2}; Delete;};

// Faces are picked by bounding box, so the groups do not depend on OCC's face numbering.
eps = 1e-6;
Physical Surface("left", 1) = Surface In BoundingBox{-eps, -eps, -eps, eps, 10 + eps, 1 + eps};
Physical Surface("right", 2) = Surface In BoundingBox{10 - eps, -eps, -eps, 10 + eps, 10 + eps, 1 + eps};
hole() = Surface In BoundingBox{4 - eps, 4 - eps, -eps, 6 + eps, 6 + eps, 1 + eps};
Physical Surface("hole", 3) = hole();
Physical Surface("front", 4) = Surface In BoundingBox{-eps, -eps, 1 - eps, 10 + eps, 10 + eps, 1 + eps};
Physical Surface("back", 5) = Surface In BoundingBox{-eps, -eps, -eps, 10 + eps, 10 + eps, eps};
Physical Volume("solid", 10) = {3};

// Size h_hole at the hole growing to h_far at distance 4 from it.
h_hole = 0.1;
h_far = 0.45;
Field[1] = Distance;
Field[1].SurfacesList = {hole()};
Field[2] = Threshold;
Field[2].InField = 1;
Field[2].SizeMin = h_hole;
Field[2].SizeMax = h_far;
Field[2].DistMin = 0;
Field[2].DistMax = 4;
Background Field = 2;
Mesh.MeshSizeExtendFromBoundary = 0;
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
Mesh.ElementOrder = 1;
Mesh.MshFileVersion = 4.1;
Mesh.Binary = 0;
