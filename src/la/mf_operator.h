/* A linear operator y = A x behind a small function table (PETSc's Mat shape).
 *
 * CG and the preconditioners see the system matrix only through this: mult, the bytes a
 * mult moves (for bandwidth figures) and its memory. An assembled operator also exposes
 * its block-CSR matrix, which preconditioners that need entries (Jacobi, multigrid) read
 * in their setup; a matrix-free operator leaves it NULL. The block-CSR matrix is one
 * implementation (mf_bcsr_operator); the overlapped product across processes
 * (la/mf_dist_matrix.h) is another, which also refreshes a vector's ghost rows for
 * preconditioners that number unknowns across processes (BoomerAMG). */
#ifndef MF_OPERATOR_H
#define MF_OPERATOR_H

#include <stddef.h>

#include "la/mf_vec.h"

struct mf_bcsr;
typedef struct mf_operator mf_operator;

typedef struct {
  const char *name;
  void (*mult)(const mf_operator *A, const double *restrict x, double *restrict y);
  double (*mult_bytes)(const mf_operator *A); /* bytes one mult moves at least */
  size_t (*memory_bytes)(const mf_operator *A);
  /* x's ghost rows from their owners (across processes); NULL: the operator has none */
  mf_status (*update_ghosts)(const mf_operator *A, double *x);
} mf_operator_ops;

struct mf_operator {
  const mf_operator_ops *ops;
  const mf_vec_layout *layout;  /* of x and y */
  const struct mf_bcsr *matrix; /* the assembled matrix, or NULL */
  const void *data;             /* the implementation's */
};

static inline void mf_operator_mult(const mf_operator *A, const double *restrict x, double *restrict y) {
  A->ops->mult(A, x, y);
}
static inline double mf_operator_mult_bytes(const mf_operator *A) { return A->ops->mult_bytes(A); }
static inline size_t mf_operator_memory_bytes(const mf_operator *A) { return A->ops->memory_bytes(A); }
static inline mf_status mf_operator_update_ghosts(const mf_operator *A, double *x) {
  return A->ops->update_ghosts ? A->ops->update_ghosts(A, x) : MF_OK;
}

#endif
