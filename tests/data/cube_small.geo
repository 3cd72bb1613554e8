// Coarse unit cube for the reader tests: faces xmin..zmax, volume "solid".
// The four format variants come from make_gmsh_data.sh (same mesh, different writers).
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};
eps = 1e-6;
Physical Surface("xmin", 1) = Surface In BoundingBox{-eps, -eps, -eps, eps, 1 + eps, 1 + eps};
Physical Surface("xmax", 2) = Surface In BoundingBox{1 - eps, -eps, -eps, 1 + eps, 1 + eps, 1 + eps};
Physical Surface("ymin", 3) = Surface In BoundingBox{-eps, -eps, -eps, 1 + eps, eps, 1 + eps};
Physical Surface("ymax", 4) = Surface In BoundingBox{-eps, 1 - eps, -eps, 1 + eps, 1 + eps, 1 + eps};
Physical Surface("zmin", 5) = Surface In BoundingBox{-eps, -eps, -eps, 1 + eps, 1 + eps, eps};
Physical Surface("zmax", 6) = Surface In BoundingBox{-eps, -eps, 1 - eps, 1 + eps, 1 + eps, 1 + eps};
Physical Volume("solid", 10) = {1};
DefineConstant[h = 0.3];
Mesh.MeshSizeMin = h;
Mesh.MeshSizeMax = h;
