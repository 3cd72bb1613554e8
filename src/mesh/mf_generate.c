/* Built-in structured mesh generator: "box:LXxLYxLZ:NXxNYxNZ[:TYPE]".
 *
 * The box [0,LX]x[0,LY]x[0,LZ] is cut into NXxNYxNZ hexahedral cells. TYPE tet4 (the
 * default) splits each cell into six tetrahedra around its main diagonal (Kuhn's split:
 * the same in every cell, so neighbouring cells' faces match); tet10 makes the same
 * tetrahedra with a node at each edge's midpoint; hex8 keeps the cells. Faces xmin..zmax
 * and the volume "solid" are named groups. Nodes lie on a lattice of (R NX + 1) x
 * (R NY + 1) x (R NZ + 1) points, R = 2 for tet10 (every point of the halved lattice
 * is a corner or an edge midpoint of some tetrahedron) and 1 otherwise; node tags are
 * 1 + i + (R NX + 1)(j + (R NY + 1) k). Any size, no file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"

static int parse_triple_double(const char *s, char **end, double v[3]) {
  for (int k = 0; k < 3; k++) {
    errno = 0;
    v[k] = strtod(s, end);
    if (*end == s || errno || !isfinite(v[k]) || !(v[k] > 0.0)) return -1;
    s = *end;
    if (k < 2) {
      if (*s != 'x') return -1;
      s++;
    }
  }
  return 0;
}

static int parse_triple_long(const char *s, char **end, long long v[3]) {
  for (int k = 0; k < 3; k++) {
    errno = 0;
    v[k] = strtoll(s, end, 10);
    if (*end == s || errno || v[k] < 1) return -1;
    s = *end;
    if (k < 2) {
      if (*s != 'x') return -1;
      s++;
    }
  }
  return 0;
}

/* The six Kuhn tets of a cell, as corner numbers c = dx + 2 dy + 4 dz: each walks from
 * corner 0 to corner 7 along the axes in one order; odd orders are listed with two
 * vertices swapped so that every tet has positive volume. */
static const int kuhn[6][4] = {
    {0, 1, 3, 7}, /* x y z */
    {0, 5, 1, 7}, /* x z y (swapped) */
    {0, 2, 6, 7}, /* y z x */
    {0, 3, 2, 7}, /* y x z (swapped) */
    {0, 4, 5, 7}, /* z x y */
    {0, 6, 4, 7}, /* z y x (swapped) */
};

/* A hexahedron's corners in memfem's (VTK) order, as cell corner numbers. */
static const int hex_corner[8] = {0, 1, 3, 2, 4, 5, 7, 6};
/* The quadratic tetrahedron's edges (mesh/mf_elem.h) and the 6-node triangle's. */
static const int tet_edge[6][2] = {{0, 1}, {1, 2}, {2, 0}, {0, 3}, {1, 3}, {2, 3}};
static const int tri_edge[3][2] = {{0, 1}, {1, 2}, {2, 0}};

static const char *face_names[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};

mf_status mf_mesh_generate(const char *spec, mf_mesh **out) {
  *out = NULL;
  double L[3];
  long long N[3];
  char *end;
  const char *usage = "expected box:LXxLYxLZ:NXxNYxNZ[:tet4|tet10|hex8] with positive lengths and cell counts, "
                      "e.g. box:10x1x1:100x10x10";
  MF_CHECK(strncmp(spec, "box:", 4) == 0, MF_ERR_INPUT, "mesh spec '%s': %s", spec, usage);
  MF_CHECK(parse_triple_double(spec + 4, &end, L) == 0 && *end == ':', MF_ERR_INPUT, "mesh spec '%s': %s", spec, usage);
  MF_CHECK(parse_triple_long(end + 1, &end, N) == 0 && (*end == '\0' || *end == ':'), MF_ERR_INPUT,
           "mesh spec '%s': %s", spec, usage);
  int v = MF_ELEM_TET4;
  MF_CHECK(*end == '\0' || mf_name_parse(mf_elem_type_names, end + 1, &v) == 0, MF_ERR_INPUT,
           "mesh spec '%s': unknown element type '%s' (tet4, tet10 or hex8)", spec, end + 1);
  const mf_elem_type type = (mf_elem_type)v;
  const int hex = type == MF_ELEM_HEX8, R = type == MF_ELEM_TET10 ? 2 : 1;
  const int per_cell = hex ? 1 : 6, per_quad = hex ? 1 : 2;
  /* Counts in floating point first: the cell counts may be anything strtoll returns, and
   * their products must be checked before any integer arithmetic can overflow. */
  const double dx = (double)N[0], dy = (double)N[1], dz = (double)N[2];
  MF_CALL(mf_mesh_check_size(type, (R * dx + 1) * (R * dy + 1) * (R * dz + 1), per_cell * dx * dy * dz,
                             2.0 * per_quad * (dx * dy + dy * dz + dx * dz), spec));
  long long nx = N[0], ny = N[1], nz = N[2]; /* now each product below fits a 32-bit index */
  const long long sx = R * nx + 1, sy = R * ny + 1, sz = R * nz + 1;
  long long nn = sx * sy * sz;
  long long nc = nx * ny * nz;
  long long nf = 2 * per_quad * (nx * ny + ny * nz + nx * nz);

  mf_mesh *m;
  MF_CALL(mf_mesh_alloc(type, (mf_idx)nn, (mf_idx)(per_cell * nc), (mf_idx)nf, 7, &m));
  snprintf(m->source, sizeof m->source, "%s", spec);
  const int npe = m->npe, nfn = m->nfn;
#define NODE(i, j, k) ((mf_idx)((i) + sx * ((j) + sy * (long long)(k))))
/* the node halfway between lattice points p and q (both on the corner lattice) */
#define MID(p, q) NODE(((p)[0] + (q)[0]) / 2, ((p)[1] + (q)[1]) / 2, ((p)[2] + (q)[2]) / 2)

#pragma omp parallel for schedule(static)
  for (long long n = 0; n < nn; n++) {
    long long i = n % sx, j = (n / sx) % sy, k = n / (sx * sy);
    const double X[3] = {L[0] * (double)i / (double)(R * nx), L[1] * (double)j / (double)(R * ny),
                         L[2] * (double)k / (double)(R * nz)};
    mf_nodes_set_coords(&m->nodes, (mf_idx)n, X);
    m->nodes.tag[n] = n + 1;
  }
#pragma omp parallel for schedule(static)
  for (long long c = 0; c < nc; c++) {
    long long i = c % nx, j = (c / nx) % ny, k = c / (nx * ny);
    long long P[8][3]; /* the cell's corners on the lattice, by corner number */
    for (int q = 0; q < 8; q++) {
      P[q][0] = R * (i + (q & 1));
      P[q][1] = R * (j + ((q >> 1) & 1));
      P[q][2] = R * (k + ((q >> 2) & 1));
    }
    for (int t = 0; t < per_cell; t++) {
      mf_nnz e = per_cell * c + t;
      mf_idx *v = &m->conn[npe * e];
      if (hex) {
        for (int a = 0; a < 8; a++) v[a] = NODE(P[hex_corner[a]][0], P[hex_corner[a]][1], P[hex_corner[a]][2]);
      } else {
        for (int a = 0; a < 4; a++) v[a] = NODE(P[kuhn[t][a]][0], P[kuhn[t][a]][1], P[kuhn[t][a]][2]);
        for (int ed = 0; R == 2 && ed < 6; ed++) v[4 + ed] = MID(P[kuhn[t][tet_edge[ed][0]]], P[kuhn[t][tet_edge[ed][1]]]);
      }
      m->region[e] = 6;
      m->elem_tag[e] = e + 1;
    }
  }

  /* Boundary faces: each quad whole (hex8), or as two triangles split along its
   * lowest-to-highest diagonal, which is the edge the adjacent Kuhn tets have on that
   * face (with midpoints for tet10). */
  for (int g = 0; g < 7; g++) {
    mf_group *gr = &m->groups[g];
    snprintf(gr->name, sizeof gr->name, "%s", g < 6 ? face_names[g] : "solid");
    gr->dim = g < 6 ? 2 : 3;
    gr->tag = g + 1;
  }
  mf_idx f = 0;
  for (int g = 0; g < 6; g++) {
    int axis = g / 2, high = g % 2;
    int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    long long n1 = N[a1], n2 = N[a2];
    mf_group *gr = &m->groups[g];
    gr->n_faces = (mf_idx)(per_quad * n1 * n2);
    mf_status st = MF_ALLOC_N(gr->faces, gr->n_faces, "generated face group");
    if (st) { mf_mesh_destroy(&m); return st; }
    mf_idx gf = 0;
    for (long long q = 0; q < n2; q++)
      for (long long p = 0; p < n1; p++) {
        long long P[4][3]; /* the quad's corners on the lattice */
        for (int d = 0; d < 4; d++) {
          P[d][axis] = high ? R * N[axis] : 0;
          P[d][a1] = R * (p + (d & 1));
          P[d][a2] = R * (q + ((d >> 1) & 1));
        }
        const int quad[4] = {0, 1, 3, 2}, tri[2][3] = {{0, 1, 3}, {0, 3, 2}};
        for (int t = 0; t < per_quad; t++) {
          mf_idx *w = &m->face_conn[nfn * (mf_nnz)f];
          for (int a = 0; a < m->elem->face_corners; a++) {
            const long long *pa = P[hex ? quad[a] : tri[t][a]];
            w[a] = NODE(pa[0], pa[1], pa[2]);
          }
          for (int ed = 0; R == 2 && ed < 3; ed++) w[3 + ed] = MID(P[tri[t][tri_edge[ed][0]]], P[tri[t][tri_edge[ed][1]]]);
          gr->faces[gf++] = f++;
        }
      }
  }
#undef MID
#undef NODE
  mf_status st = mf_mesh_finish_groups(m);
  if (st) { mf_mesh_destroy(&m); return st; }
  *out = m;
  return MF_OK;
}
