/* From description to discrete problem: every mismatch between description and mesh is
 * found here, at setup, with a message naming the case file line and what the mesh has
 * instead. */
#include "solver/mf_problem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fem/mf_shape.h"
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

static mf_status set_dirichlet(mf_problem *pb) {
  const mf_problem_desc *desc = pb->desc;
  const mf_mesh *m = pb->mesh;
  char names[512];
  for (int i = 0; i < desc->n_dirichlet; i++) {
    const mf_dirichlet_set *d = &desc->dirichlet[i];
    const mf_group *g = mf_mesh_find_group(m, d->group, 2);
    MF_CHECK(g, MF_ERR_INPUT, "%s:%d: boundary: group '%s' is not a surface group of mesh %s (surface groups: %s)",
             desc->origin, d->line, d->group, m->source, group_names(m, 2, names, sizeof names));
    MF_CHECK(g->n_nodes > 0, MF_ERR_INPUT, "%s:%d: boundary: group '%s' has no faces in mesh %s", desc->origin,
             d->line, d->group, m->source);
    pb->bc_group[i] = g;
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
  MF_CHECK(pb->n_constrained > 0 || !pb->bc_mask, MF_ERR_INPUT,
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

static mf_status set_loads(mf_problem *pb) {
  const mf_problem_desc *desc = pb->desc;
  const mf_mesh *m = pb->mesh;
  char names[512];
  for (int i = 0; i < desc->n_loads; i++) {
    const mf_load *ld = &desc->loads[i];
    if (ld->kind == MF_LOAD_BODY_FORCE) {
      add_body_force(pb, ld->vec);
      continue;
    }
    const mf_group *g = mf_mesh_find_group(m, ld->group, 2);
    MF_CHECK(g, MF_ERR_INPUT, "%s:%d: loads: group '%s' is not a surface group of mesh %s (surface groups: %s)",
             desc->origin, ld->line, ld->group, m->source, group_names(m, 2, names, sizeof names));
    MF_CHECK(g->n_faces > 0, MF_ERR_INPUT, "%s:%d: loads: group '%s' has no faces in mesh %s", desc->origin, ld->line,
             ld->group, m->source);
    add_traction(pb, g, ld->vec);
  }
  return MF_OK;
}

static void find_probes(mf_problem *pb) {
  const mf_nodes *ns = &pb->mesh->nodes;
  for (int p = 0; p < pb->desc->n_probes; p++) {
    const double *P = pb->desc->probes[p].X;
    double best = INFINITY;
    mf_idx arg = 0;
    for (mf_idx i = 0; i < ns->n_owned; i++) {
      double X[3];
      mf_nodes_coords(ns, i, X);
      double dx = X[0] - P[0], dy = X[1] - P[1], dz = X[2] - P[2];
      double d = dx * dx + dy * dy + dz * dz;
      if (d < best || (d == best && ns->tag[i] < ns->tag[arg])) { best = d; arg = i; }
    }
    pb->probe_node[p] = arg;
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
    if (!(st = MF_CALLOC_N(pb->probe_node, (size_t)desc->n_probes + 1, "probe nodes")))
      st = MF_CALLOC_N(pb->probe_X, 3 * (size_t)desc->n_probes + 1, "probe node coordinates");
  if (st) {
    mf_problem_destroy(&pb);
    return st;
  }
  *out = pb;
  return MF_OK;
}

mf_status mf_problem_create(const mf_problem_desc *desc, const mf_mesh *m, mf_problem **out) {
  mf_problem *pb;
  MF_CALL(problem_new(desc, m, &pb));
  mf_status st;
  if ((st = MF_ALLOC_N(pb->bc_mask, pb->ndof, "constraint mask")) ||
      (st = MF_ALLOC_N(pb->bc_value, pb->ndof, "prescribed values")) ||
      (st = MF_ALLOC_N(pb->fext, pb->ndof, "external force")) || (st = first_touch(pb)) ||
      (st = assign_materials(pb)) || (st = set_dirichlet(pb)) || (st = set_loads(pb))) {
    mf_problem_destroy(&pb);
    return st;
  }
  find_probes(pb);
  *out = pb;
  return MF_OK;
}

mf_status mf_problem_create_outline(const mf_problem_desc *desc, const mf_mesh *outline, const mf_idx *probe_node,
                                    mf_problem **out) {
  mf_problem *pb;
  MF_CALL(problem_new(desc, outline, &pb));
  mf_status st;
  if ((st = assign_materials(pb)) || (st = set_dirichlet(pb))) {
    mf_problem_destroy(&pb);
    return st;
  }
  if (desc->n_probes) memcpy(pb->probe_node, probe_node, (size_t)desc->n_probes * sizeof *probe_node);
  *out = pb;
  return MF_OK;
}

/* A part's problem with its fields allocated and first-touched, to be filled. */
static mf_status part_alloc(const mf_problem *whole, const mf_mesh *pm, mf_problem **out) {
  *out = NULL;
  MF_CHECK(pm->n_groups == whole->mesh->n_groups && pm->elem == whole->mesh->elem, MF_ERR_INTERNAL,
           "problem: part mesh with %d groups of %s for a mesh with %d of %s", pm->n_groups, pm->elem->plural,
           whole->mesh->n_groups, whole->mesh->elem->plural);
  mf_problem *pb;
  MF_CALL(MF_CALLOC_N(pb, 1, "part problem"));
  pb->mesh = pm;
  pb->desc = whole->desc;
  pb->shape = whole->shape;
  pb->ndof = 3 * (mf_nnz)pm->nodes.n_local;
  mf_status st;
  if ((st = MF_ALLOC_N(pb->region_mat, (size_t)pm->n_groups + 1, "region materials")) ||
      (st = MF_ALLOC_N(pb->bc_mask, pb->ndof, "constraint mask")) ||
      (st = MF_ALLOC_N(pb->bc_value, pb->ndof, "prescribed values")) ||
      (st = MF_ALLOC_N(pb->fext, pb->ndof, "external force")) || (st = first_touch(pb))) {
    mf_problem_destroy(&pb);
    return st;
  }
  memcpy(pb->region_mat, whole->region_mat, ((size_t)pm->n_groups + 1) * sizeof *pb->region_mat);
  *out = pb;
  return MF_OK;
}

mf_status mf_problem_restrict(const mf_problem *whole, const mf_mesh *pm, const mf_idx *mesh_node, mf_problem **out) {
  mf_problem *pb;
  MF_CALL(part_alloc(whole, pm, &pb));
  mf_nnz constrained = 0;
#pragma omp parallel for schedule(static) reduction(+ : constrained)
  for (mf_idx l = 0; l < pm->nodes.n_local; l++)
    for (int c = 0; c < 3; c++) {
      const mf_nnz d = 3 * (mf_nnz)l + c, D = 3 * (mf_nnz)mesh_node[l] + c;
      pb->bc_mask[d] = whole->bc_mask[D];
      pb->bc_value[d] = whole->bc_value[D];
      pb->fext[d] = whole->fext[D];
      constrained += whole->bc_mask[D];
    }
  pb->n_constrained = constrained;
  *out = pb;
  return MF_OK;
}

mf_status mf_problem_pack_fields(const mf_problem *pb, mf_pack *p) {
  MF_CALL(mf_pack_array(p, pb->bc_mask, (size_t)pb->ndof, sizeof *pb->bc_mask));
  MF_CALL(mf_pack_array(p, pb->bc_value, (size_t)pb->ndof, sizeof *pb->bc_value));
  return mf_pack_array(p, pb->fext, (size_t)pb->ndof, sizeof *pb->fext);
}

mf_status mf_problem_unpack_part(mf_unpack *u, const mf_problem *whole, const mf_mesh *pm, mf_problem **out) {
  mf_problem *pb;
  MF_CALL(part_alloc(whole, pm, &pb));
  mf_status st;
  if ((st = mf_unpack_array(u, pb->bc_mask, (size_t)pb->ndof, sizeof *pb->bc_mask, "constraint mask")) ||
      (st = mf_unpack_array(u, pb->bc_value, (size_t)pb->ndof, sizeof *pb->bc_value, "prescribed values")) ||
      (st = mf_unpack_array(u, pb->fext, (size_t)pb->ndof, sizeof *pb->fext, "external force"))) {
    mf_problem_destroy(&pb);
    return st;
  }
  for (mf_nnz d = 0; d < pb->ndof; d++) pb->n_constrained += pb->bc_mask[d];
  *out = pb;
  return MF_OK;
}

int mf_problem_is_linear(const mf_problem *pb) {
  for (int i = 0; i < pb->desc->n_materials; i++)
    if (mf_material_is_finite_strain(&pb->desc->materials[i].mat)) return 0;
  return 1;
}

void mf_problem_drop_constraints(mf_problem *pb) {
  mf_free(&pb->bc_mask);
  mf_free(&pb->bc_value);
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
  mf_free(pp);
}
