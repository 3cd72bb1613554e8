/* Node layout "soa": structure of arrays. Included by mf_nodes.h only. */
typedef struct mf_nodes {
  MF_NODES_COMMON_FIELDS
  double *x, *y, *z; /* reference coordinates, each 64-byte aligned */
} mf_nodes;

static inline void mf_nodes_coords(const mf_nodes *ns, mf_idx i, double X[3]) {
  X[0] = ns->x[i];
  X[1] = ns->y[i];
  X[2] = ns->z[i];
}

/* Ask for node i's cache lines ahead of a read (a hint: no value changes). */
static inline void mf_nodes_prefetch(const mf_nodes *ns, mf_idx i) {
  __builtin_prefetch(&ns->x[i]);
  __builtin_prefetch(&ns->y[i]);
  __builtin_prefetch(&ns->z[i]);
}

static inline void mf_nodes_set_coords(mf_nodes *ns, mf_idx i, const double X[3]) {
  ns->x[i] = X[0];
  ns->y[i] = X[1];
  ns->z[i] = X[2];
}
