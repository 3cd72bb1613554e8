/* The element type table (see mf_elem.h). */
#include "mesh/mf_elem.h"

static const mf_elem_topology table[MF_ELEM_TYPES] = {
    [MF_ELEM_TET4] = {.type = MF_ELEM_TET4,
                      .name = "tet4",
                      .plural = "tetrahedra",
                      .nodes = 4,
                      .corners = 4,
                      .face_nodes = 3,
                      .face_corners = 3,
                      .face_plural = "triangles",
                      .gmsh_type = 4,
                      .gmsh_face_type = 2,
                      .xdmf_type = "Tetrahedron",
                      .xdmf_face_type = "Triangle"},
};

const mf_name mf_elem_type_names[] = {{"tet4", MF_ELEM_TET4}, {NULL, 0}};

const mf_elem_topology *mf_elem_topology_of(mf_elem_type type) {
  return (unsigned)type < MF_ELEM_TYPES ? &table[type] : &table[MF_ELEM_TET4];
}

int mf_elem_type_from_gmsh(int gmsh_type, mf_elem_type *type) {
  for (int t = 0; t < MF_ELEM_TYPES; t++)
    if (table[t].gmsh_type == gmsh_type) {
      *type = (mf_elem_type)t;
      return 0;
    }
  return -1;
}

int mf_elem_type_from_gmsh_face(int gmsh_type, mf_elem_type *type) {
  for (int t = 0; t < MF_ELEM_TYPES; t++)
    if (table[t].gmsh_face_type == gmsh_type) {
      *type = (mf_elem_type)t;
      return 0;
    }
  return -1;
}
