/* `memfem convert` (see mf_convert_cmd.h).
 *
 * With --order the file is written in the order a run with that `reorder:` setting would
 * renumber the mesh into, with the cuts such a run makes on rank 0 before anything else:
 * the assembly blocks and, for each count given with --parts, the processes' parts
 * (io/mf_h5_mesh.h). A run on the file then reads them instead of making them: the same
 * cuts of the same mesh in the same order, so the same bits as a run on the source mesh,
 * and a set-up without its two serial METIS cuts. */
#include "app/mf_convert_cmd.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_names.h"
#include "fem/mf_cuts.h"
#include "io/mf_h5_mesh.h"
#include "io/mf_mesh_load.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_reorder.h"

enum { EXIT_INPUT = 2 };

typedef struct {
  const char *in, *out;
  int have_order;
  mf_reorder_method order;
  int n_parts;
  int parts[MF_MESH_CUTS_MAX];
} convert_args;

static int cmp_int(const void *a, const void *b) {
  const int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* "R[,R...]": process counts of at least 2, sorted, repeats dropped. */
static int parse_parts(const char *s, convert_args *a) {
  const char *p = s;
  a->n_parts = 0;
  while (*p) {
    char *end;
    long r = strtol(p, &end, 10);
    if (end == p || (*end != ',' && *end != '\0') || r < 2 || r > 1000000 || a->n_parts == MF_MESH_CUTS_MAX) {
      fprintf(stderr,
              "memfem: error: --parts expects up to %d process counts of at least 2, separated by commas, got '%s'\n",
              MF_MESH_CUTS_MAX, s);
      return -1;
    }
    a->parts[a->n_parts++] = (int)r;
    p = *end ? end + 1 : end;
  }
  if (a->n_parts == 0) {
    fprintf(stderr, "memfem: error: --parts expects at least one process count\n");
    return -1;
  }
  qsort(a->parts, (size_t)a->n_parts, sizeof *a->parts, cmp_int);
  int k = 1;
  for (int i = 1; i < a->n_parts; i++)
    if (a->parts[i] != a->parts[k - 1]) a->parts[k++] = a->parts[i];
  a->n_parts = k;
  return 0;
}

static int parse_args(int argc, char **argv, convert_args *a) {
  *a = (convert_args){0};
  int positional = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--order") == 0 && i + 1 < argc) {
      if (mf_reorder_parse(argv[++i], &a->order)) {
        char list[128];
        fprintf(stderr, "memfem: error: --order expects %s, got '%s'\n",
                mf_name_list(mf_reorder_names, 1, list, sizeof list), argv[i]);
        return -1;
      }
      a->have_order = 1;
    } else if (strcmp(argv[i], "--parts") == 0 && i + 1 < argc) {
      if (parse_parts(argv[++i], a)) return -1;
    } else if (argv[i][0] != '-' && positional < 2) {
      if (positional++ == 0) a->in = argv[i];
      else a->out = argv[i];
    } else {
      fprintf(stderr, "memfem: error: convert: unexpected argument '%s'\n", argv[i]);
      return -1;
    }
  }
  if (positional != 2) {
    fprintf(stderr, "usage: memfem convert IN OUT.h5 [--order none|metis|rcm] [--parts R[,R...]]\n");
    return -1;
  }
  if (a->n_parts > 0 && !a->have_order) {
    fprintf(stderr, "memfem: error: --parts needs --order: the cuts hold for the order they are made in\n");
    return -1;
  }
  return 0;
}

int mf_cmd_convert(int argc, char **argv) {
  convert_args a;
  if (parse_args(argc, argv, &a)) return EXIT_INPUT;
  mf_mesh *m = NULL;
  const double t0 = omp_get_wtime();
  if (mf_mesh_load(a.in, &m) || (a.have_order && mf_cuts_make(m, a.order, a.n_parts, a.parts)) ||
      mf_h5_mesh_save(m, a.out)) {
    mf_error_print();
    mf_mesh_destroy(&m);
    return EXIT_INPUT;
  }
  printf("wrote %s: %lld nodes, %lld %s, %lld boundary %s, %d groups\n", a.out, (long long)m->nodes.n_local,
         (long long)m->n_elems, m->elem->plural, (long long)m->n_faces, m->elem->face_plural, m->n_groups);
  if (a.have_order) {
    printf("      in %s order, with its cut into %d assembly blocks", mf_reorder_name(a.order), m->cuts->n_blocks);
    for (int k = 0; k < a.n_parts; k++) printf("%s%d", k ? ", " : " and its parts for ", a.parts[k]);
    printf("%s (%.2f s)\n", a.n_parts ? " processes" : "", omp_get_wtime() - t0);
  }
  mf_mesh_destroy(&m);
  return EXIT_SUCCESS;
}
