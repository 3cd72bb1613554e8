/* Element types as the mesh sees them: topology and file codes, no basis.
 *
 * The mesh stores one volume element type; its connectivity has `nodes` entries per
 * element (the first `corners` are the vertices), its boundary faces `face_nodes` each.
 * memfem's node order within an element is VTK's (= XDMF's = Abaqus/CalculiX's): the
 * quadratic tetrahedron's edge nodes are on edges 01 12 20 03 13 23. Gmsh orders the
 * last two the other way round; readers of Gmsh files map through gmsh_order.
 * Readers and writers look codes up here (Gmsh element types, XDMF topology names), and
 * METIS, colouring and renumbering take the node count from here. The basis (quadrature,
 * shape functions) lives one layer up, in fem/mf_shape.h, keyed by the same type.
 * A new element type is a new row of the table in mf_elem.c (and a shape in fem/). */
#ifndef MF_ELEM_H
#define MF_ELEM_H

#include "core/mf_names.h"

typedef enum { MF_ELEM_TET4 = 0, MF_ELEM_TET10, MF_ELEM_HEX8, MF_ELEM_TYPES } mf_elem_type;

/* Largest node counts of any type: bounds for stack arrays in readers and writers. */
#define MF_ELEM_MAX_NODES 27
#define MF_FACE_MAX_NODES 9

typedef struct {
  mf_elem_type type;
  const char *name;        /* generator suffix and case word: "tet4" */
  const char *plural;      /* for reports: "tetrahedra" */
  int nodes, corners;      /* nodes per element, of which vertices */
  int face_nodes;          /* nodes per boundary face */
  int face_corners;        /* vertices per face: METIS's ncommon for the dual graph */
  const char *face_plural; /* "triangles" */
  int gmsh_type, gmsh_face_type;          /* Gmsh element type numbers */
  const char *xdmf_type, *xdmf_face_type; /* XDMF TopologyType names */
  /* memfem's node a of an element is Gmsh's node gmsh_order[a] (NULL: the same order) */
  const int *gmsh_order;
} mf_elem_topology;

const mf_elem_topology *mf_elem_topology_of(mf_elem_type type);
/* The volume type with Gmsh number gmsh_type; -1 if none. */
int mf_elem_type_from_gmsh(int gmsh_type, mf_elem_type *type);
/* The volume type whose boundary faces have Gmsh number gmsh_type; -1 if none. */
int mf_elem_type_from_gmsh_face(int gmsh_type, mf_elem_type *type);
/* name <-> type ("tet4") */
extern const mf_name mf_elem_type_names[];

#endif
