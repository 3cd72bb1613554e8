/* Coarse operator Ac = P^T A P (mf_amg_impl.h).
 *
 * Row i of A P, (A P)_iJ = sum_k A_ik P_kJ, is made once per fine row in a per-thread
 * workspace; its products P_iI^T (A P)_iJ are added into the coarse rows I of P's row
 * i. The fine rows are taken colour by colour (mf_amg_prolong_symbolic): two rows of a
 * colour share no coarse column of P, so within a colour no coarse row receives from two
 * threads, and every coarse entry receives its terms in colour order - an order the
 * mesh fixes, the same at any thread count. Coarse unknowns whose mode the tentative QR
 * dropped have zero rows and columns and get a unit diagonal. */
#include <omp.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

mf_status mf_amg_galerkin_symbolic(mf_amg_level *lv, mf_bcsr **out) {
  *out = NULL;
  const mf_bcsr *A = lv->A;
  const mf_amg_bmat *P = &lv->P;
  const mf_idx nc = lv->nc;
  const int M = MF_AMG_MODES;
  int nt = 1;
#pragma omp parallel
#pragma omp single
  nt = omp_get_num_threads();
  lv->n_threads = nt;
  mf_bcsr *Ac = NULL;
  mf_idx *mark = NULL, *rt_row = NULL;
  mf_nnz *rt_ptr = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(Ac, 1, "coarse matrix")) || (st = MF_ALLOC_N(mark, (size_t)nt * (nc + 1), "galerkin marks")) ||
      (st = MF_CALLOC_N(rt_ptr, (size_t)nc + 1, "galerkin transpose offsets")) ||
      (st = MF_ALLOC_N(rt_row, (size_t)P->row_ptr[P->n_slots] + 1, "galerkin transpose rows")))
    goto fail;
  /* for each coarse row, the fine rows whose P row has it (a transpose, for this only) */
  for (mf_nnz q = 0; q < P->row_ptr[P->n_slots]; q++) rt_ptr[P->col[q] + 1]++;
  for (mf_idx c = 0; c < nc; c++) rt_ptr[c + 1] += rt_ptr[c];
  for (mf_idx t = 0; t < P->n_slots; t++)
    for (mf_nnz q = P->row_ptr[t]; q < P->row_ptr[t + 1]; q++) rt_row[rt_ptr[P->col[q]]++] = P->row[t];
  for (mf_idx c = nc; c > 0; c--) rt_ptr[c] = rt_ptr[c - 1];
  rt_ptr[0] = 0;
  Ac->n_rows = nc, Ac->bs = M, Ac->bs2 = M * M;
  if ((st = MF_CALLOC_N(Ac->row_ptr, (size_t)nc + 1, "coarse matrix offsets")) ||
      (st = MF_ALLOC_N(Ac->diag, (size_t)nc + 1, "coarse matrix diagonal")))
    goto fail;
  int width = 0;
  /* row I: the coarse columns of P_k for every neighbour k of every fine row i in I */
  for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel reduction(max : width)
    {
      mf_idx *mk = &mark[(size_t)omp_get_thread_num() * (nc + 1)];
      for (mf_idx c = 0; c < nc; c++) mk[c] = -1;
#pragma omp for schedule(static)
      for (mf_idx I = 0; I < nc; I++) {
        mf_nnz cnt = pass ? Ac->row_ptr[I] : 0;
        for (mf_nnz t = rt_ptr[I]; t < rt_ptr[I + 1]; t++) {
          mf_idx i = rt_row[t];
          int w = 0; /* width of row i of A P: a bound, columns counted with repeats */
          const mf_nnz len = mf_bcsr_row_len(A, i);
          for (mf_nnz b = 0; b < len; b++) {
            mf_idx j;
            int tr;
            mf_bcsr_row_block(A, i, b, &j, &tr);
            mf_idx ks = P->slot[j];
            if (ks < 0) continue;
            for (mf_nnz q = P->row_ptr[ks]; q < P->row_ptr[ks + 1]; q++) {
              mf_idx J = P->col[q];
              if (mk[J] == I) continue;
              mk[J] = I;
              if (pass) {
                mf_nnz z = cnt++;
                while (z > Ac->row_ptr[I] && Ac->col[z - 1] > J) {
                  Ac->col[z] = Ac->col[z - 1];
                  z--;
                }
                Ac->col[z] = J;
              } else {
                cnt++;
              }
            }
            w += (int)(P->row_ptr[ks + 1] - P->row_ptr[ks]);
          }
          if (w > width) width = w;
        }
        if (!pass) Ac->row_ptr[I + 1] = cnt;
      }
    }
    if (!pass) {
      for (mf_idx I = 0; I < nc; I++) Ac->row_ptr[I + 1] += Ac->row_ptr[I];
      Ac->nnzb = Ac->row_ptr[nc];
      if ((st = MF_ALLOC_N(Ac->col, (size_t)Ac->nnzb + 1, "coarse matrix columns")) ||
          (st = MF_ALLOC_N(Ac->val, (size_t)Ac->bs2 * Ac->nnzb + 1, "coarse matrix values")))
        goto fail;
    }
  }
  for (mf_idx I = 0; I < nc; I++) Ac->diag[I] = mf_bcsr_find(Ac, I, I);
  lv->ap_width = width;
  if ((st = MF_ALLOC_N(lv->ap_val, (size_t)nt * width * lv->bs * M + 1, "galerkin row workspace")) ||
      (st = MF_ALLOC_N(lv->ap_col, (size_t)nt * width + 1, "galerkin row columns")) ||
      (st = MF_ALLOC_N(lv->ap_slot, (size_t)nt * (nc + 1), "galerkin column slots")))
    goto fail;
  for (size_t k = 0; k < (size_t)nt * (nc + 1); k++) lv->ap_slot[k] = -1;
  mf_free(&mark), mf_free(&rt_ptr), mf_free(&rt_row);
  *out = Ac;
  return MF_OK;
fail:
  mf_free(&mark), mf_free(&rt_ptr), mf_free(&rt_row);
  mf_bcsr_destroy(&Ac);
  return st;
}

void mf_amg_galerkin_numeric(mf_amg_level *lv, mf_bcsr *Ac) {
  const mf_bcsr *A = lv->A;
  const mf_amg_bmat *P = &lv->P;
  const int bs = lv->bs, M = MF_AMG_MODES, pb = bs * M, M2 = M * M;
  mf_bcsr_zero(Ac);
#pragma omp parallel
  {
    const int tid = omp_get_thread_num();
    double *apv = &lv->ap_val[(size_t)tid * lv->ap_width * pb];
    mf_idx *apc = &lv->ap_col[(size_t)tid * lv->ap_width];
    mf_idx *slot = &lv->ap_slot[(size_t)tid * (lv->nc + 1)];
    for (int c = 0; c < lv->n_colours; c++) {
#pragma omp for schedule(static)
      for (mf_nnz t = lv->colour_ptr[c]; t < lv->colour_ptr[c + 1]; t++) {
        const mf_idx i = P->row[t];
        /* (A P)_i, columns in order of first appearance */
        int w = 0;
        const mf_nnz len = mf_bcsr_row_len(A, i);
        for (mf_nnz b = 0; b < len; b++) {
          mf_idx k;
          int tr;
          const double *Aik = mf_bcsr_row_block(A, i, b, &k, &tr);
          const mf_idx ks = P->slot[k];
          if (ks < 0) continue;
          for (mf_nnz q = P->row_ptr[ks]; q < P->row_ptr[ks + 1]; q++) {
            const mf_idx J = P->col[q];
            if (slot[J] < 0) {
              slot[J] = w;
              apc[w] = J;
              for (int z = 0; z < pb; z++) apv[(size_t)pb * w + z] = 0.0;
              w++;
            }
            double *dst = &apv[(size_t)pb * slot[J]], pbuf[6 * MF_AMG_MODES];
            const double *Pk = mf_amg_pblock(P, q, pb, pbuf);
            for (int r = 0; r < bs; r++)
              for (int cc = 0; cc < bs; cc++) {
                const double a = tr ? Aik[bs * cc + r] : Aik[bs * r + cc];
                for (int m = 0; m < M; m++) dst[M * r + m] += a * Pk[M * cc + m];
              }
          }
        }
        /* Ac[I, J] += P_iI^T (A P)_iJ for the coarse rows I of P's row i (slot t) */
        for (mf_nnz q = P->row_ptr[t]; q < P->row_ptr[t + 1]; q++) {
          const mf_idx I = P->col[q];
          double pbuf[6 * MF_AMG_MODES];
          const double *Pi = mf_amg_pblock(P, q, pb, pbuf);
          for (int s = 0; s < w; s++) {
            double *blk = &Ac->val[(size_t)M2 * mf_bcsr_find(Ac, I, apc[s])];
            const double *ap = &apv[(size_t)pb * s];
            for (int r = 0; r < bs; r++)
              for (int m = 0; m < M; m++) {
                const double pr = Pi[M * r + m];
                for (int n = 0; n < M; n++) blk[M * m + n] += pr * ap[M * r + n];
              }
          }
        }
        for (int s = 0; s < w; s++) slot[apc[s]] = -1;
      }
    }
  }
  /* dropped coarse unknowns: zero row and column, unit diagonal */
#pragma omp parallel for schedule(static)
  for (mf_idx I = 0; I < lv->nc; I++)
    for (int k = 0; k < M; k++)
      if (lv->dropped[(size_t)M * I + k]) Ac->val[(size_t)M2 * Ac->diag[I] + (M + 1) * k] = 1.0;
}
