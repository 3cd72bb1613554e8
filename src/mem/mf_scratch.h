/* Element scratch provider: where the assembly loop gets its per-element work arrays.
 *
 * The hot loop is written once against this interface; the build picks the provider
 * (MEMFEM_SCRATCH). `pool` hands each thread the same cache-line aligned block every
 * time, allocated once at setup and first touched by its owning thread. Acquire and
 * release bracket one element evaluation; the loop never calls malloc itself. */
#ifndef MF_SCRATCH_H
#define MF_SCRATCH_H

#include "core/mf_error.h"

/* Work arrays of one 4-node tetrahedron evaluation (row-major). */
typedef struct {
  double *D;  /* 6x6 material tangent (Voigt) */
  double *B;  /* 6x12 strain-displacement matrix */
  double *DB; /* 6x12 product D*B */
  double *Ke; /* 12x12 element matrix */
  double *fe; /* 12 element vector */
} mf_elem_scratch;

typedef struct mf_scratch mf_scratch;

/* Create the provider for up to `nthreads` threads (setup: all allocation happens here). */
mf_status mf_scratch_create(int nthreads, mf_scratch **s);
/* Borrow thread `tid`'s arrays for one element; return them with release. Called inside
 * parallel regions: failure is reported by status, never by exiting. */
mf_status mf_scratch_acquire(mf_scratch *s, int tid, mf_elem_scratch *e);
void mf_scratch_release(mf_scratch *s, int tid, mf_elem_scratch *e);
void mf_scratch_destroy(mf_scratch **s);

#endif
