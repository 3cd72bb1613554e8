#!/usr/bin/env bash
# The whole mesh's two METIS cuts (processes' parts, assembly blocks) made once, by ranks
# 0 and 1 at the same time, and broadcast, against every rank making both: set-up
# seconds (summary.json run.seconds.setup), the whole run, peak RSS (the largest rank's
# and the sum over ranks) and the checksum, the two MPI builds alternating, on
# configs/box_1m.yaml with amg, in one load step (--steps 1: the set-up is the subject), at
# R ranks x 1 thread for each R of the list.
#   usage: run.sh BEFORE AFTER OUTDIR MESH RANKS [ROUNDS]
#   e.g.   run.sh before/src/memfem after/src/memfem /tmp/sc box:1x1x1:64x64x64 2,4 3
# Ranks are placed by scripts/mpi-launch.sh (each on its own core while they fit). The
# figures of 2026-12-04 and 2026-12-05 (README.md) were measured before that, with
# `mpiexec --bind-to none` under OMP_PROC_BIND=close, which bound every rank to core 0.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
before=$1 after=$2 out=$3 mesh=$4 ranks=$5 rounds=${6:-3}
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$out"
echo "build,ranks,round,setup_s,total_s,peak_rss_mib,peak_rss_sum_mib,checksum"
for r in $(seq "$rounds"); do
  for n in ${ranks//,/ }; do
    for b in before after; do
      "$root/scripts/mpi-launch.sh" "$n" 1 "${!b}" run "$root/configs/box_1m.yaml" --mesh "$mesh" \
        --preconditioner amg --steps 1 --threads 1 --quiet --out "$out/sc-run" > /dev/null 2>&1
      /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); t = s['run']['seconds']; f = s['fom']
print('%s,%s,%s,%.3f,%.3f,%.1f,%.1f,%s' % (sys.argv[2], sys.argv[3], sys.argv[4], t['setup'], t['total'],
      f['peak_rss_bytes'] / 2**20, f.get('peak_rss_bytes_sum_over_ranks', f['peak_rss_bytes']) / 2**20,
      s['displacement_checksum']))" "$out/sc-run/summary.json" "$b" "$n" "$r"
    done
  done
done
rm -rf "$out/sc-run"
