/* Preconditioned CG (Hestenes-Stiefel form, as PETSc's KSPCG). */
#include "la/mf_cg.h"

#include <math.h>
#include <omp.h>

#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

struct mf_cg {
  mf_nnz n; /* scalar unknowns */
  double *r, *z, *p, *q, *ws;
};

mf_status mf_cg_create(mf_idx n_rows, mf_cg **out) {
  mf_cg *cg;
  MF_CALL(MF_CALLOC_N(cg, 1, "CG solver"));
  cg->n = 3 * (mf_nnz)n_rows;
  mf_status st;
  if ((st = MF_ALLOC_N(cg->r, cg->n, "CG residual")) || (st = MF_ALLOC_N(cg->z, cg->n, "CG z")) ||
      (st = MF_ALLOC_N(cg->p, cg->n, "CG direction")) || (st = MF_ALLOC_N(cg->q, cg->n, "CG A*p")) ||
      (st = MF_ALLOC_N(cg->ws, mf_vec_reduce_ws_size(cg->n), "CG reduction workspace"))) {
    mf_cg_destroy(&cg);
    return st;
  }
  /* First touch with the kernels' static schedule. */
  mf_vec_set(cg->n, 0.0, cg->r);
  mf_vec_set(cg->n, 0.0, cg->z);
  mf_vec_set(cg->n, 0.0, cg->p);
  mf_vec_set(cg->n, 0.0, cg->q);
  *out = cg;
  return MF_OK;
}

void mf_cg_destroy(mf_cg **cgp) {
  mf_cg *cg = *cgp;
  if (!cg) return;
  mf_free(&cg->r);
  mf_free(&cg->z);
  mf_free(&cg->p);
  mf_free(&cg->q);
  mf_free(&cg->ws);
  mf_free(cgp);
}

mf_status mf_cg_solve(mf_cg *cg, const mf_bcsr *A, const mf_precond *pc, const double *b, double *x,
                      double rtol, int max_iter, mf_cg_stats *st) {
  const mf_nnz n = cg->n;
  const double vbytes = (double)n * sizeof(double);
  double *r = cg->r, *z = cg->z, *p = cg->p, *q = cg->q, *ws = cg->ws;
  *st = (mf_cg_stats){0};
  double t0 = omp_get_wtime(), t1;

  mf_vec_set(n, 0.0, x);
  mf_vec_copy(n, b, r);
  st->bnorm = mf_vec_norm2(n, b, ws);
  st->bytes += 4 * vbytes;
  t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;
  if (st->bnorm == 0.0) {
    st->converged = 1;
    return MF_OK;
  }
  const double target = rtol * st->bnorm;

  mf_precond_apply(pc, r, z);
  t1 = omp_get_wtime(); st->t_pc += t1 - t0; t0 = t1;
  mf_vec_copy(n, z, p);
  double rz = mf_vec_dot(n, r, z, ws);
  st->bytes += mf_precond_apply_bytes(pc) + 4 * vbytes;
  t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;

  for (int k = 0; k < max_iter; k++) {
    mf_bcsr_spmv(A, p, q);
    t1 = omp_get_wtime(); st->t_spmv += t1 - t0; t0 = t1;
    double pq = mf_vec_dot(n, p, q, ws);
    if (!(pq > 0.0))
      return MF_ERROR(MF_ERR_SOLVER,
                      "CG breakdown at iteration %d: p.Ap = %g (the tangent is not positive "
                      "definite: instability, or an unconstrained rigid-body mode)", k + 1, pq);
    double alpha = rz / pq;
    mf_vec_axpy(n, alpha, p, x);
    mf_vec_axpy(n, -alpha, q, r);
    st->rnorm = mf_vec_norm2(n, r, ws);
    st->iterations = k + 1;
    st->bytes += mf_bcsr_spmv_bytes(A) + 9 * vbytes;
    t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;
    if (!isfinite(st->rnorm))
      return MF_ERROR(MF_ERR_NONFINITE, "CG produced a non-finite residual at iteration %d", k + 1);
    if (st->rnorm <= target) {
      st->converged = 1;
      break;
    }
    mf_precond_apply(pc, r, z);
    t1 = omp_get_wtime(); st->t_pc += t1 - t0; t0 = t1;
    double rz_new = mf_vec_dot(n, r, z, ws);
    mf_vec_aypx(n, rz_new / rz, z, p);
    rz = rz_new;
    st->bytes += mf_precond_apply_bytes(pc) + 5 * vbytes;
    t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;
  }
  return MF_OK;
}
