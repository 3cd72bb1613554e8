/* Element validity of a loaded mesh, through the element shapes: an inverted or flat
 * element is found at load time and named, before any solve. */
#ifndef MF_MESH_CHECK_H
#define MF_MESH_CHECK_H

#include "mesh/mf_mesh.h"

/* Every element must have det J > 0 at each quadrature point and a volume above
 * round-off relative to its longest corner edge cubed; otherwise an error names the
 * element, its corner nodes and whether it is inverted or degenerate. */
mf_status mf_mesh_check_elements(const mf_mesh *mesh);

#endif
