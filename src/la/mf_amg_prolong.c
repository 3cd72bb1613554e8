/* Near-nullspace, tentative and smoothed prolongator, restriction (mf_amg_impl.h).
 *
 * Tentative: on each aggregate the near-nullspace rows of its members (bs each, 6
 * columns) are orthonormalised by modified Gram-Schmidt, twice (one reorthogonalisation
 * keeps the columns orthogonal to round-off), in a per-thread double workspace; the
 * result, stored in Q (float with amg.precision single), is the prolongator block of
 * each member and R (6 x 6) the coarse node's near-nullspace. A
 * column that is (numerically) a combination of the earlier ones - an aggregate too
 * small or too flat to carry all six modes - is dropped: a zero column of Q, a zero row
 * of R, and a coarse unknown the Galerkin step gives a unit diagonal.
 *
 * Smoothed: P = (I - omega D^-1 A) Q with D the block diagonal and omega = 4/(3 lmax).
 * Row i of A Q gathers A_ik Q_k into the coarse columns agg(k), in A's column order.
 *
 * P's rows are stored in ascending fine row. The restriction P^T x sums each coarse row
 * over its fine rows in ascending order (the transpose lists of the Galerkin product),
 * which fixes the sum order by the mesh alone, at any thread or process count; storing
 * P^T instead would double its memory. It reads P front to back, each thread adding the
 * terms of its own coarse rows as it passes them (RESTRICT_KERNEL).
 * (An earlier restriction added the rows colour by colour, reading P front to back: its
 * order depended on a greedy colouring that processes cannot reproduce.) */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

void mf_amg_find_fixed(mf_amg_level *lv) {
  const mf_bcsr *A = lv->A;
  const int bs = lv->bs;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < lv->n; i++)
    for (int r = 0; r < bs; r++) {
      int alone = 1;
      const mf_nnz len = mf_bcsr_row_len(A, i);
      for (mf_nnz k = 0; k < len && alone; k++) {
        mf_idx j;
        int t;
        double buf[MF_AMG_MODES * MF_AMG_MODES];
        const double *b = mf_amg_row_block(lv, i, k, &j, &t, buf);
        for (int c = 0; c < bs; c++)
          if ((j != i || c != r) && (t ? b[bs * c + r] : b[bs * r + c]) != 0.0) alone = 0;
      }
      lv->fixed[(size_t)bs * i + r] = (uint8_t)alone;
    }
}

void mf_amg_rigid_rows(const double *p, const double *o, const uint8_t *fixed, double *b) {
  const int M = MF_AMG_MODES;
  const double x = p[0] - o[0], y = p[1] - o[1], z = p[2] - o[2];
  /* translations, then rotations about x, y, z: (0,-z,y), (z,0,-x), (-y,x,0) */
  const double rows[3][6] = {{1, 0, 0, 0, z, -y}, {0, 1, 0, -z, 0, x}, {0, 0, 1, y, -x, 0}};
  for (int c = 0; c < 3; c++)
    for (int k = 0; k < M; k++) b[M * c + k] = fixed[c] ? 0.0 : rows[c][k];
}

/* Rows of unknowns c = 0..2 of node i of level 0's near-nullspace into b (3 x 6). */
static void rigid_mode_rows(const mf_amg_level *lv, const double *xyz, mf_idx i, double *b) {
  mf_idx a = lv->agg[i];
  const double *o = a >= 0 ? &xyz[3 * (size_t)lv->root[a]] : &xyz[3 * (size_t)i];
  mf_amg_rigid_rows(&xyz[3 * (size_t)i], o, &lv->fixed[(size_t)3 * i], b);
}

void mf_amg_rigid_modes(const mf_amg_level *lv, const double *xyz, double *B) {
  static const double origin[3] = {0.0, 0.0, 0.0};
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < lv->n; i++)
    mf_amg_rigid_rows(&xyz[3 * (size_t)i], origin, &lv->fixed[(size_t)3 * i], &B[(size_t)3 * MF_AMG_MODES * i]);
}

void mf_amg_modes_about_origin(const double *o, double *Bc) {
  const int M = MF_AMG_MODES;
  /* C[j][k] = (e_k x o)_j: the translation that turns a rotation about o into one about the origin */
  const double C[3][3] = {{0.0, o[2], -o[1]}, {-o[2], 0.0, o[0]}, {o[1], -o[0], 0.0}};
  for (int r = 0; r < M; r++) {
    double *row = &Bc[(size_t)M * r];
    for (int k = 0; k < 3; k++) row[3 + k] += row[0] * C[0][k] + row[1] * C[1][k] + row[2] * C[2][k];
  }
}

mf_status mf_amg_tentative_alloc(mf_amg_level *lv, int single) {
  const size_t pb = (size_t)lv->bs * MF_AMG_MODES;
  mf_idx most = 1;
  for (mf_idx a = 0; a < lv->nc; a++)
    if (lv->agg_ptr[a + 1] - lv->agg_ptr[a] > most) most = (mf_idx)(lv->agg_ptr[a + 1] - lv->agg_ptr[a]);
  lv->qr_rows = lv->bs * (int)most;
  const int nt = omp_get_max_threads();
  mf_status st = single ? MF_ALLOC_N(lv->Qf, pb * lv->n + 1, "tentative prolongator (float)")
                        : MF_ALLOC_N(lv->Q, pb * lv->n + 1, "tentative prolongator");
  if (!st) st = MF_ALLOC_N(lv->dropped, (size_t)lv->nc * MF_AMG_MODES + 1, "dropped coarse modes");
  if (!st) st = MF_ALLOC_N(lv->qr_work, (size_t)nt * lv->qr_rows * MF_AMG_MODES + 1, "QR workspace");
  return st;
}

/* Entry (row r of the aggregate's stacked rows, column k) of the workspace W: row r is
 * unknown r % bs of member r / bs. */
#define WAT(r, k) W[(size_t)(r) * MF_AMG_MODES + (k)]

mf_status mf_amg_tentative(mf_amg_level *lv, const double *xyz, double *Bc) {
  const int M = MF_AMG_MODES, bs = lv->bs;
  const size_t pb = (size_t)bs * M;
  const double *B = lv->B;
  MF_CHECK(B || (xyz && bs == 3), MF_ERR_INTERNAL, "multigrid: no near-nullspace for the tentative prolongator");
  /* rows in no aggregate (wholly fixed) have no block in Q */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < lv->n; i++)
    if (lv->agg[i] < 0)
      for (size_t k = 0; k < pb; k++) {
        if (lv->Qf) lv->Qf[pb * i + k] = 0.0f;
        else lv->Q[pb * i + k] = 0.0;
      }
#pragma omp parallel for schedule(dynamic, 64)
  for (mf_idx a = 0; a < lv->nc; a++) {
    double *W = &lv->qr_work[(size_t)omp_get_thread_num() * lv->qr_rows * M];
    const mf_idx *rows = &lv->agg_rows[lv->agg_ptr[a]];
    const int members = (int)(lv->agg_ptr[a + 1] - lv->agg_ptr[a]), m = members * bs;
    for (int t = 0; t < members; t++) { /* the members' near-nullspace rows, stacked */
      if (B) memcpy(&WAT(bs * t, 0), &B[pb * rows[t]], pb * sizeof *W);
      else rigid_mode_rows(lv, xyz, rows[t], &WAT(bs * t, 0));
    }
    mf_amg_qr(W, m, &Bc[(size_t)M * M * a], &lv->dropped[(size_t)M * a]);
    if (!B) mf_amg_modes_about_origin(&xyz[3 * (size_t)lv->root[a]], &Bc[(size_t)M * M * a]);
    for (int t = 0; t < members; t++) { /* Q's rows of the members, rounded once if float */
      const double *w = &WAT(bs * t, 0);
      if (lv->Qf)
        for (size_t k = 0; k < pb; k++) lv->Qf[pb * rows[t] + k] = (float)w[k];
      else memcpy(&lv->Q[pb * rows[t]], w, pb * sizeof *w);
    }
  }
  return MF_OK;
}

void mf_amg_qr(double *W, int m, double *Bc, uint8_t *dropped) {
  const int M = MF_AMG_MODES;
  double R[MF_AMG_MODES][MF_AMG_MODES] = {{0}};
  for (int k = 0; k < M; k++) {
    double n0 = 0.0;
    for (int r = 0; r < m; r++) n0 += WAT(r, k) * WAT(r, k);
    n0 = sqrt(n0);
    for (int pass = 0; pass < 2; pass++) /* Gram-Schmidt twice */
      for (int j = 0; j < k; j++) {
        double h = 0.0;
        for (int r = 0; r < m; r++) h += WAT(r, j) * WAT(r, k);
        for (int r = 0; r < m; r++) WAT(r, k) -= h * WAT(r, j);
        R[j][k] += h;
      }
    double nk = 0.0;
    for (int r = 0; r < m; r++) nk += WAT(r, k) * WAT(r, k);
    nk = sqrt(nk);
    int drop = !(nk > 1e-10 * n0) || !(nk > 0.0);
    dropped[k] = (uint8_t)drop;
    R[k][k] = drop ? 0.0 : nk;
    for (int r = 0; r < m; r++) WAT(r, k) = drop ? 0.0 : WAT(r, k) / nk;
    if (drop)
      for (int j = k + 1; j < M; j++) R[k][j] = 0.0;
  }
  for (int k = 0; k < M; k++)
    for (int j = 0; j < M; j++) Bc[(size_t)M * k + j] = dropped[k] ? 0.0 : R[k][j];
}
#undef WAT

/* Row i's coarse columns (the aggregates of i and of its neighbours), ascending, into
 * out; mk (nc marks, -1 or a row) is reset for them on return. */
static int row_pattern(const mf_amg_level *lv, mf_idx i, mf_idx *mk, mf_idx *out) {
  const mf_bcsr *A = lv->A;
  int k = 0;
  const mf_nnz len = mf_bcsr_row_len(A, i);
  for (mf_nnz b = 0; b < len; b++) {
    mf_idx a = lv->agg[mf_bcsr_row_col(A, i, b)];
    if (a < 0 || mk[a] == i) continue;
    mk[a] = i;
    int q = k++; /* insertion keeps the row sorted by key (rows are short) */
    while (q > 0 && mf_amg_coarse_key(lv, out[q - 1]) > mf_amg_coarse_key(lv, a)) {
      out[q] = out[q - 1];
      q--;
    }
    out[q] = a;
  }
  for (int q = 0; q < k; q++) mk[out[q]] = -1;
  return k;
}

mf_status mf_amg_prolong_symbolic(mf_amg_level *lv, int single) {
  const mf_bcsr *A = lv->A;
  const mf_idx n = lv->n, nc = lv->nc + lv->nc_ghost; /* coarse columns: owned and ghost */
  mf_amg_bmat *P = &lv->P;
  P->n_rows = n, P->n_cols = nc, P->rb = lv->bs, P->cb = MF_AMG_MODES;
  mf_idx *mark = NULL, *tcol = NULL;
  mf_nnz *tptr = NULL;
  mf_status st;
  int nt = 1;
#pragma omp parallel
#pragma omp single
  nt = omp_get_num_threads();
  int maxw = 0;
  for (mf_idx i = 0; i < n; i++) {
    int w = (int)mf_bcsr_row_len(A, i);
    maxw = w > maxw ? w : maxw;
  }
  /* the pattern in fine-row order first */
  if ((st = MF_CALLOC_N(tptr, (size_t)n + 1, "prolongator row lengths")) ||
      (st = MF_ALLOC_N(mark, (size_t)nt * (nc + 1) + (size_t)nt * (maxw + 1), "prolongator marks")))
    goto done;
  for (size_t k = 0; k < (size_t)nt * (nc + 1); k++) mark[k] = -1;
  for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel
    {
      const int tid = omp_get_thread_num();
      mf_idx *mk = &mark[(size_t)tid * (nc + 1)], *buf = &mark[(size_t)nt * (nc + 1) + (size_t)tid * (maxw + 1)];
#pragma omp for schedule(static)
      for (mf_idx i = 0; i < n; i++) {
        int k = row_pattern(lv, i, mk, buf);
        if (!pass) tptr[i + 1] = k;
        else memcpy(&tcol[tptr[i]], buf, (size_t)k * sizeof *buf);
      }
    }
    if (!pass) {
      for (mf_idx i = 0; i < n; i++) tptr[i + 1] += tptr[i];
      if ((st = MF_ALLOC_N(tcol, (size_t)tptr[n] + 1, "prolongator columns (by row)"))) goto done;
    }
  }
  /* slots: the rows that have a block, ascending (rows without one are not stored) */
  mf_idx n_slots = 0;
  for (mf_idx i = 0; i < n; i++) n_slots += tptr[i + 1] > tptr[i];
  P->n_slots = n_slots;
  if ((st = MF_ALLOC_N(P->row, (size_t)n_slots + 1, "prolongator rows")) ||
      (st = MF_ALLOC_N(P->slot, (size_t)n + 1, "prolongator slots")) ||
      (st = MF_ALLOC_N(P->row_ptr, (size_t)n_slots + 1, "prolongator offsets")) ||
      (st = MF_ALLOC_N(P->col, (size_t)tptr[n] + 1, "prolongator columns")) ||
      (st = single ? MF_ALLOC_N(P->valf, (size_t)P->rb * P->cb * tptr[n] + 1, "prolongator values (single)")
                   : MF_ALLOC_N(P->val, (size_t)P->rb * P->cb * tptr[n] + 1, "prolongator values")))
    goto done;
  for (mf_idx i = 0, s = 0; i < n; i++) {
    P->slot[i] = -1;
    if (tptr[i + 1] > tptr[i]) P->row[s++] = i;
  }
  P->row_ptr[0] = 0;
  for (mf_idx s = 0; s < n_slots; s++) {
    mf_idx i = P->row[s];
    P->slot[i] = s;
    P->row_ptr[s + 1] = P->row_ptr[s] + (tptr[i + 1] - tptr[i]);
  }
  /* columns into slot order; values first touched with the numeric loop's schedule */
  {
    double *val = P->val;
    float *valf = P->valf;
    const int pb = P->rb * P->cb;
#pragma omp parallel for schedule(static)
    for (mf_idx s = 0; s < n_slots; s++) {
      mf_idx i = P->row[s];
      memcpy(&P->col[P->row_ptr[s]], &tcol[tptr[i]], (size_t)(tptr[i + 1] - tptr[i]) * sizeof *tcol);
      for (mf_nnz k = (mf_nnz)pb * P->row_ptr[s]; k < (mf_nnz)pb * P->row_ptr[s + 1]; k++) {
        if (val) val[k] = 0.0;
        else valf[k] = 0.0f;
      }
    }
  }
done:
  mf_free(&mark);
  mf_free(&tcol);
  mf_free(&tptr);
  return st;
}

void mf_amg_prolong_numeric(mf_amg_level *lv) {
  const mf_bcsr *A = lv->A;
  mf_amg_bmat *P = &lv->P;
  const int bs = lv->bs, M = MF_AMG_MODES, pb = bs * M;
  const double omega = 4.0 / (3.0 * lv->lmax);
  /* each row is formed in double in a per-row buffer (the longest row: the work array of
   * the Galerkin product, free during the set-up), then stored in P's precision */
#pragma omp parallel
  {
  double *rowbuf = &lv->ra_val[(size_t)omp_get_thread_num() * lv->ra_width * pb];
#pragma omp for schedule(static)
  for (mf_idx s = 0; s < P->n_slots; s++) {
    const mf_idx i = P->row[s];
    const mf_nnz np = P->row_ptr[s + 1] - P->row_ptr[s], q0 = P->row_ptr[s];
    double *row = rowbuf;
    for (mf_nnz k = 0; k < pb * np; k++) row[k] = 0.0;
    /* (A Q)_i into the blocks of P's row */
    const mf_nnz len = mf_bcsr_row_len(A, i);
    for (mf_nnz b = 0; b < len; b++) {
      mf_idx k;
      int tr;
      double abuf[MF_AMG_MODES * MF_AMG_MODES];
      const double *Aik = mf_amg_row_block(lv, i, b, &k, &tr, abuf);
      mf_idx a = lv->agg[k];
      if (a < 0) continue;
      mf_nnz q = q0;
      while (P->col[q] != a) q++;
      double *restrict blk = &row[(size_t)pb * (q - q0)];
      double qbuf[3 * MF_AMG_MODES * MF_AMG_MODES];
      const double *restrict Qk = mf_amg_qblock(lv, k, qbuf);
      for (int r = 0; r < bs; r++) /* each entry summed in a register, stored once */
        for (int m = 0; m < M; m++) {
          double acc = 0.0;
          for (int c = 0; c < bs; c++) acc += (tr ? Aik[bs * c + r] : Aik[bs * r + c]) * Qk[M * c + m];
          blk[M * r + m] += acc;
        }
    }
    /* P_iJ = Q_i [J = agg(i)] - omega D_i^-1 (A Q)_iJ */
    const double *Di = &lv->dinv[(size_t)bs * bs * i];
    double qbuf[3 * MF_AMG_MODES * MF_AMG_MODES];
    const double *Qi = mf_amg_qblock(lv, i, qbuf);
    for (mf_nnz q = q0; q < P->row_ptr[s + 1]; q++) {
      const double *t = &row[(size_t)pb * (q - q0)];
      const int own = P->col[q] == lv->agg[i];
      for (int r = 0; r < bs; r++)
        for (int m = 0; m < M; m++) {
          double v = 0.0;
          for (int c = 0; c < bs; c++) v += Di[bs * r + c] * t[M * c + m];
          v = (own ? Qi[M * r + m] : 0.0) - omega * v;
          if (P->val) P->val[(size_t)pb * q + M * r + m] = v;
          else P->valf[(size_t)pb * q + M * r + m] = (float)v;
        }
    }
  }
  }
}

/* Restriction and prolongation, written once as macros over a literal row block size
 * (3 on level 0, 6 below) so the compiler unrolls them (see mf_amg_smoother.c). */
/* The term P_iI^T x_i of block blk (bs x 6) and row x_i into s[6]: the one arithmetic of
 * a restriction term, wherever it is formed. */
#define RESTRICT_TERM(blk, xi, bs, s)                                                              \
  for (int m_ = 0; m_ < MF_AMG_MODES; m_++) {                                                      \
    double t_ = 0.0;                                                                               \
    for (int r_ = 0; r_ < (bs); r_++) t_ += (blk)[MF_AMG_MODES * r_ + m_] * (xi)[r_];              \
    (s)[m_] = t_;                                                                                  \
  }
/* y_c = P^T x: each coarse row sums its terms P_iI^T x_i from zero in ascending fine key
 * (the order of the transpose lists), so the order is the mesh's alone and the same
 * across processes, where the terms of other ranks' fine rows arrive computed (remote)
 * by TERMS_KERNEL's identical arithmetic. P is read front to back: thread k owns a
 * static range of coarse rows and walks the fine rows whose P rows reach into it (the
 * band between its rows' first and last local fine row in the lists), adding each term
 * of its own columns as it passes. Owned fine rows ascend by key, so each coarse row
 * meets its local terms in list order; a received term is added when the walk reaches
 * its place in the list (X->cur: each coarse row's next list entry), and those after
 * the last local term at the end. Reading through the lists instead scattered the reads
 * of P's blocks and x's rows over the band (the restriction then took a quarter of a
 * V-cycle on one process); this order streams them, and a thread reads only the column
 * numbers of its neighbours' blocks where the bands overlap. Bit for bit the same sums
 * at any thread count: no colours, no atomics. */
#define RESTRICT_KERNEL(name, BS, T, VAL)                                                          \
  static void name(const mf_amg_level *lv, const double *restrict x, const double *restrict remote, \
                   double *restrict yc) {                                                          \
    const mf_amg_bmat *P = &lv->P;                                                                 \
    const int bs = (BS), M = MF_AMG_MODES, pb = bs * M;                                            \
    const mf_nnz *rt_ptr = lv->rt_ptr;                                                             \
    const mf_idx *rt_row = lv->rt_row;                                                             \
    mf_nnz *cur = lv->xfer.cur;                                                                    \
    _Pragma("omp parallel") {                                                                      \
      const int nt = omp_get_num_threads(), me = omp_get_thread_num();                             \
      const mf_idx I0 = (mf_idx)((int64_t)lv->nc * me / nt);                                       \
      const mf_idx I1 = (mf_idx)((int64_t)lv->nc * (me + 1) / nt);                                 \
      mf_idx lo = lv->n, hi = -1;                                                                  \
      for (mf_idx I = I0; I < I1; I++) {                                                           \
        for (int m = 0; m < M; m++) yc[(size_t)M * I + m] = 0.0;                                   \
        if (remote) cur[I] = rt_ptr[I];                                                            \
        mf_nnz a = rt_ptr[I], b = rt_ptr[I + 1];                                                   \
        while (a < b && rt_row[a] < 0) a++;                                                        \
        while (b > a && rt_row[b - 1] < 0) b--;                                                    \
        if (a == b) continue;                                                                      \
        if (rt_row[a] < lo) lo = rt_row[a];                                                        \
        if (rt_row[b - 1] > hi) hi = rt_row[b - 1];                                                \
      }                                                                                            \
      const mf_idx t1 = hi < 0 ? -1 : P->slot[hi];                                                 \
      for (mf_idx t = hi < 0 ? 0 : P->slot[lo]; t <= t1; t++) {                                    \
        const double *xi = &x[(size_t)bs * P->row[t]];                                             \
        for (mf_nnz q = P->row_ptr[t]; q < P->row_ptr[t + 1]; q++) {                               \
          const mf_idx I = P->col[q];                                                              \
          if (I < I0 || I >= I1) continue;                                                         \
          double *y = &yc[(size_t)M * I];                                                          \
          if (remote) {                                                                            \
            for (; rt_row[cur[I]] < 0; cur[I]++) {                                                 \
              const double *s = &remote[(size_t)M * (-1 - (mf_nnz)rt_row[cur[I]])];                \
              for (int m = 0; m < M; m++) y[m] += s[m];                                            \
            }                                                                                      \
            cur[I]++;                                                                              \
          }                                                                                        \
          double s[MF_AMG_MODES];                                                                  \
          RESTRICT_TERM(&P->VAL[(size_t)pb * q], xi, bs, s);                                       \
          for (int m = 0; m < M; m++) y[m] += s[m];                                                \
        }                                                                                          \
      }                                                                                            \
      if (remote)                                                                                  \
        for (mf_idx I = I0; I < I1; I++)                                                           \
          for (; cur[I] < rt_ptr[I + 1]; cur[I]++) {                                               \
            const double *s = &remote[(size_t)M * (-1 - (mf_nnz)rt_row[cur[I]])];                  \
            for (int m = 0; m < M; m++) yc[(size_t)M * I + m] += s[m];                             \
          }                                                                                        \
    }                                                                                              \
  }

/* The terms this rank sends other ranks' coarse rows, each as RESTRICT_KERNEL forms it. */
#define TERMS_KERNEL(name, BS, T, VAL)                                                             \
  static void name(const mf_amg_level *lv, const double *restrict x) {                             \
    const mf_amg_bmat *P = &lv->P;                                                                 \
    const mf_amg_transfer *X = &lv->xfer;                                                          \
    const int bs = (BS), M = MF_AMG_MODES, pb = bs * M;                                            \
    const mf_nnz ne = X->send_ptr[X->n_ranks] / M;                                                 \
    _Pragma("omp parallel for schedule(static)") for (mf_nnz e = 0; e < ne; e++) {                 \
      RESTRICT_TERM(&P->VAL[(size_t)pb * X->send_q[e]], &x[(size_t)bs * X->send_row[e]], bs,      \
                    &X->send_buf[(size_t)M * e]);                                                  \
    }                                                                                              \
  }

#define PROLONG_KERNEL(name, BS, T, VAL)                                                           \
  static void name(const mf_amg_level *lv, const double *restrict xc, double *restrict y) {        \
    const mf_amg_bmat *P = &lv->P;                                                                 \
    const int bs = (BS), M = MF_AMG_MODES, pb = bs * M;                                            \
    _Pragma("omp parallel for schedule(static)") for (mf_idx t = 0; t < P->n_slots; t++) {         \
      double s[MF_AMG_MODES] = {0};                                                                \
      for (mf_nnz q = P->row_ptr[t]; q < P->row_ptr[t + 1]; q++) {                                 \
        const T *blk = &P->VAL[(size_t)pb * q];                                                    \
        const double *xj = &xc[(size_t)M * P->col[q]];                                             \
        for (int r = 0; r < bs; r++)                                                               \
          for (int m = 0; m < M; m++) s[r] += blk[M * r + m] * xj[m];                              \
      }                                                                                            \
      double *yi = &y[(size_t)bs * P->row[t]];                                                     \
      for (int r = 0; r < bs; r++) yi[r] += s[r];                                                  \
    }                                                                                              \
  }
/* The three transfer kernels for one block size and value type. */
#define TRANSFER_KERNELS(sfx, BS, T, VAL)                                                          \
  RESTRICT_KERNEL(restrict##sfx, BS, T, VAL)                                                       \
  TERMS_KERNEL(terms##sfx, BS, T, VAL)                                                             \
  PROLONG_KERNEL(prolong##sfx, BS, T, VAL)
TRANSFER_KERNELS(3, 3, double, val)
TRANSFER_KERNELS(6, 6, double, val)
TRANSFER_KERNELS(n, lv->bs, double, val)
TRANSFER_KERNELS(3f, 3, float, valf)
TRANSFER_KERNELS(6f, 6, float, valf)
TRANSFER_KERNELS(nf, lv->bs, float, valf)

void mf_amg_restrict(const mf_amg_level *lv, const double *restrict x, const double *restrict remote,
                     double *restrict yc) {
  const int f = lv->P.valf != NULL;
  if (lv->bs == 3) (f ? restrict3f : restrict3)(lv, x, remote, yc);
  else if (lv->bs == 6) (f ? restrict6f : restrict6)(lv, x, remote, yc);
  else (f ? restrictnf : restrictn)(lv, x, remote, yc);
}

void mf_amg_restrict_terms(const mf_amg_level *lv, const double *restrict x) {
  const int f = lv->P.valf != NULL;
  if (lv->bs == 3) (f ? terms3f : terms3)(lv, x);
  else if (lv->bs == 6) (f ? terms6f : terms6)(lv, x);
  else (f ? termsnf : termsn)(lv, x);
}

void mf_amg_prolong_add(const mf_amg_level *lv, const double *restrict xc, double *restrict y) {
  const int f = lv->P.valf != NULL;
  if (lv->bs == 3) (f ? prolong3f : prolong3)(lv, xc, y);
  else if (lv->bs == 6) (f ? prolong6f : prolong6)(lv, xc, y);
  else (f ? prolongnf : prolongn)(lv, xc, y);
}

void mf_amg_bmat_free(mf_amg_bmat *P) {
  mf_free(&P->valf);
  mf_free(&P->row);
  mf_free(&P->slot);
  mf_free(&P->row_ptr);
  mf_free(&P->col);
  mf_free(&P->val);
}
