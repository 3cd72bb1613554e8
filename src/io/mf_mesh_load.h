/* Loading a mesh by name: a Gmsh .msh file (mesh/), a memfem HDF5 mesh (io/), or a
 * generator spec (mesh/), then the element check (fem/). It lives in io because that is
 * the lowest layer that reaches all three. */
#ifndef MF_MESH_LOAD_H
#define MF_MESH_LOAD_H

#include "mesh/mf_mesh.h"

/* Load a mesh from a Gmsh .msh file (2.2 or 4.1, ASCII or binary), a memfem HDF5 mesh
 * (name ending in .h5, io/mf_h5_mesh.h) or make one from a generator spec
 * "box:LXxLYxLZ:NXxNYxNZ"; every element is checked (fem/mf_mesh_check.h). */
mf_status mf_mesh_load(const char *path_or_spec, mf_mesh **mesh);

#endif
