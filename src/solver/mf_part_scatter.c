/* Rank 0 makes every part and sends it (see mf_part_scatter.h). */
#include "solver/mf_part_scatter.h"

#include "core/mf_limits.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh_pack.h"

void mf_part_setup_free(mf_part_setup *s) {
  mf_assembly_destroy(&s->asmb);
  mf_problem_destroy(&s->pb);
  mf_mesh_destroy(&s->mesh);
  mf_part_destroy(&s->part);
}

/* Every part's local elements (mf_partition_local_elems), found once for all parts. */
typedef struct {
  mf_nnz *ptr;
  mf_idx *elems;
} local_elems;

/* Part q as its process would have made it from the whole mesh. */
static mf_status make_part(const mf_partition *P, const local_elems *le,
                           const mf_assembly *whole_asmb, int q, mf_part_setup *s) {
  MF_CALL(mf_part_create_from(P, q, le->ptr, le->elems, &s->part));
  MF_CALL(mf_part_mesh(P, s->part, &s->mesh));
  return mf_assembly_create_part(s->mesh, whole_asmb, s->part->elems, &s->asmb);
}

/* The stream a rank other than 0 reads: the outline and the probe nodes, then its part
 * (s NULL: none, the rank reads it itself). */
static mf_status pack(const mf_problem *W, const mf_part_setup *s, mf_pack *p) {
  MF_CALL(mf_mesh_pack_outline(W->mesh, p));
  MF_CALL(mf_pack_array(p, W->probe_node, (size_t)W->desc->n_probes, sizeof *W->probe_node));
  if (!s) return MF_OK;
  MF_CALL(mf_part_pack(s->part, p));
  MF_CALL(mf_mesh_pack(s->mesh, p));
  return mf_assembly_pack(s->asmb, p);
}

/* From rank 0 to rank q: a head (rank 0's status, the stream's length); rank q answers
 * whether it could make room for the stream, and only then the stream follows. A rank
 * that cannot hold its stream reports that itself, and rank 0 goes on to the next: no
 * rank waits on a send that has no receive. */
static mf_status send_to(mf_comm *comm, int q, mf_status st, const mf_pack *p) {
  const int32_t to = q;
  const double head[2] = {st != MF_OK, st ? 0.0 : (double)p->n};
  const mf_nnz head_ptr[2] = {0, 2}, body_ptr[2] = {0, st ? 0 : (mf_nnz)p->n}, one[2] = {0, 1}, none[2] = {0, 0};
  MF_CALL(mf_comm_exchange(comm, 1, &to, head, head_ptr, NULL, none));
  if (st) return MF_OK;
  double room = 0.0;
  MF_CALL(mf_comm_exchange(comm, 1, &to, NULL, NULL, &room, one));
  return room != 0.0 ? mf_comm_exchange(comm, 1, &to, p->w, body_ptr, NULL, none) : MF_OK;
}

/* Rank 0: every other rank's part, made, sent and freed one at a time, then its own. */
static mf_status scatter_root(mf_comm *comm, const mf_problem *W, const mf_partition *P, mf_assembly_method method,
                              const int32_t *elem_block, mf_part_counts *counts, mf_part_setup *mine) {
  mf_assembly *whole_asmb = NULL;
  local_elems le = {NULL, NULL};
  mf_status st = method == MF_ASSEMBLY_BLOCKS && elem_block
                     ? mf_assembly_create_blocks(W->mesh, W->shape, W->region_mat, elem_block, &whole_asmb)
                     : mf_assembly_create(W->mesh, W->shape, W->region_mat, method, &whole_asmb);
  if (!st) st = mf_partition_local_elems(P, &le.ptr, &le.elems);
  for (int q = 1; q < comm->size; q++) {
    mf_part_setup s = {0};
    mf_pack p = {0};
    if (!st && !(st = make_part(P, &le, whole_asmb, q, &s)) && !(st = pack(W, &s, &p)) &&
        !(st = MF_ALLOC_N(p.w, p.n + 1, "part stream"))) {
      p.cap = p.n + 1;
      p.n = 0;
      st = pack(W, &s, &p);
    }
    if (!st && counts) counts[q] = mf_part_count(s.part);
    mf_part_setup_free(&s);
    mf_status sent = send_to(comm, q, st, &p); /* a failure is sent too: rank q stops */
    mf_free(&p.w);
    if (!st) st = sent;
  }
  if (!st && !(st = make_part(P, &le, whole_asmb, 0, mine)) && counts) counts[0] = mf_part_count(mine->part);
  if (!st) st = mf_problem_create_part(W->desc, mine->mesh, &mine->pb);
  mf_assembly_destroy(&whole_asmb);
  mf_free(&le.ptr);
  mf_free(&le.elems);
  return st;
}

static mf_status unpack(mf_unpack *u, const mf_problem_desc *desc, mf_part_setup *mine, mf_mesh **outline,
                        mf_problem **outline_pb) {
  mf_idx *probe_node = NULL;
  MF_CALL(mf_mesh_unpack_outline(u, outline));
  mf_status st = mf_unpack_alloc(u, &probe_node, (size_t)desc->n_probes, sizeof *probe_node, "probe nodes");
  if (!st) st = mf_problem_create_outline(desc, *outline, probe_node, outline_pb);
  mf_free(&probe_node);
  if (mine) {
    if (!st) st = mf_part_unpack(u, &mine->part);
    if (!st) st = mf_mesh_unpack(u, &mine->mesh);
    if (!st) st = mf_problem_create_part(desc, mine->mesh, &mine->pb);
    if (!st) st = mf_assembly_unpack(u, mine->mesh, mine->pb->shape, mine->pb->region_mat, &mine->asmb);
  }
  if (!st && u->at != u->n)
    st = MF_ERROR(MF_ERR_INTERNAL, "%s: %zu words of %zu read", u->what, u->at, u->n);
  return st;
}

static mf_status receive(mf_comm *comm, const mf_problem_desc *desc, mf_part_setup *mine, mf_mesh **outline,
                         mf_problem **outline_pb) {
  const int32_t from = 0;
  double head[2];
  const mf_nnz head_ptr[2] = {0, 2};
  MF_CALL(mf_comm_exchange(comm, 1, &from, NULL, NULL, head, head_ptr));
  if (head[0] != 0.0)
    return MF_ERROR(MF_ERR_INTERNAL, "rank %d: rank 0 could not make its %s", comm->rank, mine ? "part" : "outline");
  mf_unpack u = {NULL, (size_t)head[1], 0, "part stream"};
  double *w = NULL;
  const mf_nnz body_ptr[2] = {0, (mf_nnz)u.n}, one[2] = {0, 1}, none[2] = {0, 0};
  mf_status st = mf_limits_check_memory(8.0 * (double)u.n, "this rank's part stream");
  if (!st) st = MF_ALLOC_N(w, u.n + 1, "part stream");
  const double room = st == MF_OK;
  const mf_status told = mf_comm_exchange(comm, 1, &from, &room, one, NULL, none);
  if (!st) st = told;
  if (!st) st = mf_comm_exchange(comm, 1, &from, NULL, NULL, w, body_ptr);
  u.w = w;
  if (!st) st = unpack(&u, desc, mine, outline, outline_pb);
  mf_free(&w);
  return st;
}

/* Rank 0: the outline and probes, packed once and sent to every other rank. */
static mf_status share_root(mf_comm *comm, const mf_problem *W) {
  mf_pack p = {0};
  mf_status st = pack(W, NULL, &p);
  if (!st && !(st = MF_ALLOC_N(p.w, p.n + 1, "outline stream"))) {
    p.cap = p.n + 1;
    p.n = 0;
    st = pack(W, NULL, &p);
  }
  for (int q = 1; q < comm->size; q++) {
    mf_status sent = send_to(comm, q, st, &p); /* a failure is sent too: rank q stops */
    if (!st) st = sent;
  }
  mf_free(&p.w);
  return st;
}

mf_status mf_part_share_outline(mf_comm *comm, const mf_problem_desc *desc, const mf_problem *whole,
                                mf_mesh **outline, mf_problem **outline_pb) {
  return comm->rank == 0 ? share_root(comm, whole) : receive(comm, desc, NULL, outline, outline_pb);
}

mf_status mf_part_scatter(mf_comm *comm, const mf_problem_desc *desc, const mf_problem *whole,
                          const mf_partition *P, mf_assembly_method method, const int32_t *elem_block,
                          mf_part_counts *counts, mf_part_setup *mine, mf_mesh **outline, mf_problem **outline_pb) {
  *mine = (mf_part_setup){0};
  mf_status st = comm->rank == 0 ? scatter_root(comm, whole, P, method, elem_block, counts, mine)
                                 : receive(comm, desc, mine, outline, outline_pb);
  if (st) mf_part_setup_free(mine);
  return st;
}
