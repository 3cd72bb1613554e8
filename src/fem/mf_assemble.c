/* Element loop: block interiors or colours, scratch from the provider, scatter into block CSR. */
#include "fem/mf_assemble.h"

#include <omp.h>
#include <string.h>

#include "fem/mf_tet4.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

struct mf_assembly {
  const mf_mesh *mesh;
  const mf_material *region_mat;
  mf_assembly_method method;
  mf_colouring *colouring; /* colour: all elements */
  mf_blocking *blocking;   /* blocks: block interiors and the coloured interface */
  mf_scratch *scratch;
  int nthreads;
};

const char *mf_assembly_method_name(mf_assembly_method m) { return m == MF_ASSEMBLY_BLOCKS ? "blocks" : "colour"; }

int mf_assembly_method_parse(const char *name, mf_assembly_method *m) {
  if (strcmp(name, "colour") == 0) *m = MF_ASSEMBLY_COLOUR;
  else if (strcmp(name, "blocks") == 0) *m = MF_ASSEMBLY_BLOCKS;
  else return -1;
  return 0;
}

mf_status mf_assembly_create(const mf_mesh *mesh, const mf_material *region_mat, mf_assembly_method method,
                             mf_assembly **out) {
  mf_assembly *a;
  MF_CALL(MF_CALLOC_N(a, 1, "assembly"));
  a->mesh = mesh;
  a->region_mat = region_mat;
  a->method = method;
  a->nthreads = omp_get_max_threads();
  mf_status st = method == MF_ASSEMBLY_BLOCKS ? mf_blocking_create(mesh, MF_BLOCK_ELEMS, &a->blocking)
                                              : mf_colouring_create(mesh, &a->colouring);
  if (st || (st = mf_scratch_create(a->nthreads, &a->scratch))) {
    mf_assembly_destroy(&a);
    return st;
  }
  *out = a;
  return MF_OK;
}

void mf_assembly_destroy(mf_assembly **ap) {
  if (!*ap) return;
  mf_colouring_destroy(&(*ap)->colouring);
  mf_blocking_destroy(&(*ap)->blocking);
  mf_scratch_destroy(&(*ap)->scratch);
  mf_free(ap);
}

int mf_assembly_colours(const mf_assembly *a) {
  return a->blocking ? a->blocking->interface->n_colours : a->colouring->n_colours;
}

const mf_blocking *mf_assembly_blocking(const mf_assembly *a) { return a->blocking; }

/* Add the element's 4x4 blocks of Ke into K. */
static void scatter_matrix(mf_bcsr *K, const mf_idx v[4], const double *restrict Ke) {
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++) {
      double *blk = &K->val[9 * mf_bcsr_find(K, v[a], v[b])];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) blk[3 * i + j] += Ke[12 * (3 * a + i) + 3 * b + j];
    }
}

/* Evaluate element e and add it into fint (and K). Returns 0, 1 when the element cannot
 * be evaluated, or -1 when the scratch provider failed. The one element body every
 * assembly order runs. */
static inline int assemble_element(mf_assembly *asmb, int tid, mf_idx e, const double *u, mf_bcsr *K,
                                   double *fint) {
  const mf_mesh *m = asmb->mesh;
  const mf_idx *v = &m->conn[4 * (mf_nnz)e];
  mf_elem_scratch s;
  if (mf_scratch_acquire(asmb->scratch, tid, &s)) return -1;
  double(*X)[3] = (double(*)[3])s.Xe;
  for (int a = 0; a < 4; a++) {
    mf_nodes_coords(&m->nodes, v[a], X[a]);
    for (int k = 0; k < 3; k++) s.ue[3 * a + k] = u[3 * (mf_nnz)v[a] + k];
  }
  const mf_material *mat = &asmb->region_mat[m->region[e] + 1];
  int bad = mf_tet4_eval(mat, (const double(*)[3])X, s.ue, K != NULL, &s) != 0;
  if (!bad) {
    for (int a = 0; a < 4; a++)
      for (int k = 0; k < 3; k++) fint[3 * (mf_nnz)v[a] + k] += s.fe[3 * a + k];
    if (K) scatter_matrix(K, v, s.Ke);
  }
  mf_scratch_release(asmb->scratch, tid, &s);
  return bad;
}

mf_status mf_assemble(mf_assembly *asmb, const double *u, mf_bcsr *K, double *fint) {
  const mf_mesh *m = asmb->mesh;
  const mf_blocking *bl = asmb->blocking;
  const mf_colouring *col = bl ? bl->interface : asmb->colouring;
  mf_nnz ndof = 3 * (mf_nnz)m->nodes.n_local;
  mf_vec_set(ndof, 0.0, fint);
  if (K) mf_bcsr_zero(K);

  mf_idx bad_elem = MF_IDX_MAX; /* smallest failing element: deterministic message */
  int scratch_failed = 0;
#pragma omp parallel num_threads(asmb->nthreads) reduction(min : bad_elem) reduction(|| : scratch_failed)
  {
    int tid = omp_get_thread_num();
    if (bl) {
      /* Block interiors share no node: a block at a time per thread, no synchronisation;
       * dynamic, since blocks differ in size. */
#pragma omp for schedule(dynamic, 1)
      for (int k = 0; k < bl->n_blocks; k++)
        for (mf_nnz p = bl->ptr[k]; p < bl->ptr[k + 1]; p++) {
          int r = assemble_element(asmb, tid, bl->interior[p], u, K, fint);
          if (r < 0) scratch_failed = 1;
          else if (r > 0 && bl->interior[p] < bad_elem) bad_elem = bl->interior[p];
        }
    }
    for (int c = 0; c < col->n_colours; c++) {
#pragma omp for schedule(static)
      for (mf_nnz p = col->ptr[c]; p < col->ptr[c + 1]; p++) {
        int r = assemble_element(asmb, tid, col->elems[p], u, K, fint);
        if (r < 0) scratch_failed = 1;
        else if (r > 0 && col->elems[p] < bad_elem) bad_elem = col->elems[p];
      }
    }
  }
  if (scratch_failed) return MF_ERROR(MF_ERR_MEMORY, "assembly: the scratch provider failed");
  if (bad_elem != MF_IDX_MAX)
    return MF_ERROR(MF_ERR_NONFINITE, "element %lld cannot be evaluated (inverted, J <= 0, or non-finite)",
                    (long long)m->elem_tag[bad_elem]);
  return MF_OK;
}
