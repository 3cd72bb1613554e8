#!/usr/bin/env bash
# Smoke test of the 16-core node's MPI study (issue 14 item 8): bench/node-mpi-bundle.sh
# bundles this MPI build with Debian's Open MPI, and bench/node-mpi-study.sh --quick runs
# every step from the bundle on this machine's cores. Checks that each step ran and
# exited 0, that round 2 ran on the box with its cuts stored and read the file's parts,
# that the bundled mpiexec gave the one-process checksum on 2 ranks, and that the packed
# results hold each step's table. Never asserts on time.
#   usage: check_node_mpi_study.sh BUILD_DIR OUTDIR
set -euo pipefail
build=$1 out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rm -rf "$out"
mkdir -p "$out"
"$root/bench/node-mpi-bundle.sh" "$out/bundle" "$build"
"$root/bench/node-mpi-study.sh" "$out/bundle" "$out/study" --quick --budget 300
log=$out/study/node.log
fail=0
ran=$(grep -c ': exit 0$' "$log" || true)
[ "$ran" = 6 ] || { echo "FAIL: $ran of 6 steps exited 0"; grep 'end \|SKIP' "$log"; fail=1; }
grep -q 'start round 2: .*memfem-node-box-[0-9]*\.h5, amg' "$log" ||
  { echo "FAIL: round 2 did not run on the box with its cuts"; grep 'round 2' "$log"; fail=1; }
tar xzf "$out/study/node.tar.gz" -O --wildcards './box-round2/runs/*-r2t1-*/summary.json' |
  grep -q '"cuts":[[:space:]]*"mesh file: order, blocks, parts, each read by its process"' ||
  { echo "FAIL: the 2-rank run of round 2 did not read the file's parts (summary.json run.cuts)"; fail=1; }
grep -q 'mpi check: 1 process \([0-9a-f]\{16\}\), 2 ranks \1$' "$log" ||
  { echo "FAIL: no matching checksums from 1 process and 2 ranks"; grep 'mpi check' "$log"; fail=1; }
listing=$(tar tzf "$out/study/node.tar.gz")
for f in machine.txt threads/strong.csv dist-cg/ranks-threads.md box-round1/strong.csv box-round2/strong.csv; do
  grep -qx "./$f" <<< "$listing" || { echo "FAIL: node.tar.gz lacks $f"; fail=1; }
done
[ $fail = 0 ] && echo "node MPI study smoke test passed"
exit $fail
