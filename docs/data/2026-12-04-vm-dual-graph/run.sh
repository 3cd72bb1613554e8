#!/usr/bin/env bash
# The element dual graph of the assembly blocks built in parallel (mf_mesh_dual_graph)
# against METIS_PartMeshDual building it on one thread: set-up seconds (summary.json
# run.seconds.setup, which holds the blocking) and the whole run, the two builds
# alternating, on the fine Gmsh cantilever (linear, amg) and the 64^3 linear box of
# configs/box_1m.yaml (amg), 2 threads.
#   usage: run.sh BEFORE AFTER OUTDIR [ROUNDS]   (OUTDIR: with cantilever.yaml and box.yaml
#   as docs/data/2026-12-04-vm-issue12-restriction/run.sh makes them)
set -euo pipefail
before=$1 after=$2 out=$3 rounds=${4:-5}
export OMP_PROC_BIND=close OMP_PLACES=cores
echo "build,case,round,setup_s,total_s,checksum"
for r in $(seq "$rounds"); do
  for c in cantilever box64; do
    for b in before after; do
      if [ "$c" = cantilever ]; then args=("$out/cantilever.yaml"); else args=("$out/box.yaml" --mesh box:1x1x1:64x64x64); fi
      "${!b}" run "${args[@]}" --threads 2 --quiet --out "$out/dg-run" > /dev/null 2>&1
      /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); t = s['run']['seconds']
print('%s,%s,%s,%.3f,%.3f,%s' % (sys.argv[2], sys.argv[3], sys.argv[4], t['setup'], t['total'], s['displacement_checksum']))" \
        "$out/dg-run/summary.json" "$b" "$c" "$r"
    done
  done
done
rm -rf "$out/dg-run"
