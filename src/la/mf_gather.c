/* Gather onto rank 0 in mesh numbering (see mf_gather.h). */
#include "la/mf_gather.h"

#include <string.h>

#include "mem/mf_alloc.h"

struct mf_gather {
  mf_comm *comm;
  int bs;
  mf_nnz n_send;    /* bs * this part's owned nodes (selected ones) */
  mf_idx *send_row; /* a selection: the local rows sent, ascending; else NULL (all owned) */
  double *send;     /* a selection: their values, packed */
  mf_idx n_nodes;   /* rank 0: the mesh's nodes (selected ones) */
  mf_nnz *recv_ptr; /* rank 0: size + 1, in values */
  mf_idx *node;     /* rank 0: mesh node of each received row, ranks in order */
  double *recv;     /* rank 0: bs * n_nodes */
};

/* sel: NULL (every node) or n_sel ascending mesh nodes. */
static mf_status create(mf_comm *comm, const mf_partition *P, const mf_part *pt, int bs, mf_idx n_sel,
                        const mf_idx *sel, mf_gather **out) {
  *out = NULL;
  MF_CHECK(pt->part == comm->rank && pt->n_parts == comm->size && (comm->rank != 0 || P->n_parts == comm->size),
           MF_ERR_INTERNAL, "gather: part %d of %d on rank %d of %d", pt->part, pt->n_parts, comm->rank, comm->size);
  mf_gather *g;
  MF_CALL(MF_CALLOC_N(g, 1, "gather"));
  g->comm = comm;
  g->bs = bs;
  g->n_send = (mf_nnz)bs * pt->n_owned;
  mf_status st = MF_OK;
  if (sel) { /* the owned rows that are selected: both lists ascend by mesh node */
    mf_idx m = 0;
    for (mf_idx i = 0, j = 0; i < pt->n_owned; i++) {
      while (j < n_sel && sel[j] < pt->nodes[i]) j++;
      m += j < n_sel && sel[j] == pt->nodes[i];
    }
    g->n_send = (mf_nnz)bs * m;
    if ((st = MF_ALLOC_N(g->send_row, (size_t)m + 1, "gathered rows sent")) ||
        (st = MF_ALLOC_N(g->send, (size_t)g->n_send + 1, "gathered values sent"))) {
      mf_gather_destroy(&g);
      return st;
    }
    m = 0;
    for (mf_idx i = 0, j = 0; i < pt->n_owned; i++) {
      while (j < n_sel && sel[j] < pt->nodes[i]) j++;
      if (j < n_sel && sel[j] == pt->nodes[i]) g->send_row[m++] = i;
    }
  }
  if (comm->rank == 0) {
    const mf_idx n = sel ? n_sel : P->mesh->nodes.n_local;
    g->n_nodes = n;
    if ((st = MF_CALLOC_N(g->recv_ptr, (size_t)comm->size + 1, "gather offsets")) ||
        (st = MF_ALLOC_N(g->node, (size_t)n + 1, "gather order")) ||
        (st = MF_ALLOC_N(g->recv, (size_t)bs * n + 1, "gathered rows"))) {
      mf_gather_destroy(&g);
      return st;
    }
    /* a part owns the nodes whose owner it is, in ascending order (mf_part_create); row
     * k of the result is mesh node k, or the selection's k-th node */
    for (mf_idx k = 0; k < n; k++) g->recv_ptr[P->node_owner[sel ? sel[k] : k] + 1] += bs;
    for (int r = 0; r < comm->size; r++) g->recv_ptr[r + 1] += g->recv_ptr[r];
    mf_nnz *at = NULL;
    if ((st = MF_ALLOC_N(at, (size_t)comm->size, "gather cursors"))) {
      mf_gather_destroy(&g);
      return st;
    }
    for (int r = 0; r < comm->size; r++) at[r] = g->recv_ptr[r] / bs;
    for (mf_idx k = 0; k < n; k++) g->node[at[P->node_owner[sel ? sel[k] : k]]++] = k;
    mf_free(&at);
  }
  *out = g;
  return MF_OK;
}

mf_status mf_gather_create(mf_comm *comm, const mf_partition *P, const mf_part *pt, int bs, mf_gather **g) {
  return create(comm, P, pt, bs, 0, NULL, g);
}

mf_status mf_gather_create_selected(mf_comm *comm, const mf_partition *P, const mf_part *pt, int bs, mf_idx n_sel,
                                    const mf_idx *sel, mf_gather **g) {
  for (mf_idx k = 1; k < n_sel; k++)
    MF_CHECK(sel[k - 1] < sel[k], MF_ERR_INTERNAL, "gather: selected nodes not ascending at %lld", (long long)k);
  return create(comm, P, pt, bs, n_sel, sel, g);
}

mf_status mf_gather_to_root(mf_gather *g, const double *x, double *whole) {
  const int root = g->comm->rank == 0;
  if (g->send_row) {
    for (mf_nnz m = 0; m < g->n_send / g->bs; m++)
      memcpy(&g->send[(mf_nnz)g->bs * m], &x[(mf_nnz)g->bs * g->send_row[m]], (size_t)g->bs * sizeof *x);
    x = g->send;
  }
  MF_CALL(g->comm->ops->gather(g->comm, x, g->n_send, root ? g->recv : NULL, root ? g->recv_ptr : NULL));
  if (!root) return MF_OK;
  const int bs = g->bs;
  const mf_idx *node = g->node;
  const double *recv = g->recv;
#pragma omp parallel for schedule(static)
  for (mf_idx k = 0; k < g->n_nodes; k++)
    memcpy(&whole[(mf_nnz)bs * node[k]], &recv[(mf_nnz)bs * k], (size_t)bs * sizeof *whole);
  return MF_OK;
}

void mf_gather_destroy(mf_gather **gp) {
  mf_gather *g = *gp;
  if (!g) return;
  mf_free(&g->send_row);
  mf_free(&g->send);
  mf_free(&g->recv_ptr);
  mf_free(&g->node);
  mf_free(&g->recv);
  mf_free(gp);
}
