/* Partitioning (mesh/mf_partition.h): a hand-checked row of three hexahedra in two parts;
 * METIS partitions of tet4, tet10 and hex8 boxes in 1..6 parts checked against brute-force
 * definitions (ownership, halo, ghosts, exchange lists that match pairwise); each part's
 * own mesh assembled in the whole mesh's order giving the whole mesh's owned rows bit for
 * bit, and the distributed matrix made from it equal to the one cut from the whole
 * matrix; the element dual graph equal to METIS_MeshToDual's and its parts to
 * METIS_PartMeshDual's; and the refusals (too many parts, a part out of range, an empty
 * part). */
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "fem/mf_assemble.h"
#include "la/mf_dist_matrix.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_mesh_pack.h"
#include "mesh/mf_partition.h"
#include "mesh/mf_reorder.h"
#include "mf_test_mesh.h"

static mf_mesh *load(const char *spec) {
  mf_mesh *m = NULL;
  if (mf_mesh_generate(spec, &m)) fail_msg("%s: %s", spec, mf_error_message());
  return m;
}

static double node_x(const mf_mesh *m, mf_idx i) {
  double X[3];
  mf_nodes_coords(&m->nodes, i, X);
  return X[0];
}

/* box 3x1x1 of hex8 cells, x in [0,3]; parts by cell: 0 | 1 1. Node planes x = 0..3,
 * four nodes each. Planes 0 and 1 touch part 0, planes 1..3 part 1, so plane 0 is part
 * 0's, planes 2 and 3 part 1's, and each node of plane 1 goes to the part its hash picks
 * (a of them to part 0). Then part 0 owns 4 + a nodes and has cell 1 as halo when a > 0
 * (cell 1 touches its plane-1 nodes), with plane 2 as ghosts through it and the 4 - a
 * other plane-1 nodes; part 1 owns 12 - a, has cell 0 as halo when a < 4, with plane 0 as
 * ghosts through it and the a plane-1 nodes of part 0. */
static void test_hand_checked_row(void **state) {
  (void)state;
  mf_mesh *m = load("box:3x1x1:3x1x1:hex8");
  assert_int_equal(m->n_elems, 3);
  int32_t parts[3];
  for (mf_idx e = 0; e < 3; e++) {
    double xc = 0;
    for (int a = 0; a < 8; a++) xc += node_x(m, mf_mesh_elem(m, e)[a]) / 8;
    parts[e] = xc < 1 ? 0 : 1;
  }
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(m, 2, parts, &P), MF_OK);
  int a = 0;
  for (mf_idx i = 0; i < m->nodes.n_local; i++) {
    double x = node_x(m, i);
    int expect = x == 0.0 ? 0 : x == 1.0 ? mf_partition_owner_pick(i, 2) : 1;
    assert_int_equal(P->node_owner[i], expect);
    a += x == 1.0 && expect == 0;
  }
  print_message("plane x = 1: %d of its 4 nodes owned by part 0\n", a);
  mf_part *p0 = NULL, *p1 = NULL;
  assert_int_equal(mf_part_create(P, 0, &p0), MF_OK);
  assert_int_equal(mf_part_create(P, 1, &p1), MF_OK);

  assert_int_equal(p0->n_elems_owned, 1);
  assert_int_equal(p0->n_elems, 1 + (a > 0));
  assert_int_equal(p0->n_owned, 4 + a);
  assert_int_equal(p0->n_ghost, (4 - a) + (a > 0 ? 4 : 0));
  assert_int_equal(p1->n_elems_owned, 2);
  assert_int_equal(p1->n_elems, 2 + (a < 4));
  assert_int_equal(p1->n_owned, 12 - a);
  assert_int_equal(p1->n_ghost, a + (a < 4 ? 4 : 0));
  for (mf_idx l = 0; l < p0->n_owned; l++) assert_true(node_x(m, p0->nodes[l]) <= 1.0);
  for (mf_idx g = 0; g < p0->n_ghost; g++) assert_int_equal(p0->ghost_owner[g], 1);
  for (mf_idx g = 0; g < p1->n_ghost; g++) assert_int_equal(p1->ghost_owner[g], 0);
  assert_int_equal(p0->n_neighbours, 1);
  assert_int_equal(p0->neighbours[0], 1);
  assert_int_equal(p1->n_neighbours, 1);
  assert_int_equal(p1->neighbours[0], 0);
  /* each part sends exactly the nodes the other holds as ghosts, in the same order */
  assert_int_equal(p0->send_ptr[1], p1->n_ghost);
  assert_int_equal(p1->send_ptr[1], p0->n_ghost);
  assert_int_equal(p0->recv_ptr[1], p0->n_ghost);
  assert_int_equal(p1->recv_ptr[1], p1->n_ghost);
  for (mf_nnz k = 0; k < p0->send_ptr[1]; k++) {
    assert_true(node_x(m, p0->nodes[p0->send[k]]) <= 1.0);
    assert_int_equal(p0->nodes[p0->send[k]], p1->nodes[p1->recv[k]]);
  }
  for (mf_nnz k = 0; k < p1->send_ptr[1]; k++) assert_int_equal(p1->nodes[p1->send[k]], p0->nodes[p0->recv[k]]);
  assert_int_equal(mf_part_local_node(p0, p1->nodes[p1->n_owned - 1]), -1); /* plane 3: not held by part 0 */
  mf_part_destroy(&p0);
  mf_part_destroy(&p1);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

/* The send list of p to q, as mesh nodes; NULL (n = 0) if q is no neighbour. */
static const mf_idx *list_to(const mf_part *p, int q, int send, mf_nnz *n) {
  for (int k = 0; k < p->n_neighbours; k++)
    if (p->neighbours[k] == q) {
      const mf_nnz *ptr = send ? p->send_ptr : p->recv_ptr;
      *n = ptr[k + 1] - ptr[k];
      return (send ? p->send : p->recv) + ptr[k];
    }
  *n = 0;
  return NULL;
}

/* Every definition of mf_partition.h, brute force, for the METIS parts of `spec`. */
static void check_partition(const char *spec, int n_parts) {
  mf_mesh *m = load(spec);
  const mf_idx ne = m->n_elems, nn = m->nodes.n_local;
  mf_partition *P = NULL, *again = NULL;
  if (mf_partition_create(m, n_parts, NULL, &P)) fail_msg("%s in %d: %s", spec, n_parts, mf_error_message());
  assert_int_equal(mf_partition_create(m, n_parts, NULL, &again), MF_OK);
  assert_memory_equal(P->elem_part, again->elem_part, (size_t)ne * sizeof *P->elem_part); /* fixed seed */
  mf_partition_destroy(&again);

  mf_part **pt = calloc((size_t)n_parts, sizeof *pt);
  int *owned_by = calloc((size_t)nn, sizeof *owned_by);
  mf_idx elems_owned = 0;
  for (int p = 0; p < n_parts; p++) {
    assert_int_equal(mf_part_create(P, p, &pt[p]), MF_OK);
    elems_owned += pt[p]->n_elems_owned;
    assert_true(pt[p]->n_elems_owned > 0);
  }
  assert_int_equal(elems_owned, ne);
  for (mf_idx i = 0; i < nn; i++) {
    int has[64] = {0}, k = 0, parts[64];
    assert_true(n_parts <= 64);
    for (mf_idx e = 0; e < ne; e++)
      for (int a = 0; a < m->npe; a++)
        if (mf_mesh_elem(m, e)[a] == i) has[P->elem_part[e]] = 1;
    for (int q = 0; q < n_parts; q++)
      if (has[q]) parts[k++] = q;
    assert_true(k >= 1);
    assert_int_equal(P->node_owner[i], parts[mf_partition_owner_pick(i, k)]);
  }
  for (int p = 0; p < n_parts; p++) {
    const mf_part *q = pt[p];
    for (mf_idx l = 0; l < q->n_owned; l++) {
      assert_int_equal(P->node_owner[q->nodes[l]], p);
      owned_by[q->nodes[l]]++;
      if (l > 0) assert_true(q->nodes[l] > q->nodes[l - 1]);
    }
    /* local elements: own, or touching an owned node; ascending (mesh order) */
    mf_idx k = 0, own_count = 0;
    for (mf_idx e = 0; e < ne; e++) {
      int touches = 0;
      for (int a = 0; a < m->npe; a++) touches |= P->node_owner[mf_mesh_elem(m, e)[a]] == p;
      int own = P->elem_part[e] == p;
      own_count += own;
      if (own || touches) {
        assert_true(k < q->n_elems);
        assert_int_equal(q->elems[k++], e);
      }
    }
    assert_int_equal(k, q->n_elems);
    assert_int_equal(own_count, q->n_elems_owned);
    /* ghosts: the local elements' nodes not owned, ascending, each with its owner */
    mf_idx n_ghost = 0;
    for (mf_idx i = 0; i < nn; i++) {
      if (P->node_owner[i] == p) continue;
      int held = 0;
      for (mf_idx e = 0; e < q->n_elems && !held; e++)
        for (int a = 0; a < m->npe; a++) held |= mf_mesh_elem(m, q->elems[e])[a] == i;
      if (held) {
        assert_true(n_ghost < q->n_ghost);
        assert_int_equal(q->nodes[q->n_owned + n_ghost], i);
        assert_int_equal(q->ghost_owner[n_ghost], P->node_owner[i]);
        assert_int_equal(mf_part_local_node(q, i), q->n_owned + n_ghost);
        n_ghost++;
      }
    }
    assert_int_equal(n_ghost, q->n_ghost);
  }
  for (mf_idx i = 0; i < nn; i++) assert_int_equal(owned_by[i], 1);
  /* exchange lists match pairwise, node for node; every ghost is received once */
  for (int p = 0; p < n_parts; p++) {
    mf_nnz received = 0;
    for (int q = 0; q < n_parts; q++) {
      if (q == p) continue;
      mf_nnz ns = 0, nr = 0;
      const mf_idx *s = list_to(pt[p], q, 1, &ns), *r = list_to(pt[q], p, 0, &nr);
      assert_int_equal(ns, nr);
      for (mf_nnz k = 0; k < ns; k++) {
        assert_true(s[k] < pt[p]->n_owned);
        assert_true(r[k] >= pt[q]->n_owned);
        assert_int_equal(pt[p]->nodes[s[k]], pt[q]->nodes[r[k]]);
      }
      list_to(pt[p], q, 0, &nr);
      received += nr;
    }
    assert_int_equal(received, pt[p]->n_ghost);
  }
  for (int p = 0; p < n_parts; p++) mf_part_destroy(&pt[p]);
  free(pt);
  free(owned_by);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

static void test_metis_parts_match_their_definitions(void **state) {
  (void)state;
  for (int n = 1; n <= 6; n++) {
    check_partition("box:2x1.5x1:4x3x2", n);
    check_partition("box:1x1x1:3x2x2:tet10", n);
    check_partition("box:3x2x2:6x4x3:hex8", n);
  }
}

/* mf_mesh_dual_graph is METIS_MeshToDual's graph (corners, ncommon = face corners):
 * the same offsets and neighbours in the same order, at 1, 2 and 3 threads; and the
 * parts made from it are METIS_PartMeshDual's, which builds that graph itself. */
static void check_dual_graph(const char *spec) {
  mf_mesh *m = NULL;
  if (strstr(spec, ".msh") ? mf_mesh_read_gmsh(spec, &m) : mf_mesh_generate(spec, &m))
    fail_msg("%s: %s", spec, mf_error_message());
  idx_t ne = (idx_t)m->n_elems, nn = (idx_t)m->nodes.n_local, nc = (idx_t)m->elem->corners;
  idx_t *eptr = malloc(((size_t)ne + 1) * sizeof *eptr), *eind = malloc((size_t)nc * ne * sizeof *eind);
  for (idx_t e = 0; e <= ne; e++) eptr[e] = nc * e;
  for (idx_t e = 0; e < ne; e++)
    for (int a = 0; a < nc; a++) eind[nc * e + a] = (idx_t)mf_mesh_elem(m, e)[a];
  idx_t ncommon = m->elem->face_corners, numflag = 0, *mx = NULL, *ma = NULL;
  assert_int_equal(METIS_MeshToDual(&ne, &nn, eptr, eind, &ncommon, &numflag, &mx, &ma), METIS_OK);
  for (int t = 1; t <= 3; t++) {
    omp_set_num_threads(t);
    idx_t *x = NULL, *a = NULL;
    assert_int_equal(mf_mesh_dual_graph(m, &x, &a), MF_OK);
    assert_memory_equal(x, mx, ((size_t)ne + 1) * sizeof *x);
    assert_memory_equal(a, ma, (size_t)mx[ne] * sizeof *a);
    mf_free(&x), mf_free(&a);
  }
  omp_set_num_threads(2);
  idx_t options[METIS_NOPTIONS], np = 5, objval = 0, *npart = malloc((size_t)nn * sizeof *npart);
  idx_t *epart = malloc((size_t)ne * sizeof *epart);
  int32_t *ours = malloc((size_t)ne * sizeof *ours);
  mf_metis_options(options);
  assert_int_equal(METIS_PartMeshDual(&ne, &nn, eptr, eind, NULL, NULL, &ncommon, &np, NULL, options, &objval, epart,
                                      npart),
                   METIS_OK);
  assert_int_equal(mf_mesh_partition_dual(m, 5, "test", ours), MF_OK);
  assert_memory_equal(ours, epart, (size_t)ne * sizeof *ours);
  print_message("%s: %d elements, %d dual edges, the same graph and 5 parts as METIS's\n", spec, (int)ne,
                (int)mx[ne]);
  METIS_Free(mx), METIS_Free(ma);
  free(eptr), free(eind), free(npart), free(epart), free(ours);
  mf_mesh_destroy(&m);
}

static void test_dual_graph_is_metis(void **state) {
  (void)state;
  check_dual_graph("box:2x1.5x1:8x6x4");
  check_dual_graph("box:1x1x1:3x2x2:tet10");
  check_dual_graph("box:3x2x2:6x4x3:hex8");
  check_dual_graph(MF_SOURCE_DIR "/meshes/cantilever.msh");        /* Gmsh's numbering */
  check_dual_graph(MF_SOURCE_DIR "/meshes/cantilever_tet10.msh");
}

/* Each part assembles its own mesh (own and halo elements, mf_part_mesh) in the whole
 * mesh's order (mf_assembly_create_part): the owned rows of its internal forces and
 * tangent equal the whole mesh's, bit for bit, for colour and blocks assembly (the tet4
 * box has 10,368 elements: two METIS blocks), at 1 and 2 threads. */
static void check_part_assembly(const char *spec, mf_assembly_method method, int n_parts) {
  mf_mesh *m = load(spec);
  mf_material mats[16];
  assert_true(m->n_groups + 1 <= 16);
  for (int r = 0; r <= m->n_groups; r++)
    assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 200.0 + r, 0.3, &mats[r]), MF_OK);
  const mf_shape *shape = mf_shape_of(m->elem->type);
  const mf_idx nn = m->nodes.n_local;
  mf_assembly *whole = NULL;
  mf_bcsr *Kg = NULL;
  double *u = malloc(3 * (size_t)nn * sizeof *u), *fg = malloc(3 * (size_t)nn * sizeof *fg);
  for (mf_idx i = 0; i < nn; i++) {
    double X[3];
    mf_nodes_coords(&m->nodes, i, X);
    for (int c = 0; c < 3; c++) u[3 * i + c] = 0.02 * sin(1.3 * X[0] + 0.7 * X[1] * (c + 1) + 0.4 * X[2]);
  }
  assert_int_equal(mf_assembly_create(m, shape, mats, method, &whole), MF_OK);
  assert_int_equal(mf_bcsr_create_from_mesh(m, 3, 0, &Kg), MF_OK);
  assert_int_equal(mf_assembly_bind(whole, Kg), MF_OK);
  assert_int_equal(mf_assemble(whole, u, Kg, fg), MF_OK);
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(m, n_parts, NULL, &P), MF_OK);
  for (int p = 0; p < n_parts; p++) {
    mf_part *pt = NULL;
    mf_mesh *lm = NULL;
    mf_assembly *a = NULL;
    mf_bcsr *Kl = NULL;
    assert_int_equal(mf_part_create(P, p, &pt), MF_OK);
    assert_int_equal(mf_part_mesh(P, pt, &lm), MF_OK);
    assert_int_equal(lm->nodes.n_owned, pt->n_owned);
    assert_int_equal(lm->n_elems_owned, pt->n_elems_owned);
    const mf_idx nl = pt->n_owned + pt->n_ghost;
    double *ul = malloc(3 * (size_t)nl * sizeof *ul), *fl = malloc(3 * (size_t)nl * sizeof *fl);
    for (mf_idx l = 0; l < nl; l++)
      for (int c = 0; c < 3; c++) ul[3 * l + c] = u[3 * (mf_nnz)pt->nodes[l] + c];
    assert_int_equal(mf_assembly_create_part(lm, whole, pt->elems, &a), MF_OK);
    assert_int_equal(mf_bcsr_create_from_mesh(lm, 3, 0, &Kl), MF_OK);
    assert_int_equal(mf_assembly_bind(a, Kl), MF_OK);
    assert_int_equal(mf_assemble(a, ul, Kl, fl), MF_OK);
    mf_nnz differ = 0;
    for (mf_idx l = 0; l < pt->n_owned; l++) {
      const mf_idx g = pt->nodes[l];
      differ += memcmp(&fl[3 * l], &fg[3 * (mf_nnz)g], 3 * sizeof *fl) != 0;
      assert_int_equal(Kl->row_ptr[l + 1] - Kl->row_ptr[l], Kg->row_ptr[g + 1] - Kg->row_ptr[g]);
      for (mf_nnz q = Kl->row_ptr[l]; q < Kl->row_ptr[l + 1]; q++) {
        mf_nnz qg = mf_bcsr_find(Kg, g, pt->nodes[Kl->col[q]]);
        assert_true(qg >= 0);
        differ += memcmp(&Kl->val[9 * q], &Kg->val[9 * qg], 9 * sizeof *Kl->val) != 0;
      }
    }
    if (differ)
      fail_msg("%s, %s, part %d of %d: %lld owned rows or blocks differ from the whole mesh's", spec,
               mf_assembly_method_name(method), p, n_parts, (long long)differ);
    /* the distributed matrix from the part's assembly is the one cut from the whole */
    mf_bcsr *A1 = NULL, *A2 = NULL;
    mf_nnz *from = NULL;
    assert_int_equal(mf_dist_matrix_from_part(Kl, pt, &A1, &from), MF_OK);
    assert_int_equal(mf_dist_matrix_owned_rows(Kg, pt, &A2), MF_OK);
    assert_int_equal(A1->nnzb, A2->nnzb);
    assert_memory_equal(A1->row_ptr, A2->row_ptr, ((size_t)A1->n_rows + 1) * sizeof *A1->row_ptr);
    assert_memory_equal(A1->col, A2->col, (size_t)A1->nnzb * sizeof *A1->col);
    assert_memory_equal(A1->diag, A2->diag, (size_t)A1->n_rows * sizeof *A1->diag);
    assert_memory_equal(A1->val, A2->val, (size_t)A1->nnzb * 9 * sizeof *A1->val);
    /* a new tangent (another displacement) refilled through the recorded sources */
    double *u2 = malloc(3 * (size_t)nn * sizeof *u2), *f2 = malloc(3 * (size_t)nn * sizeof *f2);
    for (mf_nnz i = 0; i < 3 * (mf_nnz)nn; i++) u2[i] = 1.5 * u[i];
    for (mf_idx l = 0; l < nl; l++)
      for (int c = 0; c < 3; c++) ul[3 * l + c] = u2[3 * (mf_nnz)pt->nodes[l] + c];
    assert_int_equal(mf_assemble(whole, u2, Kg, f2), MF_OK);
    assert_int_equal(mf_assemble(a, ul, Kl, fl), MF_OK);
    mf_dist_matrix_refill(A1, Kl, from);
    mf_bcsr_destroy(&A2);
    assert_int_equal(mf_dist_matrix_owned_rows(Kg, pt, &A2), MF_OK);
    assert_memory_equal(A1->val, A2->val, (size_t)A1->nnzb * 9 * sizeof *A1->val);
    /* the solver's way: Kl's owned rows sorted in place, the offsets moved along, and the
     * assembly fills the shared rows: the same matrix, the same forces */
    mf_bcsr *A3 = NULL;
    mf_idx *where = NULL;
    double *fl3 = malloc(3 * (size_t)nl * sizeof *fl3);
    assert_int_equal(mf_dist_matrix_share_part(Kl, pt, &A3, &where), MF_OK);
    assert_int_equal(mf_assembly_move_offsets(a, Kl, pt->n_owned, where), MF_OK);
    mf_assembly_set_scatter(a, MF_SCATTER_SEARCH); /* refused: Kl can no longer be searched */
    assert_int_equal(mf_assemble(a, ul, Kl, fl3), MF_OK);
    assert_memory_equal(fl3, fl, 3 * (size_t)nl * sizeof *fl);
    assert_int_equal(A3->nnzb, A2->nnzb);
    assert_memory_equal(A3->row_ptr, A2->row_ptr, ((size_t)A2->n_rows + 1) * sizeof *A2->row_ptr);
    assert_memory_equal(A3->col, A2->col, (size_t)A2->nnzb * sizeof *A2->col);
    assert_memory_equal(A3->diag, A2->diag, (size_t)A2->n_rows * sizeof *A2->diag);
    assert_memory_equal(A3->val, A2->val, (size_t)A2->nnzb * 9 * sizeof *A2->val);
    free(fl3);
    mf_free(&where);
    mf_dist_matrix_view_destroy(&A3);
    assert_int_equal(mf_assemble(whole, u, Kg, fg), MF_OK); /* back, for the next part */
    free(u2), free(f2);
    mf_free(&from);
    mf_bcsr_destroy(&A1);
    mf_bcsr_destroy(&A2);
    free(ul), free(fl);
    mf_bcsr_destroy(&Kl);
    mf_assembly_destroy(&a);
    mf_mesh_destroy(&lm);
    mf_part_destroy(&pt);
  }
  mf_partition_destroy(&P);
  mf_assembly_destroy(&whole);
  mf_bcsr_destroy(&Kg);
  free(u), free(fg);
  mf_mesh_destroy(&m);
}

static void test_part_assembly_matches_whole(void **state) {
  (void)state;
  for (int threads = 1; threads <= 2; threads++) {
    omp_set_num_threads(threads);
    for (int n = 2; n <= 4; n++) {
      check_part_assembly("box:1x1x1:12x12x12", MF_ASSEMBLY_BLOCKS, n);
      check_part_assembly("box:1x1x1:12x12x12", MF_ASSEMBLY_COLOUR, n);
      check_part_assembly("box:1x1x1:3x3x2:tet10", MF_ASSEMBLY_COLOUR, n);
      check_part_assembly("box:2x1x1:6x3x3:hex8", MF_ASSEMBLY_BLOCKS, n);
    }
  }
}

/* An object packed twice into a stream of its counted size (mem/mf_pack.h): `call`
 * packs into `p`. */
#define PACK(p, call)                                                   \
  do {                                                                  \
    (p) = (mf_pack){0};                                                 \
    assert_int_equal((call), MF_OK);                                    \
    (p).w = malloc(((p).n + 1) * sizeof *(p).w);                        \
    (p).cap = (p).n + 1;                                                \
    (p).n = 0;                                                          \
    assert_int_equal((call), MF_OK);                                    \
  } while (0)

#define SAME(a, b, n) assert_true((n) == 0 || memcmp((a), (b), (size_t)(n) * sizeof *(a)) == 0)

static void same_part(const mf_part *a, const mf_part *b) {
  assert_int_equal(a->part, b->part);
  assert_int_equal(a->n_parts, b->n_parts);
  assert_int_equal(a->n_elems_owned, b->n_elems_owned);
  assert_int_equal(a->n_elems, b->n_elems);
  assert_int_equal(a->n_owned, b->n_owned);
  assert_int_equal(a->n_ghost, b->n_ghost);
  assert_int_equal(a->n_neighbours, b->n_neighbours);
  const mf_idx nl = a->n_owned + a->n_ghost;
  const int nb = a->n_neighbours;
  SAME(a->elems, b->elems, a->n_elems);
  SAME(a->nodes, b->nodes, nl);
  SAME(a->ghost_owner, b->ghost_owner, a->n_ghost);
  SAME(a->neighbours, b->neighbours, nb);
  SAME(a->send_ptr, b->send_ptr, nb + 1);
  SAME(a->recv_ptr, b->recv_ptr, nb + 1);
  SAME(a->send, b->send, a->send_ptr[nb]);
  SAME(a->recv, b->recv, a->recv_ptr[nb]);
  SAME(a->node_row, b->node_row, nl);
  SAME(a->own, b->own, a->n_elems_owned);
  SAME(a->own_row, b->own_row, a->n_elems_owned);
}

static void same_mesh(const mf_mesh *a, const mf_mesh *b) {
  mf_test_assert_same_mesh(a, b);
  assert_string_equal(a->source, b->source);
  assert_int_equal(a->nodes.n_owned, b->nodes.n_owned);
  assert_int_equal(a->nodes.n_ghost, b->nodes.n_ghost);
  assert_int_equal(a->n_elems_owned, b->n_elems_owned);
  SAME(a->nodes.global_id, b->nodes.global_id, a->nodes.n_local);
}

static void same_colouring(const mf_colouring *a, const mf_colouring *b) {
  assert_int_equal(a->n_colours, b->n_colours);
  SAME(a->ptr, b->ptr, a->n_colours + 1);
  SAME(a->elems, b->elems, a->ptr[a->n_colours]);
}

/* A part made from the one-pass lists of every part's elements is the part made alone.
 * What rank 0 sends each rank (solver/mf_part_scatter.h) comes back as it was packed:
 * a renumbered mesh's parts (their file rows the renumbering undone), each part as a
 * mesh (coordinates to the bit, groups rebuilt), the whole mesh's outline (counts and
 * the boundary groups' node lists, no bulk), and the parts' colourings and blockings.
 * A stream cut short, or read as another object, is an error, never a crash. */
static void test_pack_round_trips(void **state) {
  (void)state;
  mf_mesh *m = load("box:2x1x1:8x4x4");
  assert_int_equal(mf_mesh_reorder(m, MF_REORDER_RCM), MF_OK);
  assert_non_null(m->node_new2old);
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(m, 3, NULL, &P), MF_OK);
  mf_blocking *whole_b = NULL;
  mf_colouring *whole_c = NULL;
  assert_int_equal(mf_blocking_create(m, 64, &whole_b), MF_OK);
  assert_int_equal(mf_colouring_create(m, &whole_c), MF_OK);
  mf_idx *map = malloc(((size_t)m->n_elems + 1) * sizeof *map);
  mf_pack p;
  mf_nnz *lptr = NULL;
  mf_idx *lelems = NULL;
  assert_int_equal(mf_partition_local_elems(P, &lptr, &lelems), MF_OK);
  for (int q = 0; q < 3; q++) {
    mf_part *pt = NULL, *back = NULL;
    assert_int_equal(mf_part_create(P, q, &pt), MF_OK);
    /* the part made from the one-pass element lists is the same part */
    assert_int_equal(mf_part_create_from(P, q, lptr, lelems, &back), MF_OK);
    same_part(pt, back);
    mf_part_destroy(&back);
    for (mf_idx l = 0; l < pt->n_owned + pt->n_ghost; l++)
      assert_int_equal(pt->node_row[l], m->node_new2old[pt->nodes[l]]);
    for (mf_idx k = 0; k < pt->n_elems_owned; k++) {
      assert_int_equal(P->elem_part[pt->elems[pt->own[k]]], q);
      assert_int_equal(pt->own_row[k], m->elem_new2old[pt->elems[pt->own[k]]]);
    }
    PACK(p, mf_part_pack(pt, &p));
    mf_unpack u = {p.w, p.n, 0, "part"};
    assert_int_equal(mf_part_unpack(&u, &back), MF_OK);
    assert_int_equal(u.at, u.n);
    same_part(pt, back);
    mf_part_destroy(&back);
    u = (mf_unpack){p.w, p.n / 2, 0, "half a part"};
    assert_int_equal(mf_part_unpack(&u, &back), MF_ERR_INTERNAL);
    assert_null(back);
    mf_error_clear();
    free(p.w);

    mf_mesh *pm = NULL, *pm_back = NULL;
    assert_int_equal(mf_part_mesh(P, pt, &pm), MF_OK);
    PACK(p, mf_mesh_pack(pm, &p));
    u = (mf_unpack){p.w, p.n, 0, "part mesh"};
    assert_int_equal(mf_mesh_unpack(&u, &pm_back), MF_OK);
    assert_int_equal(u.at, u.n);
    same_mesh(pm, pm_back);
    mf_mesh_destroy(&pm_back);
    u = (mf_unpack){p.w, p.n, 0, "a mesh read as a part"};
    assert_int_equal(mf_part_unpack(&u, &back), MF_ERR_INTERNAL);
    mf_error_clear();
    free(p.w);

    for (mf_idx e = 0; e < m->n_elems; e++) map[e] = -1;
    for (mf_idx k = 0; k < pt->n_elems; k++) map[pt->elems[k]] = k;
    mf_blocking *b = NULL, *b_back = NULL;
    mf_colouring *c = NULL, *c_back = NULL;
    assert_int_equal(mf_blocking_restrict(whole_b, map, &b), MF_OK);
    assert_int_equal(mf_colouring_restrict(whole_c, map, &c), MF_OK);
    PACK(p, mf_blocking_pack(b, &p));
    u = (mf_unpack){p.w, p.n, 0, "blocking"};
    assert_int_equal(mf_blocking_unpack(&u, pt->n_elems, &b_back), MF_OK);
    assert_int_equal(b->n_blocks, b_back->n_blocks);
    SAME(b->ptr, b_back->ptr, b->n_blocks + 1);
    SAME(b->interior, b_back->interior, b->ptr[b->n_blocks]);
    same_colouring(b->interface, b_back->interface);
    mf_blocking_destroy(&b_back);
    u = (mf_unpack){p.w, p.n, 0, "blocking of another part"};
    assert_int_equal(mf_blocking_unpack(&u, pt->n_elems - 1, &b_back), MF_ERR_INTERNAL);
    mf_error_clear();
    free(p.w);
    PACK(p, mf_colouring_pack(c, &p));
    u = (mf_unpack){p.w, p.n, 0, "colouring"};
    assert_int_equal(mf_colouring_unpack(&u, pt->n_elems, &c_back), MF_OK);
    same_colouring(c, c_back);
    mf_colouring_destroy(&c_back);
    free(p.w);
    mf_blocking_destroy(&b);
    mf_colouring_destroy(&c);
    mf_mesh_destroy(&pm);
    mf_part_destroy(&pt);
  }
  mf_mesh *o = NULL;
  PACK(p, mf_mesh_pack_outline(m, &p));
  mf_unpack u = {p.w, p.n, 0, "outline"};
  assert_int_equal(mf_mesh_unpack_outline(&u, &o), MF_OK);
  assert_int_equal(u.at, u.n);
  assert_int_equal(o->nodes.n_local, m->nodes.n_local);
  assert_int_equal(o->n_elems, m->n_elems);
  assert_int_equal(o->n_faces, m->n_faces);
  assert_ptr_equal(o->elem, m->elem);
  assert_null(o->conn);
  assert_null(o->nodes.global_id);
  assert_null(o->node_new2old);
  assert_int_equal(o->n_groups, m->n_groups);
  for (int g = 0; g < m->n_groups; g++) {
    assert_string_equal(o->groups[g].name, m->groups[g].name);
    assert_int_equal(o->groups[g].n_elems, m->groups[g].n_elems);
    assert_int_equal(o->groups[g].n_nodes, m->groups[g].n_nodes);
    SAME(o->groups[g].nodes, m->groups[g].nodes, m->groups[g].n_nodes);
  }
  mf_mesh_destroy(&o);
  free(p.w);
  free(map);
  mf_free(&lptr);
  mf_free(&lelems);
  mf_blocking_destroy(&whole_b);
  mf_colouring_destroy(&whole_c);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

static void test_refusals(void **state) {
  (void)state;
  mf_mesh *m = load("box:3x1x1:3x1x1:hex8");
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(m, 4, NULL, &P), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "4 parts of a mesh of 3 elements"));
  mf_error_clear(); /* the first error is the one kept */
  assert_int_equal(mf_partition_create(m, 0, NULL, &P), MF_ERR_INPUT);
  mf_error_clear();
  int32_t out_of_range[3] = {0, 2, 1}, empty[3] = {0, 0, 2};
  assert_int_equal(mf_partition_create(m, 2, out_of_range, &P), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "element 1 is in part 2"));
  mf_error_clear();
  assert_int_equal(mf_partition_create(m, 3, empty, &P), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "part 1 of 3 has none"));
  assert_null(P);
  mf_error_clear();
  mf_mesh_destroy(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_checked_row),
      cmocka_unit_test(test_metis_parts_match_their_definitions),
      cmocka_unit_test(test_dual_graph_is_metis),
      cmocka_unit_test(test_part_assembly_matches_whole),
      cmocka_unit_test(test_pack_round_trips),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
