/* Node renumbering (RCM, METIS nested dissection) and the permutation of a mesh into
 * the new order (mf_reorder.h). Everything here is serial setup code: it runs once, and
 * being serial keeps the order, and so every result after it, independent of the
 * thread count. */
#include "mesh/mf_reorder.h"

#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_mesh_adjacency.h"
#include "mesh/mf_metis.h"

const mf_name mf_reorder_names[] = {
    {"none", MF_REORDER_NONE}, {"metis", MF_REORDER_METIS}, {"rcm", MF_REORDER_RCM}, {NULL, 0}};

const char *mf_reorder_name(mf_reorder_method m) { return mf_name_of(mf_reorder_names, (int)m); }

int mf_reorder_parse(const char *name, mf_reorder_method *m) {
  int v;
  if (mf_name_parse(mf_reorder_names, name, &v)) return -1;
  *m = (mf_reorder_method)v;
  return 0;
}

/* 0 also when the check's flag array cannot be allocated (the error is recorded). */
int mf_reorder_is_permutation(mf_idx n, const mf_idx *perm) {
  if (n < 0) return 0;
  uint8_t *seen = NULL;
  if (n > 0 && MF_CALLOC_N(seen, n, "permutation check")) return 0;
  int ok = 1;
  for (mf_idx i = 0; i < n && ok; i++) {
    if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]) ok = 0;
    else seen[perm[i]] = 1;
  }
  mf_free(&seen);
  return ok;
}

/* ---- nodal graph ------------------------------------------------------------------ */

mf_status mf_reorder_node_graph(const mf_mesh *m, mf_idx **xadj_out, mf_idx **adj_out) {
  *xadj_out = *adj_out = NULL;
  const mf_idx n = m->nodes.n_local;
  mf_nnz *eptr = NULL;
  mf_idx *eind = NULL, *mark = NULL, *xadj = NULL, *adj = NULL;
  mf_status st;
  /* node -> elements, then each node's neighbours through its elements */
  if ((st = mf_mesh_node_elements(m, m->npe, &eptr, &eind, NULL)) ||
      (st = MF_ALLOC_N(mark, (size_t)n + 1, "graph marks")) ||
      (st = MF_CALLOC_N(xadj, (size_t)n + 1, "graph offsets")))
    goto done;
  for (mf_idx i = 0; i < n; i++) mark[i] = -1;
  /* two passes: count, then fill; sizes in int64 so an overflow is caught, not wrapped */
  int64_t total = 0;
  for (mf_idx i = 0; i < n; i++) {
    mark[i] = i;
    for (mf_nnz k = eptr[i]; k < eptr[i + 1]; k++)
      for (int a = 0; a < m->npe; a++) {
        mf_idx j = mf_mesh_elem(m, eind[k])[a];
        if (mark[j] != i) { mark[j] = i; total++; }
      }
  }
  if (total > MF_IDX_MAX) {
    st = MF_ERROR(MF_ERR_INPUT, "%s: renumbering: the nodal graph has %lld edges, more than a 32-bit index holds",
                  m->source, (long long)total);
    goto done;
  }
  if ((st = MF_ALLOC_N(adj, (size_t)total + 1, "graph adjacency"))) goto done;
  for (mf_idx i = 0; i < n; i++) mark[i] = -1;
  mf_idx pos = 0;
  for (mf_idx i = 0; i < n; i++) {
    xadj[i] = pos;
    mark[i] = i;
    for (mf_nnz k = eptr[i]; k < eptr[i + 1]; k++)
      for (int a = 0; a < m->npe; a++) {
        mf_idx j = mf_mesh_elem(m, eind[k])[a];
        if (mark[j] != i) { mark[j] = i; adj[pos++] = j; }
      }
    /* ascending, so the graph (and every order built from it) does not depend on the
     * order of elements around a node */
    for (mf_idx a = xadj[i] + 1; a < pos; a++) {
      mf_idx v = adj[a], b = a;
      while (b > xadj[i] && adj[b - 1] > v) { adj[b] = adj[b - 1]; b--; }
      adj[b] = v;
    }
  }
  xadj[n] = pos;
  *xadj_out = xadj;
  *adj_out = adj;
  xadj = adj = NULL;
done:
  mf_free(&eptr);
  mf_free(&eind);
  mf_free(&mark);
  mf_free(&xadj);
  mf_free(&adj);
  return st;
}

static mf_status check_graph(const char *who, mf_idx n, const mf_idx *xadj, const mf_idx *adj) {
  MF_CHECK(n >= 0, MF_ERR_INPUT, "renumbering (%s): negative vertex count %lld", who, (long long)n);
  MF_CHECK(xadj[0] == 0, MF_ERR_INPUT, "renumbering (%s): graph offsets start at %lld, not 0", who,
           (long long)xadj[0]);
  for (mf_idx i = 0; i < n; i++) {
    MF_CHECK(xadj[i + 1] >= xadj[i], MF_ERR_INPUT, "renumbering (%s): graph offsets decrease at vertex %lld", who,
             (long long)i);
    for (mf_idx k = xadj[i]; k < xadj[i + 1]; k++)
      MF_CHECK(adj[k] >= 0 && adj[k] < n && adj[k] != i, MF_ERR_INPUT,
               "renumbering (%s): vertex %lld has neighbour %lld (valid: 0..%lld, not itself)", who, (long long)i,
               (long long)adj[k], (long long)n - 1);
  }
  return MF_OK;
}

/* ---- reverse Cuthill-McKee ------------------------------------------------------- */

/* Breadth-first search from start over unnumbered vertices, neighbours taken in order of
 * increasing degree (ties: lower number), appended to order[*len...]. Returns the number
 * of levels; *last_begin is where the last level starts in order. stamp/level mark the
 * vertices seen by this search (stamp[v] == tag). */
static int bfs(mf_idx start, const mf_idx *xadj, const mf_idx *adj, const uint8_t *numbered, mf_idx *stamp,
               mf_idx tag, mf_idx *level, mf_idx *order, mf_idx *len, mf_idx *last_begin) {
  mf_idx head = *len, tail = *len;
  order[tail++] = start;
  stamp[start] = tag;
  level[start] = 0;
  while (head < tail) {
    mf_idx v = order[head++];
    mf_idx first = tail;
    for (mf_idx k = xadj[v]; k < xadj[v + 1]; k++) {
      mf_idx w = adj[k];
      if (numbered[w] || stamp[w] == tag) continue;
      stamp[w] = tag;
      level[w] = level[v] + 1;
      /* insertion by (degree, number): a node has few neighbours */
      mf_idx dw = xadj[w + 1] - xadj[w], b = tail++;
      while (b > first) {
        mf_idx u = order[b - 1], du = xadj[u + 1] - xadj[u];
        if (du < dw || (du == dw && u < w)) break;
        order[b] = u;
        b--;
      }
      order[b] = w;
    }
  }
  /* the queue is in level order: the last level is its tail */
  mf_idx last = level[order[tail - 1]], k = tail - 1;
  while (k > *len && level[order[k - 1]] == last) k--;
  *last_begin = k;
  *len = tail;
  return (int)last + 1;
}

mf_status mf_reorder_rcm(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx *new2old) {
  MF_CALL(check_graph("rcm", n, xadj, adj));
  if (n == 0) return MF_OK;
  uint8_t *numbered = NULL;
  mf_idx *stamp = NULL, *level = NULL, *scratch = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(numbered, n, "rcm flags")) || (st = MF_ALLOC_N(stamp, n, "rcm stamps")) ||
      (st = MF_ALLOC_N(level, n, "rcm levels")) || (st = MF_ALLOC_N(scratch, n, "rcm trial order")))
    goto done;
  for (mf_idx i = 0; i < n; i++) stamp[i] = -1;
  mf_idx tag = 0, len = 0;
  for (mf_idx seed = 0; seed < n; seed++) { /* one pass per connected component */
    if (numbered[seed]) continue;
    /* pseudo-peripheral start (George & Liu): from the component's first vertex, move to
     * a least-degree vertex of the last BFS level while the eccentricity grows */
    mf_idx start = seed, last_begin, trial_len = 0;
    int ecc = bfs(start, xadj, adj, numbered, stamp, tag++, level, scratch, &trial_len, &last_begin);
    for (;;) {
      mf_idx best = scratch[last_begin];
      for (mf_idx k = last_begin; k < trial_len; k++) {
        mf_idx v = scratch[k], dv = xadj[v + 1] - xadj[v], db = xadj[best + 1] - xadj[best];
        if (dv < db || (dv == db && v < best)) best = v;
      }
      mf_idx l2 = 0, lb2;
      int e2 = bfs(best, xadj, adj, numbered, stamp, tag++, level, scratch, &l2, &lb2);
      if (e2 <= ecc) break;
      start = best, ecc = e2, trial_len = l2, last_begin = lb2;
    }
    mf_idx begin = len, lb;
    bfs(start, xadj, adj, numbered, stamp, tag++, level, new2old, &len, &lb);
    for (mf_idx k = begin; k < len; k++) numbered[new2old[k]] = 1;
  }
  /* reversed Cuthill-McKee: the same bandwidth, a smaller profile */
  for (mf_idx i = 0, j = n - 1; i < j; i++, j--) {
    mf_idx t = new2old[i];
    new2old[i] = new2old[j];
    new2old[j] = t;
  }
  if (len != n) st = MF_ERROR(MF_ERR_INTERNAL, "renumbering (rcm): numbered %lld of %lld nodes", (long long)len,
                              (long long)n);
done:
  mf_free(&numbered);
  mf_free(&stamp);
  mf_free(&level);
  mf_free(&scratch);
  return st;
}

/* ---- METIS nested dissection ----------------------------------------------------- */

mf_status mf_reorder_metis_status(int rc, const char *call) {
  return mf_metis_status(rc, "renumbering (metis)", call);
}

/* The graph in METIS's index type. */
static mf_status metis_graph(mf_idx n, const mf_idx *xadj, const mf_idx *adj, idx_t **xa, idx_t **ad) {
  *xa = *ad = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(*xa, (size_t)n + 1, "METIS graph offsets")) ||
      (st = MF_ALLOC_N(*ad, (size_t)xadj[n] + 1, "METIS graph adjacency"))) {
    mf_free(xa);
    return st;
  }
  for (mf_idx i = 0; i <= n; i++) (*xa)[i] = xadj[i];
  for (mf_idx k = 0; k < xadj[n]; k++) (*ad)[k] = adj[k];
  return MF_OK;
}

mf_status mf_reorder_metis_nd(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx *new2old) {
  MF_CALL(check_graph("metis nested dissection", n, xadj, adj));
  /* METIS_NodeND needs something to dissect; 0..2 vertices keep their order */
  if (n <= 2) {
    for (mf_idx i = 0; i < n; i++) new2old[i] = i;
    return MF_OK;
  }
  idx_t nv = (idx_t)n, *xa = NULL, *ad = NULL, *perm = NULL, *iperm = NULL;
  mf_status st;
  if ((st = metis_graph(n, xadj, adj, &xa, &ad)) || (st = MF_ALLOC_N(perm, n, "METIS permutation")) ||
      (st = MF_ALLOC_N(iperm, n, "METIS inverse permutation")))
    goto done;
  idx_t options[METIS_NOPTIONS];
  mf_metis_options(options);
  if ((st = mf_reorder_metis_status(METIS_NodeND(&nv, xa, ad, NULL, options, perm, iperm), "METIS_NodeND")))
    goto done;
  /* METIS: row i of the permuted matrix is row perm[i] of the original */
  for (mf_idx i = 0; i < n; i++) new2old[i] = (mf_idx)perm[i];
  if (!mf_reorder_is_permutation(n, new2old))
    st = MF_ERROR(MF_ERR_INTERNAL, "renumbering (metis): METIS_NodeND returned no permutation of %lld nodes",
                  (long long)n);
done:
  mf_free(&xa);
  mf_free(&ad);
  mf_free(&perm);
  mf_free(&iperm);
  return st;
}

/* Sort key of the k-way order: (rank of the node's part, node's RCM position). */
typedef struct {
  mf_idx part_rank, pos, node;
} kway_key;

static int cmp_kway(const void *a, const void *b) {
  const kway_key *x = a, *y = b;
  if (x->part_rank != y->part_rank) return (x->part_rank > y->part_rank) - (x->part_rank < y->part_rank);
  return (x->pos > y->pos) - (x->pos < y->pos);
}

mf_status mf_reorder_metis_kway(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx part_nodes,
                                mf_idx *new2old) {
  MF_CALL(check_graph("metis k-way", n, xadj, adj));
  MF_CHECK(part_nodes >= 1, MF_ERR_INPUT, "renumbering (metis k-way): part size %lld must be >= 1",
           (long long)part_nodes);
  /* The RCM sweep orders the nodes inside each part and the parts among themselves. */
  MF_CALL(mf_reorder_rcm(n, xadj, adj, new2old));
  /* one part (or more parts than vertices, which METIS rejects): the RCM order itself */
  idx_t nparts = (idx_t)(((int64_t)n + part_nodes - 1) / part_nodes);
  if (nparts > (idx_t)n) nparts = (idx_t)n;
  if (nparts <= 1) return MF_OK;
  idx_t nv = (idx_t)n, ncon = 1, objval = 0, *xa = NULL, *ad = NULL, *part = NULL;
  mf_idx *pos = NULL, *first = NULL;
  kway_key *key = NULL;
  mf_status st;
  if ((st = metis_graph(n, xadj, adj, &xa, &ad)) || (st = MF_ALLOC_N(part, n, "METIS parts")) ||
      (st = MF_ALLOC_N(pos, n, "RCM positions")) || (st = MF_ALLOC_N(first, (size_t)nparts, "part ranks")) ||
      (st = MF_ALLOC_N(key, n, "k-way order keys")))
    goto done;
  idx_t options[METIS_NOPTIONS];
  mf_metis_options(options);
  if ((st = mf_reorder_metis_status(
           METIS_PartGraphKway(&nv, &ncon, xa, ad, NULL, NULL, NULL, &nparts, NULL, NULL, options, &objval, part),
           "METIS_PartGraphKway")))
    goto done;
  for (mf_idx k = 0; k < n; k++) pos[new2old[k]] = k;
  /* a part's rank: the RCM position of its first node, so parts follow the sweep */
  for (idx_t p = 0; p < nparts; p++) first[p] = n;
  for (mf_idx i = 0; i < n; i++) {
    if (part[i] < 0 || part[i] >= nparts) {
      st = MF_ERROR(MF_ERR_INTERNAL, "renumbering (metis): METIS_PartGraphKway put node %lld in part %lld of %lld",
                    (long long)i, (long long)part[i], (long long)nparts);
      goto done;
    }
    if (pos[i] < first[part[i]]) first[part[i]] = pos[i];
  }
  for (mf_idx i = 0; i < n; i++) key[i] = (kway_key){first[part[i]], pos[i], i};
  qsort(key, (size_t)n, sizeof *key, cmp_kway);
  for (mf_idx k = 0; k < n; k++) new2old[k] = key[k].node;
done:
  mf_free(&xa);
  mf_free(&ad);
  mf_free(&part);
  mf_free(&pos);
  mf_free(&first);
  mf_free(&key);
  return st;
}

mf_status mf_reorder_metis(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx *new2old) {
  return MF_REORDER_METIS_KWAY ? mf_reorder_metis_kway(n, xadj, adj, MF_REORDER_PART_NODES, new2old)
                               : mf_reorder_metis_nd(n, xadj, adj, new2old);
}
