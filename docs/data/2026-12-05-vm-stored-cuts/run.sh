#!/usr/bin/env bash
# Rank 0's set-up with the cuts made (a generator spec: renumbering, the processes' parts
# and the assembly blocks, all by rank 0) against the cuts read from the mesh file that
# `memfem convert SPEC FILE --order rcm --parts ...` wrote: mesh, reorder and set-up
# seconds (summary.json run.seconds), the whole run, the largest rank's peak RSS and the
# checksum, the two inputs alternating, on configs/box_1m.yaml with amg in one load step,
# at R ranks x 1 thread for each R of the list, placed by scripts/mpi-launch.sh (R = 1:
# one process, no mpiexec; R = 2: each rank bound to its own core; beyond the cores:
# unbound, OMP_PROC_BIND=false, so that no two ranks' threads are bound to one core).
#   usage: run.sh MEMFEM OUTDIR SPEC FILE RANKS [ROUNDS]
#   e.g.   memfem convert box:1x1x1:64x64x64 /tmp/b64.h5 --order rcm --parts 2,4
#          run.sh build/src/memfem /tmp/sc box:1x1x1:64x64x64 /tmp/b64.h5 1,2,4 3
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
memfem=$1 out=$2 spec=$3 file=$4 ranks=$5 rounds=${6:-3}
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
echo "input,ranks,round,mesh_s,reorder_s,setup_s,total_s,peak_rss_mib,checksum"
for r in $(seq "$rounds"); do
  for n in ${ranks//,/ }; do
    for input in spec file; do
      "$root/scripts/mpi-launch.sh" "$n" 1 "$memfem" run "$root/configs/box_1m.yaml" --mesh "${!input}" \
        --preconditioner amg --steps 1 --threads 1 --quiet --out "$out/sc-run" > /dev/null 2>&1
      /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); t = s['run']['seconds']
print('%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.1f,%s' % (sys.argv[2], sys.argv[3], sys.argv[4], t['mesh'], t['reorder'],
      t['setup'], t['total'], s['fom']['peak_rss_bytes'] / 2**20, s['displacement_checksum']))" \
        "$out/sc-run/summary.json" "$input" "$n" "$r"
    done
  done
done
rm -rf "$out/sc-run"
