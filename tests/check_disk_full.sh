#!/bin/sh
# A full disk during a run (issue 15): runs check_disk_full.py in a private mount
# namespace, where it can mount small tmpfs file systems without touching the host.
# Unprivileged user namespaces first (any user), then a plain mount namespace (root);
# where neither is possible the test is skipped (exit 77).
#   usage: check_disk_full.sh PYTHON MEMFEM CASE OUTDIR
py=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
for ns in "unshare --user --map-root-user --mount" "unshare --mount"; do
  if $ns sh -c 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; rc=$?; rmdir "$d"; exit $rc' \
    2>/dev/null; then
    exec $ns "$py" "$here/check_disk_full.py" "$@"
  fi
done
echo "SKIP: no private mount namespace here (unshare) to mount a small tmpfs in"
exit 77
