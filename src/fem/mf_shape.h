/* Element shapes: the basis of an element type, as data (libCEED's CeedBasis).
 *
 * A shape gives the quadrature of the element and of its boundary face, the shape
 * functions' values and reference gradients at the quadrature points, and the one
 * kernel that turns reference into physical gradients at a point. The assembly loop,
 * the load integration and the stress output loop over quadrature points through this
 * descriptor; the material law only ever sees F at a point (fem/mf_material.h). The
 * topology (node count, face type, file codes) is the mesh's business: mesh/mf_elem.h.
 *
 * A new element is a new mf_shape_<name>.c defining its tables and one line in the
 * table of mf_shape.c, plus its row in mesh/mf_elem.c. Shapes: tet4 (1 point),
 * tet10 (4 points), hex8 (2x2x2 points; and with mean dilatation). */
#ifndef MF_SHAPE_H
#define MF_SHAPE_H

#include "mesh/mf_elem.h"

typedef struct mf_shape mf_shape;

struct mf_shape {
  mf_elem_type type; /* its topology: mf_elem_topology_of(type) */
  int nodes;         /* nodes per element */
  int nqp;           /* quadrature points */
  const double *qw;  /* [nqp] weights on the reference element */
  const double *N;   /* [nqp][nodes] shape function values */
  const double *dN;  /* [nqp][nodes][3] reference gradients dN/dxi */
  /* Physical gradients g[nodes][3] = dN/dX at point q of the element with reference
   * coordinates X[nodes][3]; returns dV = weight x det J (<= 0: inverted or flat). */
  double (*gradients)(const mf_shape *sh, int q, const double *restrict X, double *restrict g);

  /* Mean dilatation (Nagtegaal, Parks and Rice 1974; Hughes 1980): the law's rest
   * (mf_material_part) at this shape's points, its volumetric part once per element
   * from the element's mean dilatation Jbar = current volume / reference volume
   * (small strain: the mean of div u). 0: the whole law at every point. */
  int mean_dilatation;

  int face_nodes;        /* nodes per boundary face */
  int face_nqp;          /* face quadrature points */
  const double *face_qw; /* [face_nqp] weights on the reference face */
  const double *face_N;  /* [face_nqp][face_nodes] */
  const double *face_dN; /* [face_nqp][face_nodes][2] reference gradients on the face */
};

/* How the volumetric part of the law is integrated: at every point, or from the
 * element's mean dilatation (against volumetric locking near nu = 0.5). */
typedef enum { MF_VOLUMETRIC_FULL = 0, MF_VOLUMETRIC_MEAN_DILATATION } mf_volumetric;
extern const mf_name mf_volumetric_names[]; /* full, mean-dilatation */

/* The shape of element type `type` (full integration). */
const mf_shape *mf_shape_of(mf_elem_type type);
/* The shape of `type` with integration `v`; NULL where that type does not offer it
 * (mean dilatation: hex8 only - a linear tet's dilatation is already one per element,
 * and tet10 is not offered it). */
const mf_shape *mf_shape_with(mf_elem_type type, mf_volumetric v);

/* The isoparametric map, for any shape: J = sum_a X_a (x) dN_a(q), g_a = J^-T dN_a,
 * dV = w_q det J. Shapes whose Jacobian is constant may provide a cheaper kernel. */
double mf_shape_iso_gradients(const mf_shape *sh, int q, const double *restrict X, double *restrict g);

/* Surface element at face point q of a face with coordinates Xf[face_nodes][3]:
 * w_q |dx/dxi x dx/deta|. */
double mf_shape_face_measure(const mf_shape *sh, int q, const double *restrict Xf);

#endif
