#!/bin/sh
# The fine cantilever (bench/dolfinx/cantilever_linear.yaml with amg) five ways, 3 rounds
# interleaved, 2 threads, with a memfem built from the tree at 9c02b9e with
# merged-aggregates.patch applied (git apply). The patch's environment switches:
# P1=1 joins each first-stage node to the highest-priority root next to it (as PETSc's
# greedy MIS does; without it: to the most strongly coupled root), P2=1 joins each
# second-stage aggregate to the highest-priority chosen one (without: the strongest edge),
# MIX=1 merges on level 0 and uses the distance-2 roots below.
# usage: rounds.sh MEMFEM CANTILEVER_YAML OUT
set -eu
exe=$1 case=$2 out=$3
mkdir -p "$out"
mk() { sed "s/^linear: {\(.*\)}/linear: {\1, amg: {$2}}/" "$case" | sed "s|dir: .*}|dir: $out/out-$1, every: 0}|" > "$out/$1.yaml"; }
mk default "threshold: 0.04"; mk agg1 "aggressive_levels: 1"
mk merged-agg1 "aggressive_levels: 1, aggressive: merged"; mk merged "aggressive: merged"; mk merged-mix "threshold: 0.04"
for r in 1 2 3; do
  for c in default agg1 merged-agg1 merged merged-mix; do
    e="P1=1"; [ $c = merged-mix ] && e="P1=1 MIX=1"
    env $e OMP_PROC_BIND=close OMP_PLACES=cores /usr/bin/time -f "rss %M" "$exe" run "$out/$c.yaml" --threads 2 > "$out/$c-$r.txt" 2>&1
  done
done
