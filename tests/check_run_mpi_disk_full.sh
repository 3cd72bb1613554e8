#!/bin/sh
# A full disk in the middle of a run across processes (issue 14): rank 0 writes the
# output, so only rank 0 meets the error; every rank must still stop (no rank waiting in
# a collective for rank 0), with one message and exit 2. The output goes to a 1 MiB tmpfs
# in a private mount namespace (the cube's results fill it at step 2); where no such
# namespace can be made, the test is skipped (exit 77), as output_disk_full is.
#   usage: check_run_mpi_disk_full.sh MPIEXEC MEMFEM CASE
mpiexec=$1 memfem=$2 case=$3
export OMP_WAIT_POLICY=passive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for ns in "unshare --user --map-root-user --mount" "unshare --mount"; do
  $ns sh -c 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; rc=$?; rmdir "$d"; exit $rc' \
    2>/dev/null || continue
  log=$(mktemp)
  timeout 300 $ns sh -c 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" || exit 99
    "$0" -n 2 --oversubscribe "$1" run "$2" --out "$d/out" --quiet; rc=$?; umount "$d"; rmdir "$d"; exit $rc' \
    "$mpiexec" "$memfem" "$case" > "$log" 2>&1
  rc=$?
  errors=$(grep -c '^memfem: error' "$log")
  cat "$log"
  rm -f "$log"
  [ $rc -eq 124 ] && { echo "FAIL: the run did not end within 300 s (a rank waiting on rank 0?)"; exit 1; }
  [ $rc -eq 2 ] && [ "$errors" -eq 1 ] || { echo "FAIL: exit $rc with $errors error lines (expected 2 and 1)"; exit 1; }
  echo "ok: a full disk on rank 0 ended both ranks with exit 2 and one message"
  exit 0
done
echo "SKIP: no private mount namespace here (unshare) to mount a small tmpfs in"
exit 77
