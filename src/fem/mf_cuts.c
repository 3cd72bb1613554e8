/* The cuts a run makes, made ahead for a mesh file (see mf_cuts.h). */
#include "fem/mf_cuts.h"

#include "fem/mf_blocks.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_partition.h"

/* A run refuses an empty part (mf_partition_create), so the file never holds one. */
static mf_status check_parts(const mf_mesh *m, int r, const int32_t *elem_part) {
  uint8_t *seen;
  MF_CALL(MF_CALLOC_N(seen, (size_t)r, "parts seen"));
  for (mf_idx e = 0; e < m->n_elems; e++) seen[elem_part[e]] = 1;
  int empty = -1;
  for (int q = 0; q < r && empty < 0; q++)
    if (!seen[q]) empty = q;
  mf_free(&seen);
  MF_CHECK(empty < 0, MF_ERR_INPUT, "%s: METIS leaves part %d of %d empty", m->source, empty, r);
  return MF_OK;
}

mf_status mf_cuts_make(mf_mesh *m, mf_reorder_method order, int n_parts, const int *parts) {
  MF_CHECK(!m->node_new2old, MF_ERR_INTERNAL, "%s: cuts of a mesh already renumbered", m->source);
  mf_mesh_drop_cuts(m); /* a converted file converted again: its cuts are made anew */
  MF_CHECK(n_parts >= 0 && n_parts <= MF_MESH_CUTS_MAX, MF_ERR_INPUT, "%s: %d part counts, at most %d", m->source,
           n_parts, MF_MESH_CUTS_MAX);
  MF_CALL(mf_mesh_reorder(m, order));
  mf_mesh_adopt_order(m);
  mf_mesh_cuts *c;
  MF_CALL(MF_CALLOC_N(c, 1, "stored cuts"));
  m->cuts = c;
  c->order = (int)order;
  const int nb = mf_blocking_count(m, MF_BLOCK_ELEMS);
  MF_CALL(MF_ALLOC_N(c->elem_block, (size_t)m->n_elems + 1, "element blocks"));
  MF_CALL(mf_mesh_partition_dual(m, nb, "assembly blocks", c->elem_block));
  c->n_blocks = nb;
  for (int k = 0; k < n_parts; k++) {
    const int r = parts[k];
    MF_CHECK(r >= 2 && (mf_idx)r <= m->n_elems && (k == 0 || r > parts[k - 1]), MF_ERR_INPUT,
             "%s: parts for %d processes: the counts must ascend from 2 to at most the %lld elements", m->source, r,
             (long long)m->n_elems);
    MF_CALL(MF_ALLOC_N(c->elem_part[k], (size_t)m->n_elems + 1, "element parts"));
    c->n_part_cuts = k + 1;
    MF_CALL(mf_mesh_partition_dual(m, r, "partition", c->elem_part[k]));
    MF_CALL(check_parts(m, r, c->elem_part[k]));
    c->parts[k] = r;
  }
  return MF_OK;
}

