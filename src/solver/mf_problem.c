/* From description to discrete problem: every mismatch between description and mesh is
 * found here, at setup, with a message naming the case file line and what the mesh has
 * instead. */
#include "solver/mf_problem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fem/mf_shape.h"
#include "la/mf_halo.h"
#include "mem/mf_alloc.h"

/* "a, b, c" list of the mesh's groups of dimension dim, for messages. */
static const char *group_names(const mf_mesh *m, int dim, char *buf, size_t len) {
  buf[0] = '\0';
  size_t used = 0;
  for (int g = 0; g < m->n_groups; g++) {
    if (m->groups[g].dim != dim) continue;
    int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", m->groups[g].name);
    if (w < 0 || (size_t)w >= len - used) break;
    used += (size_t)w;
  }
  if (!used) snprintf(buf, len, "none");
  return buf;
}

static mf_status assign_materials(mf_problem *pb) {
  const mf_problem_desc *desc = pb->desc;
  const mf_mesh *m = pb->mesh;
  char names[512];
  uint8_t *has = NULL;
  MF_CALL(MF_CALLOC_N(has, (size_t)m->n_groups + 1, "material flags"));
  mf_status st = MF_OK;
  for (int i = 0; i < desc->n_materials && !st; i++) {
    const mf_material_assignment *cm = &desc->materials[i];
    if (cm->region[0] == '\0') { /* applies everywhere */
      for (int r = 0; r <= m->n_groups; r++) { pb->region_mat[r] = cm->mat; has[r] = 1; }
      continue;
    }
    const mf_group *g = mf_mesh_find_group(m, cm->region, 3);
    if (!g) {
      st = MF_ERROR(MF_ERR_INPUT, "%s:%d: materials: region '%s' is not a volume group of mesh %s (volume groups: %s)",
                    desc->origin, cm->line, cm->region, m->source, group_names(m, 3, names, sizeof names));
      break;
    }
    int r = (int)(g - m->groups);
    pb->region_mat[r + 1] = cm->mat;
    has[r + 1] = 1;
  }
  for (mf_idx e = 0; m->region && e < m->n_elems && !st; e++) { /* an outline has none: checked where read */
    int r = m->region[e];
    if (has[r + 1]) continue;
    if (r < 0)
      st = MF_ERROR(MF_ERR_INPUT, "%s: materials: element %lld belongs to no physical volume; give a material "
                    "without 'region' to cover such elements", desc->origin, (long long)m->elem_tag[e]);
    else
      st = MF_ERROR(MF_ERR_INPUT, "%s: materials: region '%s' of mesh %s has no material", desc->origin,
                    m->groups[r].name, m->source);
  }
  mf_free(&has);
  return st;
}

/* part: a part's problem (mf_problem_create_part), whose mesh may hold none of a
 * group's faces and none of the constrained nodes: those checks were made on the whole
 * mesh or its outline. Without fields (an outline), only the checks. */
static mf_status set_dirichlet(mf_problem *pb, int part) {
  const mf_problem_desc *desc = pb->desc;
  const mf_mesh *m = pb->mesh;
  char names[512];
  int any = 0; /* a component prescribed on a group with nodes */
  for (int i = 0; i < desc->n_dirichlet; i++) {
    const mf_dirichlet_set *d = &desc->dirichlet[i];
    const mf_group *g = mf_mesh_find_group(m, d->group, 2);
    MF_CHECK(g, MF_ERR_INPUT, "%s:%d: boundary: group '%s' is not a surface group of mesh %s (surface groups: %s)",
             desc->origin, d->line, d->group, m->source, group_names(m, 2, names, sizeof names));
    MF_CHECK(part || g->n_nodes > 0, MF_ERR_INPUT, "%s:%d: boundary: group '%s' has no faces in mesh %s",
             desc->origin, d->line, d->group, m->source);
    pb->bc_group[i] = g;
    any |= g->n_nodes > 0 && (d->fixed[0] || d->fixed[1] || d->fixed[2]);
    for (mf_idx k = 0; pb->bc_mask && k < g->n_nodes; k++)
      for (int c = 0; c < 3; c++) {
        if (!d->fixed[c]) continue;
        mf_nnz dof = 3 * (mf_nnz)g->nodes[k] + c;
        if (pb->bc_mask[dof] && pb->bc_value[dof] != d->value[c])
          return MF_ERROR(MF_ERR_INPUT, "%s:%d: boundary: group '%s' prescribes u%c = %g at node %lld, which an "
                          "earlier entry already prescribes as %g", desc->origin, d->line, d->group, 'x' + c,
                          d->value[c], (long long)m->nodes.tag[g->nodes[k]], pb->bc_value[dof]);
        if (!pb->bc_mask[dof]) pb->n_constrained++;
        pb->bc_mask[dof] = 1;
        pb->bc_value[dof] = d->value[c];
      }
  }
  MF_CHECK(part || any, MF_ERR_INPUT,
           "%s: boundary: no displacement is prescribed, so the body can move freely (rigid-body modes); "
           "fix at least one group", desc->origin);
  return MF_OK;
}

/* Dead loads at factor 1, integrated with the element shape's quadrature and summed in
 * mesh order: traction t to the nodes of each face of its group, int N_a t dA; body
 * force b to each element's nodes, int N_a b dV. */
static void add_body_force(mf_problem *pb, const double b[3]) {
  const mf_mesh *m = pb->mesh;
  const mf_shape *sh = pb->shape;
  double X[3 * MF_ELEM_MAX_NODES], g[3 * MF_ELEM_MAX_NODES];
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *v = mf_mesh_elem(m, e);
    for (int a = 0; a < m->npe; a++) mf_nodes_coords(&m->nodes, v[a], &X[3 * a]);
    for (int q = 0; q < sh->nqp; q++) {
      double dV = sh->gradients(sh, q, X, g);
      const double *N = &sh->N[(size_t)q * sh->nodes];
      for (int a = 0; a < m->npe; a++)
        for (int c = 0; c < 3; c++) pb->fext[3 * (mf_nnz)v[a] + c] += b[c] * dV * N[a];
    }
  }
}

static void add_traction(mf_problem *pb, const mf_group *g, const double t[3]) {
  const mf_mesh *m = pb->mesh;
  const mf_shape *sh = pb->shape;
  double Xf[3 * MF_FACE_MAX_NODES];
  for (mf_idx f = 0; f < g->n_faces; f++) {
    const mf_idx *v = mf_mesh_face(m, g->faces[f]);
    for (int a = 0; a < m->nfn; a++) mf_nodes_coords(&m->nodes, v[a], &Xf[3 * a]);
    for (int q = 0; q < sh->face_nqp; q++) {
      double dA = mf_shape_face_measure(sh, q, Xf);
      const double *N = &sh->face_N[(size_t)q * sh->face_nodes];
      for (int a = 0; a < m->nfn; a++)
        for (int c = 0; c < 3; c++) pb->fext[3 * (mf_nnz)v[a] + c] += t[c] * dA * N[a];
    }
  }
}

static mf_status set_loads(mf_problem *pb, int part) {
  const mf_problem_desc *desc = pb->desc;
  const mf_mesh *m = pb->mesh;
  char names[512];
  for (int i = 0; i < desc->n_loads; i++) {
    const mf_load *ld = &desc->loads[i];
    if (ld->kind == MF_LOAD_BODY_FORCE) {
      if (pb->fext) add_body_force(pb, ld->vec);
      continue;
    }
    const mf_group *g = mf_mesh_find_group(m, ld->group, 2);
    MF_CHECK(g, MF_ERR_INPUT, "%s:%d: loads: group '%s' is not a surface group of mesh %s (surface groups: %s)",
             desc->origin, ld->line, ld->group, m->source, group_names(m, 2, names, sizeof names));
    MF_CHECK(part || g->n_faces > 0, MF_ERR_INPUT, "%s:%d: loads: group '%s' has no faces in mesh %s", desc->origin,
             ld->line, ld->group, m->source);
    if (pb->fext) add_traction(pb, g, ld->vec);
  }
  return MF_OK;
}

/* The owned node of ns nearest P: smallest squared distance (*d), then smallest tag;
 * -1 when ns owns none. */
static mf_idx nearest_owned(const mf_nodes *ns, const double P[3], double *d) {
  mf_idx arg = -1;
  *d = INFINITY;
  for (mf_idx i = 0; i < ns->n_owned; i++) {
    double X[3];
    mf_nodes_coords(ns, i, X);
    const double dx = X[0] - P[0], dy = X[1] - P[1], dz = X[2] - P[2], di = dx * dx + dy * dy + dz * dz;
    if (arg < 0 || di < *d || (di == *d && ns->tag[i] < ns->tag[arg])) *d = di, arg = i;
  }
  return arg;
}

static void find_probes(mf_problem *pb) {
  const mf_nodes *ns = &pb->mesh->nodes;
  for (int p = 0; p < pb->desc->n_probes; p++) {
    double best;
    const mf_idx arg = nearest_owned(ns, pb->desc->probes[p].X, &best);
    pb->probe_node[p] = arg;
    pb->probe_tag[p] = ns->tag[arg];
    mf_nodes_coords(ns, arg, &pb->probe_X[3 * p]);
  }
}

/* Zero the per-dof arrays with the static schedule of the solver's dof loops (residual,
 * Dirichlet gap): each thread first-touches the pages it reads every Newton iteration,
 * instead of the serial boundary-condition setup placing them all on one NUMA node. */
static mf_status first_touch(mf_problem *pb) {
  uint8_t *mask = pb->bc_mask;
  double *val = pb->bc_value, *fext = pb->fext;
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < pb->ndof; i++) {
    mask[i] = 0;
    val[i] = 0.0;
    fext[i] = 0.0;
  }
  return MF_OK;
}

/* A problem on mesh m with its shape, region materials, boundary groups and probe nodes
 * allocated, and no per-unknown fields. */
static mf_status problem_new(const mf_problem_desc *desc, const mf_mesh *m, mf_problem **out) {
  *out = NULL;
  mf_problem *pb;
  MF_CALL(MF_CALLOC_N(pb, 1, "problem"));
  pb->mesh = m;
  pb->desc = desc;
  pb->ndof = 3 * (mf_nnz)m->nodes.n_local;
  pb->shape = mf_shape_with(m->elem->type, desc->volumetric);
  mf_status st;
  if (!pb->shape)
    st = MF_ERROR(MF_ERR_INPUT, "%s: volumetric: %s integration is offered for hex8 meshes only; %s has %s (use full)",
                  desc->origin, mf_name_of(mf_volumetric_names, (int)desc->volumetric), m->source, m->elem->plural);
  else if (!(st = MF_CALLOC_N(pb->region_mat, (size_t)m->n_groups + 1, "region materials")) &&
           !(st = MF_CALLOC_N(pb->bc_group, (size_t)desc->n_dirichlet + 1, "boundary groups")))
    if (!(st = MF_CALLOC_N(pb->probe_node, (size_t)desc->n_probes + 1, "probe nodes")) &&
        !(st = MF_CALLOC_N(pb->probe_tag, (size_t)desc->n_probes + 1, "probe node tags")))
      st = MF_CALLOC_N(pb->probe_X, 3 * (size_t)desc->n_probes + 1, "probe node coordinates");
  if (st) {
    mf_problem_destroy(&pb);
    return st;
  }
  *out = pb;
  return MF_OK;
}

/* A problem with its per-unknown fields on mesh m, filled (part: a part's, mf_problem_create_part). */
static mf_status create_with_fields(const mf_problem_desc *desc, const mf_mesh *m, int part, mf_problem **out) {
  mf_problem *pb;
  MF_CALL(problem_new(desc, m, &pb));
  mf_status st;
  if ((st = MF_ALLOC_N(pb->bc_mask, pb->ndof, "constraint mask")) ||
      (st = MF_ALLOC_N(pb->bc_value, pb->ndof, "prescribed values")) ||
      (st = MF_ALLOC_N(pb->fext, pb->ndof, "external force")) || (st = first_touch(pb)) ||
      (st = assign_materials(pb)) || (st = set_dirichlet(pb, part)) || (st = set_loads(pb, part))) {
    mf_problem_destroy(&pb);
    return st;
  }
  *out = pb;
  return MF_OK;
}

mf_status mf_problem_create(const mf_problem_desc *desc, const mf_mesh *m, mf_problem **out) {
  MF_CALL(create_with_fields(desc, m, 0, out));
  find_probes(*out);
  return MF_OK;
}

mf_status mf_problem_create_outline(const mf_problem_desc *desc, const mf_mesh *m, const mf_idx *probe_node,
                                    mf_problem **out) {
  mf_problem *pb;
  MF_CALL(problem_new(desc, m, &pb));
  mf_status st;
  if ((st = assign_materials(pb)) || (st = set_dirichlet(pb, 0)) || (st = set_loads(pb, 0))) {
    mf_problem_destroy(&pb);
    return st;
  }
  if (!probe_node) find_probes(pb);
  else if (desc->n_probes) memcpy(pb->probe_node, probe_node, (size_t)desc->n_probes * sizeof *probe_node);
  *out = pb;
  return MF_OK;
}

mf_status mf_problem_create_part(const mf_problem_desc *desc, const mf_mesh *part_mesh, mf_problem **out) {
  return create_with_fields(desc, part_mesh, 1, out);
}

mf_status mf_problem_share_ghosts(mf_comm *comm, const mf_part *part, mf_problem *pb) {
  const mf_idx n = part->n_owned + part->n_ghost;
  MF_CHECK(3 * (mf_nnz)n == pb->ndof, MF_ERR_INTERNAL, "problem: a part of %lld nodes for %lld unknowns",
           (long long)n, (long long)pb->ndof);
  mf_halo *h = NULL;
  double *mask = NULL; /* the constraint mask as values: the exchange moves doubles */
  mf_status st = mf_halo_create(comm, part, 3, &h);
  if (!st) st = MF_ALLOC_N(mask, (size_t)pb->ndof + 1, "ghost constraints");
  if (!st) {
    for (mf_nnz d = 0; d < pb->ndof; d++) mask[d] = pb->bc_mask[d];
    if (!(st = mf_halo_forward(h, mask)) && !(st = mf_halo_forward(h, pb->bc_value)))
      st = mf_halo_forward(h, pb->fext);
  }
  if (!st) {
    pb->n_constrained = 0;
    for (mf_nnz d = 0; d < pb->ndof; d++) {
      pb->bc_mask[d] = mask[d] != 0.0;
      pb->n_constrained += pb->bc_mask[d];
    }
  }
  mf_free(&mask);
  mf_halo_destroy(&h);
  return st;
}

/* The bits of a double as an integer, for the maxima below: for non-negative doubles
 * they order as the doubles do. */
static int64_t bits_of(double v) {
  int64_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

mf_status mf_problem_find_probes_across(mf_comm *comm, const mf_part *part, const mf_mesh *part_mesh,
                                        mf_problem *pb) {
  const int np = pb->desc->n_probes;
  if (np == 0) return MF_OK;
  const mf_nodes *ns = &part_mesh->nodes;
  mf_idx *arg = NULL;  /* this process's nearest owned node per probe, -1 for none */
  double *dist = NULL; /* and its squared distance */
  int64_t *key = NULL; /* what the maxima run over: 1 per probe, then 4 per probe from key[np] */
  mf_status st;
  if ((st = MF_ALLOC_N(arg, (size_t)np, "probe candidates")) ||
      (st = MF_ALLOC_N(dist, (size_t)np, "probe distances")) || (st = MF_ALLOC_N(key, 5 * (size_t)np, "probe keys")))
    goto done;
  for (int p = 0; p < np; p++) {
    arg[p] = nearest_owned(ns, pb->desc->probes[p].X, &dist[p]); /* the part mesh owns the part's owned nodes */
    key[p] = arg[p] < 0 ? INT64_MIN : -bits_of(dist[p]); /* the smallest distance, */
  }
  if ((st = comm->ops->max_i64(comm, key, np))) goto done;
  for (int p = 0; p < np; p++) /* then the smallest tag at it, */
    key[p] = arg[p] >= 0 && -bits_of(dist[p]) == key[p] ? -ns->tag[arg[p]] : INT64_MIN;
  if ((st = comm->ops->max_i64(comm, key, np))) goto done;
  int64_t *at = &key[np];
  for (int p = 0; p < np; p++) { /* then that node's number and coordinates, from its owner */
    const int mine = arg[p] >= 0 && -ns->tag[arg[p]] == key[p];
    double X[3] = {0.0, 0.0, 0.0};
    if (mine) mf_nodes_coords(ns, arg[p], X);
    at[4 * p] = mine ? part->nodes[arg[p]] : -1;
    for (int c = 0; c < 3; c++) at[4 * p + 1 + c] = mine ? bits_of(X[c]) : INT64_MIN;
  }
  if ((st = comm->ops->max_i64(comm, at, 4 * np))) goto done;
  for (int p = 0; p < np; p++) {
    pb->probe_node[p] = (mf_idx)at[4 * p];
    pb->probe_tag[p] = -key[p];
    memcpy(&pb->probe_X[3 * p], &at[4 * p + 1], 3 * sizeof *pb->probe_X);
  }
done:
  mf_free(&arg);
  mf_free(&dist);
  mf_free(&key);
  return st;
}

int mf_problem_is_linear(const mf_problem *pb) {
  for (int i = 0; i < pb->desc->n_materials; i++)
    if (mf_material_is_finite_strain(&pb->desc->materials[i].mat)) return 0;
  return 1;
}

void mf_problem_destroy(mf_problem **pp) {
  mf_problem *pb = *pp;
  if (!pb) return;
  mf_free(&pb->region_mat);
  mf_free(&pb->bc_mask);
  mf_free(&pb->bc_value);
  mf_free(&pb->fext);
  mf_free(&pb->bc_group);
  mf_free(&pb->probe_node);
  mf_free(&pb->probe_X);
  mf_free(&pb->probe_tag);
  mf_free(pp);
}
