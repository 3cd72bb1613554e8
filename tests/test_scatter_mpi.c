/* Rank 0 hands every rank its part (solver/mf_part_scatter.h; label mpi, run by mpiexec
 * at 1..4 ranks).
 *
 * Every rank also makes the whole mesh and problem here, and from them the part, part
 * mesh and part assembly it would have made for itself (what every rank did before
 * rank 0 read for all). What it receives must be the same, compared as the packed
 * streams of each (mem/mf_pack.h; tests/test_partition.c checks that a stream
 * round-trips every field): renumbered tet4 colour assembly, hex8 blocks, tet10. The
 * part's problem, made on the part and its ghost rows shared, must hold the whole
 * problem's bits at every local node. The
 * outline must hold the whole mesh's counts and boundary groups, and the outline
 * problem the whole problem's boundary groups and probe; rank 0's counts of each part
 * (the partition report's rows) must be the part's. A failure on rank 0 (a block
 * number out of range) must reach every rank as an error, none waiting. A rank's
 * failures are summed over all ranks; a rank whose scatter failed still takes part in
 * the next one (set-up failures before any scatter are every rank's alike). */
#include <stdlib.h>
#include <string.h>

#include "mf_test_mpi.h"
#include "core/mf_limits.h"
#include "fem/mf_blocks.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh_pack.h"
#include "mesh/mf_reorder.h"
#include "solver/mf_part_scatter.h"

/* Run `call`, which packs into `p`, to size and then to fill a fresh stream. */
#define PACK(p, call)                                                \
  do {                                                               \
    (p) = (mf_pack){0};                                              \
    if ((call) == MF_OK && ((p).w = calloc((p).n + 1, sizeof(double)))) { \
      (p).cap = (p).n + 1;                                           \
      (p).n = 0;                                                     \
      if ((call) != MF_OK) CHECK(0, "pack: %s", mf_error_message()); \
    }                                                                \
  } while (0)

#define SAME_STREAM(what, a_call, b_call)                                                          \
  do {                                                                                             \
    mf_pack a, b;                                                                                  \
    PACK(a, a_call);                                                                               \
    PACK(b, b_call);                                                                               \
    CHECK(a.w && b.w && a.n == b.n && memcmp(a.w, b.w, a.n * sizeof *a.w) == 0,                  \
          "%s %s: the part received differs from the part made here (%zu and %zu words)", spec, what, \
          a.n, b.n);                                                                               \
    free(a.w);                                                                                     \
    free(b.w);                                                                                     \
  } while (0)

static void check(mf_comm *comm, const char *spec, mf_assembly_method method) {
  const int me = comm->rank, size = comm->size;
  mf_material_assignment mat = {.region = ""};
  mf_dirichlet_set fix = {.group = "xmin", .fixed = {1, 1, 1}};
  mf_load pull = {.kind = MF_LOAD_TRACTION, .group = "xmax", .vec = {1.0, 0.5, 0.0}};
  mf_probe probe = {.name = "corner", .X = {1.0, 1.0, 1.0}};
  mf_problem_desc desc = {.origin = "test", .n_materials = 1, .materials = &mat, .n_dirichlet = 1,
                          .dirichlet = &fix, .n_loads = 1, .loads = &pull, .n_probes = 1, .probes = &probe};
  mf_mesh *m = NULL, *outline = NULL;
  mf_problem *W = NULL, *outline_pb = NULL;
  mf_partition *P = NULL;
  int32_t *blocks = NULL;
  mf_part_setup ref = {0}, got = {0};
  mf_assembly *whole_asmb = NULL;
  if (mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 100.0, 0.3, &mat.mat) || mf_mesh_generate(spec, &m) ||
      mf_mesh_reorder(m, MF_REORDER_RCM) || mf_problem_create(&desc, m, &W) ||
      mf_partition_create(m, size, NULL, &P) || MF_ALLOC_N(blocks, (size_t)m->n_elems + 1, "blocks") ||
      mf_mesh_partition_dual(m, mf_blocking_count(m, MF_BLOCK_ELEMS), "blocks", blocks)) {
    CHECK(0, "%s: %s", spec, mf_error_message());
    goto done;
  }
  /* what this rank would make for itself */
  const int by_blocks = method == MF_ASSEMBLY_BLOCKS;
  if ((by_blocks ? mf_assembly_create_blocks(m, W->shape, W->region_mat, blocks, &whole_asmb)
                 : mf_assembly_create(m, W->shape, W->region_mat, method, &whole_asmb)) ||
      mf_part_create(P, me, &ref.part) || mf_part_mesh(P, ref.part, &ref.mesh) ||
      mf_assembly_create_part(ref.mesh, whole_asmb, ref.part->elems, &ref.asmb)) {
    CHECK(0, "%s: the part made here: %s", spec, mf_error_message());
    goto done;
  }
  const int root = me == 0;
  mf_part_counts counts[8];
  if (mf_part_scatter(comm, &desc, root ? W : NULL, root ? P : NULL, method, root && by_blocks ? blocks : NULL,
                      root && size <= 8 ? counts : NULL, &got, &outline, &outline_pb)) {
    CHECK(0, "%s: scatter: %s", spec, mf_error_message());
    goto failure; /* every rank takes part in the next scatter */
  }
  SAME_STREAM("part", mf_part_pack(ref.part, &a), mf_part_pack(got.part, &b));
  SAME_STREAM("part mesh", mf_mesh_pack(ref.mesh, &a), mf_mesh_pack(got.mesh, &b));
  SAME_STREAM("part assembly", mf_assembly_pack(ref.asmb, &a), mf_assembly_pack(got.asmb, &b));
  if (mf_problem_share_ghosts(comm, got.part, got.pb)) {
    CHECK(0, "%s: sharing the ghost rows: %s", spec, mf_error_message());
  } else { /* the whole problem's bits at every local node, owned and ghost */
    mf_nnz constrained = 0, differ = 0;
    for (mf_nnz d = 0; d < got.pb->ndof; d++) {
      const mf_nnz D = 3 * (mf_nnz)ref.part->nodes[d / 3] + d % 3;
      constrained += W->bc_mask[D];
      differ += got.pb->bc_mask[d] != W->bc_mask[D] || memcmp(&got.pb->bc_value[d], &W->bc_value[D], 8) != 0 ||
                memcmp(&got.pb->fext[d], &W->fext[D], 8) != 0;
    }
    CHECK(differ == 0 && got.pb->n_constrained == constrained && got.pb->ndof == 3 * (mf_nnz)ref.mesh->nodes.n_local,
          "%s: rank %d's part problem differs from the whole one at %lld of %lld unknowns (%lld constrained, "
          "%lld in the whole one)", spec, me, (long long)differ, (long long)got.pb->ndof,
          (long long)got.pb->n_constrained, (long long)constrained);
  }
  if (root) {
    CHECK(!outline && !outline_pb, "%s: rank 0 received an outline", spec);
    for (int q = 0; q < size && size <= 8; q++) { /* the partition report's rows, from the parts sent */
      mf_part *pt = NULL;
      if (mf_part_create(P, q, &pt)) {
        CHECK(0, "%s: part %d: %s", spec, q, mf_error_message());
        continue;
      }
      const mf_part_counts c = mf_part_count(pt);
      const mf_part_counts *k = &counts[q];
      CHECK(c.own == k->own && c.halo == k->halo && c.owned == k->owned && c.ghosts == k->ghosts &&
                c.neighbours == k->neighbours && c.exchanged == k->exchanged,
            "%s: part %d's counts differ from its part's", spec, q);
      mf_part_destroy(&pt);
    }
  } else if (!outline || !outline_pb) {
    CHECK(0, "%s: no outline on rank %d", spec, me);
  } else {
    SAME_STREAM("outline", mf_mesh_pack_outline(m, &a), mf_mesh_pack_outline(outline, &b));
    const mf_group *g = outline_pb->bc_group[0], *h = W->bc_group[0];
    CHECK(g->n_nodes == h->n_nodes && memcmp(g->nodes, h->nodes, (size_t)h->n_nodes * sizeof *h->nodes) == 0 &&
              outline_pb->probe_node[0] == W->probe_node[0] && outline_pb->ndof == W->ndof,
          "%s: the outline problem differs from the whole one", spec);
  }
failure:
  mf_part_setup_free(&got);
  mf_problem_destroy(&outline_pb);
  mf_mesh_destroy(&outline);
  mf_error_clear();

  /* rank 1 cannot make room for its stream (the machine's memory set below it): it fails
   * with that, having told rank 0, and the others receive their parts; none waits */
  if (comm->size > 1) {
    const double memory = mf_limits_memory_bytes();
    if (me == 1) mf_limits_set_memory_bytes(64.0);
    mf_status st = mf_part_scatter(comm, &desc, root ? W : NULL, root ? P : NULL, method,
                                   root && by_blocks ? blocks : NULL, NULL, &got, &outline, &outline_pb);
    if (me == 1) mf_limits_set_memory_bytes(memory);
    CHECK(me == 1 ? st != MF_OK && !got.part && strstr(mf_error_message(), "this rank's part stream") != NULL
                  : st == MF_OK && got.part && got.asmb,
          "%s: rank 1 without room for its stream: status %d on rank %d (%s)", spec, (int)st, me,
          st ? mf_error_message() : "no error");
    mf_part_setup_free(&got);
    mf_problem_destroy(&outline_pb);
    mf_mesh_destroy(&outline);
    mf_error_clear();
  }

  /* rank 0 fails to make the whole plan: every rank learns it, none waits */
  if (by_blocks) {
    blocks[m->n_elems / 2] = -3;
    mf_status st = mf_part_scatter(comm, &desc, root ? W : NULL, root ? P : NULL, method, root ? blocks : NULL, NULL,
                                   &got, &outline, &outline_pb);
    CHECK(st != MF_OK && !got.part && !got.asmb, "%s: a block out of range on rank 0: status %d on rank %d", spec,
          (int)st, me);
    mf_error_clear();
  }
done:
  mf_part_setup_free(&got);
  mf_part_setup_free(&ref);
  mf_problem_destroy(&outline_pb);
  mf_mesh_destroy(&outline);
  mf_assembly_destroy(&whole_asmb);
  mf_free(&blocks);
  mf_partition_destroy(&P);
  mf_problem_destroy(&W);
  mf_mesh_destroy(&m);
  mf_error_clear();
}

int main(int argc, char **argv) {
  mf_comm *comm = mf_test_mpi_start(&argc, &argv);
  check(comm, "box:2x1x1:8x4x4", MF_ASSEMBLY_COLOUR);
  check(comm, "box:2x1x1:6x3x3:hex8", MF_ASSEMBLY_BLOCKS);
  check(comm, "box:1x1x1:3x3x2:tet10", MF_ASSEMBLY_COLOUR);
  return mf_test_mpi_finish(comm, "parts handed out by rank 0");
}
