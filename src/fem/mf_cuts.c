/* The cuts a run makes, made ahead for a mesh file (see mf_cuts.h). */
#include "fem/mf_cuts.h"

#include "fem/mf_assemble.h"
#include "fem/mf_blocks.h"
#include "fem/mf_colour.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_partition.h"

/* Part cut k's node owners and every part's local elements, as a run makes them. */
static mf_status part_views(mf_mesh *m, int k) {
  mf_mesh_cuts *c = m->cuts;
  mf_partition *P = NULL;
  MF_CALL(mf_partition_create(m, c->parts[k], c->elem_part[k], &P));
  mf_status st = mf_partition_local_elems(P, &c->local_ptr[k], &c->local[k]);
  if (!st) c->node_owner[k] = P->node_owner, P->node_owner = NULL;
  mf_partition_destroy(&P);
  return st;
}

/* Every element's key in the whole assembly plan of each method, as a run makes it. */
static mf_status plan_keys(mf_mesh *m) {
  mf_mesh_cuts *c = m->cuts;
  mf_blocking *b = NULL;
  mf_colouring *col = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(c->plan_key[MF_ASSEMBLY_BLOCKS], (size_t)m->n_elems + 1, "assembly keys")) ||
      (st = MF_ALLOC_N(c->plan_key[MF_ASSEMBLY_COLOUR], (size_t)m->n_elems + 1, "assembly keys")) ||
      (st = mf_blocking_create_given(m, c->n_blocks, c->elem_block, &b)) || (st = mf_colouring_create(m, &col)))
    goto done;
  mf_blocking_keys(b, c->plan_key[MF_ASSEMBLY_BLOCKS]);
  c->n_keys[MF_ASSEMBLY_BLOCKS] = mf_blocking_n_keys(b);
  mf_colouring_keys(col, 0, c->plan_key[MF_ASSEMBLY_COLOUR]);
  c->n_keys[MF_ASSEMBLY_COLOUR] = col->n_colours;
done:
  mf_blocking_destroy(&b);
  mf_colouring_destroy(&col);
  return st;
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
    MF_CALL(mf_partition_check_cut(m, r, c->elem_part[k])); /* a run refuses an empty part */
    c->parts[k] = r;
  }
  c->has_views = 1;
  for (int k = 0; k < n_parts; k++) MF_CALL(part_views(m, k));
  return plan_keys(m);
}

