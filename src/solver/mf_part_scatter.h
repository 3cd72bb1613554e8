/* Across processes, rank 0 reads the whole mesh and hands every rank its part (issue 14):
 * the part (mesh/mf_partition.h), the part as a mesh and its assembly plan, made on
 * rank 0 exactly as each rank made them for itself from the whole mesh before, and sent
 * as one stream (mem/mf_pack.h). Each rank makes its part's problem itself, from its
 * part mesh (mf_problem_create_part), and the caller then gives its ghost rows their
 * owners' (mf_problem_share_ghosts, collective, once every rank holds its part). A rank other than 0 thus
 * never holds the whole mesh: what it keeps of it is the outline (mesh/mf_mesh_pack.h),
 * with the whole problem on it (mf_problem_create_outline), which names the boundary
 * groups and probes rank 0 reports.
 *
 * Rank 0 makes the whole assembly plan once (the colouring, or the blocks' interiors and
 * their coloured interface, over the whole mesh) and restricts it to each part, so each
 * part's elements are assembled in the whole plan's order: owned rows are the same bits
 * at any process count. Parts are made one at a time and each stream is freed once
 * sent, so rank 0 holds the whole mesh and one part more. */
#ifndef MF_PART_SCATTER_H
#define MF_PART_SCATTER_H

#include "core/mf_comm.h"
#include "fem/mf_assemble.h"
#include "mesh/mf_partition.h"
#include "solver/mf_problem.h"

/* What a process holds of its part. */
typedef struct {
  mf_part *part;
  mf_mesh *mesh;     /* the part as a mesh (mf_part_mesh) */
  mf_problem *pb;    /* its problem (mf_problem_create_part; ghost rows not yet shared) */
  mf_assembly *asmb; /* its assembly plan, in the whole plan's order */
} mf_part_setup;

/* Rank 0 passes the whole problem, the partition into comm->size parts and, for
 * assembly by blocks, the whole mesh's blocks (elem_block, cut into
 * mf_blocking_count blocks; NULL: colour assembly), and may pass `counts` (comm->size
 * entries) for every part's counts (the partition report); the other ranks pass NULL
 * for all four and receive *outline (the whole mesh's outline) and *outline_pb (the
 * whole problem on it, from desc). Every rank receives its part in *mine. A failure on
 * rank 0 reaches every rank as an error (the message is rank 0's); a rank that cannot
 * make room for its stream fails alone, after telling rank 0, which serves the others
 * (the caller's agreement after the phase ends every rank). No rank waits on a message
 * that will not come. Collective. */
mf_status mf_part_scatter(mf_comm *comm, const mf_problem_desc *desc, const mf_problem *whole,
                          const mf_partition *P, mf_assembly_method method, const int32_t *elem_block,
                          mf_part_counts *counts, mf_part_setup *mine, mf_mesh **outline, mf_problem **outline_pb);
/* Where each process reads its own part from the mesh file (io/mf_h5_part.h): rank 0
 * sends the others only the outline and the probe nodes it has (none yet, where it read
 * only the outline: the caller then finds them across the parts,
 * mf_problem_find_probes_across), and they make the whole problem on it, as above.
 * Collective; failures as above. */
mf_status mf_part_share_outline(mf_comm *comm, const mf_problem_desc *desc, const mf_problem *whole,
                                mf_mesh **outline, mf_problem **outline_pb);
void mf_part_setup_free(mf_part_setup *s);

#endif
