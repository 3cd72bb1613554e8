/* Coarse operator Ac = P^T A P (mf_amg_impl.h), as R A then (R A) P with R = P^T.
 *
 * Coarse rows in parallel: row I first sums (R A)_I = sum of P_iI^T A_i over the fine
 * rows i whose P row has column I (ascending i) into a per-thread workspace of fine
 * columns, then Ac_I = sum over those fine columns k (in order of first appearance) of
 * (R A)_Ik P_k. Each coarse row is written by one thread while it is in cache, and every
 * entry receives its terms in an order the mesh fixes, the same at any thread count.
 * Nothing is computed twice. The version before it made (A P)_i once for each coarse
 * column of P's row i and took 3x the time of this one on level 0 and 9x on level 1,
 * where P's rows are long; a version that scattered each (A P)_i into the coarse rows,
 * fine rows colour by colour, swept the whole coarse matrix once per colour and ran
 * several times slower still, its updates missing the cache. Coarse unknowns whose mode
 * the tentative QR dropped have zero rows and columns and get a unit diagonal. */
#include <omp.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

mf_status mf_amg_galerkin_symbolic(mf_amg_level *lv, int single, mf_amg_level *next) {
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
  mf_idx *mark = NULL;
  mf_status st;
  const mf_nnz np = P->row_ptr[P->n_slots];
  if ((st = MF_CALLOC_N(Ac, 1, "coarse matrix")) || (st = MF_ALLOC_N(mark, (size_t)nt * (nc + 1), "galerkin marks")) ||
      (st = MF_CALLOC_N(lv->rt_ptr, (size_t)nc + 1, "galerkin transpose offsets")) ||
      (st = MF_ALLOC_N(lv->rt_row, (size_t)np + 1, "galerkin transpose rows")) ||
      (st = MF_ALLOC_N(lv->rt_pos, (size_t)np + 1, "galerkin transpose blocks")) ||
      (st = MF_ALLOC_N(lv->ra_slot, (size_t)nt * (lv->n + 1), "galerkin fine-column slots")))
    goto fail;
  MF_CHECK(np <= (mf_nnz)UINT32_MAX, MF_ERR_INPUT, "multigrid: %lld prolongator blocks exceed 32-bit positions",
           (long long)np);
  /* for each coarse row, the fine rows whose P row has it, ascending */
  mf_nnz *rt_ptr = lv->rt_ptr;
  mf_idx *rt_row = lv->rt_row;
  for (mf_nnz q = 0; q < np; q++) rt_ptr[P->col[q] + 1]++;
  for (mf_idx c = 0; c < nc; c++) rt_ptr[c + 1] += rt_ptr[c];
  for (mf_idx i = 0; i < P->n_rows; i++) {
    const mf_idx t = P->slot[i];
    if (t < 0) continue;
    for (mf_nnz q = P->row_ptr[t]; q < P->row_ptr[t + 1]; q++) {
      mf_nnz z = rt_ptr[P->col[q]]++;
      rt_row[z] = i;
      lv->rt_pos[z] = (uint32_t)q;
    }
  }
  for (mf_idx c = nc; c > 0; c--) rt_ptr[c] = rt_ptr[c - 1];
  rt_ptr[0] = 0;
  Ac->n_rows = nc, Ac->bs = M, Ac->bs2 = M * M;
  if ((st = MF_CALLOC_N(Ac->row_ptr, (size_t)nc + 1, "coarse matrix offsets")) ||
      (st = MF_ALLOC_N(Ac->diag, (size_t)nc + 1, "coarse matrix diagonal")))
    goto fail;
  /* the longest row of P: the row buffer of mf_amg_prolong_numeric is this workspace */
  int width = 0;
  for (mf_idx s = 0; s < P->n_slots; s++)
    if (P->row_ptr[s + 1] - P->row_ptr[s] > width) width = (int)(P->row_ptr[s + 1] - P->row_ptr[s]);
  /* row I: the coarse columns of P_k for every neighbour k of every fine row i in I; and
   * in the first pass the width of (R A)_I, its distinct fine columns k */
  for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel reduction(max : width)
    {
      const int tid = omp_get_thread_num();
      mf_idx *mk = &mark[(size_t)tid * (nc + 1)], *kmk = &lv->ra_slot[(size_t)tid * (lv->n + 1)];
      for (mf_idx c = 0; c < nc; c++) mk[c] = -1;
      if (!pass)
        for (mf_idx k = 0; k < lv->n; k++) kmk[k] = -1; /* first touch by its thread */
#pragma omp for schedule(static)
      for (mf_idx I = 0; I < nc; I++) {
        mf_nnz cnt = pass ? Ac->row_ptr[I] : 0;
        int w = 0;
        for (mf_nnz t = rt_ptr[I]; t < rt_ptr[I + 1]; t++) {
          mf_idx i = rt_row[t];
          const mf_nnz len = mf_bcsr_row_len(A, i);
          for (mf_nnz b = 0; b < len; b++) {
            mf_idx j = mf_bcsr_row_col(A, i, b);
            mf_idx ks = P->slot[j];
            if (ks < 0) continue;
            if (!pass && kmk[j] != I) kmk[j] = I, w++;
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
          }
        }
        if (w > width) width = w;
        if (!pass) Ac->row_ptr[I + 1] = cnt;
      }
    }
    if (!pass) {
      for (mf_idx I = 0; I < nc; I++) Ac->row_ptr[I + 1] += Ac->row_ptr[I];
      Ac->nnzb = Ac->row_ptr[nc];
      if ((st = MF_ALLOC_N(Ac->col, (size_t)Ac->nnzb + 1, "coarse matrix columns")))
        goto fail;
      if (single) st = MF_ALLOC_N(next->af, (size_t)Ac->bs2 * Ac->nnzb + 1, "coarse matrix values (float)");
      else st = MF_ALLOC_N(Ac->val, (size_t)Ac->bs2 * Ac->nnzb + 1, "coarse matrix values");
      if (st) goto fail;
    }
  }
  int ac_width = 0;
  for (mf_idx I = 0; I < nc; I++) {
    Ac->diag[I] = mf_bcsr_find(Ac, I, I);
    if (Ac->row_ptr[I + 1] - Ac->row_ptr[I] > ac_width) ac_width = (int)(Ac->row_ptr[I + 1] - Ac->row_ptr[I]);
  }
  lv->ra_width = width;
  lv->ac_width = ac_width;
  if ((st = MF_ALLOC_N(lv->ra_val, (size_t)nt * width * lv->bs * M + 1, "galerkin row workspace")) ||
      (st = MF_ALLOC_N(lv->ra_col, (size_t)nt * width + 1, "galerkin row columns")) ||
      (st = MF_ALLOC_N(lv->ac_pos, (size_t)nt * (nc + 1), "galerkin coarse positions")) ||
      (st = MF_ALLOC_N(lv->ac_row, (size_t)nt * ac_width * M * M + 1, "galerkin coarse row")))
    goto fail;
  for (size_t k = 0; k < (size_t)nt * (nc + 1); k++) lv->ac_pos[k] = -1;
  for (size_t k = 0; k < (size_t)nt * (lv->n + 1); k++) lv->ra_slot[k] = -1;
  mf_free(&mark);
  next->A = Ac;
  return MF_OK;
fail:
  mf_free(&mark);
  mf_free(&next->af);
  mf_bcsr_destroy(&Ac);
  return st;
}

/* The product, written once over a literal block size so that its small dense loops
 * unroll (see mf_amg_smoother.c): 3 on level 0, 6 below. */
#define GALERKIN_KERNEL(NAME, BS) \
static void NAME(mf_amg_level *lv, const mf_bcsr *Ac, double *acv, float *acf) {                                    \
  const mf_bcsr *A = lv->A;                                                                                          \
  const mf_amg_bmat *P = &lv->P;                                                                                     \
  const int bs = (BS), M = MF_AMG_MODES, pb = bs * M, M2 = M * M;                                                    \
_Pragma("omp parallel")                                                                                              \
  {                                                                                                                  \
    const int tid = omp_get_thread_num();                                                                            \
    double *rav = &lv->ra_val[(size_t)tid * lv->ra_width * pb];                                                      \
    mf_idx *rac = &lv->ra_col[(size_t)tid * lv->ra_width];                                                           \
    mf_idx *slot = &lv->ra_slot[(size_t)tid * (lv->n + 1)];                                                          \
    mf_nnz *pos = &lv->ac_pos[(size_t)tid * (lv->nc + 1)];                                                           \
    double *acr = &lv->ac_row[(size_t)tid * lv->ac_width * M2];                                                      \
_Pragma("omp for schedule(static)")                                                                                  \
    for (mf_idx I = 0; I < lv->nc; I++) {                                                                            \
      const mf_nnz row0 = Ac->row_ptr[I], row_len = Ac->row_ptr[I + 1] - row0;                                       \
      for (mf_nnz z = 0; z < row_len; z++) { /* zero the row, index its columns */                                   \
        pos[Ac->col[row0 + z]] = z;                                                                                  \
        for (int e = 0; e < M2; e++) acr[(size_t)M2 * z + e] = 0.0;                                                  \
      }                                                                                                              \
      /* (R A)_I = sum over the fine rows i of column I of P, ascending: P_iI^T A_i;                                 \
       * its fine columns in order of first appearance */                                                            \
      int w = 0;                                                                                                     \
      for (mf_nnz t = lv->rt_ptr[I]; t < lv->rt_ptr[I + 1]; t++) {                                                   \
        const mf_idx i = lv->rt_row[t];                                                                              \
        double pbuf[6 * MF_AMG_MODES];                                                                               \
        const double *restrict Pi = mf_amg_pblock(P, lv->rt_pos[t], pb, pbuf);                                       \
        const mf_nnz len = mf_bcsr_row_len(A, i);                                                                    \
        for (mf_nnz b = 0; b < len; b++) {                                                                           \
          mf_idx k;                                                                                                  \
          int tr;                                                                                                    \
          double abuf[MF_AMG_MODES * MF_AMG_MODES];                                                                  \
          const double *Aik = mf_amg_row_block(lv, i, b, &k, &tr, abuf);                                             \
          if (P->slot[k] < 0) continue; /* no coarse column: adds nothing */                                         \
          if (slot[k] < 0) {                                                                                         \
            slot[k] = w;                                                                                             \
            rac[w] = k;                                                                                              \
            for (int z = 0; z < pb; z++) rav[(size_t)pb * w + z] = 0.0;                                              \
            w++;                                                                                                     \
          }                                                                                                          \
          double *restrict dst = &rav[(size_t)pb * slot[k]];                                                         \
          for (int m = 0; m < M; m++) /* each entry summed in a register, stored once */                             \
            for (int c = 0; c < bs; c++) {                                                                           \
              double acc = 0.0;                                                                                      \
              for (int r = 0; r < bs; r++) acc += Pi[M * r + m] * (tr ? Aik[bs * c + r] : Aik[bs * r + c]);          \
              dst[bs * m + c] += acc;                                                                                \
            }                                                                                                        \
        }                                                                                                            \
      }                                                                                                              \
      /* Ac[I, J] += (R A)_Ik P_kJ, fine columns k in the order above */                                             \
      for (int s = 0; s < w; s++) {                                                                                  \
        const mf_idx k = rac[s], ks = P->slot[k];                                                                    \
        slot[k] = -1;                                                                                                \
        const double *restrict ra = &rav[(size_t)pb * s];                                                            \
        for (mf_nnz q = P->row_ptr[ks]; q < P->row_ptr[ks + 1]; q++) {                                               \
          double pbuf[6 * MF_AMG_MODES];                                                                             \
          const double *restrict Pk = mf_amg_pblock(P, q, pb, pbuf);                                                 \
          double *restrict blk = &acr[(size_t)M2 * pos[P->col[q]]];                                                  \
          for (int m = 0; m < M; m++) /* each entry summed in a register, stored once */                             \
            for (int n = 0; n < M; n++) {                                                                            \
              double acc = 0.0;                                                                                      \
              for (int c = 0; c < bs; c++) acc += ra[bs * m + c] * Pk[M * c + n];                                    \
              blk[M * m + n] += acc;                                                                                 \
            }                                                                                                        \
        }                                                                                                            \
      }                                                                                                              \
      for (mf_nnz z = 0; z < row_len; z++) pos[Ac->col[row0 + z]] = -1;                                              \
      if (acf) /* the row, summed in double, stored once */                                                          \
        for (size_t e = 0; e < (size_t)M2 * row_len; e++) acf[(size_t)M2 * row0 + e] = (float)acr[e];                \
      else                                                                                                           \
        memcpy(&acv[(size_t)M2 * row0], acr, (size_t)M2 * row_len * sizeof *acr);                                    \
    }                                                                                                                \
  }                                                                                                                  \
}
GALERKIN_KERNEL(galerkin3, 3)
GALERKIN_KERNEL(galerkin6, 6)
GALERKIN_KERNEL(galerkinn, lv->bs)

void mf_amg_galerkin_numeric(mf_amg_level *lv, mf_amg_level *next) {
  const int M = MF_AMG_MODES, M2 = M * M;
  const mf_bcsr *Ac = next->A;
  if (lv->bs == 3) galerkin3(lv, Ac, Ac->val, next->af);
  else if (lv->bs == 6) galerkin6(lv, Ac, Ac->val, next->af);
  else galerkinn(lv, Ac, Ac->val, next->af);
  /* dropped coarse unknowns: zero row and column, unit diagonal */
#pragma omp parallel for schedule(static)
  for (mf_idx I = 0; I < lv->nc; I++)
    for (int k = 0; k < M; k++)
      if (lv->dropped[(size_t)M * I + k]) {
        const size_t e = (size_t)M2 * Ac->diag[I] + (M + 1) * k;
        if (next->af) next->af[e] = 1.0f;
        else Ac->val[e] = 1.0;
      }
}
