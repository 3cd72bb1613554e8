/* Gather onto rank 0 in mesh numbering (see mf_gather.h). */
#include "la/mf_gather.h"

#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"

struct mf_gather {
  mf_comm *comm;
  int bs;
  mf_nnz n_send;    /* bs * this part's selected owned nodes */
  mf_idx *send_row; /* the local rows sent, ascending */
  double *send;     /* their values, packed */
  mf_idx n_nodes;   /* rank 0: the selected nodes */
  mf_nnz *recv_ptr; /* rank 0: size + 1, in values */
  mf_idx *node;     /* rank 0: mesh node of each received row, ranks in order */
  double *recv;     /* rank 0: bs * n_nodes */
};

/* Rank 0: every part's sent nodes, from the parts (collective): their counts, then their
 * mesh nodes, in rank order; row k of the result is the selection's k-th node. Each must
 * come exactly once: the parts' owned nodes are the mesh's, each with one owner. */
static mf_status learn_rows(mf_gather *g, const mf_part *pt, mf_idx n_sel, const mf_idx *sel) {
  mf_comm *comm = g->comm;
  const int root = comm->rank == 0, size = comm->size, bs = g->bs;
  const mf_idx m = (mf_idx)(g->n_send / bs);
  double *mine = NULL, *counts = NULL, *ids = NULL;
  mf_nnz *one = NULL, *id_ptr = NULL;
  uint8_t *seen = NULL;
  int failed;
  /* every allocation a gather needs is agreed before it: no process waits on one that
   * could not make room */
  mf_status st = MF_ALLOC_N(mine, (size_t)m + 1, "gathered nodes sent");
  for (mf_idx k = 0; !st && k < m; k++) mine[k] = (double)pt->nodes[g->send_row[k]];
  if (!st && root && !(st = MF_ALLOC_N(counts, (size_t)size, "gather counts")) &&
      !(st = MF_ALLOC_N(one, (size_t)size + 1, "gather count offsets")))
    for (int r = 0; r <= size; r++) one[r] = r;
  const double n_mine = (double)m;
  if (!(st = mf_comm_agree(comm, st, &failed))) st = comm->ops->gather(comm, &n_mine, 1, counts, one);
  if (!st && root && !(st = MF_CALLOC_N(id_ptr, (size_t)size + 1, "gather node offsets"))) {
    for (int r = 0; r < size; r++) id_ptr[r + 1] = id_ptr[r] + (mf_nnz)counts[r];
    if (!(st = MF_ALLOC_N(ids, (size_t)id_ptr[size] + 1, "gathered nodes")) &&
        !(st = MF_ALLOC_N(g->recv_ptr, (size_t)size + 1, "gather offsets")))
      for (int r = 0; r <= size; r++) g->recv_ptr[r] = (mf_nnz)bs * id_ptr[r];
  }
  if (!(st = mf_comm_agree(comm, st, &failed))) st = comm->ops->gather(comm, mine, m, ids, id_ptr);
  const mf_idx n = n_sel; /* rank 0 alone from here: no process waits on it */
  if (!st && root && id_ptr[size] != n)
    st = MF_ERROR(MF_ERR_INTERNAL, "gather: the parts own %lld of %lld nodes", (long long)id_ptr[size], (long long)n);
  if (!st && root && !(st = MF_ALLOC_N(g->node, (size_t)n + 1, "gather order")) &&
      !(st = MF_ALLOC_N(g->recv, (size_t)bs * n + 1, "gathered rows")) &&
      !(st = MF_CALLOC_N(seen, (size_t)n + 1, "gathered rows seen"))) {
    g->n_nodes = n;
    for (mf_idx k = 0; k < n && !st; k++) {
      const mf_idx node = (mf_idx)ids[k];
      const mf_idx *at = bsearch(&node, sel, (size_t)n_sel, sizeof *sel, mf_idx_compare);
      const mf_idx row = at ? (mf_idx)(at - sel) : -1;
      if (row < 0 || row >= n || seen[row]++)
        st = MF_ERROR(MF_ERR_INTERNAL, "gather: node %lld sent twice or not in the mesh", (long long)node);
      else g->node[k] = row;
    }
  }
  mf_free(&seen);
  mf_free(&id_ptr);
  mf_free(&one);
  mf_free(&ids);
  mf_free(&counts);
  mf_free(&mine);
  return st;
}

mf_status mf_gather_create_selected(mf_comm *comm, const mf_part *pt, int bs, mf_idx n_sel, const mf_idx *sel,
                                    mf_gather **out) {
  *out = NULL;
  MF_CHECK(pt->part == comm->rank && pt->n_parts == comm->size, MF_ERR_INTERNAL,
           "gather: part %d of %d on rank %d of %d", pt->part, pt->n_parts, comm->rank, comm->size);
  for (mf_idx k = 1; k < n_sel; k++)
    MF_CHECK(sel[k - 1] < sel[k], MF_ERR_INTERNAL, "gather: selected nodes not ascending at %lld", (long long)k);
  mf_gather *g;
  MF_CALL(MF_CALLOC_N(g, 1, "gather"));
  g->comm = comm;
  g->bs = bs;
  /* the owned rows that are selected: both lists ascend by mesh node */
  mf_idx m = 0;
  for (mf_idx i = 0, j = 0; i < pt->n_owned; i++) {
    while (j < n_sel && sel[j] < pt->nodes[i]) j++;
    m += j < n_sel && sel[j] == pt->nodes[i];
  }
  g->n_send = (mf_nnz)bs * m;
  mf_status st;
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
  if ((st = learn_rows(g, pt, n_sel, sel))) {
    mf_gather_destroy(&g);
    return st;
  }
  *out = g;
  return MF_OK;
}

mf_status mf_gather_to_root(mf_gather *g, const double *x, double *whole) {
  const int root = g->comm->rank == 0;
  for (mf_nnz m = 0; m < g->n_send / g->bs; m++)
    memcpy(&g->send[(mf_nnz)g->bs * m], &x[(mf_nnz)g->bs * g->send_row[m]], (size_t)g->bs * sizeof *x);
  MF_CALL(g->comm->ops->gather(g->comm, g->send, g->n_send, root ? g->recv : NULL, root ? g->recv_ptr : NULL));
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
