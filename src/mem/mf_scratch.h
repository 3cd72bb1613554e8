/* Element scratch provider: where the assembly loop gets its per-element work arrays.
 *
 * The hot loop is written once against this interface; the build picks the provider
 * (MEMFEM_SCRATCH): `pool` hands each thread the same cache-line aligned block every
 * time, allocated once at setup and first touched by its owning thread; `naive` mallocs
 * every array at acquire and frees it at release, the per-element heap traffic the pool
 * replaces. Both go through the counting layer, so the difference shows in telemetry.
 * Acquire and release bracket one element evaluation; the loop never calls malloc. */
#ifndef MF_SCRATCH_H
#define MF_SCRATCH_H

#include "core/mf_error.h"

/* Every work array of one element evaluation (name, doubles), row-major, for an
 * element of nd = 3 x nodes degrees of freedom (12 for a 4-node tetrahedron). */
#define MF_SCRATCH_ARRAYS(X, nd)                                \
  X(D, 36)              /* 6x6 material tangent (Voigt) */      \
  X(B, 6 * (nd))        /* 6 x nd strain-displacement matrix */ \
  X(DB, 6 * (nd))       /* 6 x nd product D*B */                \
  X(Ke, (nd) * (nd))    /* nd x nd element matrix */            \
  X(fe, (nd))           /* element force vector */              \
  X(Xe, (nd))           /* nodes x 3 reference coordinates */   \
  X(ue, (nd))           /* nodes x 3 nodal displacements */     \
  X(g, (nd))            /* nodes x 3 shape-function gradients */\
  X(F, 9)               /* deformation gradient */              \
  X(S, 6)               /* second Piola-Kirchhoff stress */

/* Arrays per element evaluation: the naive provider's allocations per element. */
#define MF_SCRATCH_N_ARRAYS 10

typedef struct {
#define MF_SCRATCH_FIELD(name, len) double *name;
  MF_SCRATCH_ARRAYS(MF_SCRATCH_FIELD, 0)
#undef MF_SCRATCH_FIELD
} mf_elem_scratch;

typedef struct mf_scratch mf_scratch;

/* Name of the provider compiled in: "pool" or "naive". */
const char *mf_scratch_name(void);
/* Create the provider for up to `nthreads` threads and elements of `elem_nodes` nodes,
 * the element shape's size (setup: the pool allocates here). */
mf_status mf_scratch_create(int nthreads, int elem_nodes, mf_scratch **s);
/* Borrow thread `tid`'s arrays for one element; return them with release. Called inside
 * parallel regions: failure is reported by status, never by exiting. */
mf_status mf_scratch_acquire(mf_scratch *s, int tid, mf_elem_scratch *e);
void mf_scratch_release(mf_scratch *s, int tid, mf_elem_scratch *e);
void mf_scratch_destroy(mf_scratch **s);

#endif
