/* Partitioning a mesh over processes (see mf_partition.h). */
#include "mesh/mf_partition.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_mesh_adjacency.h"
#include "mesh/mf_metis.h"

/* Thread t's static share [e0, e1) of n elements among nt. */
static void thread_range(idx_t n, int t, int nt, idx_t *e0, idx_t *e1) {
  *e0 = (idx_t)((int64_t)n * t / nt), *e1 = (idx_t)((int64_t)n * (t + 1) / nt);
}

/* The element dual graph of METIS_MeshToDual on the elements' corners, built in parallel
 * (see mf_partition.h). Element e's neighbours are the elements met through its corners
 * in order, each corner's elements ascending, kept in the order first met when they
 * share ncommon corners or all but one of their corners (METIS's rule for mixed meshes;
 * one element type here). Each thread counts shared corners in a byte per element
 * (METIS, on one thread, keeps an index per element), cleared after each element
 * through the list of those met. */
typedef struct {
  uint8_t *shared; /* n_elems: corners shared with the element at hand, 0 between elements */
  idx_t *met;      /* the elements met, in the order first met */
} dual_scratch;

static idx_t dual_neighbours(const mf_mesh *m, const mf_nnz *nptr, const mf_idx *nind, idx_t e, dual_scratch *w,
                             idx_t *out) {
  const int nc = m->elem->corners;
  const int keep = m->elem->face_corners < nc - 1 ? m->elem->face_corners : nc - 1;
  idx_t k = 0;
  for (int a = 0; a < nc; a++) {
    const mf_idx v = mf_mesh_elem(m, e)[a];
    for (mf_nnz q = nptr[v]; q < nptr[v + 1]; q++) {
      const idx_t f = nind[q];
      if (w->shared[f]++ == 0) w->met[k++] = f;
    }
  }
  idx_t n = 0;
  for (idx_t j = 0; j < k; j++) {
    const idx_t f = w->met[j];
    if (f != e && w->shared[f] >= keep) {
      if (out) out[n] = f;
      n++;
    }
    w->shared[f] = 0;
  }
  return n;
}

mf_status mf_mesh_dual_graph(const mf_mesh *m, idx_t **xadj_out, idx_t **adjncy_out) {
  *xadj_out = *adjncy_out = NULL;
  const idx_t ne = (idx_t)m->n_elems, nc = (idx_t)m->elem->corners;
  MF_CHECK(nc <= UINT8_MAX, MF_ERR_INTERNAL, "dual graph: %d corners per element", (int)nc);
  const int nt = omp_get_max_threads();
  mf_nnz *nptr = NULL;
  mf_idx *nind = NULL;
  idx_t *xadj = NULL, *adjncy = NULL, *met = NULL, **part = NULL;
  uint8_t *shared = NULL;
  mf_status st;
  if ((st = mf_mesh_node_elements(m, (int)nc, &nptr, &nind, NULL)) ||
      (st = MF_CALLOC_N(xadj, (size_t)ne + 1, "dual graph offsets")) ||
      (st = MF_CALLOC_N(shared, (size_t)nt * ne + 1, "dual graph: shared corners")))
    goto done;
  /* an element meets at most the sum of its corners' element counts */
  idx_t most = 1;
#pragma omp parallel for schedule(static) reduction(max : most)
  for (idx_t e = 0; e < ne; e++) {
    idx_t k = 0;
    for (int a = 0; a < nc; a++) k += (idx_t)(nptr[mf_mesh_elem(m, e)[a] + 1] - nptr[mf_mesh_elem(m, e)[a]]);
    most = k > most ? k : most;
  }
  if ((st = MF_ALLOC_N(met, (size_t)nt * most, "dual graph: elements met")) ||
      (st = MF_CALLOC_N(part, (size_t)nt, "dual graph: per-thread lists")))
    goto done;
  /* One pass: each thread lists its static range's neighbours in a buffer of its own,
   * then the lists are copied into place. A buffer holds 8 neighbours per element (a
   * conforming mesh has at most 6, a hexahedron's faces); should one overflow, every
   * element is counted first and then listed into place (two passes, as METIS does). */
  for (int t = 0; t < nt; t++) {
    idx_t e0, e1;
    thread_range(ne, t, nt, &e0, &e1);
    if ((st = MF_ALLOC_N(part[t], 8 * (size_t)(e1 - e0) + (size_t)most, "dual graph: a thread's neighbours")))
      goto done;
  }
  int overflow = 0;
#pragma omp parallel num_threads(nt) reduction(| : overflow)
  {
    const int t = omp_get_thread_num();
    idx_t e0, e1;
    thread_range(ne, t, nt, &e0, &e1);
    dual_scratch w = {&shared[(size_t)t * ne], &met[(size_t)t * most]};
    size_t len = 0;
    overflow = omp_get_num_threads() != nt; /* fewer threads than asked: ranges unlisted */
    for (idx_t e = e0; e < e1 && !overflow; e++) {
      if (len + (size_t)most > 8 * (size_t)(e1 - e0) + (size_t)most) {
        overflow = 1;
        break;
      }
      len += (size_t)(xadj[e + 1] = dual_neighbours(m, nptr, nind, e, &w, &part[t][len]));
    }
  }
  if (overflow) {
#pragma omp parallel num_threads(nt)
    {
      dual_scratch w = {&shared[(size_t)omp_get_thread_num() * ne], &met[(size_t)omp_get_thread_num() * most]};
#pragma omp for schedule(static)
      for (idx_t e = 0; e < ne; e++) xadj[e + 1] = dual_neighbours(m, nptr, nind, e, &w, NULL);
    }
  }
  for (idx_t e = 0; e < ne; e++) {
    if ((int64_t)xadj[e] + xadj[e + 1] > INT32_MAX) {
      st = MF_ERROR(MF_ERR_INPUT, "%s: the element dual graph has more than %d edges, more than METIS's 32-bit "
                    "index holds", m->source, INT32_MAX);
      goto done;
    }
    xadj[e + 1] += xadj[e];
  }
  if ((st = MF_ALLOC_N(adjncy, (size_t)xadj[ne] + 1, "dual graph adjacency"))) goto done;
  if (!overflow) {
#pragma omp parallel for schedule(static)
    for (int t = 0; t < nt; t++) {
      idx_t e0, e1;
      thread_range(ne, t, nt, &e0, &e1);
      memcpy(&adjncy[xadj[e0]], part[t], (size_t)(xadj[e1] - xadj[e0]) * sizeof *adjncy);
    }
  } else {
#pragma omp parallel num_threads(nt)
    {
      dual_scratch w = {&shared[(size_t)omp_get_thread_num() * ne], &met[(size_t)omp_get_thread_num() * most]};
#pragma omp for schedule(static)
      for (idx_t e = 0; e < ne; e++) dual_neighbours(m, nptr, nind, e, &w, &adjncy[xadj[e]]);
    }
  }
  *xadj_out = xadj, *adjncy_out = adjncy;
  xadj = adjncy = NULL;
done:
  for (int t = 0; part && t < nt; t++) mf_free(&part[t]);
  mf_free(&nptr), mf_free(&nind), mf_free(&xadj), mf_free(&adjncy), mf_free(&met), mf_free(&shared), mf_free(&part);
  return st;
}

mf_status mf_mesh_partition_dual(const mf_mesh *m, int n_parts, const char *who, int32_t *elem_part) {
  MF_CHECK(n_parts == 1 || (n_parts > 1 && (mf_idx)n_parts <= m->n_elems), MF_ERR_INPUT,
           "%s: %d parts of a mesh of %lld elements: a part needs at least one element", who, n_parts,
           (long long)m->n_elems);
  idx_t ne = (idx_t)m->n_elems;
  if (n_parts == 1) {
    memset(elem_part, 0, (size_t)ne * sizeof *elem_part);
    return MF_OK;
  }
  _Static_assert(sizeof(idx_t) == sizeof(int32_t), "elem_part is written by METIS as idx_t");
  /* METIS_PartMeshDual is METIS_MeshToDual and then METIS_PartGraphKway; the dual graph,
   * which METIS builds on one thread (a tenth of a fine-cantilever run), is built here in
   * parallel, the same graph in the same order, so the parts are the same */
  idx_t *xadj = NULL, *adjncy = NULL;
  mf_status st = mf_mesh_dual_graph(m, &xadj, &adjncy);
  if (st) return st;
  idx_t options[METIS_NOPTIONS], ncon = 1, objval = 0, np = n_parts;
  mf_metis_options(options);
  st = mf_metis_status(METIS_PartGraphKway(&ne, &ncon, xadj, adjncy, NULL, NULL, NULL, &np, NULL, NULL, options,
                                           &objval, (idx_t *)elem_part),
                       who, "METIS_PartGraphKway");
  mf_free(&xadj), mf_free(&adjncy);
  return st;
}

mf_status mf_partition_check_cut(const mf_mesh *m, int n_parts, const int32_t *elem_part) {
  const mf_idx ne = m->n_elems;
  mf_idx *count = NULL;
  MF_CALL(MF_CALLOC_N(count, (size_t)n_parts + 1, "part sizes"));
  mf_status st = MF_OK;
  for (mf_idx e = 0; e < ne && !st; e++) {
    if (elem_part[e] < 0 || elem_part[e] >= n_parts)
      st = MF_ERROR(MF_ERR_INPUT, "partition: element %lld is in part %d, not in 0..%d", (long long)e, elem_part[e],
                    n_parts - 1);
    else
      count[elem_part[e]]++;
  }
  for (int k = 0; k < n_parts && !st; k++)
    if (count[k] == 0)
      st = MF_ERROR(MF_ERR_INPUT, "partition: part %d of %d has none of the %lld elements: use fewer parts", k,
                    n_parts, (long long)ne);
  mf_free(&count);
  return st;
}

mf_status mf_partition_create(const mf_mesh *m, int n_parts, const int32_t *elem_part, mf_partition **out) {
  *out = NULL;
  const mf_idx ne = m->n_elems, nn = m->nodes.n_local;
  mf_partition *P = NULL;
  int32_t *distinct = NULL;
  mf_nnz *node_elem_ptr = NULL; /* the elements of node i: node_elems[node_elem_ptr[i] ..) */
  mf_idx *node_elems = NULL, max_deg = 0;
  mf_status st;
  if ((st = MF_CALLOC_N(P, 1, "partition")) || (st = MF_ALLOC_N(P->elem_part, (size_t)ne + 1, "element parts")) ||
      (st = MF_ALLOC_N(P->node_owner, (size_t)nn + 1, "node owners")))
    goto done;
  P->mesh = m;
  P->n_parts = n_parts;
  if (!elem_part) elem_part = mf_mesh_stored_parts(m, n_parts);
  if (!elem_part) {
    if ((st = mf_mesh_partition_dual(m, n_parts, "partition", P->elem_part))) goto done;
  } else if (n_parts < 1 || (mf_idx)n_parts > ne) {
    st = MF_ERROR(MF_ERR_INPUT, "partition: %d parts of a mesh of %lld elements: a part needs at least one element",
                  n_parts, (long long)ne);
    goto done;
  } else {
    memcpy(P->elem_part, elem_part, (size_t)ne * sizeof *elem_part);
  }
  if ((st = mf_partition_check_cut(m, n_parts, P->elem_part)) || (st = mf_mesh_node_elements(m, m->npe, &node_elem_ptr, &node_elems, &max_deg))) goto done;
  /* owners: the distinct parts of a node's elements, ascending (insertion sort: a node
   * has a few dozen elements at most), one picked by the node's number */
  if ((st = MF_ALLOC_N(distinct, (size_t)max_deg + 1, "node parts"))) goto done;
  for (mf_idx i = 0; i < nn; i++) {
    int k = 0;
    for (mf_nnz q = node_elem_ptr[i]; q < node_elem_ptr[i + 1]; q++) {
      int32_t part = P->elem_part[node_elems[q]];
      int j = k;
      while (j > 0 && distinct[j - 1] > part) j--;
      if (j > 0 && distinct[j - 1] == part) continue;
      memmove(&distinct[j + 1], &distinct[j], (size_t)(k - j) * sizeof *distinct);
      distinct[j] = part;
      k++;
    }
    P->node_owner[i] = k == 0 ? 0 : distinct[mf_partition_owner_pick(i, k)];
  }
done:
  mf_free(&distinct);
  mf_free(&node_elem_ptr);
  mf_free(&node_elems);
  if (st) {
    mf_partition_destroy(&P);
    return st;
  }
  *out = P;
  return MF_OK;
}

void mf_partition_destroy(mf_partition **pp) {
  mf_partition *P = *pp;
  if (!P) return;
  mf_free(&P->elem_part);
  mf_free(&P->node_owner);
  mf_free(pp);
}

/* The elements of each owned node: all of them are the part's (own or halo), and taken
 * from its ascending element list they come in ascending mesh order, as the whole
 * mesh's node-to-element lists would give them. Part-sized. */
typedef struct {
  mf_nnz *ptr; /* n_owned + 1 */
  mf_idx *elems; /* mesh elements of owned node l: elems[ptr[l] .. ptr[l + 1]) */
} owned_elems;

static mf_status owned_elements(const mf_partition *P, const mf_part *pt, owned_elems *oe) {
  const mf_mesh *m = P->mesh;
  /* each owned node's local number, read only where the node is owned (no search) */
  mf_idx *lid = NULL;
  MF_CALL(MF_ALLOC_N(lid, (size_t)m->nodes.n_local + 1, "owned nodes' local numbers"));
  for (mf_idx l = 0; l < pt->n_owned; l++) lid[pt->nodes[l]] = l;
  mf_status st = MF_CALLOC_N(oe->ptr, (size_t)pt->n_owned + 1, "owned nodes' element offsets");
  for (int pass = 0; pass < 2 && !st; pass++) { /* count, then fill */
    if (pass == 1) {
      for (mf_idx l = 0; l < pt->n_owned; l++) oe->ptr[l + 1] += oe->ptr[l];
      if ((st = MF_ALLOC_N(oe->elems, oe->ptr[pt->n_owned] + 1, "owned nodes' elements"))) break;
    }
    for (mf_idx k = 0; k < pt->n_elems; k++)
      for (int a = 0; a < m->npe; a++) {
        const mf_idx v = mf_mesh_elem(m, pt->elems[k])[a];
        if (P->node_owner[v] != pt->part) continue;
        if (pass == 0) oe->ptr[lid[v] + 1]++;
        else oe->elems[oe->ptr[lid[v]]++] = pt->elems[k];
      }
  }
  mf_free(&lid);
  if (st) return st;
  for (mf_idx l = pt->n_owned; l > 0; l--) oe->ptr[l] = oe->ptr[l - 1]; /* the fill advanced each start */
  oe->ptr[0] = 0;
  return MF_OK;
}

/* The neighbours: the parts that hold one of p's owned nodes as a ghost (a node is held
 * by every part to which one of its elements is local), and the owners of p's ghosts. */
static mf_status find_neighbours(const mf_partition *P, mf_part *pt, const owned_elems *oe, int32_t *nb_of_part,
                                 int32_t *stamp) {
  const mf_mesh *m = P->mesh;
  const int p = pt->part;
  mf_status st;
  for (int q = 0; q < P->n_parts; q++) nb_of_part[q] = -1, stamp[q] = -1;
  for (mf_idx g = 0; g < pt->n_ghost; g++) nb_of_part[pt->ghost_owner[g]] = 1;
  for (mf_idx l = 0; l < pt->n_owned; l++) {
    for (mf_nnz k = oe->ptr[l]; k < oe->ptr[l + 1]; k++) {
      mf_idx e = oe->elems[k];
      nb_of_part[P->elem_part[e]] = 1;
      for (int a = 0; a < m->npe; a++) nb_of_part[P->node_owner[mf_mesh_elem(m, e)[a]]] = 1;
    }
  }
  nb_of_part[p] = -1;
  pt->n_neighbours = 0;
  for (int q = 0; q < P->n_parts; q++)
    if (nb_of_part[q] == 1) pt->n_neighbours++;
  if ((st = MF_ALLOC_N(pt->neighbours, (size_t)pt->n_neighbours + 1, "neighbours"))) return st;
  pt->n_neighbours = 0;
  for (int q = 0; q < P->n_parts; q++)
    if (nb_of_part[q] == 1) {
      nb_of_part[q] = pt->n_neighbours;
      pt->neighbours[pt->n_neighbours++] = q;
    }
  return MF_OK;
}

/* send lists: for owned node l, every neighbour holding it, once (stamp[q] == l). */
static mf_status fill_send(const mf_partition *P, mf_part *pt, const owned_elems *oe, const int32_t *nb_of_part,
                           int32_t *stamp) {
  const mf_mesh *m = P->mesh;
  const int p = pt->part;
  mf_status st;
  if ((st = MF_CALLOC_N(pt->send_ptr, (size_t)pt->n_neighbours + 1, "send offsets"))) return st;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      for (int k = 0; k < pt->n_neighbours; k++) pt->send_ptr[k + 1] += pt->send_ptr[k];
      if ((st = MF_ALLOC_N(pt->send, pt->send_ptr[pt->n_neighbours] + 1, "send lists"))) return st;
    }
    for (int q = 0; q < P->n_parts; q++) stamp[q] = -1;
    for (mf_idx l = 0; l < pt->n_owned; l++) {
      for (mf_nnz k = oe->ptr[l]; k < oe->ptr[l + 1]; k++) {
        mf_idx e = oe->elems[k];
        for (int a = -1; a < m->npe; a++) {
          int q = a < 0 ? P->elem_part[e] : P->node_owner[mf_mesh_elem(m, e)[a]];
          if (q == p || stamp[q] == l) continue;
          stamp[q] = l;
          if (pass == 0) pt->send_ptr[nb_of_part[q] + 1]++;
          else pt->send[pt->send_ptr[nb_of_part[q]]++] = l;
        }
      }
    }
  }
  for (int k = pt->n_neighbours; k > 0; k--) pt->send_ptr[k] = pt->send_ptr[k - 1];
  pt->send_ptr[0] = 0;
  return MF_OK;
}

/* The rows of the part's nodes and own elements in the mesh's own order. */
static mf_status file_rows(const mf_partition *P, mf_part *pt) {
  const mf_mesh *m = P->mesh;
  const mf_idx nl = pt->n_owned + pt->n_ghost;
  MF_CALL(MF_ALLOC_N(pt->node_row, (size_t)nl + 1, "file rows of the part's nodes"));
  MF_CALL(MF_ALLOC_N(pt->own, (size_t)pt->n_elems_owned + 1, "own elements"));
  MF_CALL(MF_ALLOC_N(pt->own_row, (size_t)pt->n_elems_owned + 1, "file rows of the own elements"));
  for (mf_idx l = 0; l < nl; l++) pt->node_row[l] = m->node_new2old ? m->node_new2old[pt->nodes[l]] : pt->nodes[l];
  mf_idx j = 0;
  for (mf_idx k = 0; k < pt->n_elems; k++) {
    const mf_idx e = pt->elems[k];
    if (P->elem_part[e] != pt->part) continue;
    pt->own[j] = k;
    pt->own_row[j++] = m->elem_new2old ? m->elem_new2old[e] : e;
  }
  return MF_OK;
}

/* The distinct parts element e is local to: its own part, and every part owning one of
 * its nodes (at most npe + 1). */
static int parts_of_elem(const mf_partition *P, mf_idx e, int *parts) {
  const mf_mesh *m = P->mesh;
  int n = 0;
  parts[n++] = P->elem_part[e];
  for (int a = 0; a < m->npe; a++) {
    const int q = P->node_owner[mf_mesh_elem(m, e)[a]];
    int seen = 0;
    for (int k = 0; k < n && !seen; k++) seen = parts[k] == q;
    if (!seen) parts[n++] = q;
  }
  return n;
}

mf_status mf_partition_local_elems(const mf_partition *P, mf_nnz **ptr_out, mf_idx **elems_out) {
  *ptr_out = NULL, *elems_out = NULL;
  const mf_idx ne = P->mesh->n_elems;
  mf_nnz *ptr = NULL, *at = NULL;
  mf_idx *elems = NULL;
  int parts[MF_ELEM_MAX_NODES + 1];
  mf_status st;
  if ((st = MF_CALLOC_N(ptr, (size_t)P->n_parts + 1, "local element offsets")) ||
      (st = MF_ALLOC_N(at, (size_t)P->n_parts, "local element cursors")))
    goto done;
  for (mf_idx e = 0; e < ne; e++)
    for (int k = 0, n = parts_of_elem(P, e, parts); k < n; k++) ptr[parts[k] + 1]++;
  for (int p = 0; p < P->n_parts; p++) ptr[p + 1] += ptr[p];
  if ((st = MF_ALLOC_N(elems, (size_t)ptr[P->n_parts] + 1, "local elements"))) goto done;
  memcpy(at, ptr, (size_t)P->n_parts * sizeof *at);
  for (mf_idx e = 0; e < ne; e++) /* ascending e: each part's list ascends */
    for (int k = 0, n = parts_of_elem(P, e, parts); k < n; k++) elems[at[parts[k]]++] = e;
done:
  mf_free(&at);
  if (st) {
    mf_free(&ptr);
    mf_free(&elems);
    return st;
  }
  *ptr_out = ptr, *elems_out = elems;
  return MF_OK;
}

/* The part from its local elements (own and halo, ascending). */
static mf_status part_create(const mf_partition *P, int part, mf_idx n_local, const mf_idx *local, mf_part **out) {
  *out = NULL;
  const mf_mesh *m = P->mesh;
  const mf_idx nn = m->nodes.n_local;
  mf_part *pt = NULL;
  uint8_t *held = NULL;
  int32_t *nb_of_part = NULL, *stamp = NULL;
  owned_elems oe = {NULL, NULL};
  mf_status st;
  if ((st = MF_CALLOC_N(pt, 1, "part")) || (st = MF_CALLOC_N(held, (size_t)nn + 1, "held nodes")) ||
      (st = MF_ALLOC_N(nb_of_part, P->n_parts, "neighbour slots")) || (st = MF_ALLOC_N(stamp, P->n_parts, "stamps")))
    goto done;
  pt->part = part;
  pt->n_parts = P->n_parts;

  /* elements: own and halo together, ascending: loops over them run in mesh order */
  pt->n_elems = n_local;
  if ((st = MF_ALLOC_N(pt->elems, (size_t)pt->n_elems + 1, "part elements"))) goto done;
  memcpy(pt->elems, local, (size_t)n_local * sizeof *local);
  for (mf_idx k = 0; k < n_local; k++) pt->n_elems_owned += P->elem_part[local[k]] == part;
  /* nodes: owned ascending, then the local elements' other nodes ascending */
  for (mf_idx k = 0; k < pt->n_elems; k++)
    for (int a = 0; a < m->npe; a++) held[mf_mesh_elem(m, pt->elems[k])[a]] = 1;
  for (mf_idx i = 0; i < nn; i++) {
    if (P->node_owner[i] == part) pt->n_owned++, held[i] = 1;
    else if (held[i]) pt->n_ghost++;
  }
  if ((st = MF_ALLOC_N(pt->nodes, (size_t)pt->n_owned + pt->n_ghost + 1, "part nodes")) ||
      (st = MF_ALLOC_N(pt->ghost_owner, (size_t)pt->n_ghost + 1, "ghost owners")))
    goto done;
  mf_idx lo = 0, lg = 0;
  for (mf_idx i = 0; i < nn; i++) {
    if (P->node_owner[i] == part) pt->nodes[lo++] = i;
    else if (held[i]) {
      pt->ghost_owner[lg] = P->node_owner[i];
      pt->nodes[pt->n_owned + lg++] = i;
    }
  }
  if ((st = owned_elements(P, pt, &oe)) || (st = find_neighbours(P, pt, &oe, nb_of_part, stamp)) ||
      (st = fill_send(P, pt, &oe, nb_of_part, stamp)))
    goto done;
  /* recv lists: the ghosts grouped by owner, each group ascending */
  if ((st = MF_CALLOC_N(pt->recv_ptr, (size_t)pt->n_neighbours + 1, "recv offsets")) ||
      (st = MF_ALLOC_N(pt->recv, (size_t)pt->n_ghost + 1, "recv lists")))
    goto done;
  for (mf_idx g = 0; g < pt->n_ghost; g++) pt->recv_ptr[nb_of_part[pt->ghost_owner[g]] + 1]++;
  for (int k = 0; k < pt->n_neighbours; k++) pt->recv_ptr[k + 1] += pt->recv_ptr[k];
  for (mf_idx g = 0; g < pt->n_ghost; g++) pt->recv[pt->recv_ptr[nb_of_part[pt->ghost_owner[g]]]++] = pt->n_owned + g;
  for (int k = pt->n_neighbours; k > 0; k--) pt->recv_ptr[k] = pt->recv_ptr[k - 1];
  pt->recv_ptr[0] = 0;
  st = file_rows(P, pt);
done:
  mf_free(&held);
  mf_free(&nb_of_part);
  mf_free(&stamp);
  mf_free(&oe.ptr);
  mf_free(&oe.elems);
  if (st) {
    mf_part_destroy(&pt);
    return st;
  }
  *out = pt;
  return MF_OK;
}

mf_status mf_part_create(const mf_partition *P, int part, mf_part **out) {
  *out = NULL;
  mf_nnz *ptr = NULL;
  mf_idx *elems = NULL;
  mf_status st = mf_partition_local_elems(P, &ptr, &elems);
  if (!st) st = mf_part_create_from(P, part, ptr, elems, out);
  mf_free(&ptr);
  mf_free(&elems);
  return st;
}

mf_status mf_part_create_from(const mf_partition *P, int part, const mf_nnz *ptr, const mf_idx *elems,
                              mf_part **out) {
  *out = NULL;
  return mf_part_create_local(P, part, (mf_idx)(ptr[part + 1] - ptr[part]), elems + ptr[part], out);
}

mf_status mf_part_create_local(const mf_partition *P, int part, mf_idx n_local, const mf_idx *local, mf_part **out) {
  *out = NULL;
  MF_CHECK(part >= 0 && part < P->n_parts, MF_ERR_INPUT, "partition: part %d, not in 0..%d", part, P->n_parts - 1);
  return part_create(P, part, n_local, local, out);
}

void mf_part_destroy(mf_part **pp) {
  mf_part *pt = *pp;
  if (!pt) return;
  mf_free(&pt->elems);
  mf_free(&pt->nodes);
  mf_free(&pt->ghost_owner);
  mf_free(&pt->neighbours);
  mf_free(&pt->send_ptr);
  mf_free(&pt->recv_ptr);
  mf_free(&pt->send);
  mf_free(&pt->recv);
  mf_free(&pt->node_row);
  mf_free(&pt->own);
  mf_free(&pt->own_row);
  mf_free(pp);
}

mf_status mf_part_pack(const mf_part *pt, mf_pack *p) {
  const int64_t head[] = {pt->part, pt->n_parts, pt->n_elems_owned, pt->n_elems, pt->n_owned, pt->n_ghost,
                          pt->n_neighbours};
  const size_t nl = (size_t)pt->n_owned + pt->n_ghost, nb = (size_t)pt->n_neighbours;
  MF_CALL(mf_pack_array(p, head, sizeof head / sizeof *head, sizeof *head));
  MF_CALL(mf_pack_array(p, pt->elems, (size_t)pt->n_elems, sizeof *pt->elems));
  MF_CALL(mf_pack_array(p, pt->nodes, nl, sizeof *pt->nodes));
  MF_CALL(mf_pack_array(p, pt->ghost_owner, (size_t)pt->n_ghost, sizeof *pt->ghost_owner));
  MF_CALL(mf_pack_array(p, pt->neighbours, nb, sizeof *pt->neighbours));
  MF_CALL(mf_pack_array(p, pt->send_ptr, nb + 1, sizeof *pt->send_ptr));
  MF_CALL(mf_pack_array(p, pt->recv_ptr, nb + 1, sizeof *pt->recv_ptr));
  MF_CALL(mf_pack_array(p, pt->send, (size_t)pt->send_ptr[nb], sizeof *pt->send));
  MF_CALL(mf_pack_array(p, pt->recv, (size_t)pt->recv_ptr[nb], sizeof *pt->recv));
  MF_CALL(mf_pack_array(p, pt->node_row, nl, sizeof *pt->node_row));
  MF_CALL(mf_pack_array(p, pt->own, (size_t)pt->n_elems_owned, sizeof *pt->own));
  return mf_pack_array(p, pt->own_row, (size_t)pt->n_elems_owned, sizeof *pt->own_row);
}

static mf_status unpack_lists(mf_unpack *u, mf_part *pt) {
  const size_t nl = (size_t)pt->n_owned + pt->n_ghost, nb = (size_t)pt->n_neighbours;
  MF_CALL(mf_unpack_alloc(u, &pt->elems, (size_t)pt->n_elems, sizeof *pt->elems, "part elements"));
  MF_CALL(mf_unpack_alloc(u, &pt->nodes, nl, sizeof *pt->nodes, "part nodes"));
  MF_CALL(mf_unpack_alloc(u, &pt->ghost_owner, (size_t)pt->n_ghost, sizeof *pt->ghost_owner, "ghost owners"));
  MF_CALL(mf_unpack_alloc(u, &pt->neighbours, nb, sizeof *pt->neighbours, "neighbours"));
  MF_CALL(mf_unpack_alloc(u, &pt->send_ptr, nb + 1, sizeof *pt->send_ptr, "send offsets"));
  MF_CALL(mf_unpack_alloc(u, &pt->recv_ptr, nb + 1, sizeof *pt->recv_ptr, "recv offsets"));
  MF_CHECK(pt->send_ptr[nb] >= 0 && pt->recv_ptr[nb] == pt->n_ghost, MF_ERR_INTERNAL,
           "%s: exchange lists of %lld and %lld nodes for %lld ghosts", u->what, (long long)pt->send_ptr[nb],
           (long long)pt->recv_ptr[nb], (long long)pt->n_ghost);
  MF_CALL(mf_unpack_alloc(u, &pt->send, (size_t)pt->send_ptr[nb], sizeof *pt->send, "send lists"));
  MF_CALL(mf_unpack_alloc(u, &pt->recv, (size_t)pt->recv_ptr[nb], sizeof *pt->recv, "recv lists"));
  MF_CALL(mf_unpack_alloc(u, &pt->node_row, nl, sizeof *pt->node_row, "node file rows"));
  MF_CALL(mf_unpack_alloc(u, &pt->own, (size_t)pt->n_elems_owned, sizeof *pt->own, "own elements"));
  return mf_unpack_alloc(u, &pt->own_row, (size_t)pt->n_elems_owned, sizeof *pt->own_row, "own element rows");
}

mf_status mf_part_unpack(mf_unpack *u, mf_part **out) {
  *out = NULL;
  int64_t h[7];
  MF_CALL(mf_unpack_array(u, h, 7, sizeof *h, "part counts"));
  MF_CHECK(h[0] >= 0 && h[0] < h[1] && h[2] >= 0 && h[3] >= h[2] && h[4] >= 0 && h[5] >= 0 && h[6] >= 0,
           MF_ERR_INTERNAL, "%s: part counts out of range", u->what);
  mf_part *pt;
  MF_CALL(MF_CALLOC_N(pt, 1, "part"));
  pt->part = (int)h[0], pt->n_parts = (int)h[1];
  pt->n_elems_owned = (mf_idx)h[2], pt->n_elems = (mf_idx)h[3];
  pt->n_owned = (mf_idx)h[4], pt->n_ghost = (mf_idx)h[5];
  pt->n_neighbours = (int)h[6];
  mf_status st = unpack_lists(u, pt);
  if (st) {
    mf_part_destroy(&pt);
    return st;
  }
  *out = pt;
  return MF_OK;
}

static mf_idx search(const mf_idx *a, mf_idx n, mf_idx v) {
  mf_idx lo = 0, hi = n;
  while (lo < hi) {
    mf_idx mid = lo + (hi - lo) / 2;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && a[lo] == v ? lo : -1;
}

mf_idx mf_part_local_node(const mf_part *p, mf_idx node) {
  mf_idx l = search(p->nodes, p->n_owned, node);
  if (l >= 0) return l;
  l = search(p->nodes + p->n_owned, p->n_ghost, node);
  return l >= 0 ? p->n_owned + l : -1;
}

mf_status mf_part_mesh(const mf_partition *P, const mf_part *pt, mf_mesh **out) {
  *out = NULL;
  const mf_mesh *m = P->mesh;
  const mf_idx nn = m->nodes.n_local, nl = pt->n_owned + pt->n_ghost;
  mf_idx *local = NULL, *face_local = NULL;
  mf_mesh *lm = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(local, (size_t)nn + 1, "part node map")) ||
      (st = MF_ALLOC_N(face_local, (size_t)m->n_faces + 1, "part face map")))
    goto done;
  for (mf_idx i = 0; i < nn; i++) local[i] = -1;
  for (mf_idx l = 0; l < nl; l++) local[pt->nodes[l]] = l;
  mf_idx nf = 0;
  for (mf_idx f = 0; f < m->n_faces; f++) {
    int held = 1;
    for (int a = 0; a < m->nfn; a++) held &= local[mf_mesh_face(m, f)[a]] >= 0;
    face_local[f] = held ? nf++ : -1;
  }
  if ((st = mf_mesh_alloc(m->elem->type, nl, pt->n_elems, nf, m->n_groups, &lm))) goto done;
  snprintf(lm->source, sizeof lm->source, "%.400s, part %d of %d", m->source, pt->part, pt->n_parts);
  lm->nodes.n_owned = pt->n_owned;
  lm->nodes.n_ghost = pt->n_ghost;
  for (mf_idx l = 0; l < nl; l++) {
    double X[3];
    mf_nodes_coords(&m->nodes, pt->nodes[l], X);
    mf_nodes_set_coords(&lm->nodes, l, X);
    lm->nodes.global_id[l] = m->nodes.global_id[pt->nodes[l]];
    lm->nodes.tag[l] = m->nodes.tag[pt->nodes[l]];
  }
  lm->n_elems_owned = pt->n_elems_owned;
  for (mf_idx k = 0; k < pt->n_elems; k++) {
    const mf_idx e = pt->elems[k];
    for (int a = 0; a < m->npe; a++) lm->conn[(mf_nnz)m->npe * k + a] = local[mf_mesh_elem(m, e)[a]];
    lm->region[k] = m->region[e];
    lm->elem_tag[k] = m->elem_tag[e];
  }
  for (mf_idx f = 0; f < m->n_faces; f++)
    if (face_local[f] >= 0)
      for (int a = 0; a < m->nfn; a++) lm->face_conn[(mf_nnz)m->nfn * face_local[f] + a] = local[mf_mesh_face(m, f)[a]];
  for (int g = 0; g < m->n_groups && !st; g++) {
    const mf_group *src = &m->groups[g];
    mf_group *dst = &lm->groups[g];
    memcpy(dst->name, src->name, sizeof dst->name);
    dst->dim = src->dim;
    dst->tag = src->tag;
    if (src->dim != 2) continue;
    for (mf_idx f = 0; f < src->n_faces; f++) dst->n_faces += face_local[src->faces[f]] >= 0;
    if ((st = MF_ALLOC_N(dst->faces, (size_t)dst->n_faces + 1, "part group faces"))) break;
    mf_idx k = 0;
    for (mf_idx f = 0; f < src->n_faces; f++)
      if (face_local[src->faces[f]] >= 0) dst->faces[k++] = face_local[src->faces[f]];
  }
  if (!st) st = mf_mesh_finish_groups(lm);
done:
  mf_free(&local);
  mf_free(&face_local);
  if (st) {
    mf_mesh_destroy(&lm);
    return st;
  }
  *out = lm;
  return MF_OK;
}

mf_part_counts mf_part_count(const mf_part *pt) {
  const int nb = pt->n_neighbours;
  /* nodes whose values cross to or from this part in one forward exchange */
  return (mf_part_counts){pt->n_elems_owned, pt->n_elems - pt->n_elems_owned, pt->n_owned, pt->n_ghost, nb,
                          (int64_t)(pt->send_ptr[nb] + pt->recv_ptr[nb])};
}

void mf_partition_report_counts(const mf_part_counts *c, int n_parts, FILE *out) {
  fprintf(out, "%6s %10s %10s %10s %10s %10s %10s\n", "part", "elements", "halo", "owned", "ghosts", "neighbours",
          "exchanged");
  double sum[3] = {0, 0, 0}, max[3] = {0, 0, 0};
  for (int p = 0; p < n_parts; p++) {
    fprintf(out, "%6d %10lld %10lld %10lld %10lld %10d %10lld\n", p, (long long)c[p].own, (long long)c[p].halo,
            (long long)c[p].owned, (long long)c[p].ghosts, c[p].neighbours, (long long)c[p].exchanged);
    const double v[3] = {(double)c[p].own, (double)(c[p].own + c[p].halo), (double)c[p].owned};
    for (int k = 0; k < 3; k++) {
      sum[k] += v[k];
      if (v[k] > max[k]) max[k] = v[k];
    }
  }
  const double n = n_parts;
  fprintf(out, "imbalance (largest / mean): own elements %.3f, own + halo elements %.3f, owned nodes %.3f\n",
          max[0] * n / sum[0], max[1] * n / sum[1], max[2] * n / sum[2]);
}

mf_status mf_partition_report(const mf_partition *P, FILE *out) {
  mf_part_counts *c = NULL;
  mf_nnz *ptr = NULL;
  mf_idx *elems = NULL;
  mf_status st;
  if (!(st = MF_ALLOC_N(c, (size_t)P->n_parts, "part counts")) && !(st = mf_partition_local_elems(P, &ptr, &elems)))
    for (int p = 0; p < P->n_parts && !st; p++) {
      mf_part *pt = NULL;
      if (!(st = mf_part_create_from(P, p, ptr, elems, &pt))) c[p] = mf_part_count(pt);
      mf_part_destroy(&pt);
    }
  if (!st) mf_partition_report_counts(c, P->n_parts, out);
  mf_free(&c);
  mf_free(&ptr);
  mf_free(&elems);
  return st;
}
