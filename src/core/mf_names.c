#include "core/mf_names.h"

#include <stdio.h>
#include <string.h>

const char *mf_name_of(const mf_name *t, int value) {
  for (; t->name; t++)
    if (t->value == value) return t->name;
  return "unknown";
}

int mf_name_parse(const mf_name *t, const char *name, int *value) {
  for (; t->name; t++)
    if (strcmp(t->name, name) == 0) {
      *value = t->value;
      return 0;
    }
  return -1;
}

const char *mf_name_list(const mf_name *t, int or, char *buf, size_t cap) {
  size_t used = 0;
  int n = 0;
  while (t[n].name) n++;
  buf[0] = '\0';
  for (int i = 0; i < n && used < cap; i++) {
    const char *sep = i == 0 ? "" : (or && i == n - 1) ? " or " : ", ";
    int w = snprintf(buf + used, cap - used, "%s%s", sep, t[i].name);
    if (w < 0) break;
    used += (size_t)w;
  }
  return buf;
}
