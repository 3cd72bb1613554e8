#!/bin/sh
# checkpoint.h5 across processes, before and after the collective write (issue 14 item 5).
# usage: run.sh MEMFEM_BEFORE MEMFEM_AFTER OUTDIR [ROUNDS]
# Two ranks, a core each, on case.yaml (linear-elastic 64^3 box, 3 load steps, a
# checkpoint after each, no results.h5), the builds interleaved ROUNDS times (3).
# Writes OUTDIR/results.csv: one row per run with each step's output seconds (the
# checkpoint write), the largest rank's and the summed peak RSS, the checksum, and the
# hash of checkpoint.h5's displacement and attributes (the same in both builds).
set -eu
before=$1 after=$2 out=$3 rounds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_WAIT_POLICY=passive OMP_PROC_BIND=close OMP_PLACES=cores
mkdir -p "$out"
echo "build,round,output_s_step1,output_s_step2,output_s_step3,peak_rss_mib,peak_rss_sum_mib,checksum,checkpoint_hash" \
  > "$out/results.csv"
for r in $(seq 1 "$rounds"); do
  for b in before after; do
    eval exe=\$$b
    d="$out/$b-$r"
    rm -rf "$d"
    mpirun -n 2 --map-by slot:PE=1 --bind-to core "$exe" run "$here/case.yaml" --threads 1 --quiet --out "$d" \
      > "$d.log" 2>&1
    /usr/bin/python3 - "$d" "$b" "$r" >> "$out/results.csv" <<'PY'
import hashlib, json, sys
import h5py
d, b, r = sys.argv[1:4]
s = json.load(open(d + "/summary.json"))
h = hashlib.sha256()
with h5py.File(d + "/checkpoint.h5", "r") as f:
    for k in sorted(f.attrs):
        h.update(k.encode() + repr(f.attrs[k]).encode())
    h.update(f["displacement"][...].tobytes())
fom = s["fom"]
out = [x["seconds"]["output"] for x in s["steps"]]
print(",".join([b, r] + ["%.4f" % t for t in out] + ["%.1f" % (fom["peak_rss_bytes"] / 2**20),
      "%.1f" % (fom["peak_rss_bytes_sum_over_ranks"] / 2**20), s["displacement_checksum"], h.hexdigest()[:16]]))
PY
  done
done
cat "$out/results.csv"
