/* Name <-> enum tables: the one way memfem turns the words of case files and flags into
 * enum values and back (preconditioner, reorder, assembly, material model, element).
 *
 * A table is an array of {name, value} ending with {NULL, 0}; its order is the order in
 * which messages list the choices. */
#ifndef MF_NAMES_H
#define MF_NAMES_H

#include <stddef.h>

typedef struct {
  const char *name;
  int value;
} mf_name;

/* The name of `value`, or "unknown". */
const char *mf_name_of(const mf_name *table, int value);
/* 0 and *value set when `name` is in the table; -1 otherwise. */
int mf_name_parse(const mf_name *table, const char *name, int *value);
/* "a, b, c" (or "a, b or c" when `or` is set) into buf; returns buf. */
const char *mf_name_list(const mf_name *table, int or, char *buf, size_t cap);

#endif
