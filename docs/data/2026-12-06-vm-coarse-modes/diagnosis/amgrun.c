/* A diagnosis, not part of memfem: memfem's multigrid and CG (rtol 1e-8) on the matrix,
 * right-hand side and node coordinates that dump.py wrote from DOLFINx (scalar CSR, 3
 * unknowns per node, interleaved). Options from the environment: THR (threshold), AGG
 * (aggressive_levels), SW (sweeps), ER (eig_ratio), MAXL (max_levels), CS (coarse_size);
 * EXPORTP=PREFIX writes each level's prolongator to PREFIX<l>.bin for levels.py (through
 * a copy of src/la/mf_pc_amg.c's private struct at commit 5e6d3a8: amg_view below).
 * Build against a Release build directory B (README.md):
 *   cc -O2 -fopenmp -Isrc -IB/src -o amgrun amgrun.c B/src/libmf_la.a B/src/libmf_mesh.a \
 *      B/src/libmf_mem.a B/src/libmf_core.a -lmetis -lm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "la/mf_bcsr.h"
#include "la/mf_cg.h"
#include "la/mf_pc.h"
#include "la/mf_vec.h"
#include "core/mf_error.h"
#include "la/mf_amg_impl.h"
typedef struct {
  int n_levels; int built; int dense; int setups; void *comm; uint64_t *key0;
  int64_t rows[MF_AMG_MAX_LEVELS], nnzb[MF_AMG_MAX_LEVELS];
  mf_amg_level lv[MF_AMG_MAX_LEVELS];
} amg_view;
static void export_p(const mf_amg_level *lv, const char *path) {
  const mf_amg_bmat *P = &lv->P;
  FILE *f = fopen(path, "wb");
  int64_t hdr[4] = {P->n_rows, P->n_cols, P->n_slots, P->rb * 1000 + P->cb};
  fwrite(hdr, 8, 4, f);
  for (mf_idx s = 0; s < P->n_slots; s++) {
    for (mf_nnz q = P->row_ptr[s]; q < P->row_ptr[s + 1]; q++) {
      int64_t rc[2] = {P->row[s], P->col[q]};
      fwrite(rc, 8, 2, f);
      fwrite(&P->val[(size_t)P->rb * P->cb * q], 8, P->rb * P->cb, f);
    }
  }
  fclose(f);
  f = fopen("/tmp/exp/agg_memfem.bin", "wb"); for (mf_idx i = 0; i < lv->n; i++) { int64_t a = lv->agg[i]; fwrite(&a, 8, 1, f); } fclose(f);
}

static void *rd(const char *dir, const char *name, size_t *n) {
  char p[512]; snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "rb"); if (!f) { perror(p); exit(1); }
  fseek(f, 0, SEEK_END); long sz = ftell(f); fseek(f, 0, SEEK_SET);
  void *b = malloc(sz); if (fread(b, 1, sz, f) != (size_t)sz) exit(1); fclose(f); *n = sz; return b;
}
static void *al(size_t n) { void *p = aligned_alloc(64, (n + 63) / 64 * 64); memset(p, 0, (n + 63) / 64 * 64); return p; }

int main(int argc, char **argv) {
  const char *dir = argv[1];
  size_t s;
  int64_t *ip = rd(dir, "indptr.bin", &s); long nr = s / 8 - 1;
  int32_t *ix = rd(dir, "indices.bin", &s);
  double *va = rd(dir, "data.bin", &s);
  double *b = rd(dir, "b.bin", &s);
  double *xyz = rd(dir, "xyz.bin", &s);
  long n = nr / 3;
  mf_bcsr *A = calloc(1, sizeof *A);
  A->n_rows = n; A->bs = 3; A->bs2 = 9;
  A->row_ptr = al(sizeof(mf_nnz) * (n + 1));
  mf_idx *tmp = malloc(sizeof(mf_idx) * 4096);
  /* count block columns per block row */
  mf_nnz nnzb = 0;
  mf_idx **cols = malloc(sizeof(mf_idx *) * n); int *nc = malloc(sizeof(int) * n);
  for (long i = 0; i < n; i++) {
    int m = 0;
    for (int k = 0; k < 3; k++)
      for (int64_t p = ip[3 * i + k]; p < ip[3 * i + k + 1]; p++) {
        mf_idx c = ix[p] / 3; int found = 0;
        for (int q = 0; q < m; q++) if (tmp[q] == c) { found = 1; break; }
        if (!found) tmp[m++] = c;
      }
    for (int a = 1; a < m; a++) { mf_idx v = tmp[a]; int q = a - 1; while (q >= 0 && tmp[q] > v) { tmp[q + 1] = tmp[q]; q--; } tmp[q + 1] = v; }
    cols[i] = malloc(sizeof(mf_idx) * m); memcpy(cols[i], tmp, sizeof(mf_idx) * m); nc[i] = m; nnzb += m;
  }
  A->nnzb = nnzb;
  A->col = al(sizeof(mf_idx) * nnzb); A->diag = al(sizeof(mf_nnz) * n); A->val = al(sizeof(double) * 9 * nnzb);
  mf_nnz q = 0;
  for (long i = 0; i < n; i++) {
    A->row_ptr[i] = q;
    for (int k = 0; k < nc[i]; k++) { A->col[q + k] = cols[i][k]; if (cols[i][k] == i) A->diag[i] = q + k; }
    q += nc[i];
  }
  A->row_ptr[n] = q;
  for (long i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      for (int64_t p = ip[3 * i + k]; p < ip[3 * i + k + 1]; p++) {
        mf_idx c = ix[p] / 3; int l = ix[p] % 3;
        mf_nnz pos = mf_bcsr_find(A, i, c);
        A->val[9 * pos + 3 * k + l] = va[p];
      }
  /* optional: Dirichlet rows (identity) scaled to the mean diagonal, as memfem */
  mf_vec_layout *L; mf_vec_layout_create(n, 0, 3, &L);
  mf_operator op = mf_bcsr_operator(A, L);
  mf_pc_options po = mf_pc_options_default();
  po.type = MF_PC_AMG;
  if (getenv("THR")) po.amg.threshold = atof(getenv("THR"));
  if (getenv("AGG")) po.amg.aggressive_levels = atoi(getenv("AGG"));
  if (getenv("SW")) po.amg.sweeps = atoi(getenv("SW"));
  if (getenv("MAXL")) po.amg.max_levels = atoi(getenv("MAXL"));
  if (getenv("CS")) po.amg.coarse_size = atoi(getenv("CS"));
  if (getenv("ER")) po.amg.eig_ratio = atof(getenv("ER"));
  mf_gidx *gid = malloc(sizeof(mf_gidx) * n);
  for (long i = 0; i < n; i++) gid[i] = getenv("GIDPERM") ? (mf_gidx)((i * 7919) % n) : i;
  mf_pc *pc;
  if (mf_pc_create(&po, &pc)) { puts(mf_error_message()); return 1; }
  mf_pc_set_coordinates(pc, xyz, gid);
  if (mf_pc_setup_symbolic(pc, &op) || mf_pc_setup_numeric(pc, &op)) { puts(mf_error_message()); return 1; }
  mf_amg_info info; mf_pc_levels(pc, &info);
  printf("levels %d opc %.3f:", info.n_levels, info.operator_complexity);
  for (int l = 0; l < info.n_levels; l++) printf(" %lld", (long long)info.level[l].rows);
  printf("\n");
  if (getenv("EXPORTP")) {
    amg_view *G = (amg_view *)pc->data;
    for (int l = 0; l + 1 < G->n_levels; l++) { char p[600]; snprintf(p, sizeof p, "%s%d.bin", getenv("EXPORTP"), l); export_p(&G->lv[l], p); }
  }
  mf_cg *cg; mf_cg_create(L, &cg);
  double *x = al(sizeof(double) * 3 * n);
  mf_cg_stats st;
  if (mf_cg_solve(cg, &op, pc, b, x, getenv("RTOL") ? atof(getenv("RTOL")) : 1e-8, 2000, &st)) { puts(mf_error_message()); return 1; }
  printf("cg iterations %d converged %d rnorm/bnorm %.3e\n", st.iterations, st.converged, st.rnorm / st.bnorm);
  FILE *f = fopen("/tmp/exp/x_memfem.bin", "wb"); fwrite(x, 8, 3 * n, f); fclose(f);
  return 0;
}
