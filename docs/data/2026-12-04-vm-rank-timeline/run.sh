#!/usr/bin/env bash
# When does each rank reach its peak RSS: during the whole-mesh set-up, or later? Runs
# configs/box_1m.yaml (amg, one load step) on a generated box at R ranks x 1 thread and
# samples every rank's VmRSS from /proc every 0.1 s, with the run's own progress lines
# time-stamped beside them.
#   usage: run.sh MEMFEM OUT CELLS|MESH RANKS     (e.g. build/src/memfem out 64 4)
# CELLS n runs the generated box:1x1x1:nxnxn; MESH any other mesh (a converted .h5 file).
set -euo pipefail
memfem=$1 out=$2 cells=$3 ranks=$4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
case $cells in
  *[!0-9]*) mesh=$cells tag=$(basename "$cells" .h5)-r$ranks ;;
  *) mesh=box:1x1x1:${cells}x${cells}x${cells} tag=box${cells}-r$ranks ;;
esac
t0=$(date +%s.%N)
( mpirun --oversubscribe -np "$ranks" -x OMP_NUM_THREADS=1 stdbuf -oL "$memfem" run "$root/configs/box_1m.yaml" \
    --mesh "$mesh" --steps 1 --preconditioner amg --out "$out/$tag" 2>&1 |
  while IFS= read -r l; do printf '%.2f %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$l"; done > "$out/$tag.log" ) &
sleep 0.5
echo "t_s,rank,rss_mib" > "$out/$tag.csv"
while pgrep -f "out $out/$tag" > /dev/null; do
  t=$(echo "$(date +%s.%N) - $t0" | bc)
  r=0
  for p in $(pgrep -f "src/memfem run .*--out $out/$tag" | sort -n); do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = memfem ] || continue
    v=$(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null) || continue
    [ -n "$v" ] && printf '%.2f,%d,%.1f\n' "$t" "$r" "$(echo "$v / 1024" | bc -l)" >> "$out/$tag.csv"
    r=$((r + 1))
  done
  sleep 0.1
done
wait
/usr/bin/python3 - "$out/$tag.csv" "$out/$tag.log" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.defaultdict(list)
for r in rows: by[int(r["rank"])].append((float(r["t_s"]), float(r["rss_mib"])))
marks = {}
for l in open(sys.argv[2]):
    t, _, text = l.partition(" ")
    for key in ("setup ", "  newton  0", "step "):
        if text.startswith(key) and key not in marks: marks[key] = float(t)
t_setup = marks.get("setup ", 0.0)
print("set-up done at %.1f s (the 'setup' line); ranks by pid order (not MPI rank numbers)" % t_setup)
print("rank-by-pid, peak before set-up done (MiB), peak after (MiB), at (s)")
for k in sorted(by):
    s = by[k]
    before = max((v for t, v in s if t <= t_setup), default=0.0)
    after = max((v for t, v in s if t > t_setup), default=0.0)
    tpk = max(s, key=lambda x: x[1])[0]
    print("%d, %.0f, %.0f, %.1f" % (k, before, after, tpk))
PY
