/* Internals of memfem's multigrid (la/mf_amg.h): the level structure and the steps of
 * its setup, each a function over flat arrays in its own file:
 *   mf_amg_aggregate.c  strength graph, distance-2 independent roots, aggregates
 *   mf_amg_prolong.c    near-nullspace, tentative prolongator (QR), smoothing, transpose
 *   mf_amg_galerkin.c   coarse operator R A P
 *   mf_amg_span.c       across processes: coarse numbering, the tentative prolongator
 *                       of aggregates that span processes, the next level's halo
 *   mf_amg_galerkin_span.c  across processes: the coarse operator's owned rows
 *   mf_amg_transfer_span.c  across processes: restriction and prolongation
 *   mf_amg_coarsest.c   the coarsest level: dense Cholesky, across processes on rank 0
 *   mf_amg_smoother.c   block-diagonal inverses, Lanczos lmax, Chebyshev
 *   mf_dense.c          small dense kernels and the coarsest level's Cholesky
 *   mf_pc_amg.c         the preconditioner object, the V-cycle, the hierarchy report
 * Across processes (issue 14) every step gives, on a process's owned rows, the bits of
 * one process (tests/test_amg_mpi.c), and so does the whole V-cycle (tests/check_run_mpi.py).
 * Not a public header: only these files (and the multigrid's tests) include it. */
#ifndef MF_AMG_IMPL_H
#define MF_AMG_IMPL_H

#include <stdint.h>

#include "la/mf_amg.h"
#include "la/mf_bcsr.h"
#include "la/mf_halo.h"
#include "la/mf_operator.h"
#include "la/mf_vec.h"

#define MF_AMG_MODES 6 /* rigid-body modes: coarse block size */
#define MF_AMG_NONE UINT64_MAX /* no key, no id */

/* The prolongator: rb x cb blocks, row-major, columns sorted in a row. Its rows are
 * stored ascending (slot s holds fine row row[s]; rows with no block are not stored). */
typedef struct {
  mf_idx n_rows, n_cols, n_slots;
  int rb, cb;
  mf_idx *row;     /* n_slots: the fine row in each slot */
  mf_idx *slot;    /* n_rows: the slot of each fine row, -1 when it has no block */
  mf_nnz *row_ptr; /* n_slots + 1 */
  mf_idx *col;
  double *val;     /* rb * cb per block, in double ... */
  float *valf;     /* ... or in single precision (amg.precision: single): one of the two */
} mf_amg_bmat;

/* Block k of len values from an array kept in double (dv) or, when dv is NULL, in float
 * (fv): the doubles themselves, or the floats widened into buf. The one way the
 * multigrid reads values that amg.precision single may store in float. */
static inline const double *mf_amg_block_of(const double *dv, const float *fv, size_t k, size_t len, double *buf) {
  if (dv) return &dv[len * k];
  const float *f = &fv[len * k];
  for (size_t j = 0; j < len; j++) buf[j] = f[j];
  return buf;
}

/* Block q of P into a double buffer (pb = rb * cb values). */
static inline const double *mf_amg_pblock(const mf_amg_bmat *P, mf_nnz q, int pb, double *buf) {
  return mf_amg_block_of(P->val, P->valf, (size_t)q, (size_t)pb, buf);
}

/* Across processes, the members of this process's aggregates that other processes own,
 * and where this process's rows in other processes' aggregates go (mf_amg_span.c): made
 * once by mf_amg_span_create, used by every numeric set-up. */
typedef struct {
  int n_ranks;               /* the processes this one sends members to or receives from */
  int32_t *ranks;
  mf_nnz *out_ptr, *in_ptr;  /* n_ranks + 1: members sent to / received from each */
  mf_nnz *vptr;              /* 4 (n_ranks + 1): the same in values of a payload (out, in),
                                then of a Q row (out, in) */
  mf_idx *out_rows;          /* owned rows sent, rank by rank, ascending in each */
  int width;                 /* values of a member's payload */
  double *out_buf, *in_buf;  /* payloads: out_ptr, in_ptr members */
  double *qout, *qin;        /* Q rows: the received members' (going back), the sent ones' */
  mf_nnz *mem_ptr;           /* nc + 1: the members of each owned aggregate, ascending key: */
  mf_nnz *mem;               /*   >= 0 an owned row, < 0 received member -1 - mem[k] */
  mf_halo *qhalo;            /* Q's ghost rows (bs * 6 values per row) */
  double *qx;                /* Q in double for that exchange when Q is in float */
} mf_amg_span;

/* Across processes, what restriction and prolongation exchange (mf_amg_transfer_span.c):
 * the restriction's terms P_iI^T x_i of owned fine rows i for other ranks' coarse rows I
 * (each computed where x_i is and summed by I's owner in one process's order), and the
 * coarse correction's values of other ranks' coarse rows that owned P rows name. */
typedef struct {
  int n_ranks;
  int32_t *ranks;
  mf_nnz *send_ptr, *recv_ptr; /* n_ranks + 1, in values: 6 per term */
  mf_nnz *send_q;              /* each term sent: its block of P */
  mf_idx *send_row;            /*   and its fine row */
  double *send_buf, *recv_buf;
  mf_halo *chalo;              /* P's coarse columns owned elsewhere (lv->cg_*), 6 per row */
  double *xc;                  /* (nc + nc_ghost) * 6: the coarse correction with those rows */
  mf_nnz *cur;                 /* nc: each owned coarse row's next transpose-list entry while a
                                  restriction runs (where a received term joins its sum) */
} mf_amg_transfer;

typedef struct {
  /* the level's operator: level 0 borrows the preconditioned matrix, coarser own theirs;
   * with amg.precision single a coarse level's values are in af (A->val is NULL) */
  mf_bcsr *A;
  float *af;
  float *a0f; /* level 0 with amg.fine_precision single: A's values rounded to float, which
                 the V-cycle's smoother and residual read (set-up reads A's own) */
  int own_A;
  mf_vec_layout *L;
  int bs;
  mf_idx n;                /* block rows (across processes: this process's owned rows) */
  uint64_t *gid;           /* n + n_ghost: global id of each block row (hash key of the aggregation) */
  /* Across processes (issue 14; zero and NULL on one): ghost rows n .. n + n_ghost - 1
   * after the owned ones; the order key of every local row, its row number in the
   * one-process matrix (the mesh node on level 0, the root's key on coarser levels), by
   * which owned rows ascend and each row's blocks are sorted (NULL: the row number
   * itself); and the ghost exchange of one value per row. Both keys and ids stay below
   * 2^53 (they travel as doubles). */
  mf_idx n_ghost;
  const uint64_t *key;
  uint64_t *keys;          /* a coarse level's own keys (key points here) */
  int32_t *ghost_rank;     /* a coarse level's: n_ghost, the owner of each ghost row */
  mf_halo *halo;
  int own_halo;            /* a coarse level's (level 0 borrows its caller's) */
  const mf_operator *op;   /* across processes: products with A that refresh ghost rows
                              (level 0: the caller's; coarse levels: own_op) */
  mf_operator *own_op;
  mf_halo *vhalo;          /* a coarse level's ghost exchange of bs values per row (own_op's) */

  /* near-nullspace B (n * bs x 6; NULL on level 0, whose modes the QR computes from the
   * coordinates as it goes) and which unknowns are constrained (kept out of it) */
  double *B;
  uint8_t *fixed;          /* n * bs */

  /* to the next level (absent on the coarsest) */
  mf_idx *agg;             /* n + n_ghost: aggregate of each block row, -1: none (isolated);
                              across processes a local coarse row (mf_amg_span_create) */
  uint64_t *agg_key;       /* across processes: n + n_ghost, the key of each row's
                              aggregate root (MF_AMG_NONE: none); roots may be other ranks' */
  int32_t *agg_rank;       /*   and the rank that owns that root (-1: none) */
  mf_idx nc;               /* aggregates = block rows of the next level (owned ones) */
  mf_idx nc_ghost;         /* across processes: other ranks' aggregates that local rows
                              belong to, local coarse rows nc .. nc + nc_ghost - 1, */
  uint64_t *cg_key;        /*   ascending by their root's key, */
  int32_t *cg_rank;        /*   and their owners */
  mf_idx *root;            /* nc: the root row of each aggregate */
  mf_nnz *agg_ptr;         /* nc + 1: members of each aggregate, ascending rows */
  mf_idx *agg_rows;
  double *Q;               /* n * bs * 6: tentative prolongator block of each row, */
  float *Qf;               /*   or in float (amg.precision single): one of the two */
  int qr_rows;             /* most unknowns of an aggregate; per-thread QR workspace: */
  double *qr_work;         /*   n_threads * qr_rows * 6 */
  uint8_t *dropped;        /* nc * 6: coarse unknowns whose mode the QR dropped */
  mf_amg_span span;        /* across processes: aggregates' members on other processes */
  mf_amg_bmat P;           /* smoothed prolongator */
  /* Galerkin and restriction: for each coarse row, the fine rows whose P row has it
   * (ascending key) and the position of that block in P; across processes, only for the
   * owned coarse rows, and rt_row -1 - k is term k received from another rank */
  mf_nnz *rt_ptr;          /* nc + 1 */
  mf_idx *rt_row;
  uint32_t *rt_pos;
  mf_amg_transfer xfer;    /* across processes */
  struct mf_amg_galerkin_plan *gplan; /* across processes: what the first R A P made */
  struct mf_amg_exchange_space *xspace; /* across processes: the hierarchy's, borrowed */
  int ra_width;            /* most fine columns of a row of R A (R = P^T), at least the
                              longest row of P */
  int n_threads;           /* per-thread Galerkin workspaces: */
  double *ra_val;          /*   n_threads * ra_width * bs * 6 */
  mf_idx *ra_col;          /*   n_threads * ra_width */
  mf_idx *ra_slot;         /*   n_threads * n: a fine column's slot in the row, -1 */
  mf_nnz *ac_pos;          /*   n_threads * nc: a coarse column's block in the coarse row, -1 */
  int ac_width;            /* most blocks of a coarse row */
  double *ac_row;          /*   n_threads * ac_width * 36: the coarse row being summed */

  /* smoother */
  double *dinv;            /* n * bs * bs: inverted diagonal blocks */
  double lmax;             /* Lanczos estimate of lmax(D^-1 A) */

  /* vectors, n * bs each: r, d, w on every level (smoother, residual, Lanczos); x, b on
   * the coarse levels only (level 0 works on CG's vectors) */
  double *x, *b, *r, *d, *w;

  /* coarsest level: dense Cholesky factor (bs n)^2; across processes held by rank 0,
   * in the one-process order of the rows (mf_amg_coarsest.c) */
  double *chol;
  struct mf_amg_coarsest *gathered;
} mf_amg_level;

/* The order key of local row i: lv->key's, or the row itself (one process). */
static inline uint64_t mf_amg_key(const mf_amg_level *lv, mf_idx i) { return lv->key ? lv->key[i] : (uint64_t)i; }

/* The order key of local coarse row a (an aggregate): its root's key. */
static inline uint64_t mf_amg_coarse_key(const mf_amg_level *lv, mf_idx a) {
  return a < lv->nc ? mf_amg_key(lv, lv->root[a]) : lv->cg_key[a - lv->nc];
}

/* The block stored at position p of a level's matrix values: in A->val, or converted from
 * the level's floats into buf (36 doubles). */
static inline const double *mf_amg_stored_block(const mf_amg_level *lv, mf_nnz p, double *buf) {
  return mf_amg_block_of(lv->af ? NULL : lv->A->val, lv->af, (size_t)p, (size_t)lv->A->bs2, buf);
}

/* Block b of row i of a level's matrix, as mf_bcsr_row_block, through buf when its values
 * are floats (coarse levels: stored whole, never symmetric). */
static inline const double *mf_amg_row_block(const mf_amg_level *lv, mf_idx i, mf_nnz b, mf_idx *col, int *tr,
                                             double *buf) {
  if (!lv->af) return mf_bcsr_row_block(lv->A, i, b, col, tr);
  const mf_nnz p = lv->A->row_ptr[i] + b;
  *col = lv->A->col[p], *tr = 0;
  return mf_amg_stored_block(lv, p, buf);
}

/* Row i's block of Q (bs x 6), through buf when Q is in float. */
static inline const double *mf_amg_qblock(const mf_amg_level *lv, mf_idx i, double *buf) {
  return mf_amg_block_of(lv->Q, lv->Qf, (size_t)i, (size_t)lv->bs * MF_AMG_MODES, buf);
}

/* ---- mf_amg_aggregate.c ---- */
/* Aggregates of level lv's block graph, roots at least distance + 1 strong steps apart
 * (distance 2: aggregates of radius 2; 1: a root and its neighbours); sets lv->nc and
 * lv->root (the owned roots, ascending), and lv->agg on one process or lv->agg_key and
 * lv->agg_rank across processes (lv->halo set; collective), where every process gets, for its owned
 * rows, the aggregates one process gets for the whole matrix. Rows with every unknown
 * fixed (or with no neighbour in any aggregate) get none. */
mf_status mf_amg_aggregate(mf_amg_level *lv, double threshold, int distance);

/* ---- mf_amg_prolong.c ---- */
/* Level 0's near-nullspace from coordinates (3 per block row, bs = 3) into B (n * 3 x 6),
 * rotations about the coordinates' origin, the modes every level's prolongators must
 * reproduce; constrained unknowns get zero rows. */
void mf_amg_rigid_modes(const mf_amg_level *lv, const double *xyz, double *B);
/* Level 0's QR takes each aggregate's rotations about its root o (the same span, a better
 * conditioned QR), so R holds the coefficients of those local modes. A rotation about the
 * origin is, on the aggregate, the rotation about o plus the translation e_k x o: Bc (6 x
 * 6, R) becomes R T(o) in place, the coarse node's rows of the modes about the origin.
 * Without it every coarse node's rotations would turn about its own root, no rigid
 * motion of a coarse aggregate, and the coarser levels would lose the rotations. */
void mf_amg_modes_about_origin(const double *o, double *Bc);
/* Which unknowns are constrained: rows whose off-diagonal entries are all zero. */
void mf_amg_find_fixed(mf_amg_level *lv);
/* Rows of the three unknowns of the node at p (fixed: which are constrained) of the six
 * rigid-body modes, rotations about o, into b (3 x 6). */
void mf_amg_rigid_rows(const double *p, const double *o, const uint8_t *fixed, double *b);
/* QR of an aggregate's stacked near-nullspace rows W (m x 6, row-major) by Gram-Schmidt
 * twice, in place: W becomes the aggregate's rows of Q, Bc (6 x 6) its coarse
 * near-nullspace block (R, zero rows for dropped modes), dropped[6] the modes dropped. */
void mf_amg_qr(double *W, int m, double *Bc, uint8_t *dropped);
/* Members of each aggregate in ascending rows: lv->agg_ptr, lv->agg_rows (allocates). */
mf_status mf_amg_aggregate_lists(mf_amg_level *lv);
/* Q (in double, or Qf in float when single), lv->dropped and the per-thread QR workspace
 * for the aggregates made (allocates; symbolic). */
mf_status mf_amg_tentative_alloc(mf_amg_level *lv, int single);
/* Tentative prolongator Q (or Qf) from the near-nullspace (lv->B, or the rigid-body modes
 * of xyz on level 0, where B is NULL), one aggregate at a time in the workspace, and the
 * next level's near-nullspace Bc (nc * 6 x 6, zero rows for dropped modes); lv->dropped
 * marks them. Allocates nothing. */
mf_status mf_amg_tentative(mf_amg_level *lv, const double *xyz, double *Bc);
/* Pattern of the smoothed prolongator, values in double or single precision (allocates;
 * symbolic). */
mf_status mf_amg_prolong_symbolic(mf_amg_level *lv, int single);
/* P = (I - omega D^-1 A) Q, omega = 4 / (3 lmax): needs lv->dinv, lv->lmax. */
void mf_amg_prolong_numeric(mf_amg_level *lv);
/* y_c = P^T x (restriction: each coarse row sums its terms in ascending fine key, the
 * terms other ranks sent from `remote`, NULL on one process) and y += P x_c (prolongation,
 * added; x_c has the coarse ghosts of P's columns). The terms this rank sends:
 * mf_amg_restrict_terms into lv->xfer.send_buf. */
void mf_amg_restrict(const mf_amg_level *lv, const double *restrict x, const double *restrict remote,
                     double *restrict yc);
void mf_amg_restrict_terms(const mf_amg_level *lv, const double *restrict x);
void mf_amg_prolong_add(const mf_amg_level *lv, const double *restrict xc, double *restrict y);
void mf_amg_bmat_free(mf_amg_bmat *P);

/* ---- mf_amg_span.c ---- */
/* A row named across processes: its key and its owner. */
typedef struct {
  uint64_t key;
  int32_t rank;
} mf_amg_keyed;
/* qsort's comparison of records that begin with a uint64_t key. */
int mf_amg_cmp_key(const void *a, const void *b);
/* Index of key among n records of `size` bytes sorted by their leading uint64_t key, -1
 * if absent. */
mf_nnz mf_amg_find_key(const void *base, size_t size, mf_nnz n, uint64_t key);
/* Index of the owned root with key k in lv->root (ascending key), -1 if none. */
mf_idx mf_amg_owned_root(const mf_amg_level *lv, uint64_t k);
/* Across processes (after mf_amg_aggregate): the local coarse numbering (lv->agg of
 * every local row, the coarse ghosts), the members lists of the owned aggregates, the
 * exchange plan, Q (owned and ghost rows), lv->dropped and the QR workspace (allocates;
 * collective). */
mf_status mf_amg_span_create(mf_amg_level *lv, int single);
/* The tentative prolongator across processes: every member's owner sends its
 * near-nullspace rows (level 0: coordinates xyz of the local rows and fixed flags) to
 * its root's owner, which stacks them in ascending key and runs mf_amg_qr, keeps Bc for
 * its aggregates (nc * 6 x 6) and sends each member's rows of Q back; then Q's ghost
 * rows come from their owners. Q's rows and Bc are one process's bits. Allocates
 * nothing; collective. */
mf_status mf_amg_tentative_span(mf_amg_level *lv, const double *xyz, double *Bc);
/* The next level's ghost exchange (from its ghosts' owners) and global ids (its roots',
 * ghost rows' from their owners), after mf_amg_galerkin_span. Collective. */
mf_status mf_amg_span_next(const mf_amg_level *lv, mf_amg_level *next);
void mf_amg_span_free(mf_amg_span *s);

/* ---- mf_amg_galerkin_span.c ---- */
/* The next level across processes (after mf_amg_prolong_numeric and
 * mf_amg_transfer_create, whose lists give each coarse row's fine rows): its owned rows of
 * P^T A P, each summed by its owner as one process sums it, in local numbering (next->A,
 * n, n_ghost, key, ghost_rank). The first call makes the plan (lv->gplan: lists,
 * buffers, record indexes, each coarse row's columns) and next->A (allocates); later
 * ones send values into the same places and refill next->A's values, allocating
 * nothing. Collective. */
mf_status mf_amg_galerkin_span(mf_amg_level *lv, mf_amg_level *next);
/* Bytes of the plan (record indexes, lists, work arrays; not the exchange space). */
size_t mf_amg_galerkin_span_bytes(const mf_amg_level *lv);
void mf_amg_galerkin_span_free(mf_amg_level *lv);
/* The buffers the products' ghost P rows and record streams are sent from and received
 * into, one pair for the whole hierarchy (lv->xspace of every level). A level's rows and
 * streams are rewritten whole at each of its products and dead between them, and the
 * products run one level at a time, so the levels can take turns: the pair is as large
 * as the largest level's, not the sum of them. When a level needs more, the pair grows;
 * the levels find their records by offset, so nothing moves. */
typedef struct mf_amg_exchange_space {
  double *send, *recv;
  mf_nnz send_cap, recv_cap;
} mf_amg_exchange_space;
size_t mf_amg_exchange_space_bytes(const mf_amg_exchange_space *x);
void mf_amg_exchange_space_free(mf_amg_exchange_space *x);

/* ---- mf_amg_transfer_span.c ---- */
/* Across processes, after mf_amg_prolong_symbolic: the restriction's transpose lists
 * (lv->rt_*) with the terms other ranks send, what this rank sends, and the exchange of
 * the coarse correction's ghost rows (allocates; collective). */
mf_status mf_amg_transfer_create(mf_amg_level *lv);
/* yc = P^T x across processes (x: owned fine rows). Collective. */
mf_status mf_amg_restrict_span(const mf_amg_level *lv, const double *x, double *yc);
/* y += P xc across processes (xc: the next level's owned rows). Collective. */
mf_status mf_amg_prolong_add_span(const mf_amg_level *lv, const double *xc, double *y);
/* Bytes of the transfers' lists and buffers. */
size_t mf_amg_transfer_bytes(const mf_amg_level *lv);
void mf_amg_transfer_free(mf_amg_transfer *t);

/* ---- mf_amg_coarsest.c ---- */
/* The coarsest level's dense Cholesky factor (allocated on the first call; across
 * processes the rows are gathered on rank 0, in key order, and factored there), and the
 * solve x = A^-1 b (across processes, b's owned rows go to rank 0 and x's come back).
 * Collective across processes. */
mf_status mf_amg_coarsest_factor(mf_amg_level *lv, int level);
mf_status mf_amg_coarsest_solve(const mf_amg_level *lv, const double *b, double *x);
/* Bytes of the factor (this rank's: across processes rank 0 holds it) and buffers. */
size_t mf_amg_coarsest_bytes(const mf_amg_level *lv);
void mf_amg_coarsest_free(mf_amg_level *lv);

/* ---- mf_amg_galerkin.c ---- */
/* The next level's matrix pattern, its values (in float when single) and the workspaces of
 * the product (allocates), and its values (allocates nothing). */
mf_status mf_amg_galerkin_symbolic(mf_amg_level *lv, int single, mf_amg_level *next);
void mf_amg_galerkin_numeric(mf_amg_level *lv, mf_amg_level *next);

/* ---- mf_amg_smoother.c ---- */
/* Inverted diagonal blocks; an unusable block is an error naming level and row. */
mf_status mf_amg_diag_inverse(mf_amg_level *lv, int level);
/* lmax(D^-1 A) by k Lanczos steps from a fixed start vector, with lv->r, d, w as work. */
void mf_amg_estimate_lmax(mf_amg_level *lv, int k);
/* o->sweeps steps of o->smoother on A x = b: from x = 0 (zero_start) or from x. Uses
 * lv->r, lv->d. */
void mf_amg_smooth(const mf_amg_level *lv, const mf_amg_options *o, const double *b, double *x, int zero_start);
/* r = b - A x */
void mf_amg_residual(const mf_amg_level *lv, const double *b, const double *x, double *r);

/* ---- mf_dense.c ---- */
/* In-place Cholesky A = L L^T of an n x n SPD matrix (lower triangle); -1 if not SPD. */
int mf_dense_cholesky(int n, double *A);
/* Solve L L^T x = b in place. */
void mf_dense_cholesky_solve(int n, const double *L, double *b);
/* Inverse of an SPD k x k block (k <= 8) into inv; -1 if not SPD. */
int mf_dense_spd_inverse(int k, const double *a, double *inv);

#endif
