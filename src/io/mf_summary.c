/* summary.json writer (layout documented in the README). */
#include "io/mf_summary.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mf_build_info.h"
#include "mem/mf_allocator.h"
#include "mem/mf_procmem.h"

mf_status mf_mkdir_p(const char *dir) {
  char buf[MF_PATH_MAX];
  MF_CHECK(strlen(dir) < sizeof buf, MF_ERR_IO, "output directory name too long: %s", dir);
  strcpy(buf, dir);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) && errno != EEXIST)
      return MF_ERROR(MF_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
    *p = '/';
  }
  if (mkdir(buf, 0777) && errno != EEXIST)
    return MF_ERROR(MF_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
  struct stat sb;
  MF_CHECK(stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode), MF_ERR_IO, "%s exists and is not a directory", buf);
  return MF_OK;
}

static cJSON *vec3(const double v[3]) { return cJSON_CreateDoubleArray(v, 3); }

static cJSON *build_json(void) {
  const mf_build_info *b = mf_build_info_get();
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "version", b->version);
  cJSON_AddStringToObject(o, "git_commit", b->git_commit);
  cJSON_AddStringToObject(o, "build_type", b->build_type);
  cJSON_AddStringToObject(o, "compiler", b->compiler);
  cJSON_AddStringToObject(o, "c_flags", b->c_flags);
  cJSON_AddStringToObject(o, "openmp", b->openmp);
  cJSON *opts = cJSON_AddObjectToObject(o, "options");
  cJSON_AddStringToObject(opts, "scratch", b->scratch);
  cJSON_AddStringToObject(opts, "layout", b->layout);
  cJSON_AddStringToObject(opts, "allocator", b->allocator);
  return o;
}

/* assembly, solve, spmv, pc, vec, output: the phases as summary.json names them. */
static void add_phase_times(cJSON *t, const mf_phase_times *p) {
  cJSON_AddNumberToObject(t, "assembly", p->assembly);
  cJSON_AddNumberToObject(t, "solve", p->solve);
  cJSON_AddNumberToObject(t, "pc_setup", p->pc_setup);
  cJSON_AddNumberToObject(t, "spmv", p->spmv);
  cJSON_AddNumberToObject(t, "pc", p->pc);
  cJSON_AddNumberToObject(t, "vec", p->vec);
  cJSON_AddNumberToObject(t, "output", p->output);
}

static cJSON *run_json(const mf_summary *sm) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "threads", sm->threads);
  cJSON_AddNumberToObject(o, "ranks", sm->ranks > 1 ? sm->ranks : 1);
  const char *bind = getenv("OMP_PROC_BIND"), *places = getenv("OMP_PLACES");
  cJSON_AddStringToObject(o, "omp_proc_bind", bind ? bind : "unset");
  cJSON_AddStringToObject(o, "omp_places", places ? places : "unset");
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  cJSON_AddStringToObject(o, "host", host);
  cJSON_AddStringToObject(o, "start_time", sm->start_time);
  cJSON_AddStringToObject(o, "case", sm->cs->path);
  cJSON_AddStringToObject(o, "reorder", mf_reorder_name(sm->cs->reorder));
  static const char *const cuts[] = {"made by the run", "mesh file: order, blocks", "mesh file: order, blocks, parts",
                                     "mesh file: order, blocks, parts, each read by its process"};
  cJSON_AddStringToObject(o, "cuts", cuts[sm->cuts_from_file >= 0 && sm->cuts_from_file <= 3 ? sm->cuts_from_file : 0]);
  cJSON *t = cJSON_AddObjectToObject(o, "seconds");
  cJSON_AddNumberToObject(t, "mesh", sm->t_mesh);
  if (sm->have_reorder) cJSON_AddNumberToObject(t, "reorder", sm->t_reorder);
  else cJSON_AddStringToObject(t, "reorder", "n/a");
  cJSON_AddNumberToObject(t, "setup", sm->t_setup);
  cJSON_AddNumberToObject(t, "pattern", sm->t_pattern);
  if (sm->res) {
    const mf_run_result *r = sm->res;
    add_phase_times(t, &r->times);
  }
  cJSON_AddNumberToObject(t, "communication", sm->t_comm);
  cJSON_AddNumberToObject(t, "total", sm->t_total);
  return o;
}

static cJSON *mesh_json(const mf_summary *sm) {
  const mf_mesh *m = sm->mesh;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "source", m->source);
  cJSON_AddNumberToObject(o, "nodes", m->nodes.n_local);
  cJSON_AddNumberToObject(o, "elements", m->n_elems);
  cJSON_AddNumberToObject(o, "boundary_faces", m->n_faces);
  cJSON *regions = cJSON_AddArrayToObject(o, "regions");
  cJSON *groups = cJSON_AddArrayToObject(o, "boundary_groups");
  for (int g = 0; g < m->n_groups; g++) {
    if (m->groups[g].dim == 3) cJSON_AddItemToArray(regions, cJSON_CreateString(m->groups[g].name));
    if (m->groups[g].dim == 2) cJSON_AddItemToArray(groups, cJSON_CreateString(m->groups[g].name));
  }
  cJSON_AddNumberToObject(o, "assembly_colours", sm->colours);
  cJSON_AddStringToObject(o, "assembly", sm->assembly ? sm->assembly : "colour");
  cJSON_AddNumberToObject(o, "assembly_blocks", sm->blocks);
  cJSON_AddNumberToObject(o, "assembly_interface_share", sm->interface_share);
  return o;
}

/* The linear solver: preconditioner, options and, for a multigrid, its hierarchy. */
static cJSON *linear_json(const mf_summary *sm) {
  const mf_linear_options *lo = &sm->cs->solver.linear;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "solver", "cg");
  cJSON_AddStringToObject(o, "preconditioner", mf_pc_name(lo->pc.type));
  cJSON_AddNumberToObject(o, "rtol", lo->rtol);
  cJSON_AddNumberToObject(o, "max_iter", lo->max_iter);
  cJSON_AddNumberToObject(o, "reuse", mf_linear_reuse(lo));
  cJSON_AddBoolToObject(o, "reproducible", lo->reproducible != 0);
  cJSON_AddStringToObject(o, "matrix", mf_name_of(mf_matrix_storage_names, (int)sm->cs->solver.matrix));
  const mf_amg_info *h = &sm->pc_levels;
  if (lo->pc.type == MF_PC_AMG) {
    const mf_amg_options *a = &lo->pc.amg;
    cJSON *ao = cJSON_AddObjectToObject(o, "amg");
    cJSON_AddNumberToObject(ao, "threshold", a->threshold);
    cJSON_AddStringToObject(ao, "smoother", mf_name_of(mf_amg_smoother_names, (int)a->smoother));
    cJSON_AddNumberToObject(ao, "sweeps", a->sweeps);
    cJSON_AddNumberToObject(ao, "eig_ratio", a->eig_ratio);
    cJSON_AddNumberToObject(ao, "coarse_size", a->coarse_size);
    cJSON_AddNumberToObject(ao, "max_levels", a->max_levels);
    cJSON_AddNumberToObject(ao, "aggressive_levels", a->aggressive_levels);
    cJSON_AddStringToObject(ao, "nullspace", mf_name_of(mf_amg_nullspace_names, (int)a->nullspace));
    cJSON_AddStringToObject(ao, "precision", mf_name_of(mf_amg_precision_names, (int)a->precision));
    cJSON_AddStringToObject(ao, "fine_precision", mf_name_of(mf_amg_precision_names, (int)a->fine_precision));
  }
  if (lo->pc.type == MF_PC_BOOMERAMG)
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "boomeramg"), "aggressive_levels",
                            lo->pc.boomeramg.aggressive_levels);
  if (h->n_levels) {
    cJSON *mg = cJSON_AddObjectToObject(o, "hierarchy");
    cJSON_AddNumberToObject(mg, "operator_complexity", h->operator_complexity);
    cJSON_AddNumberToObject(mg, "grid_complexity", h->grid_complexity);
    cJSON_AddNumberToObject(mg, "numeric_setups", h->setups);
    cJSON *lv = cJSON_AddArrayToObject(mg, "levels");
    for (int l = 0; l < h->n_levels; l++) {
      cJSON *e = cJSON_CreateObject();
      cJSON_AddNumberToObject(e, "rows", h->level[l].rows);
      cJSON_AddNumberToObject(e, "block_size", h->level[l].bs);
      cJSON_AddNumberToObject(e, "blocks", (double)h->level[l].nnzb);
      cJSON_AddNumberToObject(e, "bytes", (double)h->level[l].bytes);
      cJSON_AddItemToArray(lv, e);
    }
  }
  return o;
}

static cJSON *step_json(const mf_summary *sm, const mf_step_record *r) {
  const mf_problem_desc *cs = &sm->cs->problem;
  const mf_mesh *m = sm->mesh;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "step", r->step);
  cJSON_AddNumberToObject(o, "load_factor", r->load_factor);
  cJSON_AddNumberToObject(o, "newton_iterations", r->newton_iterations);
  cJSON_AddItemToObject(o, "residual_norms", cJSON_CreateDoubleArray(r->residual_norms, r->n_residuals));
  cJSON_AddNumberToObject(o, "cg_iterations", r->cg_iterations);
  cJSON_AddNumberToObject(o, "cg_unconverged_solves", r->cg_unconverged);
  cJSON_AddBoolToObject(o, "converged", r->converged);
  cJSON_AddStringToObject(o, "converged_by", r->converged_by ? r->converged_by : "none");
  cJSON_AddNumberToObject(o, "cutbacks", r->cutbacks);
  cJSON *t = cJSON_AddObjectToObject(o, "seconds");
  cJSON_AddNumberToObject(t, "assembly", r->times.assembly);
  cJSON_AddNumberToObject(t, "solve", r->times.solve);
  cJSON_AddNumberToObject(t, "pc_setup", r->times.pc_setup);
  cJSON_AddNumberToObject(t, "other", r->t_other);
  cJSON_AddNumberToObject(t, "spmv", r->times.spmv);
  cJSON_AddNumberToObject(t, "pc", r->times.pc);
  cJSON_AddNumberToObject(t, "vec", r->times.vec);
  cJSON_AddNumberToObject(t, "output", r->times.output);
  cJSON *re = cJSON_AddObjectToObject(o, "reactions");
  for (int i = 0; i < cs->n_dirichlet; i++)
    if (!cJSON_GetObjectItemCaseSensitive(re, cs->dirichlet[i].group)) /* a group listed twice: once */
      cJSON_AddItemToObject(re, cs->dirichlet[i].group, vec3(r->reactions[i]));
  cJSON *pr = cJSON_AddObjectToObject(o, "probes");
  for (int p = 0; p < cs->n_probes; p++) {
    cJSON *po = cJSON_AddObjectToObject(pr, cs->probes[p].name);
    mf_idx nd = sm->pb ? sm->pb->probe_node[p] : 0;
    double X[3];
    if (sm->pb) memcpy(X, &sm->pb->probe_X[3 * p], sizeof X);
    else mf_nodes_coords(&m->nodes, nd, X);
    cJSON_AddItemToObject(po, "u", vec3(r->probe_u[p]));
    cJSON_AddItemToObject(po, "node_coords", vec3(X));
    cJSON_AddNumberToObject(po, "node_tag", (double)(sm->pb ? sm->pb->probe_tag[p] : m->nodes.tag[nd]));
  }
  return o;
}

static cJSON *fom_json(const mf_summary *sm) {
  const mf_run_result *r = sm->res;
  cJSON *o = cJSON_CreateObject();
  double t_cg = mf_phase_times_krylov(&r->times);
  cJSON_AddNumberToObject(o, "assembly_elements_per_s",
                          r->times.assembly > 0 ? r->elements_assembled / r->times.assembly : 0);
  cJSON_AddNumberToObject(o, "elements_assembled", (double)r->elements_assembled);
  cJSON_AddNumberToObject(o, "elements_assembled_with_tangent", (double)r->tangents_assembled);
  cJSON_AddNumberToObject(o, "cg_bandwidth_gbs", t_cg > 0 ? r->cg_bytes / t_cg * 1e-9 : 0);
  cJSON_AddNumberToObject(o, "cg_iterations", (double)r->cg_iterations);
  if (sm->have_stream && sm->stream_triad_gbs > 0) { /* measured, or "n/a": never a made-up figure */
    cJSON_AddNumberToObject(o, "stream_triad_gbs", sm->stream_triad_gbs);
    if (t_cg > 0) cJSON_AddNumberToObject(o, "cg_bandwidth_ratio", r->cg_bytes / t_cg * 1e-9 / sm->stream_triad_gbs);
    else cJSON_AddStringToObject(o, "cg_bandwidth_ratio", "n/a");
  } else {
    cJSON_AddStringToObject(o, "stream_triad_gbs", "n/a");
    cJSON_AddStringToObject(o, "cg_bandwidth_ratio", "n/a");
  }
  cJSON *t = cJSON_AddObjectToObject(o, "seconds");
  cJSON_AddNumberToObject(t, "assembly", r->times.assembly);
  cJSON_AddNumberToObject(t, "solve", r->times.solve);
  cJSON_AddNumberToObject(t, "pc_setup", r->times.pc_setup);
  cJSON_AddNumberToObject(t, "cg_spmv", r->times.spmv);
  cJSON_AddNumberToObject(t, "cg_preconditioner", r->times.pc);
  cJSON_AddNumberToObject(t, "cg_vector_ops", r->times.vec);
  cJSON_AddNumberToObject(t, "output", r->times.output);
  cJSON_AddNumberToObject(o, "solver_array_bytes", (double)sm->solver_bytes);
  cJSON_AddNumberToObject(o, "matrix_bytes", (double)sm->matrix_bytes);
  cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)sm->peak_rss_bytes);
  if (sm->ranks > 1) cJSON_AddNumberToObject(o, "peak_rss_bytes_sum_over_ranks", (double)sm->peak_rss_sum_bytes);
  return o;
}

/* A byte figure, or "n/a" where the source has none (never a zero). */
static void add_bytes(cJSON *o, const char *key, int64_t v) {
  if (v < 0) cJSON_AddStringToObject(o, key, "n/a");
  else cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *memory_json(const mf_summary *sm) {
  const mf_build_info *b = mf_build_info_get();
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "scratch", b->scratch);
  cJSON_AddStringToObject(o, "layout", b->layout);
  cJSON_AddStringToObject(o, "allocator", mf_allocator_name());
  cJSON_AddStringToObject(o, "allocator_serving", mf_allocator_serving());
  cJSON_AddBoolToObject(o, "allocator_verified", mf_allocator_verified());
  cJSON_AddStringToObject(o, "allocator_settings", mf_allocator_settings());
  cJSON_AddStringToObject(o, "transparent_hugepages", mf_procmem_thp_mode());
  cJSON_AddBoolToObject(o, "release_after_step", sm->release_after_step);
  cJSON_AddNumberToObject(o, "soak_steps", sm->soak_steps);
  cJSON *sc = cJSON_AddObjectToObject(o, "node_scatter");
  cJSON_AddNumberToObject(sc, "adjacent_share", sm->scatter.adjacent_share);
  cJSON_AddNumberToObject(sc, "same_page_share", sm->scatter.same_page_share);
  cJSON_AddNumberToObject(sc, "mean_gap_bytes", sm->scatter.mean_gap_bytes);
  const mf_telemetry_summary *t = sm->tel;
  if (!t) return o;
  cJSON_AddNumberToObject(o, "telemetry_rows", (double)t->rows);
  cJSON_AddNumberToObject(o, "allocs_in_iterations", (double)t->allocs_in_iterations);
  cJSON_AddNumberToObject(o, "max_allocs_first_iteration", (double)t->max_allocs_first_iteration);
  cJSON_AddNumberToObject(o, "max_allocs_later_iteration", (double)t->max_allocs_later_iteration);
  add_bytes(o, "peak_live_bytes", t->peak_live_bytes);
  add_bytes(o, "peak_rss_bytes", t->peak_rss_bytes);
  add_bytes(o, "hwm_bytes", t->hwm_bytes);
  if (t->rows) {
    cJSON_AddNumberToObject(o, "max_frag_ratio", t->max_frag_ratio);
    cJSON_AddNumberToObject(o, "final_frag_ratio", t->last_frag_ratio);
  }
  cJSON *last = cJSON_AddObjectToObject(o, "final");
  add_bytes(last, "live_bytes", t->last.live_bytes);
  add_bytes(last, "rss_bytes", t->last.rss_bytes);
  add_bytes(last, "vmsize_bytes", t->last.vmsize_bytes);
  add_bytes(last, "allocator_allocated", t->last.alloc.allocated);
  add_bytes(last, "allocator_active", t->last.alloc.active);
  add_bytes(last, "allocator_resident", t->last.alloc.resident);
  add_bytes(last, "allocator_mapped", t->last.alloc.mapped);
  add_bytes(last, "allocator_retained", t->last.alloc.retained);
  return o;
}

mf_status mf_summary_write(const char *dir, const mf_summary *sm) {
  MF_CALL(mf_mkdir_p(dir));
  cJSON *root = cJSON_CreateObject();
  cJSON_AddItemToObject(root, "build", build_json());
  cJSON_AddItemToObject(root, "run", run_json(sm));
  cJSON_AddItemToObject(root, "mesh", mesh_json(sm));
  cJSON_AddItemToObject(root, "linear", linear_json(sm));
  cJSON *steps = cJSON_AddArrayToObject(root, "steps");
  const mf_run_result *r = sm->res;
  for (int i = 0; r && i < r->n_steps; i++) cJSON_AddItemToArray(steps, step_json(sm, &r->steps[i]));
  if (r) cJSON_AddItemToObject(root, "fom", fom_json(sm));
  cJSON_AddItemToObject(root, "memory", memory_json(sm));
  if (sm->have_checksum) {
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)sm->checksum);
    cJSON_AddStringToObject(root, "displacement_checksum", hex);
  } else {
    cJSON_AddNullToObject(root, "displacement_checksum");
  }
  cJSON_AddNumberToObject(root, "final_load_factor", r ? r->final_load_factor : 0.0);
  cJSON_AddStringToObject(root, "status", !r ? "not run" : r->status == MF_OK ? "converged" : r->message);
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  MF_CHECK(text, MF_ERR_MEMORY, "could not format summary.json");

  char path[MF_PATH_MAX + 32], tmp[MF_PATH_MAX + 48];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  snprintf(tmp, sizeof tmp, "%s/.summary.json.%d", dir, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) {
    cJSON_free(text);
    return MF_ERROR(MF_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
  }
  int ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
  ok = (fflush(f) == 0) && ok;
  ok = (fsync(fileno(f)) == 0) && ok;
  ok = (fclose(f) == 0) && ok;
  cJSON_free(text);
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return MF_ERROR(MF_ERR_IO, "cannot write %s: %s", path, strerror(e));
  }
  return MF_OK;
}
