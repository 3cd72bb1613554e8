/* Smoother of the multigrid (mf_amg_impl.h): Chebyshev polynomials in D^-1 A with D the
 * block diagonal, and the largest eigenvalue they need.
 *
 * Chebyshev (Saad, Iterative Methods, alg. 12.1, preconditioned by D): on the interval
 * [lo, hi] = [1.1 lmax / eig_ratio, 1.1 lmax], theta = (hi + lo)/2, delta = (hi - lo)/2,
 *   d = D^-1 r / theta, x += d, then for each further degree
 *   r -= A d, rho' = 1 / (2 theta/delta - rho), d = rho' rho d + 2 rho'/delta D^-1 r,
 *   x += d.
 * The polynomial is the same before and after the coarse correction, so the V-cycle is
 * symmetric. lmax comes from k steps of Lanczos (as CG coefficients) on D^-1 A from a
 * start vector made of a hash of each row's global id: the same at any thread or process
 * count. Kernels are fused per block row (residual update with its product, update of d
 * with that of x), specialised for blocks of 3 and 6. */
#include <math.h>

#include "la/mf_amg_impl.h"

mf_status mf_amg_diag_inverse(mf_amg_level *lv, int level) {
  const mf_bcsr *A = lv->A;
  const int bs = lv->bs;
  mf_idx bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
  for (mf_idx i = 0; i < lv->n; i++) {
    double buf[MF_AMG_MODES * MF_AMG_MODES];
    if (mf_dense_spd_inverse(bs, mf_amg_stored_block(lv, A->diag[i], buf), &lv->dinv[(size_t)bs * bs * i]))
      bad = i > bad ? i : bad;
  }
  MF_CHECK(bad < 0, MF_ERR_SOLVER,
           "multigrid level %d: the diagonal block of row %lld is not positive definite (an unstable tangent?)",
           level, (long long)bad);
  return MF_OK;
}

/* The kernels below are written once, as macros over a literal block size BS, and
 * instantiated for 3, 6 and any size: an OpenMP region is outlined before inlining, so a
 * size passed as an argument would never become a constant the compiler unrolls. */

/* dst = src - A d, row by row (src may be dst: each row reads its own entries first), or
 * dst = A d when src is NULL; values val of type VT (float on single-precision levels). */
#define RESIDUAL_KERNEL(name, BS, VT)                                                              \
  static void name(const mf_bcsr *A, const VT *val, const double *src, const double *restrict d,  \
                   double *dst) {                                                                  \
    const int bs = (BS), bs2 = bs * bs;                                                            \
    _Pragma("omp parallel for schedule(static)") for (mf_idx i = 0; i < A->n_rows; i++) {          \
      double y[8] = {0};                                                                           \
      for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {                                 \
        const VT *b = &val[(size_t)bs2 * p];                                                       \
        const double *xj = &d[(size_t)bs * A->col[p]];                                             \
        for (int r = 0; r < bs; r++) {                                                             \
          double t = 0.0;                                                                          \
          for (int c = 0; c < bs; c++) t += b[bs * r + c] * xj[c];                                 \
          y[r] += t;                                                                               \
        }                                                                                          \
      }                                                                                            \
      for (int r = 0; r < bs; r++) dst[(size_t)bs * i + r] = src ? src[(size_t)bs * i + r] - y[r] : y[r]; \
    }                                                                                              \
  }
RESIDUAL_KERNEL(residual3, 3, double)
RESIDUAL_KERNEL(residual6, 6, double)
RESIDUAL_KERNEL(residualn, A->bs, double)
RESIDUAL_KERNEL(residual3f, 3, float)
RESIDUAL_KERNEL(residual6f, 6, float)
RESIDUAL_KERNEL(residualnf, A->bs, float)

/* The same on a symmetric 3x3-block matrix (level 0 with matrix: symmetric): the lower
 * blocks of a row, transposes of stored ones, before its stored ones. */
#define RESIDUAL3_SYM_KERNEL(name, VT)                                                             \
  static void name(const mf_bcsr *A, const VT *val, const double *src, const double *restrict d,  \
                   double *dst) {                                                                  \
    _Pragma("omp parallel for schedule(static)") for (mf_idx i = 0; i < A->n_rows; i++) {          \
      double y0 = 0.0, y1 = 0.0, y2 = 0.0;                                                         \
      for (mf_nnz q = A->lo_ptr[i]; q < A->lo_ptr[i + 1]; q++) {                                   \
        const VT *b = &val[9 * (size_t)A->lo_pos[q]];                                              \
        const double *xj = &d[3 * (size_t)A->lo_col[q]];                                           \
        y0 += b[0] * xj[0] + b[3] * xj[1] + b[6] * xj[2];                                          \
        y1 += b[1] * xj[0] + b[4] * xj[1] + b[7] * xj[2];                                          \
        y2 += b[2] * xj[0] + b[5] * xj[1] + b[8] * xj[2];                                          \
      }                                                                                            \
      for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {                                 \
        const VT *b = &val[9 * (size_t)p];                                                         \
        const double *xj = &d[3 * (size_t)A->col[p]];                                              \
        y0 += b[0] * xj[0] + b[1] * xj[1] + b[2] * xj[2];                                          \
        y1 += b[3] * xj[0] + b[4] * xj[1] + b[5] * xj[2];                                          \
        y2 += b[6] * xj[0] + b[7] * xj[1] + b[8] * xj[2];                                          \
      }                                                                                            \
      dst[3 * (size_t)i] = src[3 * (size_t)i] - y0;                                                \
      dst[3 * (size_t)i + 1] = src[3 * (size_t)i + 1] - y1;                                        \
      dst[3 * (size_t)i + 2] = src[3 * (size_t)i + 2] - y2;                                        \
    }                                                                                              \
  }
RESIDUAL3_SYM_KERNEL(residual3_sym, double)
RESIDUAL3_SYM_KERNEL(residual3_symf, float)

static void residual_update(const mf_amg_level *lv, const double *src, const double *d, double *dst) {
  const mf_bcsr *A = lv->A;
  /* across processes d's ghost rows first (d is written there: its ghost rows are copies
   * the level keeps current); a failed exchange gives NaN, which CG reports */
  if (lv->op && mf_operator_update_ghosts(lv->op, (double *)d)) {
    mf_vec_set((mf_nnz)lv->bs * lv->n, NAN, dst);
    return;
  }
  if (A->symmetric) { /* only level 0, the tangent, is stored symmetric: blocks of 3 */
    if (lv->a0f) residual3_symf(A, lv->a0f, src, d, dst);
    else residual3_sym(A, A->val, src, d, dst);
    return;
  }
  if (lv->a0f) {
    residual3f(A, lv->a0f, src, d, dst);
  } else if (lv->af) {
    if (A->bs == 6) residual6f(A, lv->af, src, d, dst);
    else residualnf(A, lv->af, src, d, dst);
  } else if (A->bs == 3) {
    residual3(A, A->val, src, d, dst);
  } else if (A->bs == 6) {
    residual6(A, A->val, src, d, dst);
  } else {
    residualn(A, A->val, src, d, dst);
  }
}

void mf_amg_residual(const mf_amg_level *lv, const double *b, const double *x, double *r) {
  residual_update(lv, b, x, r);
}

/* d = c1 d + c2 D^-1 r (c1 = 0: d is not read), then x += d (x = d when set_x; x NULL:
 * no x). */
#define UPDATE_KERNEL(name, BS)                                                                    \
  static void name(const mf_amg_level *lv, double c1, double c2, const double *restrict r,        \
                   double *restrict d, double *restrict x, int set_x) {                           \
    const int bs = (BS);                                                                           \
    _Pragma("omp parallel for schedule(static)") for (mf_idx i = 0; i < lv->n; i++) {              \
      const double *Di = &lv->dinv[(size_t)bs * bs * i], *ri = &r[(size_t)bs * i];                 \
      double *di = &d[(size_t)bs * i], *xi = x ? &x[(size_t)bs * i] : NULL;                        \
      for (int a = 0; a < bs; a++) {                                                               \
        double z = 0.0;                                                                            \
        for (int c = 0; c < bs; c++) z += Di[bs * a + c] * ri[c];                                  \
        double v = c1 == 0.0 ? c2 * z : c1 * di[a] + c2 * z;                                       \
        di[a] = v;                                                                                 \
        if (xi) xi[a] = set_x ? v : xi[a] + v;                                                     \
      }                                                                                            \
    }                                                                                              \
  }
UPDATE_KERNEL(update3, 3)
UPDATE_KERNEL(update6, 6)
UPDATE_KERNEL(updaten, lv->bs)

static void update(const mf_amg_level *lv, double c1, double c2, const double *r, double *d, double *x, int set_x) {
  if (lv->bs == 3) update3(lv, c1, c2, r, d, x, set_x);
  else if (lv->bs == 6) update6(lv, c1, c2, r, d, x, set_x);
  else updaten(lv, c1, c2, r, d, x, set_x);
}

static void chebyshev(const mf_amg_level *lv, const mf_amg_options *o, const double *b, double *x, int zero_start) {
  const double hi = 1.1 * lv->lmax, lo = hi / o->eig_ratio;
  const double theta = 0.5 * (hi + lo), delta = 0.5 * (hi - lo), sigma = theta / delta;
  double *r = lv->r, *d = lv->d;
  const double *res = b;
  if (!zero_start) {
    residual_update(lv, b, x, r);
    res = r;
  }
  update(lv, 0.0, 1.0 / theta, res, d, x, zero_start);
  double rho = 1.0 / sigma;
  for (int k = 1; k < o->sweeps; k++) {
    residual_update(lv, res, d, r);
    res = r;
    double rho_new = 1.0 / (2.0 * sigma - rho);
    update(lv, rho_new * rho, 2.0 * rho_new / delta, r, d, x, 0);
    rho = rho_new;
  }
}

/* Damped block-Jacobi, omega = 4 / (3 lmax): the residual is carried along (r -= A d), so a
 * sweep costs one product, as a Chebyshev step does. */
static void jacobi(const mf_amg_level *lv, const mf_amg_options *o, const double *b, double *x, int zero_start) {
  const double omega = 4.0 / (3.0 * lv->lmax);
  double *r = lv->r, *d = lv->d;
  const double *res = b;
  if (!zero_start) {
    residual_update(lv, b, x, r);
    res = r;
  }
  update(lv, 0.0, omega, res, d, x, zero_start);
  for (int k = 1; k < o->sweeps; k++) {
    residual_update(lv, res, d, r);
    res = r;
    update(lv, 0.0, omega, r, d, x, 0);
  }
}

void mf_amg_smooth(const mf_amg_level *lv, const mf_amg_options *o, const double *b, double *x, int zero_start) {
  if (o->smoother == MF_AMG_JACOBI) jacobi(lv, o, b, x, zero_start);
  else chebyshev(lv, o, b, x, zero_start);
}

static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Eigenvalues of the symmetric tridiagonal (a, b) below x: Sturm count. */
static int below(int k, const double *a, const double *b, double x) {
  int cnt = 0;
  double q = 1.0;
  for (int i = 0; i < k; i++) {
    q = a[i] - x - (i ? b[i - 1] * b[i - 1] / q : 0.0);
    if (q == 0.0) q = 1e-300;
    cnt += q < 0.0;
  }
  return cnt;
}

void mf_amg_estimate_lmax(mf_amg_level *lv, int k) {
  const mf_vec_layout *L = lv->L;
  const int bs = lv->bs;
  const mf_nnz n = L->n_owned;
  double *r = lv->r, *p = lv->d, *q = lv->w; /* z = D^-1 r shares q's storage */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < lv->n; i++)
    for (int c = 0; c < bs; c++)
      r[(size_t)bs * i + c] = (double)(mix(lv->gid[i] * 8 + (uint64_t)c) >> 11) / 4503599627370496.0 - 1.0;
  /* CG on A with preconditioner D: its coefficients are Lanczos on D^-1 A */
  double ta[32], tb[32], alpha_old = 1.0, beta_old = 0.0;
  if (k > 32) k = 32;
  update(lv, 0.0, 1.0, r, q, p, 1); /* z = D^-1 r (in q), p = z */
  double rz = mf_vec_dot(L, r, q);
  int m = 0;
  for (; m < k && rz > 0.0; m++) {
    if (lv->af) residual_update(lv, NULL, p, q); /* values in float (across processes too) */
    else if (lv->op) mf_operator_mult(lv->op, p, q); /* q = A p, across processes */
    else mf_bcsr_spmv(lv->A, p, q);
    double pq = mf_vec_dot(L, p, q);
    if (!(pq > 0.0)) break;
    double alpha = rz / pq;
#pragma omp parallel for schedule(static)
    for (mf_nnz j = 0; j < n; j++) r[j] -= alpha * q[j];
    update(lv, 0.0, 1.0, r, q, NULL, 0); /* z = D^-1 r into q (no longer needed) */
    double rz_new = mf_vec_dot(L, r, q), beta = rz_new / rz;
    ta[m] = 1.0 / alpha + (m ? beta_old / alpha_old : 0.0);
    tb[m] = sqrt(beta) / alpha;
    alpha_old = alpha, beta_old = beta, rz = rz_new;
#pragma omp parallel for schedule(static)
    for (mf_nnz j = 0; j < n; j++) p[j] = q[j] + beta * p[j];
  }
  if (m == 0) { /* nothing to iterate on (all-zero or breakdown): D^-1 A's diagonal scale */
    lv->lmax = 1.0;
    return;
  }
  double hi = 0.0;
  for (int i = 0; i < m; i++) hi = fmax(hi, ta[i] + (i ? fabs(tb[i - 1]) : 0.0) + (i + 1 < m ? fabs(tb[i]) : 0.0));
  double lo = 0.0;
  for (int it = 0; it < 100 && hi - lo > 1e-10 * hi; it++) { /* the largest: below(mid) < m */
    double mid = 0.5 * (lo + hi);
    if (below(m, ta, tb, mid) < m) lo = mid;
    else hi = mid;
  }
  lv->lmax = hi;
}
