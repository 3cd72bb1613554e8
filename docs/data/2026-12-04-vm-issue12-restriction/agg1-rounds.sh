#!/usr/bin/env bash
# The fine cantilever with aggressive_levels 1 again, the two builds alternating (run.sh's
# rounds of this case had the after build's V-cycles no faster, against perf.sh's counts).
#   usage: agg1-rounds.sh BEFORE AFTER OUTDIR [ROUNDS]   (OUTDIR: run.sh's)
set -euo pipefail
before=$1 after=$2 out=$3 rounds=${4:-3}
export OMP_PROC_BIND=close OMP_PLACES=cores
echo "build,round,wall_s,vcycle_s,pc_setup_s,cg,checksum"
for r in $(seq "$rounds"); do
  for b in before after; do
    "${!b}" run "$out/cantilever-agg1.yaml" --threads 2 --quiet --out "$out/agg1-run" > /dev/null 2>&1
    /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); t = s['run']['seconds']
print('%s,%s,%.3f,%.3f,%.3f,%d,%s' % (sys.argv[2], sys.argv[3], t['total'], t['pc'], t['pc_setup'],
      sum(x['cg_iterations'] for x in s['steps']), s['displacement_checksum']))" "$out/agg1-run/summary.json" "$b" "$r"
  done
done
rm -rf "$out/agg1-run"
