/* Element validity check (mf_mesh_check.h). */
#include "fem/mf_mesh_check.h"

#include <math.h>
#include <stdio.h>

#include "fem/mf_shape.h"

/* Volume of element e (sum of the points' dV); *inverted when a point has dV < 0. */
static double element_volume(const mf_shape *sh, const mf_mesh *m, mf_idx e, int *inverted, double *h3) {
  double X[3 * MF_ELEM_MAX_NODES], g[3 * MF_ELEM_MAX_NODES];
  const mf_idx *v = mf_mesh_elem(m, e);
  for (int a = 0; a < m->npe; a++) mf_nodes_coords(&m->nodes, v[a], &X[3 * a]);
  double V = 0.0;
  *inverted = 0;
  for (int q = 0; q < sh->nqp; q++) {
    double dV = sh->gradients(sh, q, X, g);
    if (dV < 0) *inverted = 1;
    V += dV;
  }
  double h2 = 0.0; /* longest corner-to-corner edge, squared */
  for (int a = 0; a < m->elem->corners; a++)
    for (int b = a + 1; b < m->elem->corners; b++) {
      double dx = X[3 * a] - X[3 * b], dy = X[3 * a + 1] - X[3 * b + 1], dz = X[3 * a + 2] - X[3 * b + 2];
      h2 = fmax(h2, dx * dx + dy * dy + dz * dz);
    }
  *h3 = h2 * sqrt(h2);
  return V;
}

mf_status mf_mesh_check_elements(const mf_mesh *m) {
  const mf_shape *sh = mf_shape_of(m->elem->type);
  mf_idx bad = -1;
  double bad_vol = 0.0;
  int bad_inverted = 0;
  /* Smallest failing index wins, so the message does not depend on the thread count. */
#pragma omp parallel
  {
    mf_idx my_bad = -1;
    double my_vol = 0.0;
    int my_inv = 0;
#pragma omp for schedule(static) nowait
    for (mf_idx e = 0; e < m->n_elems; e++) {
      int inverted;
      double h3, v = element_volume(sh, m, e, &inverted, &h3);
      /* Flat to round-off counts as zero volume: relative to the longest edge cubed. */
      if ((inverted || !(v > 1e-12 * h3)) && my_bad < 0) {
        my_bad = e;
        my_vol = v;
        my_inv = inverted || v < 0;
      }
    }
#pragma omp critical(mf_check_elements)
    if (my_bad >= 0 && (bad < 0 || my_bad < bad)) {
      bad = my_bad;
      bad_vol = my_vol;
      bad_inverted = my_inv;
    }
  }
  if (bad < 0) return MF_OK;
  char nodes[256];
  size_t used = 0;
  const mf_idx *c = mf_mesh_elem(m, bad);
  for (int a = 0; a < m->elem->corners && used < sizeof nodes; a++) {
    int w = snprintf(nodes + used, sizeof nodes - used, "%s%lld", a ? " " : "", (long long)m->nodes.tag[c[a]]);
    if (w < 0) break;
    used += (size_t)w;
  }
  return MF_ERROR(MF_ERR_MESH, "%s: element %lld (nodes %s) is %s, volume %.3e: fix the mesh or its node ordering",
                  m->source, (long long)m->elem_tag[bad], nodes,
                  bad_inverted ? "inverted" : "degenerate (zero volume)", bad_vol);
}
