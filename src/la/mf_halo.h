/* The ghost exchange of a distributed vector (issue 14; PETSc's VecScatter in small):
 * a vector of bs entries per local node of a part (mesh/mf_partition.h), owned rows
 * first, then ghost rows.
 *
 *   forward     : every ghost row takes its owner's value (before a matrix-vector
 *                 product, or output of a ghost's value)
 *   reverse add : every owned row adds the copies its neighbours hold as ghosts,
 *                 neighbour by neighbour in ascending rank order; ghosts are unchanged
 *
 * Buffers are made at creation; an exchange allocates nothing. memfem's assembly needs no
 * reverse add (a part computes its halo elements itself, mf_partition.h); the reverse add
 * is here for sums whose owner cannot form them alone, and is tested. */
#ifndef MF_HALO_H
#define MF_HALO_H

#include "core/mf_comm.h"
#include "mesh/mf_partition.h"

typedef struct mf_halo {
  mf_comm *comm; /* borrowed */
  int bs;
  mf_idx n_owned, n_ghost;
  int n_neighbours;
  int32_t *neighbours;
  mf_nnz *send_ptr, *recv_ptr; /* in values: bs per node */
  mf_idx *send, *recv;         /* local nodes, as the part lists them */
  double *send_buf, *recv_buf;
} mf_halo;

/* The part must be this process's: part->part == comm->rank, part->n_parts == comm->size. */
mf_status mf_halo_create(mf_comm *comm, const mf_part *part, int bs, mf_halo **out);
/* A halo from each ghost's owner alone (the multigrid's coarse levels, which have no
 * part): rows 0 .. n_owned - 1 are owned, n_owned .. n_owned + n_ghost - 1 ghosts owned by
 * ghost_rank[g]; key[] names every local row across processes (owned rows ascending by
 * key, ghosts too). Every process sends each owner the keys of the ghosts it needs
 * (counts announced with one all-to-all), so the owner learns its send lists. Collective. */
mf_status mf_halo_create_from_owners(mf_comm *comm, mf_idx n_owned, mf_idx n_ghost, const int32_t *ghost_rank,
                                     const uint64_t *key, int bs, mf_halo **out);
/* The same lists as h, for bs values per node (the multigrid's rows of other widths). */
mf_status mf_halo_create_like(const mf_halo *h, int bs, mf_halo **out);
/* Whether the parts' exchange lists agree across the processes: what each part sends
 * each other one is what that one expects, node for node (by mesh number). Parts made
 * from one partition always agree; parts each process read from a file's views
 * (io/mf_h5_part.h) agree unless the file is damaged, and lists that disagree could
 * leave an exchange waiting for values that never come. Counts go round in one
 * all-to-all before any list is exchanged, so a disagreement ends every rank with an
 * error, never a wait. Collective. */
mf_status mf_halo_check_part(mf_comm *comm, const mf_part *part);
mf_status mf_halo_forward(mf_halo *h, double *x);
/* The forward exchange in two halves, for work that needs no ghost value to run in
 * between: begin packs x's sent rows and starts the messages, end waits and fills x's
 * ghost rows. x's owned rows must not change in between. */
mf_status mf_halo_forward_begin(mf_halo *h, const double *x);
mf_status mf_halo_forward_end(mf_halo *h, double *x);
mf_status mf_halo_reverse_add(mf_halo *h, double *x);
void mf_halo_destroy(mf_halo **h);

#endif
