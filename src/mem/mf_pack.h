/* A flat stream of 8-byte words, for moving whole objects between processes: what rank
 * 0 sends each rank of its part of the mesh (solver/mf_part_scatter.h).
 *
 * An object's pack function writes its counts and arrays in a fixed order and its
 * unpack function reads them back in the same order. Arrays travel as bytes (padded to
 * whole words) behind their length, so integers of any width and doubles keep their
 * bits. A writer with no buffer only counts words: a pack function runs once to size the
 * stream and once to fill it, so the stream is allocated once at its size. A reader
 * checks every length against what the object expects, so a stream read the wrong way
 * is an error, never a read past its end. */
#ifndef MF_PACK_H
#define MF_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/mf_error.h"

typedef struct {
  double *w;  /* NULL: count only */
  size_t n;   /* words written (or counted) */
  size_t cap; /* words in w */
} mf_pack;

typedef struct {
  const double *w;
  size_t n, at;
  const char *what; /* the stream, for messages */
} mf_unpack;

/* One integer (a count or a scalar). */
mf_status mf_pack_i64(mf_pack *p, int64_t v);
/* n elements of `size` bytes: their byte length, then the bytes. */
mf_status mf_pack_array(mf_pack *p, const void *a, size_t n, size_t size);

mf_status mf_unpack_i64(mf_unpack *u, int64_t *v);
/* An array of exactly n elements of `size` bytes into a (which holds them). */
mf_status mf_unpack_array(mf_unpack *u, void *a, size_t n, size_t size, const char *what);
/* An array of exactly n elements of `size` bytes into a new block *a (mf_alloc, one
 * element more, so that an empty array is a block too). */
mf_status mf_unpack_alloc(mf_unpack *u, void *a, size_t n, size_t size, const char *what);

#endif
