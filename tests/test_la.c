/* Linear algebra (la/): block-CSR products against a dense product for several block
 * sizes, CG on an SPD matrix with a known solution, each preconditioner's apply against
 * its definition, reductions (exact and chunked) that are bit-identical at 1, 2 and 3
 * threads and never read ghost entries, and exact sums (la/mf_xsum.h): correctly rounded,
 * independent of order and split, and dot products independent of the row order. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "io/mf_mesh_load.h"
#include "la/mf_bcsr.h"
#include "la/mf_cg.h"
#include "la/mf_pc.h"
#include "la/mf_vec.h"
#include "la/mf_xsum.h"
#include "mem/mf_alloc.h"
#include "mf_test.h"

/* A reproducible number in [-1, 1). */
static double rnd(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

static mf_mesh *small_mesh(void) {
  mf_mesh *m = NULL;
  if (mf_mesh_load("box:1x1x1:3x2x2", &m)) fail_msg("mesh: %s", mf_error_message());
  return m;
}

/* Symmetric values with a dominant diagonal: SPD. */
static void fill_spd(mf_bcsr *A) {
  const int bs = A->bs;
  for (mf_idx i = 0; i < A->n_rows; i++)
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
      mf_idx j = A->col[p];
      for (int r = 0; r < bs; r++)
        for (int c = 0; c < bs; c++) {
          /* entry (bs i + r, bs j + c): a symmetric function of the two indices */
          long gi = (long)bs * i + r, gj = (long)bs * j + c;
          double v = gi == gj ? 100.0 : -1.0 / (1.0 + (double)(gi + gj) + (double)(gi * gj % 7));
          A->val[(size_t)A->bs2 * p + bs * r + c] = v;
        }
    }
}

static void dense_product(const mf_bcsr *A, const double *x, double *y) {
  const int bs = A->bs;
  for (mf_nnz k = 0; k < (mf_nnz)bs * A->n_rows; k++) y[k] = 0.0;
  for (mf_idx i = 0; i < A->n_rows; i++)
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++)
      for (int r = 0; r < bs; r++)
        for (int c = 0; c < bs; c++)
          y[bs * i + r] += A->val[(size_t)A->bs2 * p + bs * r + c] * x[bs * (mf_nnz)A->col[p] + c];
}

static void test_spmv_matches_dense(void **state) {
  (void)state;
  mf_mesh *m = small_mesh();
  const int sizes[] = {1, 3, 6};
  for (int k = 0; k < 3; k++) {
    mf_bcsr *A;
    assert_int_equal(mf_bcsr_create_from_mesh(m, sizes[k], 0, &A), MF_OK);
    assert_int_equal(A->bs2, sizes[k] * sizes[k]);
    uint64_t seed = 7;
    for (mf_nnz p = 0; p < A->nnzb * A->bs2; p++) A->val[p] = rnd(&seed);
    const mf_nnz n = (mf_nnz)A->bs * A->n_rows;
    double *x = calloc((size_t)n, sizeof *x), *y = calloc((size_t)n, sizeof *y), *yd = calloc((size_t)n, sizeof *yd);
    for (mf_nnz i = 0; i < n; i++) x[i] = rnd(&seed);
    mf_bcsr_spmv(A, x, y);
    dense_product(A, x, yd);
    for (mf_nnz i = 0; i < n; i++) assert_near(y[i], yd[i], 1e-13);
    /* through the operator table */
    mf_vec_layout *L;
    assert_int_equal(mf_vec_layout_create(A->n_rows, 0, A->bs, &L), MF_OK);
    mf_operator op = mf_bcsr_operator(A, L);
    memset(y, 0, (size_t)n * sizeof *y);
    mf_operator_mult(&op, x, y);
    for (mf_nnz i = 0; i < n; i++) assert_near(y[i], yd[i], 1e-13);
    assert_true(mf_operator_mult_bytes(&op) > 0 && mf_operator_memory_bytes(&op) == mf_bcsr_memory_bytes(A));
    mf_vec_layout_destroy(&L);
    free(x), free(y), free(yd);
    mf_bcsr_destroy(&A);
  }
  mf_mesh_destroy(&m);
}

/* Symmetric storage: the upper triangle and the lower index give the full matrix's
 * product. */
static void test_symmetric_storage(void **state) {
  (void)state;
  mf_mesh *m = small_mesh();
  mf_bcsr *F, *S;
  assert_int_equal(mf_bcsr_create_from_mesh(m, 3, 0, &F), MF_OK);
  assert_int_equal(mf_bcsr_create_from_mesh(m, 3, 1, &S), MF_OK);
  assert_true(S->symmetric && S->nnzb == (F->nnzb + F->n_rows) / 2);
  fill_spd(F);
  for (mf_idx i = 0; i < S->n_rows; i++)
    for (mf_nnz p = S->row_ptr[i]; p < S->row_ptr[i + 1]; p++)
      memcpy(&S->val[9 * p], &F->val[9 * mf_bcsr_find(F, i, S->col[p])], 9 * sizeof(double));
  for (mf_idx i = 0; i < S->n_rows; i++) { /* rows of blocks in ascending columns, lower ones transposed */
    assert_int_equal(mf_bcsr_row_len(S, i), F->row_ptr[i + 1] - F->row_ptr[i]);
    for (mf_nnz k = 0; k < mf_bcsr_row_len(S, i); k++) {
      mf_idx j;
      int t;
      const double *b = mf_bcsr_row_block(S, i, k, &j, &t);
      assert_int_equal(j, F->col[F->row_ptr[i] + k]);
      assert_int_equal(t, j < i);
      const double *f = &F->val[9 * (F->row_ptr[i] + k)];
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) assert_true((t ? b[3 * c + r] : b[3 * r + c]) == f[3 * r + c]);
    }
  }
  const mf_nnz n = 3 * (mf_nnz)F->n_rows;
  double *x = calloc((size_t)n, sizeof *x), *yf = calloc((size_t)n, sizeof *yf), *ys = calloc((size_t)n, sizeof *ys);
  uint64_t seed = 9;
  for (mf_nnz i = 0; i < n; i++) x[i] = rnd(&seed);
  mf_bcsr_spmv(F, x, yf);
  for (int t = 1; t <= 3; t++) {
    omp_set_num_threads(t);
    mf_bcsr_spmv(S, x, ys);
    assert_memory_equal(ys, yf, (size_t)n * sizeof *ys); /* the same products in the same order */
  }
  omp_set_num_threads(2);
  assert_true(mf_bcsr_memory_bytes(S) < 0.7 * mf_bcsr_memory_bytes(F));
  free(x), free(yf), free(ys);
  mf_bcsr_destroy(&F);
  mf_bcsr_destroy(&S);
  mf_mesh_destroy(&m);
}

static void test_cg_solves_spd_system(void **state) {
  (void)state;
  mf_mesh *m = small_mesh();
  mf_bcsr *A;
  assert_int_equal(mf_bcsr_create_from_mesh(m, 3, 0, &A), MF_OK);
  fill_spd(A);
  const mf_nnz n = 3 * (mf_nnz)A->n_rows;
  mf_vec_layout *L;
  assert_int_equal(mf_vec_layout_create(A->n_rows, 0, 3, &L), MF_OK);
  mf_operator op = mf_bcsr_operator(A, L);
  double *xs = calloc((size_t)n, sizeof *xs), *b = calloc((size_t)n, sizeof *b), *x = calloc((size_t)n, sizeof *x);
  uint64_t seed = 11;
  for (mf_nnz i = 0; i < n; i++) xs[i] = rnd(&seed);
  dense_product(A, xs, b);
  const mf_pc_type types[] = {MF_PC_NONE, MF_PC_JACOBI, MF_PC_BLOCK_JACOBI};
  for (int t = 0; t < 3; t++) {
    mf_pc_options po = {.type = types[t]};
    mf_pc *pc;
    mf_cg *cg;
    assert_int_equal(mf_pc_create(&po, &pc), MF_OK);
    assert_int_equal(mf_pc_setup_symbolic(pc, &op), MF_OK);
    assert_int_equal(mf_pc_setup_numeric(pc, &op), MF_OK);
    assert_int_equal(mf_cg_create(L, &cg), MF_OK);
    mf_cg_stats st;
    assert_int_equal(mf_cg_solve(cg, &op, pc, b, x, 1e-12, 1000, &st), MF_OK);
    assert_true(st.converged);
    print_message("CG with %s: %d iterations\n", mf_pc_name(types[t]), st.iterations);
    for (mf_nnz i = 0; i < n; i++) assert_near(x[i], xs[i], 1e-10);
    mf_cg_destroy(&cg);
    mf_pc_destroy(&pc);
  }
  mf_vec_layout_destroy(&L);
  free(xs), free(b), free(x);
  mf_bcsr_destroy(&A);
  mf_mesh_destroy(&m);
}

static void test_preconditioners_apply_their_definition(void **state) {
  (void)state;
  mf_mesh *m = small_mesh();
  mf_bcsr *A;
  assert_int_equal(mf_bcsr_create_from_mesh(m, 3, 0, &A), MF_OK);
  fill_spd(A);
  const mf_nnz n = 3 * (mf_nnz)A->n_rows;
  mf_vec_layout *L;
  assert_int_equal(mf_vec_layout_create(A->n_rows, 0, 3, &L), MF_OK);
  mf_operator op = mf_bcsr_operator(A, L);
  double *r = calloc((size_t)n, sizeof *r), *z = calloc((size_t)n, sizeof *z);
  uint64_t seed = 3;
  for (mf_nnz i = 0; i < n; i++) r[i] = rnd(&seed);
  const mf_pc_type types[] = {MF_PC_NONE, MF_PC_JACOBI, MF_PC_BLOCK_JACOBI};
  for (int t = 0; t < 3; t++) {
    mf_pc_options po = {.type = types[t]};
    mf_pc *pc;
    assert_int_equal(mf_pc_create(&po, &pc), MF_OK);
    assert_int_equal(mf_pc_setup_symbolic(pc, &op), MF_OK);
    assert_int_equal(mf_pc_setup_numeric(pc, &op), MF_OK);
    mf_pc_apply(pc, r, z);
    for (mf_idx i = 0; i < A->n_rows; i++) {
      const double *d = &A->val[9 * A->diag[i]];
      for (int k = 0; k < 3; k++) {
        double want;
        if (types[t] == MF_PC_NONE) want = r[3 * i + k];
        else if (types[t] == MF_PC_JACOBI) want = r[3 * i + k] / d[4 * k];
        else want = r[3 * i + k]; /* block: D_i z_i must give back r_i */
        double got = z[3 * i + k];
        if (types[t] == MF_PC_BLOCK_JACOBI)
          got = d[3 * k] * z[3 * i] + d[3 * k + 1] * z[3 * i + 1] + d[3 * k + 2] * z[3 * i + 2];
        assert_near(got, want, 1e-14);
      }
    }
    assert_true(mf_pc_apply_bytes(pc) > 0);
    mf_pc_destroy(&pc);
  }
  /* A zero diagonal is named, not divided by. */
  for (int c = 0; c < 9; c++) A->val[9 * A->diag[2] + c] = 0.0;
  const mf_pc_type need_diag[] = {MF_PC_JACOBI, MF_PC_BLOCK_JACOBI};
  for (int t = 0; t < 2; t++) {
    mf_pc_options po = {.type = need_diag[t]};
    mf_pc *pc;
    assert_int_equal(mf_pc_create(&po, &pc), MF_OK);
    assert_int_equal(mf_pc_setup_symbolic(pc, &op), MF_OK);
    mf_error_clear();
    assert_int_equal(mf_pc_setup_numeric(pc, &op), MF_ERR_SOLVER);
    assert_non_null(strstr(mf_error_message(), "node 2"));
    mf_error_clear();
    mf_pc_destroy(&pc);
  }
  mf_vec_layout_destroy(&L);
  free(r), free(z);
  mf_bcsr_destroy(&A);
  mf_mesh_destroy(&m);
}

static void reductions_deterministic_and_owned_only(int exact) {
  const mf_idx owned = 10007, ghost = 513; /* several chunks and a ragged tail */
  mf_vec_layout *L;
  assert_int_equal(mf_vec_layout_create(owned, ghost, 3, &L), MF_OK);
  mf_vec_layout_set_exact(L, exact);
  assert_int_equal(L->n_owned, 3 * (mf_nnz)owned);
  assert_int_equal(L->n_local, 3 * (mf_nnz)(owned + ghost));
  double *x = calloc((size_t)L->n_local, sizeof *x), *y = calloc((size_t)L->n_local, sizeof *y);
  uint64_t seed = 5;
  for (mf_nnz i = 0; i < L->n_owned; i++) x[i] = rnd(&seed) * 1e3, y[i] = rnd(&seed);
  double d[3], nrm[3];
  for (int t = 1; t <= 3; t++) {
    omp_set_num_threads(t);
    d[t - 1] = mf_vec_dot(L, x, y);
    nrm[t - 1] = mf_vec_norm2(L, x);
  }
  assert_memory_equal(&d[0], &d[1], sizeof d[0]);
  assert_memory_equal(&d[0], &d[2], sizeof d[0]);
  assert_memory_equal(&nrm[0], &nrm[1], sizeof nrm[0]);
  assert_memory_equal(&nrm[0], &nrm[2], sizeof nrm[0]);
  /* Ghost entries (copies of other processes' rows) never enter a reduction. */
  for (mf_nnz i = L->n_owned; i < L->n_local; i++) x[i] = y[i] = 1e300;
  double dg = mf_vec_dot(L, x, y);
  assert_memory_equal(&dg, &d[0], sizeof dg);
  omp_set_num_threads(2);
  free(x), free(y);
  mf_vec_layout_destroy(&L);
}

static void test_reductions_are_deterministic_and_owned_only(void **state) {
  (void)state;
  reductions_deterministic_and_owned_only(1);
  reductions_deterministic_and_owned_only(0);
}

/* A random double with a random exponent in [-e, e] and a random sign. */
static double rnd_wide(uint64_t *s, int e) {
  double m = rnd(s);
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return ldexp(m, (int)((*s >> 33) % (uint64_t)(2 * e + 1)) - e);
}

static double xsum_of(const double *v, int n) {
  mf_xsum a;
  mf_xsum_clear(&a);
  for (int i = 0; i < n; i++) mf_xsum_add(&a, v[i]);
  return mf_xsum_round(&a);
}

/* Exact sums: correctly rounded where binary128 holds the sum exactly (exponents within
 * +-20, 1000 terms: under 103 bits); cancellation down to the smallest subnormal; the
 * same bits for any order and any split into merged accumulators, across the whole
 * exponent range; the bins front end equal to direct adds; infinities and NaN. */
static void test_exact_sums(void **state) {
  (void)state;
  enum { N = 1000 };
  static double v[N];
  uint64_t seed = 11;
  for (int trial = 0; trial < 20; trial++) {
    __float128 q = 0;
    for (int i = 0; i < N; i++) v[i] = rnd_wide(&seed, 20), q += (__float128)v[i];
    double want = (double)q, got = xsum_of(v, N);
    assert_memory_equal(&got, &want, sizeof got);
  }
  const double cancel[] = {1e300, 1.0, -1e300, 4.9406564584124654e-324, -1.0, 0x1p-1000, -0x1p-1000};
  assert_true(xsum_of(cancel, 7) == 4.9406564584124654e-324);
  const double neg[] = {-3.0, 0x1p-60, 1.0};
  assert_true(xsum_of(neg, 3) == -2.0 + 0x1p-60);

  for (int i = 0; i < N; i++) v[i] = rnd_wide(&seed, 1000);
  const double ref = xsum_of(v, N);
  for (int trial = 0; trial < 5; trial++) {
    for (int i = N - 1; i > 0; i--) { /* shuffle */
      int j = (int)((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33) % (i + 1);
      double t = v[i];
      v[i] = v[j], v[j] = t;
    }
    double got = xsum_of(v, N);
    assert_memory_equal(&got, &ref, sizeof got);
    mf_xsum parts[3], all;
    mf_xsum_clear(&all);
    for (int p = 0; p < 3; p++) mf_xsum_clear(&parts[p]);
    for (int i = 0; i < N; i++) mf_xsum_add(&parts[(i * 7 + trial) % 3], v[i]);
    for (int p = 2; p >= 0; p--) mf_xsum_merge(&all, &parts[p]);
    got = mf_xsum_round(&all);
    assert_memory_equal(&got, &ref, sizeof got);
    mf_xsum_bins bins; /* in runs of at most MF_XSUM_BIN_TERMS */
    mf_xsum_clear(&all);
    mf_xsum_bins_clear(&bins);
    for (int i = 0; i < N; i++) {
      mf_xsum_bins_add(&bins, v[i]);
      if ((i + 1) % 300 == 0) mf_xsum_bins_flush(&bins, &all);
    }
    mf_xsum_bins_flush(&bins, &all);
    got = mf_xsum_round(&all);
    assert_memory_equal(&got, &ref, sizeof got);
  }
  const double big[] = {1.7976931348623157e308, 1.7976931348623157e308};
  assert_true(isinf(xsum_of(big, 2)) && xsum_of(big, 2) > 0);
  const double infs[] = {1.0, INFINITY, 2.0}, both[] = {INFINITY, -INFINITY}, nan[] = {1.0, NAN};
  assert_true(xsum_of(infs, 3) == INFINITY);
  assert_true(isnan(xsum_of(both, 2)));
  assert_true(isnan(xsum_of(nan, 2)));
  assert_true(xsum_of(nan, 0) == 0.0);
}

/* An exact dot product is the same double whatever the order of the rows (as a
 * distributed vector's rows would come in another order on each process count). */
static void test_exact_dot_ignores_row_order(void **state) {
  (void)state;
  const mf_idx rows = 5003;
  mf_vec_layout *L;
  assert_int_equal(mf_vec_layout_create(rows, 0, 3, &L), MF_OK);
  double *x = malloc(3 * (size_t)rows * sizeof *x), *y = malloc(3 * (size_t)rows * sizeof *y);
  double *xp = malloc(3 * (size_t)rows * sizeof *x), *yp = malloc(3 * (size_t)rows * sizeof *y);
  uint64_t seed = 3;
  for (mf_nnz i = 0; i < 3 * (mf_nnz)rows; i++) x[i] = rnd_wide(&seed, 40), y[i] = rnd_wide(&seed, 40);
  for (mf_idx i = 0; i < rows; i++) { /* row i goes to (7919 i) mod rows: a permutation, rows is prime */
    mf_idx j = (mf_idx)((7919LL * i) % rows);
    for (int c = 0; c < 3; c++) xp[3 * j + c] = x[3 * i + c], yp[3 * j + c] = y[3 * i + c];
  }
  double d = mf_vec_dot(L, x, y), dp = mf_vec_dot(L, xp, yp);
  assert_memory_equal(&d, &dp, sizeof d);
  free(x), free(y), free(xp), free(yp);
  mf_vec_layout_destroy(&L);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spmv_matches_dense),
      cmocka_unit_test(test_symmetric_storage),
      cmocka_unit_test(test_cg_solves_spd_system),
      cmocka_unit_test(test_preconditioners_apply_their_definition),
      cmocka_unit_test(test_reductions_are_deterministic_and_owned_only),
      cmocka_unit_test(test_exact_sums),
      cmocka_unit_test(test_exact_dot_ignores_row_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
