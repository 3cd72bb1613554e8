/* The preconditioner interface and its registry (mf_pc.h). */
#include "la/mf_pc.h"

#include "mem/mf_alloc.h"

const mf_name mf_pc_names[] = {{"none", MF_PC_NONE},
                               {"jacobi", MF_PC_JACOBI},
                               {"block-jacobi", MF_PC_BLOCK_JACOBI},
                               {"amg", MF_PC_AMG},
                               {"boomeramg", MF_PC_BOOMERAMG},
                               {NULL, 0}};

mf_pc_options mf_pc_options_default(void) {
  return (mf_pc_options){.type = MF_PC_BLOCK_JACOBI, .amg = mf_amg_options_default(), .boomeramg = {0}};
}

const char *mf_pc_name(mf_pc_type type) { return mf_name_of(mf_pc_names, (int)type); }

static const struct {
  mf_pc_type type;
  mf_status (*create)(mf_pc *pc);
} registry[] = {
    {MF_PC_NONE, mf_pc_create_none},
    {MF_PC_JACOBI, mf_pc_create_jacobi},
    {MF_PC_BLOCK_JACOBI, mf_pc_create_block_jacobi},
    {MF_PC_AMG, mf_pc_create_amg},
    {MF_PC_BOOMERAMG, mf_pc_create_boomeramg},
};

mf_status mf_pc_create(const mf_pc_options *opt, mf_pc **out) {
  *out = NULL;
  mf_pc *pc;
  MF_CALL(MF_CALLOC_N(pc, 1, "preconditioner"));
  pc->type = opt->type;
  pc->opt = *opt;
  mf_status st = MF_ERROR(MF_ERR_INTERNAL, "no preconditioner of type %d is built in", (int)opt->type);
  for (size_t i = 0; i < sizeof registry / sizeof *registry; i++)
    if (registry[i].type == opt->type) {
      mf_error_clear();
      st = registry[i].create(pc);
      break;
    }
  if (st) {
    mf_pc_destroy(&pc);
    return st;
  }
  *out = pc;
  return MF_OK;
}

mf_status mf_pc_setup_symbolic(mf_pc *pc, const mf_operator *A) {
  pc->layout = A->layout;
  return pc->ops->setup_symbolic ? pc->ops->setup_symbolic(pc, A) : MF_OK;
}

mf_status mf_pc_setup_numeric(mf_pc *pc, const mf_operator *A) {
  return pc->ops->setup_numeric ? pc->ops->setup_numeric(pc, A) : MF_OK;
}

size_t mf_pc_memory_bytes(const mf_pc *pc) { return pc->ops->memory_bytes ? pc->ops->memory_bytes(pc) : 0; }

double mf_pc_apply_dot(const mf_pc *pc, const double *restrict r, double *restrict z, int *fused) {
  *fused = pc->ops->apply_dot != NULL;
  if (*fused) return pc->ops->apply_dot(pc, r, z);
  pc->ops->apply(pc, r, z);
  return mf_vec_dot(pc->layout, r, z);
}

void mf_pc_set_coordinates(mf_pc *pc, const double *xyz, const mf_gidx *gid) {
  pc->xyz = xyz;
  pc->gid = gid;
}

void mf_pc_set_distribution(mf_pc *pc, const mf_idx *row_key, struct mf_halo *halo) {
  pc->row_key = row_key;
  pc->halo = halo;
}

void mf_pc_levels(const mf_pc *pc, mf_amg_info *info) {
  *info = (mf_amg_info){0};
  if (pc->ops->levels) pc->ops->levels(pc, info);
}

void mf_pc_destroy(mf_pc **pcp) {
  mf_pc *pc = *pcp;
  if (!pc) return;
  if (pc->ops && pc->ops->destroy) pc->ops->destroy(pc);
  mf_free(pcp);
}
