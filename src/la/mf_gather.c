/* Gather onto rank 0 in mesh numbering (see mf_gather.h). */
#include "la/mf_gather.h"

#include <string.h>

#include "mem/mf_alloc.h"

struct mf_gather {
  mf_comm *comm;
  int bs;
  mf_nnz n_send;    /* bs * this part's owned nodes */
  mf_idx n_nodes;   /* rank 0: the mesh's nodes */
  mf_nnz *recv_ptr; /* rank 0: size + 1, in values */
  mf_idx *node;     /* rank 0: mesh node of each received row, ranks in order */
  double *recv;     /* rank 0: bs * n_nodes */
};

mf_status mf_gather_create(mf_comm *comm, const mf_partition *P, const mf_part *pt, int bs, mf_gather **out) {
  *out = NULL;
  MF_CHECK(pt->part == comm->rank && P->n_parts == comm->size, MF_ERR_INTERNAL,
           "gather: part %d of %d on rank %d of %d", pt->part, P->n_parts, comm->rank, comm->size);
  mf_gather *g;
  MF_CALL(MF_CALLOC_N(g, 1, "gather"));
  g->comm = comm;
  g->bs = bs;
  g->n_send = (mf_nnz)bs * pt->n_owned;
  mf_status st = MF_OK;
  if (comm->rank == 0) {
    const mf_idx n = P->mesh->nodes.n_local;
    g->n_nodes = n;
    if ((st = MF_CALLOC_N(g->recv_ptr, (size_t)comm->size + 1, "gather offsets")) ||
        (st = MF_ALLOC_N(g->node, (size_t)n + 1, "gather order")) ||
        (st = MF_ALLOC_N(g->recv, (size_t)bs * n + 1, "gathered rows"))) {
      mf_gather_destroy(&g);
      return st;
    }
    /* a part owns the nodes whose owner it is, in ascending order (mf_part_create) */
    for (mf_idx i = 0; i < n; i++) g->recv_ptr[P->node_owner[i] + 1] += bs;
    for (int r = 0; r < comm->size; r++) g->recv_ptr[r + 1] += g->recv_ptr[r];
    mf_nnz *at = NULL;
    if ((st = MF_ALLOC_N(at, (size_t)comm->size, "gather cursors"))) {
      mf_gather_destroy(&g);
      return st;
    }
    for (int r = 0; r < comm->size; r++) at[r] = g->recv_ptr[r] / bs;
    for (mf_idx i = 0; i < n; i++) g->node[at[P->node_owner[i]]++] = i;
    mf_free(&at);
  }
  *out = g;
  return MF_OK;
}

mf_status mf_gather_to_root(mf_gather *g, const double *x, double *whole) {
  const int root = g->comm->rank == 0;
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
  mf_free(&g->recv_ptr);
  mf_free(&g->node);
  mf_free(&g->recv);
  mf_free(gp);
}
