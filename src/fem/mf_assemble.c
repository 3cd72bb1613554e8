/* Element loop: colour by colour, scratch from the provider, scatter into block CSR. */
#include "fem/mf_assemble.h"

#include <omp.h>

#include "fem/mf_tet4.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

struct mf_assembly {
  const mf_mesh *mesh;
  const mf_material *region_mat;
  mf_colouring *colouring;
  mf_scratch *scratch;
  int nthreads;
};

mf_status mf_assembly_create(const mf_mesh *mesh, const mf_material *region_mat, mf_assembly **out) {
  mf_assembly *a;
  MF_CALL(MF_CALLOC_N(a, 1, "assembly"));
  a->mesh = mesh;
  a->region_mat = region_mat;
  a->nthreads = omp_get_max_threads();
  mf_status st;
  if ((st = mf_colouring_create(mesh, &a->colouring)) || (st = mf_scratch_create(a->nthreads, &a->scratch))) {
    mf_assembly_destroy(&a);
    return st;
  }
  *out = a;
  return MF_OK;
}

void mf_assembly_destroy(mf_assembly **ap) {
  if (!*ap) return;
  mf_colouring_destroy(&(*ap)->colouring);
  mf_scratch_destroy(&(*ap)->scratch);
  mf_free(ap);
}

int mf_assembly_colours(const mf_assembly *a) { return a->colouring->n_colours; }

/* Add the element's 4x4 blocks of Ke into K. */
static void scatter_matrix(mf_bcsr *K, const mf_idx v[4], const double *restrict Ke) {
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++) {
      double *blk = &K->val[9 * mf_bcsr_find(K, v[a], v[b])];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) blk[3 * i + j] += Ke[12 * (3 * a + i) + 3 * b + j];
    }
}

mf_status mf_assemble(mf_assembly *asmb, const double *u, mf_bcsr *K, double *fint) {
  const mf_mesh *m = asmb->mesh;
  const mf_colouring *col = asmb->colouring;
  mf_nnz ndof = 3 * (mf_nnz)m->nodes.n_local;
  mf_vec_set(ndof, 0.0, fint);
  if (K) mf_bcsr_zero(K);

  mf_idx bad_elem = MF_IDX_MAX; /* smallest failing element: deterministic message */
  int scratch_failed = 0;
#pragma omp parallel num_threads(asmb->nthreads) reduction(min : bad_elem) reduction(|| : scratch_failed)
  {
    int tid = omp_get_thread_num();
    for (int c = 0; c < col->n_colours; c++) {
#pragma omp for schedule(static)
      for (mf_nnz p = col->ptr[c]; p < col->ptr[c + 1]; p++) {
        mf_idx e = col->elems[p];
        const mf_idx *v = &m->conn[4 * (mf_nnz)e];
        mf_elem_scratch s;
        if (mf_scratch_acquire(asmb->scratch, tid, &s)) {
          scratch_failed = 1;
          continue;
        }
        double(*X)[3] = (double(*)[3])s.Xe;
        for (int a = 0; a < 4; a++) {
          mf_nodes_coords(&m->nodes, v[a], X[a]);
          for (int k = 0; k < 3; k++) s.ue[3 * a + k] = u[3 * (mf_nnz)v[a] + k];
        }
        const mf_material *mat = &asmb->region_mat[m->region[e] + 1];
        if (mf_tet4_eval(mat, (const double(*)[3])X, s.ue, K != NULL, &s) == 0) {
          for (int a = 0; a < 4; a++)
            for (int k = 0; k < 3; k++) fint[3 * (mf_nnz)v[a] + k] += s.fe[3 * a + k];
          if (K) scatter_matrix(K, v, s.Ke);
        } else if (e < bad_elem) {
          bad_elem = e;
        }
        mf_scratch_release(asmb->scratch, tid, &s);
      }
    }
  }
  if (scratch_failed) return MF_ERROR(MF_ERR_MEMORY, "assembly: the scratch provider failed");
  if (bad_elem != MF_IDX_MAX)
    return MF_ERROR(MF_ERR_NONFINITE, "element %lld cannot be evaluated (inverted, J <= 0, or non-finite)",
                    (long long)m->elem_tag[bad_elem]);
  return MF_OK;
}
