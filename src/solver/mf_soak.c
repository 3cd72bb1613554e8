/* Soak-mode step retention (policy in mf_soak.h). */
#include "solver/mf_soak.h"

#include <stdio.h>
#include <string.h>

#include "mem/mf_alloc.h"

#define KEEP_STEPS 4
#define PHASE_STEPS 8

typedef struct {
  double *snapshot;
  size_t snapshot_bytes;
  void **records;
  size_t *record_bytes;
  mf_idx n_records;
} kept_step;

struct mf_soak {
  mf_idx records_per_step;
  kept_step ring[KEEP_STEPS];
  char *history;
  size_t history_len, history_cap;
  uint32_t seed;
};

mf_status mf_soak_create(mf_idx n_elems, mf_soak **out) {
  mf_soak *s;
  MF_CALL(MF_CALLOC_N(s, 1, "soak state"));
  s->records_per_step = n_elems / 32 > 64 ? n_elems / 32 : 64;
  s->seed = 2463534242u;
  *out = s;
  return MF_OK;
}

static void release_kept(kept_step *k) {
  mf_free(&k->snapshot);
  if (k->records)
    for (mf_idx i = 0; i < k->n_records; i++) mf_free(&k->records[i]);
  mf_free(&k->records);
  mf_free(&k->record_bytes);
  memset(k, 0, sizeof *k);
}

static uint32_t next(mf_soak *s) {
  s->seed ^= s->seed << 13;
  s->seed ^= s->seed >> 17;
  s->seed ^= s->seed << 5;
  return s->seed;
}

/* Append text to the history, doubling its capacity when full. */
static mf_status history_append(mf_soak *s, const char *text, size_t len) {
  if (s->history_len + len + 1 > s->history_cap) {
    size_t cap = s->history_cap ? 2 * s->history_cap : 4096;
    while (cap < s->history_len + len + 1) cap *= 2;
    char *grown;
    MF_CALL(mf_malloc_plain(cap, "soak history", &grown));
    if (s->history_len) memcpy(grown, s->history, s->history_len);
    mf_free(&s->history);
    s->history = grown;
    s->history_cap = cap;
  }
  memcpy(s->history + s->history_len, text, len);
  s->history_len += len;
  s->history[s->history_len] = '\0';
  return MF_OK;
}

mf_status mf_soak_keep_step(mf_soak *s, int step, const double *u, mf_nnz ndof) {
  kept_step *k = &s->ring[step % KEEP_STEPS];
  release_kept(k);
  int odd_phase = (step / PHASE_STEPS) % 2;
  k->n_records = s->records_per_step;
  k->snapshot_bytes = (size_t)ndof * sizeof(double);
  MF_CALL(mf_malloc(k->snapshot_bytes, "soak displacement snapshot", &k->snapshot));
  memcpy(k->snapshot, u, k->snapshot_bytes);
  MF_CALL(MF_CALLOC_N(k->records, k->n_records, "soak record table"));
  MF_CALL(MF_CALLOC_N(k->record_bytes, k->n_records, "soak record sizes"));
  double umax = 0.0;
  for (mf_nnz i = 0; i < ndof; i++) umax = u[i] > umax ? u[i] : (-u[i] > umax ? -u[i] : umax);
  for (mf_idx i = 0; i < k->n_records; i++) {
    uint32_t r = next(s);
    size_t bytes = odd_phase ? 1024 + 128 * (r % 16) : 256 + 64 * (r % 8);
    MF_CALL(mf_malloc_plain(bytes, "soak output record", &k->records[i]));
    memset(k->records[i], (int)(r & 0xff), bytes); /* written, so resident */
    k->record_bytes[i] = bytes;
  }
  char line[128];
  int len = snprintf(line, sizeof line, "step %d phase %d max|u| %.17g\n", step, odd_phase, umax);
  return history_append(s, line, (size_t)len);
}

size_t mf_soak_live_bytes(const mf_soak *s) {
  size_t b = s->history_cap;
  for (int j = 0; j < KEEP_STEPS; j++) {
    const kept_step *k = &s->ring[j];
    b += k->snapshot_bytes;
    for (mf_idx i = 0; i < k->n_records; i++) b += k->record_bytes ? k->record_bytes[i] : 0;
  }
  return b;
}

void mf_soak_destroy(mf_soak **sp) {
  mf_soak *s = *sp;
  if (!s) return;
  for (int j = 0; j < KEEP_STEPS; j++) release_kept(&s->ring[j]);
  mf_free(&s->history);
  mf_free(sp);
}
