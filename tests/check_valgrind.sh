#!/bin/sh
# memfem under valgrind memcheck (issue 15 item 4): a small run with every kind of
# output, then a restart from its checkpoint. Any memcheck error (invalid access, use of
# uninitialised values, bad free) or definitely lost block fails the test; memory still
# reachable at exit (libgomp, libhdf5's free lists) is not a leak.
#   usage: check_valgrind.sh VALGRIND MEMFEM CASE OUTDIR
set -u
vg=$1 memfem=$2 case=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
status=0
for args in "--out $out/run" "--out $out/run --restart $out/run/checkpoint.h5"; do
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 "$vg" --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-origins=yes "$memfem" run "$case" --quiet $args >"$out/log" 2>&1
  rc=$?
  cat "$out/log"
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: memfem run $args under valgrind: exit $rc (99: a memcheck error or a definite leak)"
    status=1
  fi
done
[ $status -eq 0 ] && echo "ok: no memcheck errors and no definite leaks in a run and its restart"
exit $status
