/* The element type table (see mf_elem.h). */
#include "mesh/mf_elem.h"

/* Gmsh numbers the 10-node tetrahedron's edge nodes 01 12 20 30 32 31 (its node 8 sits
 * on edge 2-3, node 9 on edge 1-3); VTK, XDMF and CalculiX's C3D10 use 01 12 20 03 13 23.
 * The 6-node triangle, the hexahedron and the quadrilateral agree in all of them. */
static const int gmsh_tet10[10] = {0, 1, 2, 3, 4, 5, 6, 7, 9, 8};

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
    [MF_ELEM_TET10] = {.type = MF_ELEM_TET10,
                       .name = "tet10",
                       .plural = "quadratic tetrahedra",
                       .nodes = 10,
                       .corners = 4,
                       .face_nodes = 6,
                       .face_corners = 3,
                       .face_plural = "6-node triangles",
                       .gmsh_type = 11,
                       .gmsh_face_type = 9,
                       .xdmf_type = "Tetrahedron_10",
                       .xdmf_face_type = "Triangle_6",
                       .gmsh_order = gmsh_tet10},
    [MF_ELEM_HEX8] = {.type = MF_ELEM_HEX8,
                      .name = "hex8",
                      .plural = "hexahedra",
                      .nodes = 8,
                      .corners = 8,
                      .face_nodes = 4,
                      .face_corners = 4,
                      .face_plural = "quadrilaterals",
                      .gmsh_type = 5,
                      .gmsh_face_type = 3,
                      .xdmf_type = "Hexahedron",
                      .xdmf_face_type = "Quadrilateral"},
};

const mf_name mf_elem_type_names[] = {
    {"tet4", MF_ELEM_TET4}, {"tet10", MF_ELEM_TET10}, {"hex8", MF_ELEM_HEX8}, {NULL, 0}};

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
