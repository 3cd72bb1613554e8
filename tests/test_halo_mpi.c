/* The ghost exchange across processes (la/mf_halo.h over core/mf_comm.h's MPI
 * communicator; label mpi, run by mpiexec at 1..4 ranks).
 *
 * Every rank makes the same meshes and partition and checks its own part:
 *  - forward: each owned row holds a value made from its node's mesh number; after the
 *    exchange every ghost row must hold exactly its node's value;
 *  - reverse add: each rank adds (c + 1) into every node row of each element it owns,
 *    ghosts included; after the exchange every owned row must hold (c + 1) times the
 *    number of mesh elements around its node (exact: small integers);
 *  - on the hand-checked row of three hexahedra (parts 0 | 1 1 at 2 ranks,
 *    tests/test_partition.c), the owned nodes of plane x = 1 must count 2 elements and
 *    each rank hold the ghosts test_partition.c derives by hand;
 *  - sends into an exchange's posted receives (the Galerkin streams' pattern): every rank
 *    receives from every other one a message longer than MPI's eager limit, sent one at
 *    a time from one buffer rewritten between sends, in rank order (no deadlock, every
 *    value where it belongs); the one-process communicator refuses a send;
 *  - the displacement checksum over the parts, a slice of tags at a time, equals one
 *    process's (a renumbered tet4 and tet10 box, slices of 7 nodes and of all);
 *  - the collective check (mf_comm_agree): everyone learns the lowest failing rank, and
 *    a rank that did not fail holds an echo of its error; at a phase's end
 *    (mf_comm_agree_phase) the rank that failed by itself reports, not a lower rank
 *    that only echoes it.
 * A rank's failures are summed over all ranks (a rank never waits on a failed one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_test_mpi.h"
#include "io/mf_checksum.h"
#include "la/mf_halo.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"
#include "mesh/mf_reorder.h"


static double value(mf_idx node, int c) { return 1000.0 * (double)node + c + 0.25; }

static void check_mesh(mf_comm *comm, const char *spec, const int32_t *parts) {
  const int rank = comm->rank, bs = 3;
  mf_mesh *m = NULL;
  mf_partition *P = NULL;
  mf_part *pt = NULL;
  mf_halo *h = NULL;
  double *x = NULL;
  if (mf_mesh_generate(spec, &m) || mf_partition_create(m, comm->size, parts, &P) || mf_part_create(P, rank, &pt) ||
      mf_halo_create(comm, pt, bs, &h) || MF_ALLOC_N(x, (size_t)bs * (pt->n_owned + pt->n_ghost) + 1, "x")) {
    CHECK(0, "%s: %s", spec, mf_error_message());
    goto done;
  }
  const mf_idx nl = pt->n_owned + pt->n_ghost;
  for (mf_idx l = 0; l < nl; l++)
    for (int c = 0; c < bs; c++) x[bs * l + c] = l < pt->n_owned ? value(pt->nodes[l], c) : NAN;
  if (mf_halo_forward(h, x)) CHECK(0, "forward: %s", mf_error_message());
  for (mf_idx l = 0; l < nl; l++)
    for (int c = 0; c < bs; c++)
      CHECK(x[bs * l + c] == value(pt->nodes[l], c), "%s forward: node %lld holds %g, not %g", spec,
            (long long)pt->nodes[l], x[bs * l + c], value(pt->nodes[l], c));

  for (mf_nnz k = 0; k < (mf_nnz)bs * nl; k++) x[k] = 0;
  for (mf_idx k = 0; k < pt->n_elems; k++)
    for (int a = 0; a < m->npe && P->elem_part[pt->elems[k]] == rank; a++) {
      mf_idx l = mf_part_local_node(pt, mf_mesh_elem(m, pt->elems[k])[a]);
      for (int c = 0; c < bs; c++) x[bs * l + c] += c + 1;
    }
  if (mf_halo_reverse_add(h, x)) CHECK(0, "reverse add: %s", mf_error_message());
  double *around_of = calloc((size_t)m->nodes.n_local, sizeof *around_of); /* elements of each mesh node */
  for (mf_idx e = 0; e < m->n_elems; e++)
    for (int a = 0; a < m->npe; a++) around_of[mf_mesh_elem(m, e)[a]] += 1;
  for (mf_idx l = 0; l < pt->n_owned; l++) {
    mf_idx i = pt->nodes[l];
    double around = around_of[i];
    for (int c = 0; c < bs; c++)
      CHECK(x[bs * l + c] == (c + 1) * around, "%s reverse add: node %lld row %d holds %g, not %g", spec,
            (long long)i, c, x[bs * l + c], (c + 1) * around);
  }
  free(around_of);
  if (parts) { /* the hand-checked row */
    double X[3];
    for (mf_idx l = 0; l < pt->n_owned; l++) {
      mf_nodes_coords(&m->nodes, pt->nodes[l], X);
      if (X[0] == 1.0) CHECK(x[bs * l] == 2.0, "row: plane x = 1 counts %g elements, not 2", x[bs * l]);
    }
    int a = 0; /* plane-1 nodes owned by rank 0 (test_partition.c derives the counts) */
    for (mf_idx i = 0; i < m->nodes.n_local; i++) {
      mf_nodes_coords(&m->nodes, i, X);
      a += X[0] == 1.0 && P->node_owner[i] == 0;
    }
    mf_idx ghosts = rank == 0 ? (4 - a) + (a > 0 ? 4 : 0) : a + (a < 4 ? 4 : 0);
    CHECK(pt->n_ghost == ghosts, "row: rank %d holds %lld ghosts, not %lld", rank, (long long)pt->n_ghost,
          (long long)ghosts);
  }
done:
  mf_free(&x);
  mf_halo_destroy(&h);
  mf_part_destroy(&pt);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
  mf_error_clear();
}

/* Message from rank `from` to rank `to`: its length and its k-th value. */
static mf_nnz sent_len(int from, int to) { return 20000 + 1000 * (mf_nnz)from + 7 * (mf_nnz)to; }
static double sent_value(int from, int to, mf_nnz k) { return 1.0e6 * from + 1.0e3 * to + (double)k; }

static void check_sends(mf_comm *comm) {
  const int R = comm->size, me = comm->rank, n = R - 1;
  int32_t *ranks = NULL;
  mf_nnz *rptr = NULL;
  double *buf = NULL, *recv = NULL;
  if (MF_ALLOC_N(ranks, (size_t)n + 1, "ranks") || MF_CALLOC_N(rptr, (size_t)n + 1, "offsets") ||
      MF_ALLOC_N(buf, (size_t)sent_len(R, R) + 1, "buffer")) {
    CHECK(0, "sends: %s", mf_error_message());
    goto done;
  }
  for (int o = 0, k = 0; o < R; o++)
    if (o != me) ranks[k] = o, rptr[k + 1] = rptr[k] + sent_len(o, me), k++;
  if (MF_ALLOC_N(recv, (size_t)rptr[n] + 1, "received")) {
    CHECK(0, "sends: %s", mf_error_message());
    goto done;
  }
  mf_status st = comm->ops->exchange_begin(comm, n, ranks, NULL, NULL, recv, rptr);
  for (int k = 0; k < n && !st; k++) { /* one buffer, rewritten for each destination */
    for (mf_nnz v = 0; v < sent_len(me, ranks[k]); v++) buf[v] = sent_value(me, ranks[k], v);
    st = comm->ops->send(comm, ranks[k], buf, sent_len(me, ranks[k]));
  }
  if (!st) st = comm->ops->exchange_end(comm);
  CHECK(st == MF_OK, "sends into posted receives: %s", mf_error_message());
  mf_nnz wrong = 0;
  for (int k = 0; k < n && !st; k++)
    for (mf_nnz v = 0; v < sent_len(ranks[k], me); v++) wrong += recv[rptr[k] + v] != sent_value(ranks[k], me, v);
  CHECK(wrong == 0, "sends into posted receives: %lld values wrong", (long long)wrong);
  mf_comm *self = NULL;
  if (mf_comm_self_create(&self)) {
    CHECK(0, "self: %s", mf_error_message());
  } else {
    CHECK(self->ops->send(self, 1, buf, 1) != MF_OK, "the one-process communicator sent to rank 1");
    mf_comm_destroy(&self);
  }
done:
  mf_error_clear();
  mf_free(&ranks), mf_free(&rptr), mf_free(&buf), mf_free(&recv);
}

/* The checksum of a displacement spread over the parts (io/mf_checksum.h) is the one of
 * the whole field on one process, whatever the slice: renumbered, so that mesh order is
 * not tag order, and in slices of 7 nodes (many) and of the whole mesh (one). */
static void check_checksum(mf_comm *comm, const char *spec) {
  mf_mesh *m = NULL, *pm = NULL;
  mf_partition *P = NULL;
  mf_part *pt = NULL;
  double *whole = NULL, *mine = NULL;
  if (mf_mesh_generate(spec, &m) || mf_mesh_reorder(m, MF_REORDER_RCM) ||
      mf_partition_create(m, comm->size, NULL, &P) || mf_part_create(P, comm->rank, &pt) ||
      mf_part_mesh(P, pt, &pm) || MF_ALLOC_N(whole, 3 * (size_t)m->nodes.n_local + 1, "u") ||
      MF_ALLOC_N(mine, 3 * (size_t)pm->nodes.n_local + 1, "u")) {
    CHECK(0, "%s: %s", spec, mf_error_message());
    goto done;
  }
  for (mf_idx i = 0; i < m->nodes.n_local; i++)
    for (int c = 0; c < 3; c++) whole[3 * (mf_nnz)i + c] = value((mf_idx)m->nodes.tag[i], c) / 7.0;
  for (mf_idx l = 0; l < pm->nodes.n_local; l++)
    for (int c = 0; c < 3; c++) mine[3 * (mf_nnz)l + c] = value((mf_idx)pm->nodes.tag[l], c) / 7.0;
  uint64_t want = 0, got[2] = {0, 0};
  const mf_idx slices[2] = {7, m->nodes.n_local};
  if (mf_displacement_checksum(&m->nodes, whole, &want) ||
      mf_displacement_checksum_dist(comm, &pm->nodes, mine, slices[0], &got[0]) ||
      mf_displacement_checksum_dist(comm, &pm->nodes, mine, slices[1], &got[1])) {
    CHECK(0, "%s: checksum: %s", spec, mf_error_message());
    goto done;
  }
  for (int k = 0; k < 2 && comm->rank == 0; k++)
    CHECK(got[k] == want, "%s: checksum in slices of %lld: %016llx, one process %016llx", spec,
          (long long)slices[k], (unsigned long long)got[k], (unsigned long long)want);
done:
  mf_free(&mine);
  mf_free(&whole);
  mf_mesh_destroy(&pm);
  mf_part_destroy(&pt);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

int main(int argc, char **argv) {
  mf_comm *comm = mf_test_mpi_start(&argc, &argv);
  check_mesh(comm, "box:2x1.5x1:8x6x4", NULL);
  check_mesh(comm, "box:1x1x1:4x3x3:tet10", NULL);
  check_mesh(comm, "box:3x2x2:9x6x5:hex8", NULL);
  if (comm->size == 2) {
    const int32_t row[3] = {0, 1, 1}; /* generator cells in x order */
    check_mesh(comm, "box:3x1x1:3x1x1:hex8", row);
  }
  check_sends(comm);
  check_checksum(comm, "box:1x1x1:6x5x4");
  check_checksum(comm, "box:1x1x1:3x3x2:tet10");
  /* the collective check: none failed; then the last rank (and, at 3 or more ranks,
   * rank 1 too) fails: every rank gets the lowest failing rank's status and number */
  int failed = 0;
  CHECK(mf_comm_agree(comm, MF_OK, &failed) == MF_OK && failed == -1, "agree without failure: rank %d", failed);
  const int last = comm->size - 1;
  mf_status mine = comm->rank == last ? MF_ERR_INPUT : comm->rank == 1 && comm->size >= 3 ? MF_ERR_SOLVER : MF_OK;
  mf_status all = mf_comm_agree(comm, mine, &failed);
  const int want = comm->size >= 3 ? 1 : last;
  CHECK(failed == want && all == (want == last ? MF_ERR_INPUT : MF_ERR_SOLVER),
        "agree: failed rank %d, status %d; expected rank %d", failed, (int)all, want);
  CHECK(mine != MF_OK || (mf_error_is_echo() && strstr(mf_error_message(), "failed") != NULL),
        "agree: rank %d, which did not fail, holds no echo of rank %d's failure", comm->rank, want);
  mf_error_clear();
  /* a phase that the last rank failed by itself and the others through an agreement
   * inside it: the last rank reports, though rank 0 fails too */
  mine = comm->rank == last ? MF_ERROR(MF_ERR_IO, "rank %d's own failure", last) : MF_OK;
  all = mf_comm_agree(comm, mine, &failed);
  CHECK(all == MF_ERR_IO && failed == last && mf_error_is_echo() == (comm->rank != last),
        "agree: rank %d: status %d, failed rank %d, echo %d", comm->rank, (int)all, failed, mf_error_is_echo());
  int reporter = -1;
  all = mf_comm_agree_phase(comm, all, &reporter);
  CHECK(all == MF_ERR_IO && reporter == last, "phase: reporter %d, status %d; expected rank %d", reporter, (int)all,
        last);
  mf_error_clear();
  /* every failure its own: the lowest rank reports */
  all = mf_comm_agree_phase(comm, comm->rank == last ? MF_ERR_INPUT : MF_OK, &reporter);
  CHECK(all == MF_ERR_INPUT && reporter == last, "phase: reporter %d; expected rank %d", reporter, last);
  all = mf_comm_agree_phase(comm, MF_ERR_MESH, &reporter);
  CHECK(all == MF_ERR_MESH && reporter == 0, "phase, all failed: reporter %d; expected rank 0", reporter);
  return mf_test_mpi_finish(comm, "ghost exchange");
}
