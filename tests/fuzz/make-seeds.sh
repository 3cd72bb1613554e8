#!/usr/bin/env bash
# Make the seed corpora of tests/fuzz/corpus from the project's own files: the small test
# meshes (gmsh), meshes written by memfem convert (h5_mesh), the configs and test cases
# (case), and the checkpoints after every step of checkpoint-case.yaml (checkpoint,
# written by the harness's reference run). Rerun after a change of a file layout, of the
# generator or of checkpoint-case.yaml, and commit the result.
#   usage: tests/fuzz/make-seeds.sh BUILD_DIR     (a normal build: src/memfem, tests/fuzz)
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
c=$here/corpus
rm -rf "$c"
mkdir -p "$c/gmsh" "$c/h5_mesh" "$c/case" "$c/checkpoint"
# the small meshes of tests/data (those of meshes/ are 0.2-1.3 MB: too slow to mutate)
for m in "$root"/tests/data/*.msh; do
  [ "$(stat -c %s "$m")" -le 40000 ] && cp "$m" "$c/gmsh/"
done
for m in cube_v41_binary cube_v22_ascii sparse_tags two_groups_v41 save_all_v22; do
  "$build/src/memfem" convert "$root/tests/data/$m.msh" "$c/h5_mesh/$m.h5" >/dev/null
done
"$build/src/memfem" convert box:1x2x1:1x2x1 "$c/h5_mesh/box_1x2x1.h5" >/dev/null
for t in tet10 hex8; do
  "$build/src/memfem" convert "box:1x2x1:1x2x1:$t" "$c/h5_mesh/box_1x2x1_$t.h5" >/dev/null
done
# with its cuts (/mesh/cuts: node ids, blocks, parts)
"$build/src/memfem" convert box:1x2x1:1x2x1 "$c/h5_mesh/box_1x2x1_cuts.h5" --order rcm --parts 2,3 >/dev/null
for y in "$root"/configs/*.yaml; do cp "$y" "$c/case/configs-$(basename "$y")"; done
for y in "$root"/tests/data/cases/*.yaml; do cp "$y" "$c/case/cases-$(basename "$y")"; done
cp "$here/checkpoint-case.yaml" "$c/case/"
MEMFEM_FUZZ_SEEDS=$c/checkpoint OMP_NUM_THREADS=1 "$build/tests/fuzz/fuzz_checkpoint_replay" /dev/null >/dev/null
for t in gmsh h5_mesh case checkpoint; do
  echo "corpus/$t: $(ls "$c/$t" | wc -l) files, $(du -sk "$c/$t" | cut -f1) KiB"
done
