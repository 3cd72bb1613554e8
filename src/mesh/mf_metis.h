/* What memfem's METIS callers share (node renumbering, mesh/mf_reorder.c; assembly
 * blocks, fem/mf_blocks.c): the index-width checks, the options every call uses, and
 * METIS return codes as memfem errors. */
#ifndef MF_METIS_H
#define MF_METIS_H

#include <limits.h>
#include <metis.h>

#include "core/mf_error.h"
#include "core/mf_types.h"

/* METIS is built with its own index width (IDXTYPEWIDTH in metis.h: Debian ships 32);
 * graphs are copied into idx_t arrays, which must hold every mf_idx. */
_Static_assert(sizeof(idx_t) * CHAR_BIT == IDXTYPEWIDTH, "metis.h: idx_t does not match IDXTYPEWIDTH");
_Static_assert(sizeof(idx_t) >= sizeof(mf_idx), "METIS idx_t is narrower than mf_idx");

/* METIS's defaults with 0-based numbering and a fixed seed: the same result every run. */
void mf_metis_options(idx_t options[METIS_NOPTIONS]);
/* MF_OK for METIS_OK; otherwise an error "<who>: <call> ..." naming the METIS code. */
mf_status mf_metis_status(int metis_rc, const char *who, const char *call);

#endif
