/* Preconditioned CG (Hestenes-Stiefel form, as PETSc's KSPCG), its vector work fused
 * into as few passes as the algorithm allows, every reduction summed in the fixed chunk
 * order of mf_vec_dot (so fusing changes no bit):
 *   q = A p                                    the operator
 *   p.q                                        one pass (needs all of q)
 *   x += alpha p, r -= alpha q, ||r||          one pass (mf_vec_cg_update)
 *   z = M^-1 r, r.z                            one pass where the preconditioner offers it
 *   p = z + beta p                             one pass (beta needs all of r.z) */
#include "la/mf_cg.h"

#include <math.h>
#include <omp.h>

#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

mf_linear_options mf_linear_options_default(void) {
  return (mf_linear_options){
      .pc = mf_pc_options_default(), .rtol = 1e-8, .max_iter = 20000, .reuse = -1.0, .reproducible = 1};
}

double mf_linear_reuse(const mf_linear_options *o) {
  return o->reuse >= 0.0 ? o->reuse : mf_pc_default_reuse(o->pc.type);
}

struct mf_cg {
  const mf_vec_layout *L;
  mf_nnz n; /* entries of a vector (owned and ghost) */
  double *r, *z, *p, *q;
};

mf_status mf_cg_create(const mf_vec_layout *L, mf_cg **out) {
  mf_cg *cg;
  MF_CALL(MF_CALLOC_N(cg, 1, "CG solver"));
  cg->L = L;
  cg->n = L->n_local;
  mf_status st;
  if ((st = MF_ALLOC_N(cg->r, cg->n, "CG residual")) || (st = MF_ALLOC_N(cg->z, cg->n, "CG z")) ||
      (st = MF_ALLOC_N(cg->p, cg->n, "CG direction")) || (st = MF_ALLOC_N(cg->q, cg->n, "CG A*p"))) {
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
  mf_free(cgp);
}

mf_status mf_cg_solve(mf_cg *cg, const mf_operator *A, const mf_pc *pc, const double *b, double *x, double rtol,
                      int max_iter, mf_cg_stats *st) {
  const mf_vec_layout *L = cg->L;
  const mf_nnz n = L->n_owned;
  const double vbytes = (double)n * sizeof(double);
  double *r = cg->r, *z = cg->z, *p = cg->p, *q = cg->q;
  *st = (mf_cg_stats){0};
  double t0 = omp_get_wtime(), t1;

  mf_vec_set(n, 0.0, x);
  mf_vec_copy(n, b, r);
  st->bnorm = mf_vec_norm2(L, b);
  st->bytes += 4 * vbytes;
  t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;
  if (st->bnorm == 0.0) {
    st->converged = 1;
    return MF_OK;
  }
  const double target = rtol * st->bnorm;

  int fused;
  double rz = mf_pc_apply_dot(pc, r, z, &fused);
  t1 = omp_get_wtime(); st->t_pc += t1 - t0; t0 = t1;
  mf_vec_copy(n, z, p);
  st->bytes += mf_pc_apply_bytes(pc) + (fused ? 2 : 4) * vbytes;
  t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;

  for (int k = 0; k < max_iter; k++) {
    mf_operator_mult(A, p, q);
    t1 = omp_get_wtime(); st->t_spmv += t1 - t0; t0 = t1;
    double pq = mf_vec_dot(L, p, q);
    if (!(pq > 0.0))
      return MF_ERROR(MF_ERR_SOLVER,
                      "CG breakdown at iteration %d: p.Ap = %g (the tangent is not positive "
                      "definite: instability, or an unconstrained rigid-body mode)", k + 1, pq);
    double alpha = rz / pq;
    st->rnorm = mf_vec_cg_update(L, alpha, p, x, q, r); /* x += alpha p, r -= alpha q, ||r||: one pass */
    st->iterations = k + 1;
    st->bytes += mf_operator_mult_bytes(A) + 8 * vbytes; /* p.q: 2; the fused update: 6 */
    t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;
    if (!isfinite(st->rnorm))
      return MF_ERROR(MF_ERR_NONFINITE, "CG produced a non-finite residual at iteration %d", k + 1);
    if (st->rnorm <= target) {
      st->converged = 1;
      break;
    }
    double rz_new = mf_pc_apply_dot(pc, r, z, &fused); /* r.z in the apply's pass where it can */
    t1 = omp_get_wtime(); st->t_pc += t1 - t0; t0 = t1;
    mf_vec_aypx(n, rz_new / rz, z, p);
    rz = rz_new;
    st->bytes += mf_pc_apply_bytes(pc) + (fused ? 3 : 5) * vbytes;
    t1 = omp_get_wtime(); st->t_vec += t1 - t0; t0 = t1;
  }
  return MF_OK;
}
