/* Small dense kernels of the multigrid (mf_amg_impl.h): Cholesky factor and solve for
 * the coarsest level, and the inverse of an SPD diagonal block for the smoother. Serial
 * and in a fixed order: a thread calls them on its own data. */
#include <math.h>

#include "la/mf_amg_impl.h"

int mf_dense_cholesky(int n, double *A) {
  for (int j = 0; j < n; j++) {
    double *Aj = &A[(size_t)n * j];
    double d = Aj[j];
    for (int k = 0; k < j; k++) d -= Aj[k] * Aj[k];
    if (!(d > 0.0) || !isfinite(d)) return -1;
    d = sqrt(d);
    Aj[j] = d;
    for (int i = j + 1; i < n; i++) {
      double *Ai = &A[(size_t)n * i];
      double s = Ai[j];
      for (int k = 0; k < j; k++) s -= Ai[k] * Aj[k];
      Ai[j] = s / d;
    }
  }
  return 0;
}

void mf_dense_cholesky_solve(int n, const double *L, double *b) {
  for (int i = 0; i < n; i++) { /* L y = b */
    const double *Li = &L[(size_t)n * i];
    double s = b[i];
    for (int k = 0; k < i; k++) s -= Li[k] * b[k];
    b[i] = s / Li[i];
  }
  for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
    double s = b[i];
    for (int k = i + 1; k < n; k++) s -= L[(size_t)n * k + i] * b[k];
    b[i] = s / L[(size_t)n * i + i];
  }
}

int mf_dense_spd_inverse(int k, const double *a, double *inv) {
  double L[64];
  for (int i = 0; i < k * k; i++) L[i] = a[i];
  if (mf_dense_cholesky(k, L)) return -1;
  for (int c = 0; c < k; c++) {
    double e[8] = {0};
    e[c] = 1.0;
    mf_dense_cholesky_solve(k, L, e);
    for (int r = 0; r < k; r++) inv[k * r + c] = e[r];
  }
  return 0;
}
