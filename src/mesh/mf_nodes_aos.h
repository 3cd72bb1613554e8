/* Node layout "aos": one array of node structs. Included by mf_nodes.h only. */
typedef struct {
  double x, y, z;
} mf_node_record;

typedef struct mf_nodes {
  MF_NODES_COMMON_FIELDS
  mf_node_record *rec; /* n_local records, contiguous, 64-byte aligned array */
} mf_nodes;

static inline void mf_nodes_coords(const mf_nodes *ns, mf_idx i, double X[3]) {
  const mf_node_record *r = &ns->rec[i];
  X[0] = r->x;
  X[1] = r->y;
  X[2] = r->z;
}

/* Ask for node i's cache line ahead of a read (a hint: no value changes). */
static inline void mf_nodes_prefetch(const mf_nodes *ns, mf_idx i) { __builtin_prefetch(&ns->rec[i]); }

static inline void mf_nodes_set_coords(mf_nodes *ns, mf_idx i, const double X[3]) {
  mf_node_record *r = &ns->rec[i];
  r->x = X[0];
  r->y = X[1];
  r->z = X[2];
}
