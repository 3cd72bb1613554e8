#!/usr/bin/env bash
# The restriction before and after it summed each coarse row in ascending fine row (one
# process, the 40^3 box of configs/box_1m.yaml with amg, 2 threads, three rounds with
# the two builds interleaved). BEFORE: a Release build of 671b1db's tree (git worktree
# add /tmp/base 671b1db; cmake -S /tmp/base -B /tmp/base/build -DCMAKE_BUILD_TYPE=Release);
# AFTER: this tree's. Writes OUT/{base,new}-r{1,2,3}/summary.json; tabulate.py OUT.
#   usage: before-after.sh BEFORE AFTER OUT
set -euo pipefail
before=$1 after=$2 out=$3
root=$(cd "$(dirname "$0")/../../.." && pwd)
for r in 1 2 3; do
  for v in base new; do
    b=$before; [ $v = new ] && b=$after
    "$b" run "$root/configs/box_1m.yaml" --mesh box:1x1x1:40x40x40 --preconditioner amg --threads 2 --quiet \
      --out "$out/$v-r$r" > "$out/$v-r$r.txt" 2>&1
  done
done
