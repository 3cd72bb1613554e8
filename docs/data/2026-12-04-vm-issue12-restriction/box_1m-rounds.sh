#!/usr/bin/env bash
# Rounds 2 and 3 of box_1m (run.sh ran round 1), the two builds alternating, appended
# to run.sh's results.csv.
#   usage: box_1m-rounds.sh BEFORE AFTER OUTDIR   (OUTDIR: run.sh's, with its box.yaml)
set -euo pipefail
before=$1 after=$2 out=$3
export OMP_PROC_BIND=close OMP_PLACES=cores
for r in 2 3; do
  for b in before after; do
    "${!b}" run "$out/box.yaml" --threads 2 --quiet --out "$out/m-$b-$r" > /dev/null 2>&1
    /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); t = s['run']['seconds']; f = s['fom']
print(','.join([sys.argv[2], 'box_1m', '1', '2', sys.argv[3], '%.3f' % t['total'], '%.3f' % t['pc'],
      '%.3f' % t['pc_setup'], '%.3f' % t['solve'], str(sum(x['cg_iterations'] for x in s['steps'])),
      '%.1f' % (f['peak_rss_bytes'] / 2**20), s['displacement_checksum']]))" "$out/m-$b-$r/summary.json" "$b" "$r" \
      >> "$out/results.csv"
    rm -rf "$out/m-$b-$r"
  done
done
