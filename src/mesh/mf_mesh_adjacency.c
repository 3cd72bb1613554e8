/* Node-element incidence and node neighbourhoods (see mf_mesh_adjacency.h). */
#include "mesh/mf_mesh_adjacency.h"

#include "mem/mf_alloc.h"

mf_status mf_mesh_node_elements(const mf_mesh *m, int per_elem, mf_nnz **ptr_out, mf_idx **elems_out,
                                mf_idx *max_deg) {
  *ptr_out = NULL;
  *elems_out = NULL;
  const mf_idx nn = m->nodes.n_local, ne = m->n_elems;
  mf_nnz *ptr;
  mf_idx *elems;
  MF_CALL(MF_CALLOC_N(ptr, (size_t)nn + 1, "node-element offsets"));
  mf_status st = MF_ALLOC_N(elems, (size_t)per_elem * ne + 1, "node-element lists");
  if (st) {
    mf_free(&ptr);
    return st;
  }
  for (mf_idx e = 0; e < ne; e++)
    for (int a = 0; a < per_elem; a++) ptr[mf_mesh_elem(m, e)[a] + 1]++;
  mf_idx most = 0;
  for (mf_idx i = 0; i < nn; i++) {
    if (ptr[i + 1] > most) most = (mf_idx)ptr[i + 1];
    ptr[i + 1] += ptr[i];
  }
  /* filled in element order, so each node's list ascends */
  for (mf_idx e = 0; e < ne; e++)
    for (int a = 0; a < per_elem; a++) elems[ptr[mf_mesh_elem(m, e)[a]]++] = e;
  for (mf_idx i = nn; i > 0; i--) ptr[i] = ptr[i - 1]; /* the fill advanced each start */
  ptr[0] = 0;
  if (max_deg) *max_deg = most;
  *ptr_out = ptr;
  *elems_out = elems;
  return MF_OK;
}

/* Each element's nodes are inserted into the sorted list as they come, duplicates
 * dropped at once: a node has about 15 distinct neighbours among some 100 element
 * nodes, and this is several times faster than sorting them all with qsort. */
mf_idx mf_mesh_node_neighbours(const mf_mesh *m, const mf_nnz *ptr, const mf_idx *elems, mf_idx i, mf_idx *buf) {
  mf_idx k = 0;
  for (mf_nnz p = ptr[i]; p < ptr[i + 1]; p++) {
    const mf_idx *v = mf_mesh_elem(m, elems[p]);
    for (int a = 0; a < m->npe; a++) {
      const mf_idx c = v[a];
      mf_idx q = k;
      while (q > 0 && buf[q - 1] > c) q--;
      if (q > 0 && buf[q - 1] == c) continue;
      for (mf_idx r = k; r > q; r--) buf[r] = buf[r - 1];
      buf[q] = c;
      k++;
    }
  }
  if (k == 0) buf[k++] = i;
  return k;
}
