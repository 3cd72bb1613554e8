/* Soak mode: what a long-running solver keeps between load steps, so that memory
 * growth over many steps (RSS against live bytes) shows in telemetry.csv.
 *
 * After every converged step the soak keeps, as a real solver does:
 *  - a snapshot of the displacement field (a large array), the last 4 kept;
 *  - per-step output records: many small blocks (one per 32 elements, about as many bytes
 *    as per-element stress output in the odd phases) whose sizes
 *    follow the phase: 256-704 bytes in even phases, 1024-2944 bytes in odd ones, a
 *    phase lasting 8 steps; the last 4 steps' records are kept;
 *  - a history buffer that only grows (a line of per-step figures each step), enlarged
 *    by doubling.
 * Freeing one size mix and then allocating another is what fragments a heap; the
 * telemetry shows which allocator returns the holes and which keeps them. Sizes come
 * from a fixed pseudo-random sequence, so every run allocates the same. */
#ifndef MF_SOAK_H
#define MF_SOAK_H

#include "core/mf_error.h"
#include "core/mf_types.h"

typedef struct mf_soak mf_soak;

mf_status mf_soak_create(mf_idx n_elems, mf_soak **soak);
/* Keep step `step`'s data (u: ndof values) and release what has aged out. */
mf_status mf_soak_keep_step(mf_soak *soak, int step, const double *u, mf_nnz ndof);
/* Bytes the soak holds now. */
size_t mf_soak_live_bytes(const mf_soak *soak);
void mf_soak_destroy(mf_soak **soak);

#endif
