/* memfem's multigrid across processes makes the one-process aggregates (label mpi, run
 * by mpiexec at 1..4 ranks; issue 14): la/mf_amg_aggregate.c with a ghost exchange.
 *
 * Every rank assembles the same linear-elastic stiffness of a box (nodes renumbered by
 * RCM, so a node's global id is not its row; face xmin fixed by identity rows and
 * columns, as the Newton solver imposes it) and aggregates it alone; then it aggregates
 * its owned rows of it together with the other ranks, each owned row's aggregate named
 * by the key (one-process row) of its root. Every owned row must name the root that one
 * process gives it and the rank that owns that root, every owned root must be a
 * one-process root, and the roots must add up, for distance-2 and distance-1
 * aggregation, with every connection strong and with a threshold, at 1 and 2 threads
 * per rank. The tentative prolongator made from them across processes (members' rows
 * sent to their root's owner, Q's rows sent back) must give every owned row the
 * one-process rows of Q, and every owned aggregate its coarse near-nullspace block;
 * the smoother's lmax, the smoothed prolongator's owned rows, the coarse operator's
 * owned rows, and the restriction and prolongation of a vector must be one process's
 * bits too, in double and with P and the coarse level in float (amg.precision single). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_test_mpi.h"
#include "fem/mf_assemble.h"
#include "la/mf_amg_impl.h"
#include "la/mf_dist_matrix.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"
#include "mesh/mf_reorder.h"

/* The stiffness of the mesh `spec`, renumbered by RCM, with face xmin fixed. */
static mf_status stiffness(const char *spec, mf_mesh **mesh, mf_bcsr **Kout) {
  mf_mesh *m = NULL;
  mf_material *mat = NULL;
  mf_assembly *asmb = NULL;
  mf_bcsr *K = NULL;
  double *u = NULL, *f = NULL;
  uint8_t *fixed = NULL;
  mf_status st;
  if ((st = mf_mesh_generate(spec, &m)) || (st = mf_mesh_reorder(m, MF_REORDER_RCM)) ||
      (st = MF_CALLOC_N(mat, (size_t)m->n_groups + 1, "materials")))
    goto done;
  for (int r = 0; r <= m->n_groups; r++)
    if ((st = mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 1000.0, 0.3, &mat[r]))) goto done;
  const mf_nnz n = 3 * (mf_nnz)m->nodes.n_local;
  if ((st = mf_assembly_create(m, mf_shape_of(m->elem->type), mat, MF_ASSEMBLY_COLOUR, &asmb)) ||
      (st = mf_bcsr_create_from_mesh(m, 3, 0, &K)) || (st = mf_assembly_bind(asmb, K)) ||
      (st = MF_CALLOC_N(u, (size_t)n, "u")) || (st = MF_CALLOC_N(f, (size_t)n, "f")) ||
      (st = mf_assemble(asmb, u, K, f)) || (st = MF_CALLOC_N(fixed, (size_t)m->nodes.n_local, "fixed")))
    goto done;
  const mf_group *g = mf_mesh_find_group(m, "xmin", 2);
  if (!g) {
    st = MF_ERROR(MF_ERR_INPUT, "%s: no group xmin", spec);
    goto done;
  }
  for (mf_idx k = 0; k < g->n_nodes; k++) fixed[g->nodes[k]] = 1;
  for (mf_idx i = 0; i < K->n_rows; i++)
    for (mf_nnz p = K->row_ptr[i]; p < K->row_ptr[i + 1]; p++)
      if (fixed[i] || fixed[K->col[p]])
        for (int c = 0; c < 9; c++) K->val[9 * p + c] = (K->col[p] == i && c % 4 == 0) ? 1.0 : 0.0;
done:
  mf_assembly_destroy(&asmb);
  mf_free(&mat), mf_free(&u), mf_free(&f), mf_free(&fixed);
  if (st) {
    mf_bcsr_destroy(&K);
    mf_mesh_destroy(&m);
  }
  *mesh = m, *Kout = K;
  return st;
}

/* A value of entry (row, c) of a test vector, from the row's one-process number. */
static double entry(uint64_t row, int c) { return (double)((row * 7919 + (uint64_t)c * 104729) % 1999) / 1998.0 - 0.5; }

/* Restriction and prolongation across processes (after P and their lists): for a fine
 * vector given by one-process rows, every owned coarse row of P^T x, and for a coarse
 * vector every owned fine row of P x added to zero, are one process's bits. */
static void transfers(const char *spec, const mf_part *pt, mf_amg_level *one, mf_amg_level *dist) {
  const mf_idx nl = pt->n_owned + pt->n_ghost, M = MF_AMG_MODES;
  double *x1 = NULL, *xd = NULL, *y1 = NULL, *yd = NULL, *p1 = NULL, *pd = NULL;
  if (MF_ALLOC_N(x1, 3 * (size_t)one->n, "x") ||
      MF_ALLOC_N(xd, 3 * (size_t)nl, "x") || MF_ALLOC_N(y1, (size_t)M * one->nc, "y") ||
      MF_ALLOC_N(yd, (size_t)M * dist->nc + 1, "y") || MF_CALLOC_N(p1, 3 * (size_t)one->n, "p") ||
      MF_CALLOC_N(pd, 3 * (size_t)nl, "p")) {
    CHECK(0, "%s: transfers: %s", spec, mf_error_message());
    goto done;
  }
  for (mf_idx i = 0; i < one->n; i++)
    for (int c = 0; c < 3; c++) x1[3 * i + c] = entry((uint64_t)i, c);
  for (mf_idx l = 0; l < nl; l++) memcpy(&xd[3 * l], &x1[3 * (size_t)pt->nodes[l]], 3 * sizeof *xd);
  mf_amg_restrict(one, x1, NULL, y1);
  if (mf_amg_restrict_span(dist, xd, yd)) {
    CHECK(0, "%s: restriction across processes: %s", spec, mf_error_message());
    goto done;
  }
  mf_idx rdiff = 0, pdiff = 0;
  for (mf_idx r = 0; r < dist->nc; r++)
    rdiff += memcmp(&yd[M * r], &y1[M * one->agg[pt->nodes[dist->root[r]]]], M * sizeof *yd) != 0;
  /* a coarse vector: y1 again, on one process's coarse rows, and its owned rows */
  for (mf_idx a = 0; a < one->nc; a++)
    for (int m = 0; m < M; m++) y1[M * a + m] = entry((uint64_t)one->root[a], m);
  for (mf_idx r = 0; r < dist->nc; r++)
    memcpy(&yd[M * r], &y1[M * one->agg[pt->nodes[dist->root[r]]]], M * sizeof *yd);
  mf_amg_prolong_add(one, y1, p1);
  if (mf_amg_prolong_add_span(dist, yd, pd)) {
    CHECK(0, "%s: prolongation across processes: %s", spec, mf_error_message());
    goto done;
  }
  for (mf_idx l = 0; l < dist->n; l++) pdiff += memcmp(&pd[3 * l], &p1[3 * (size_t)pt->nodes[l]], 3 * sizeof *pd) != 0;
  CHECK(rdiff == 0 && pdiff == 0, "%s: %lld owned coarse rows of P^T x and %lld owned rows of P x differ from one "
        "process's", spec, (long long)rdiff, (long long)pdiff);
done:
  mf_error_clear();
  mf_free(&x1), mf_free(&xd), mf_free(&y1), mf_free(&yd), mf_free(&p1), mf_free(&pd);
}

/* The smoother's lmax (Lanczos: products with ghost exchanges, exact dot products), the
 * smoothed prolongator and the Galerkin product across processes: lmax, every owned row
 * of P and every owned coarse row (their columns named by their root's key, their
 * blocks) are one process's bits; single: P and the coarse level in float
 * (amg.precision single), read and sent widened to double. */
static void smoothed(mf_comm *comm, const char *spec, const mf_part *pt, mf_amg_level *one, mf_amg_level *dist,
                     int single) {
  const size_t pb = 3 * MF_AMG_MODES;
  const mf_idx nl = pt->n_owned + pt->n_ghost;
  mf_halo *h3 = NULL;
  mf_operator *op = NULL;
  mf_amg_level *lv[2] = {one, dist}, next[2] = {{.bs = MF_AMG_MODES}, {.bs = MF_AMG_MODES}};
  mf_amg_exchange_space xspace = {0}; /* the hierarchy's, which this test stands in for */
  if (mf_vec_layout_create(one->n, 0, 3, &one->L) || mf_vec_layout_create(dist->n, pt->n_ghost, 3, &dist->L) ||
      mf_vec_layout_set_comm(dist->L, comm) || mf_halo_create(comm, pt, 3, &h3) ||
      mf_dist_operator_create(dist->A, dist->L, h3, &op)) {
    CHECK(0, "%s: %s", spec, mf_error_message());
    goto done;
  }
  dist->op = op;
  for (int k = 0; k < 2; k++) {
    const size_t m = 3 * (size_t)(k ? nl : one->n) + 1;
    if (MF_ALLOC_N(lv[k]->r, m, "r") || MF_ALLOC_N(lv[k]->d, m, "d") || MF_ALLOC_N(lv[k]->w, m, "w") ||
        MF_ALLOC_N(lv[k]->dinv, 9 * (size_t)lv[k]->n + 1, "dinv") || mf_amg_diag_inverse(lv[k], 0)) {
      CHECK(0, "%s: %s", spec, mf_error_message());
      goto done;
    }
    mf_amg_estimate_lmax(lv[k], 12);
    if (mf_amg_prolong_symbolic(lv[k], single)) {
      CHECK(0, "%s: prolongator pattern: %s", spec, mf_error_message());
      goto done;
    }
    if (k == 0) { /* one process: the Galerkin set-up makes the product's row buffer */
      if (mf_amg_galerkin_symbolic(one, single, &next[0])) {
        CHECK(0, "%s: galerkin pattern: %s", spec, mf_error_message());
        goto done;
      }
    } else {
      int width = 1;
      for (mf_nnz q = 0; q < dist->P.n_slots; q++)
        if (dist->P.row_ptr[q + 1] - dist->P.row_ptr[q] > width)
          width = (int)(dist->P.row_ptr[q + 1] - dist->P.row_ptr[q]);
      dist->ra_width = width;
      if (MF_ALLOC_N(dist->ra_val, (size_t)omp_get_max_threads() * width * pb, "row buffer")) {
        CHECK(0, "%s: %s", spec, mf_error_message());
        goto done;
      }
    }
    mf_amg_prolong_numeric(lv[k]);
  }
  mf_amg_galerkin_numeric(one, &next[0]);
  dist->xspace = &xspace;
  if (mf_amg_transfer_create(dist) || mf_amg_galerkin_span(dist, &next[1])) {
    CHECK(0, "%s: galerkin across processes: %s", spec, mf_error_message());
    goto done;
  }
  CHECK(memcmp(&one->lmax, &dist->lmax, sizeof one->lmax) == 0, "%s: lmax %.17g, one process %.17g", spec,
        dist->lmax, one->lmax);
  mf_idx differ = 0, first = -1;
  for (mf_idx l = 0; l < dist->n; l++) {
    const mf_nnz s1 = one->P.slot[pt->nodes[l]], sd = dist->P.slot[l];
    int same = (s1 < 0) == (sd < 0);
    if (same && sd >= 0) {
      const mf_nnz p1 = one->P.row_ptr[s1], pd = dist->P.row_ptr[sd], len = one->P.row_ptr[s1 + 1] - p1;
      same = dist->P.row_ptr[sd + 1] - pd == len;
      for (mf_nnz q = 0; q < len && same; q++)
        same = (uint64_t)one->root[one->P.col[p1 + q]] == mf_amg_coarse_key(dist, dist->P.col[pd + q]) &&
               (single ? memcmp(&one->P.valf[pb * (p1 + q)], &dist->P.valf[pb * (pd + q)], pb * sizeof(float))
                       : memcmp(&one->P.val[pb * (p1 + q)], &dist->P.val[pb * (pd + q)], pb * sizeof(double))) == 0;
    }
    if (!same && differ++ == 0) first = pt->nodes[l];
  }
  CHECK(differ == 0, "%s%s: %lld owned rows of P differ from one process's (first: node %lld)", spec,
        single ? " in float" : "", (long long)differ, (long long)first);
  CHECK(single == (dist->P.valf != NULL) && single == (next[1].af != NULL), "%s: P or the coarse level in %s",
        spec, single ? "double, asked for float" : "float, asked for double");
  /* every owned coarse row: columns by key, blocks bit for bit */
  const mf_bcsr *A1 = next[0].A, *Ad = next[1].A;
  differ = 0;
  for (mf_idx r = 0; r < dist->nc; r++) {
    const mf_idx a = one->agg[pt->nodes[dist->root[r]]];
    const mf_nnz p1 = A1->row_ptr[a], pd = Ad->row_ptr[r], len = A1->row_ptr[a + 1] - p1;
    int same = Ad->row_ptr[r + 1] - pd == len;
    for (mf_nnz q = 0; q < len && same; q++)
      same = (uint64_t)one->root[A1->col[p1 + q]] == next[1].key[Ad->col[pd + q]] &&
             (single ? memcmp(&next[0].af[36 * (p1 + q)], &next[1].af[36 * (pd + q)], 36 * sizeof(float))
                     : memcmp(&A1->val[36 * (p1 + q)], &Ad->val[36 * (pd + q)], 36 * sizeof(double))) == 0;
    differ += !same;
  }
  CHECK(differ == 0, "%s%s: %lld of %lld owned coarse rows differ from one process's", spec,
        single ? " in float" : "", (long long)differ, (long long)dist->nc);
  transfers(spec, pt, one, dist);
  /* the coarse level across processes: its ghost exchange and ids, then its aggregates */
  next[0].n = one->nc;
  if (mf_amg_span_next(dist, &next[1]) || MF_ALLOC_N(next[0].gid, (size_t)next[0].n + 1, "ids") ||
      MF_ALLOC_N(next[0].fixed, 6 * (size_t)next[0].n + 1, "fixed") ||
      MF_ALLOC_N(next[1].fixed, 6 * (size_t)next[1].n + 1, "fixed")) {
    CHECK(0, "%s: coarse level: %s", spec, mf_error_message());
    goto done;
  }
  for (mf_idx a = 0; a < one->nc; a++) next[0].gid[a] = one->gid[one->root[a]];
  for (int k = 0; k < 2; k++) mf_amg_find_fixed(&next[k]);
  if (mf_amg_aggregate(&next[0], 0.0, 1) || mf_amg_aggregate(&next[1], 0.0, 1)) {
    CHECK(0, "%s: coarse aggregation: %s", spec, mf_error_message());
    goto done;
  }
  differ = 0;
  for (mf_idx r = 0; r < next[1].n; r++) {
    const mf_idx a = one->agg[pt->nodes[dist->root[r]]], c = next[0].agg[a]; /* one process's coarse row, aggregate */
    const uint64_t want = c < 0 ? MF_AMG_NONE : (uint64_t)one->root[next[0].root[c]];
    differ += next[1].agg_key[r] != want;
  }
  CHECK(differ == 0, "%s: %lld of %lld owned coarse rows in another coarse aggregate", spec, (long long)differ,
        (long long)next[1].n);
done:
  mf_error_clear();
  for (int k = 0; k < 2; k++) {
    mf_vec_layout_destroy(&lv[k]->L);
    mf_free(&lv[k]->r), mf_free(&lv[k]->d), mf_free(&lv[k]->w), mf_free(&lv[k]->dinv), mf_free(&lv[k]->ra_val);
    mf_amg_bmat_free(&lv[k]->P);
  }
  mf_free(&one->rt_ptr), mf_free(&one->rt_row), mf_free(&one->rt_pos), mf_free(&one->ra_col), mf_free(&one->ra_slot);
  mf_free(&dist->rt_ptr), mf_free(&dist->rt_row), mf_free(&dist->rt_pos);
  mf_amg_transfer_free(&dist->xfer);
  mf_free(&one->ac_pos), mf_free(&one->ac_row);
  for (int k = 0; k < 2; k++) {
    mf_bcsr_destroy(&next[k].A);
    mf_free(&next[k].af), mf_free(&next[k].keys), mf_free(&next[k].ghost_rank), mf_free(&next[k].gid);
    mf_free(&next[k].fixed), mf_free(&next[k].agg), mf_free(&next[k].agg_key), mf_free(&next[k].agg_rank);
    mf_free(&next[k].root);
    mf_halo_destroy(&next[k].halo);
  }
  mf_amg_galerkin_span_free(dist);
  mf_amg_exchange_space_free(&xspace);
  dist->xspace = NULL;
  dist->op = NULL;
  mf_dist_operator_destroy(&op);
  mf_halo_destroy(&h3);
}

/* The tentative prolongator across processes: every owned row's block of Q and every
 * owned aggregate's coarse near-nullspace block are one process's bits. */
static void tentative(mf_comm *comm, const char *spec, const mf_mesh *m, const mf_part *pt, mf_amg_level *one,
                      mf_amg_level *dist) {
  const size_t pb = 3 * MF_AMG_MODES, cb = MF_AMG_MODES * MF_AMG_MODES;
  const mf_idx nl = pt->n_owned + pt->n_ghost;
  double *xyz = NULL, *xyzl = NULL, *Bc1 = NULL, *Bcd = NULL;
  if (MF_ALLOC_N(xyz, 3 * (size_t)one->n, "xyz") || MF_ALLOC_N(xyzl, 3 * (size_t)nl + 1, "xyz") ||
      MF_ALLOC_N(Bc1, cb * one->nc + 1, "Bc") || MF_ALLOC_N(Bcd, cb * dist->nc + 1, "Bc")) {
    CHECK(0, "%s: %s", spec, mf_error_message());
    goto done;
  }
  for (mf_idx i = 0; i < one->n; i++) mf_nodes_coords(&m->nodes, i, &xyz[3 * i]);
  for (mf_idx l = 0; l < nl; l++) memcpy(&xyzl[3 * l], &xyz[3 * (size_t)pt->nodes[l]], 3 * sizeof *xyz);
  if (mf_amg_aggregate_lists(one) || mf_amg_tentative_alloc(one, 0) || mf_amg_tentative(one, xyz, Bc1)) {
    CHECK(0, "%s: one-process tentative prolongator: %s", spec, mf_error_message());
    goto done;
  }
  if (mf_amg_span_create(dist, 0) || mf_amg_tentative_span(dist, xyzl, Bcd)) {
    CHECK(0, "%s: tentative prolongator across processes: %s", spec, mf_error_message());
    goto done;
  }
  mf_idx qdiff = 0, bdiff = 0;
  for (mf_idx l = 0; l < dist->n; l++)
    qdiff += memcmp(&dist->Q[pb * l], &one->Q[pb * pt->nodes[l]], pb * sizeof(double)) != 0;
  for (mf_idx r = 0; r < dist->nc; r++) {
    const mf_idx a = one->agg[pt->nodes[dist->root[r]]];
    bdiff += memcmp(&Bcd[cb * r], &Bc1[cb * a], cb * sizeof(double)) != 0 ||
             memcmp(&dist->dropped[MF_AMG_MODES * r], &one->dropped[MF_AMG_MODES * a], MF_AMG_MODES) != 0;
  }
  CHECK(qdiff == 0 && bdiff == 0, "%s: %lld owned rows of Q and %lld coarse blocks differ from one process's", spec,
        (long long)qdiff, (long long)bdiff);
  smoothed(comm, spec, pt, one, dist, 0);
  smoothed(comm, spec, pt, one, dist, 1);
done:
  mf_error_clear();
  mf_free(&xyz), mf_free(&xyzl), mf_free(&Bc1), mf_free(&Bcd);
  mf_free(&one->agg_ptr), mf_free(&one->agg_rows), mf_free(&one->Q), mf_free(&one->dropped), mf_free(&one->qr_work);
  mf_free(&dist->Q), mf_free(&dist->dropped), mf_free(&dist->qr_work), mf_free(&dist->cg_key), mf_free(&dist->cg_rank);
  mf_amg_span_free(&dist->span);
}

static void check(mf_comm *comm, const char *spec, double threshold, int distance, int threads) {
  omp_set_num_threads(threads);
  mf_mesh *m = NULL;
  mf_bcsr *K = NULL, *A = NULL;
  mf_partition *P = NULL;
  mf_part *pt = NULL;
  mf_amg_level one = {.bs = 3}, dist = {.bs = 3};
  uint64_t *key = NULL;
  if (stiffness(spec, &m, &K) || mf_partition_create(m, comm->size, NULL, &P) || mf_part_create(P, comm->rank, &pt) ||
      mf_dist_matrix_owned_rows(K, pt, &A) || mf_halo_create(comm, pt, 1, &dist.halo)) {
    CHECK(0, "%s: set-up: %s", spec, mf_error_message());
    goto done;
  }
  const mf_idx nl = pt->n_owned + pt->n_ghost;
  one.A = K, one.n = K->n_rows;
  dist.A = A, dist.n = pt->n_owned, dist.n_ghost = pt->n_ghost;
  if (MF_ALLOC_N(one.gid, (size_t)one.n, "ids") || MF_ALLOC_N(one.fixed, 3 * (size_t)one.n, "fixed") ||
      MF_ALLOC_N(dist.gid, (size_t)nl, "ids") || MF_ALLOC_N(dist.fixed, 3 * (size_t)dist.n + 1, "fixed") ||
      MF_ALLOC_N(key, (size_t)nl, "keys")) {
    CHECK(0, "%s: %s", spec, mf_error_message());
    goto done;
  }
  for (mf_idx i = 0; i < one.n; i++) one.gid[i] = (uint64_t)m->nodes.global_id[i];
  for (mf_idx l = 0; l < nl; l++) dist.gid[l] = one.gid[pt->nodes[l]], key[l] = (uint64_t)pt->nodes[l];
  dist.key = key;
  mf_amg_find_fixed(&one);
  mf_amg_find_fixed(&dist);
  if (mf_amg_aggregate(&one, threshold, distance)) {
    CHECK(0, "%s: one-process aggregation: %s", spec, mf_error_message());
    goto done;
  }
  if (mf_amg_aggregate(&dist, threshold, distance)) {
    CHECK(0, "%s: aggregation across processes: %s", spec, mf_error_message());
    goto done;
  }
  mf_idx differ = 0, first = -1, bad_roots = 0, isolated = 0;
  for (mf_idx l = 0; l < dist.n; l++) {
    const mf_idx g = pt->nodes[l], a = one.agg[g];
    const uint64_t want = a < 0 ? MF_AMG_NONE : (uint64_t)one.root[a];
    isolated += a < 0;
    if (dist.agg_key[l] != want && differ++ == 0) first = g;
  }
  for (mf_idx r = 0; r < dist.nc; r++) {
    const mf_idx g = pt->nodes[dist.root[r]];
    bad_roots += one.agg[g] < 0 || one.root[one.agg[g]] != g;
  }
  mf_idx bad_rank = 0;
  for (mf_idx l = 0; l < dist.n; l++) {
    const mf_idx a = one.agg[pt->nodes[l]];
    bad_rank += dist.agg_rank[l] != (a < 0 ? -1 : P->node_owner[one.root[a]]);
  }
  CHECK(bad_rank == 0, "%s: %lld owned rows name another owner of their root", spec, (long long)bad_rank);
  tentative(comm, spec, m, pt, &one, &dist);
  int64_t roots = dist.nc;
  CHECK(!comm->ops->sum_i64(comm, &roots, 1) && roots == one.nc, "%s: %lld roots over the ranks, one process %lld",
        spec, (long long)roots, (long long)one.nc);
  CHECK(differ == 0 && bad_roots == 0,
        "%s threshold %g distance %d, %d threads: %lld of %lld owned rows in another aggregate (first: node %lld), "
        "%lld roots not one process's",
        spec, threshold, distance, threads, (long long)differ, (long long)dist.n, (long long)first,
        (long long)bad_roots);
  CHECK(one.nc > 1 && one.nc < one.n / 2, "%s: %lld aggregates of %lld rows", spec, (long long)one.nc,
        (long long)one.n);
  if (mf_test_rank == 0)
    printf("%s, threshold %g, distance %d, %d threads, %d ranks: %lld aggregates, %lld of rank 0's %lld rows in "
           "none\n",
           spec, threshold, distance, threads, comm->size, (long long)one.nc, (long long)isolated,
           (long long)dist.n);
done:
  mf_error_clear();
  mf_free(&one.gid), mf_free(&one.fixed), mf_free(&one.agg), mf_free(&one.root), mf_free(&dist.agg);
  mf_free(&dist.gid), mf_free(&dist.fixed), mf_free(&dist.agg_key), mf_free(&dist.agg_rank), mf_free(&dist.root);
  mf_free(&key);
  mf_halo_destroy(&dist.halo);
  mf_bcsr_destroy(&A);
  mf_bcsr_destroy(&K);
  mf_part_destroy(&pt);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

int main(int argc, char **argv) {
  mf_comm *comm = mf_test_mpi_start(&argc, &argv);
  for (int threads = 1; threads <= 2; threads++) {
    check(comm, "box:2x1x1:12x6x6", 0.0, 2, threads);
    check(comm, "box:3x1x1:36x12x12", 0.0, 2, threads);
    check(comm, "box:3x1x1:36x12x12", 0.0, 1, threads);
    check(comm, "box:2x1x1:12x6x6", 0.08, 2, threads);
    check(comm, "box:2x1x1:12x6x6", 0.0, 1, threads);
    check(comm, "box:2x1x1:8x4x4:hex8", 0.04, 2, threads);
    check(comm, "box:1x1x1:4x4x3:tet10", 0.0, 2, threads);
  }
  return mf_test_mpi_finish(comm, "multigrid aggregates against one process");
}
