/* Built-in structured mesh generator: "box:LXxLYxLZ:NXxNYxNZ".
 *
 * The box [0,LX]x[0,LY]x[0,LZ] is cut into NXxNYxNZ hexahedral cells, each split into
 * six tetrahedra around its main diagonal (Kuhn's split: the same in every cell, so
 * neighbouring cells' faces match). Faces xmin..zmax and the volume "solid" are named
 * groups; node tags are 1 + i + (NX+1)(j + (NY+1)k). Any size, no file. */
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

static const char *face_names[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};

mf_status mf_mesh_generate(const char *spec, mf_mesh **out) {
  *out = NULL;
  double L[3];
  long long N[3];
  char *end;
  const char *usage = "expected box:LXxLYxLZ:NXxNYxNZ with positive lengths and cell counts, e.g. box:10x1x1:100x10x10";
  MF_CHECK(strncmp(spec, "box:", 4) == 0, MF_ERR_INPUT, "mesh spec '%s': %s", spec, usage);
  MF_CHECK(parse_triple_double(spec + 4, &end, L) == 0 && *end == ':', MF_ERR_INPUT, "mesh spec '%s': %s", spec, usage);
  MF_CHECK(parse_triple_long(end + 1, &end, N) == 0 && *end == '\0', MF_ERR_INPUT, "mesh spec '%s': %s", spec, usage);
  /* Counts in floating point first: the cell counts may be anything strtoll returns, and
   * their products must be checked before any integer arithmetic can overflow. */
  const double dx = (double)N[0], dy = (double)N[1], dz = (double)N[2];
  MF_CALL(mf_mesh_check_size(MF_ELEM_TET4, (dx + 1) * (dy + 1) * (dz + 1), 6 * dx * dy * dz, 4 * (dx * dy + dy * dz + dx * dz),
                             spec));
  long long nx = N[0], ny = N[1], nz = N[2]; /* now each product below fits a 32-bit index */
  long long nn = (nx + 1) * (ny + 1) * (nz + 1);
  long long nc = nx * ny * nz;
  long long nf = 4 * (nx * ny + ny * nz + nx * nz);

  mf_mesh *m;
  MF_CALL(mf_mesh_alloc(MF_ELEM_TET4, (mf_idx)nn, (mf_idx)(6 * nc), (mf_idx)nf, 7, &m));
  snprintf(m->source, sizeof m->source, "%s", spec);
  const long long sx = nx + 1, sy = ny + 1;
#define NODE(i, j, k) ((mf_idx)((i) + sx * ((j) + sy * (long long)(k))))

#pragma omp parallel for schedule(static)
  for (long long n = 0; n < nn; n++) {
    long long i = n % sx, j = (n / sx) % sy, k = n / (sx * sy);
    const double X[3] = {L[0] * (double)i / (double)nx, L[1] * (double)j / (double)ny,
                         L[2] * (double)k / (double)nz};
    mf_nodes_set_coords(&m->nodes, (mf_idx)n, X);
    m->nodes.tag[n] = n + 1;
  }
#pragma omp parallel for schedule(static)
  for (long long c = 0; c < nc; c++) {
    long long i = c % nx, j = (c / nx) % ny, k = c / (nx * ny);
    mf_idx corner[8];
    for (int q = 0; q < 8; q++) corner[q] = NODE(i + (q & 1), j + ((q >> 1) & 1), k + ((q >> 2) & 1));
    for (int t = 0; t < 6; t++) {
      mf_nnz e = 6 * c + t;
      for (int a = 0; a < 4; a++) m->conn[4 * e + a] = corner[kuhn[t][a]];
      m->region[e] = 6;
      m->elem_tag[e] = e + 1;
    }
  }

  /* Boundary faces: each quad as two triangles split along its lowest-to-highest
   * diagonal, which is the edge the adjacent Kuhn tets have on that face. */
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
    gr->n_faces = (mf_idx)(2 * n1 * n2);
    mf_status st = MF_ALLOC_N(gr->faces, gr->n_faces, "generated face group");
    if (st) { mf_mesh_destroy(&m); return st; }
    mf_idx gf = 0;
    for (long long q = 0; q < n2; q++)
      for (long long p = 0; p < n1; p++) {
        mf_idx v[4];
        for (int d = 0; d < 4; d++) {
          long long ijk[3];
          ijk[axis] = high ? N[axis] : 0;
          ijk[a1] = p + (d & 1);
          ijk[a2] = q + ((d >> 1) & 1);
          v[d] = NODE(ijk[0], ijk[1], ijk[2]);
        }
        const int tri[2][3] = {{0, 1, 3}, {0, 3, 2}};
        for (int t = 0; t < 2; t++) {
          for (int a = 0; a < 3; a++) m->face_conn[3 * (mf_nnz)f + a] = v[tri[t][a]];
          gr->faces[gf++] = f++;
        }
      }
  }
#undef NODE
  mf_status st = mf_mesh_finish_groups(m);
  if (st) { mf_mesh_destroy(&m); return st; }
  *out = m;
  return MF_OK;
}
