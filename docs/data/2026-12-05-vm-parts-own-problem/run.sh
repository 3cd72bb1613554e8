#!/usr/bin/env bash
# Two memfem builds side by side across processes: set-up and whole-run seconds
# (summary.json run.seconds), the largest rank's peak RSS and the sum over the ranks, and
# the checksum, the builds alternating, on configs/box_1m.yaml with amg in one load step,
# at R ranks x 1 thread for each R of the list, placed by scripts/mpi-launch.sh.
#   usage: run.sh BEFORE AFTER OUTDIR MESH RANKS [ROUNDS]
#   e.g.   run.sh /tmp/bbase/src/memfem build/src/memfem /tmp/po box:1x1x1:64x64x64 2,4 3
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
before=$1 after=$2 out=$3 mesh=$4 ranks=$5 rounds=${6:-3}
export OMP_PROC_BIND=close OMP_PLACES=cores OMP_WAIT_POLICY=passive
mkdir -p "$out"
echo "build,ranks,round,setup_s,total_s,peak_rss_mib_largest_rank,peak_rss_mib_sum,checksum"
for r in $(seq "$rounds"); do
  for n in ${ranks//,/ }; do
    for build in before after; do
      "$root/scripts/mpi-launch.sh" "$n" 1 "${!build}" run "$root/configs/box_1m.yaml" --mesh "$mesh" \
        --preconditioner amg --steps 1 --threads 1 --quiet --out "$out/po-run" > /dev/null 2>&1
      /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); t = s['run']['seconds']; f = s['fom']
print('%s,%s,%s,%.3f,%.3f,%.1f,%.1f,%s' % (sys.argv[2], sys.argv[3], sys.argv[4], t['setup'], t['total'],
      f['peak_rss_bytes'] / 2**20, f.get('peak_rss_bytes_sum_over_ranks', f['peak_rss_bytes']) / 2**20,
      s['displacement_checksum']))" "$out/po-run/summary.json" "$build" "$n" "$r"
    done
  done
done
rm -rf "$out/po-run"
