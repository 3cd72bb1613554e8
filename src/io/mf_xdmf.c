/* results.xdmf writer (mf_xdmf.h). */
#include "io/mf_xdmf.h"

#include <stdarg.h>
#include <stdio.h>

#include "io/mf_atomic.h"
#include "mem/mf_alloc.h"

typedef struct {
  char *buf;
  size_t len, cap;
  int overflow;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= t->cap - t->len) t->overflow = 1;
  else t->len += (size_t)n;
}

/* A DataItem with every property a reader needs stated. */
static void data_item(text *t, const char *indent, int64_t rows, int cols, const char *type, int precision,
                      const char *h5, const char *dataset) {
  if (cols > 0)
    put(t, "%s<DataItem Dimensions=\"%lld %d\" NumberType=\"%s\" Precision=\"%d\" Format=\"HDF\">%s:%s</DataItem>\n",
        indent, (long long)rows, cols, type, precision, h5, dataset);
  else
    put(t, "%s<DataItem Dimensions=\"%lld\" NumberType=\"%s\" Precision=\"%d\" Format=\"HDF\">%s:%s</DataItem>\n",
        indent, (long long)rows, type, precision, h5, dataset);
}

mf_status mf_xdmf_write(const char *path, const char *h5, const mf_elem_topology *et, int64_t n_nodes,
                        int64_t n_elems, int n_steps, const mf_xdmf_step *steps) {
  text t = {0};
  t.cap = 4096 + (size_t)n_steps * 4096;
  MF_CALL(mf_malloc(t.cap, "results.xdmf text", &t.buf));
  const char *I5 = "          ";
  put(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  put(&t, "<Xdmf Version=\"3.0\">\n  <Domain>\n");
  put(&t, "    <Grid Name=\"memfem\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  for (int i = 0; i < n_steps; i++) {
    char grp[48];
    snprintf(grp, sizeof grp, "/steps/%06lld", (long long)steps[i].step);
    put(&t, "      <Grid Name=\"step %lld\" GridType=\"Uniform\">\n", (long long)steps[i].step);
    put(&t, "        <Time Value=\"%lld\"/>\n", (long long)steps[i].step);
    put(&t, "        <Information Name=\"load_factor\" Value=\"%.17g\"/>\n", steps[i].load_factor);
    put(&t, "        <Topology TopologyType=\"%s\" NumberOfElements=\"%lld\" NodesPerElement=\"%d\">\n",
        et->xdmf_type, (long long)n_elems, et->nodes);
    data_item(&t, I5, n_elems, et->nodes, "Int", 8, h5, "/mesh/connectivity");
    put(&t, "        </Topology>\n        <Geometry GeometryType=\"XYZ\">\n");
    data_item(&t, I5, n_nodes, 3, "Float", 8, h5, "/mesh/coordinates");
    put(&t, "        </Geometry>\n");
    char ds[96];
    put(&t, "        <Attribute Name=\"displacement\" AttributeType=\"Vector\" Center=\"Node\">\n");
    snprintf(ds, sizeof ds, "%s/displacement", grp);
    data_item(&t, I5, n_nodes, 3, "Float", 8, h5, ds);
    put(&t, "        </Attribute>\n");
    put(&t, "        <Attribute Name=\"cauchy_stress\" AttributeType=\"Tensor6\" Center=\"Cell\">\n");
    snprintf(ds, sizeof ds, "%s/cauchy_stress", grp);
    data_item(&t, I5, n_elems, 6, "Float", 8, h5, ds);
    put(&t, "        </Attribute>\n");
    put(&t, "        <Attribute Name=\"von_mises\" AttributeType=\"Scalar\" Center=\"Cell\">\n");
    snprintf(ds, sizeof ds, "%s/von_mises", grp);
    data_item(&t, I5, n_elems, 0, "Float", 8, h5, ds);
    put(&t, "        </Attribute>\n      </Grid>\n");
  }
  put(&t, "    </Grid>\n  </Domain>\n</Xdmf>\n");
  mf_status st = t.overflow ? MF_ERROR(MF_ERR_INTERNAL, "%s: XML text longer than its buffer", path)
                            : mf_atomic_write(path, t.buf, t.len);
  mf_free(&t.buf);
  return st;
}
