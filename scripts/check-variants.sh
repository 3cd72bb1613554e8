#!/usr/bin/env bash
# Every memory-strategy variant must do the same arithmetic: build each combination of
# scratch x layout x allocator, run the same cases with each, and require one
# displacement_checksum per case across all of them (issue 3, guarantee 13). Each
# variant's telemetry is checked too (tests/check_telemetry.py: zero allocations per
# iteration for pool, counted per-element allocations for naive, allocator figures or
# "n/a").
#
#   usage: scripts/check-variants.sh [-b BUILD_ROOT] [-s pool,naive] [-l soa,aos,boxed]
#                                    [-a system,jemalloc,mimalloc,tcmalloc] [-c CASE]...
#   default: all 24 combinations, cases configs/cube.yaml, configs/cantilever.yaml,
#   tests/data/cases/cube_amg.yaml (the multigrid), beam_tet10.yaml and
#   beam_hex8_mean_dilatation.yaml (the quadratic and hexahedral elements),
#   builds under build/variants/<scratch>-<layout>-<allocator>.
# Prints a table (variant, checksum per case, telemetry check) and exits non-zero when a
# build fails, a checksum differs or a telemetry check fails.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_root=$root/build/variants
scratches=pool,naive layouts=soa,aos,boxed allocators=system,jemalloc,mimalloc,tcmalloc
cases=()
while getopts b:s:l:a:c: opt; do
  case $opt in
    b) build_root=$OPTARG ;; s) scratches=$OPTARG ;; l) layouts=$OPTARG ;;
    a) allocators=$OPTARG ;; c) cases+=("$OPTARG") ;;
    *) sed -n 2,14p "$0"; exit 2 ;;
  esac
done
[ ${#cases[@]} -gt 0 ] || cases=("$root/configs/cube.yaml" "$root/configs/cantilever.yaml" "$root/tests/data/cases/cube_amg.yaml"
                                 "$root/tests/data/cases/beam_tet10.yaml" "$root/tests/data/cases/beam_hex8_mean_dilatation.yaml")
jobs=$(nproc)
mkdir -p "$build_root"
table=$build_root/checksums.txt
: > "$table"
failed=0

checksum() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["displacement_checksum"])' "$1"; }

for s in ${scratches//,/ }; do
  for l in ${layouts//,/ }; do
    for a in ${allocators//,/ }; do
      v=$s-$l-$a
      dir=$build_root/$v
      log=$dir.log
      if ! { cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DMEMFEM_WERROR=ON \
               -DMEMFEM_SCRATCH="$s" -DMEMFEM_LAYOUT="$l" -DMEMFEM_ALLOCATOR="$a" &&
             cmake --build "$dir" -j "$jobs" --target memfem; } > "$log" 2>&1; then
        tail -n 15 "$log" >&2
        echo "check-variants: $v does not build (log: $log)" >&2
        echo "$v BUILD-FAILED" >> "$table"
        failed=1
        continue
      fi
      line=$v
      for c in "${cases[@]}"; do
        out=$dir/out/$(basename "$c" .yaml)
        mkdir -p "$dir/out"
        if "$dir/src/memfem" run "$c" --quiet --out "$out" > "$out.log" 2>&1; then
          line="$line $(checksum "$out/summary.json")"
        else
          line="$line RUN-FAILED"
          echo "check-variants: $v failed on $c (log: $out.log)" >&2
          failed=1
        fi
      done
      # telemetry: the cube in every variant; each element type (tet10, hex8 with mean
      # dilatation) in the soa-system variant of each scratch provider, the only part of
      # a variant whose telemetry depends on the element
      tel=telemetry-ok tcases=(configs/cube.yaml)
      [ "$l-$a" = soa-system ] && tcases+=(tests/data/cases/beam_tet10.yaml tests/data/cases/beam_hex8_mean_dilatation.yaml)
      for tc in "${tcases[@]}"; do
        tn=$(basename "$tc" .yaml)
        if ! python3 "$root/tests/check_telemetry.py" "$dir/src/memfem" "$root/$tc" \
               "$dir/out/telemetry-$tn" "$a" "$s" 1,2 > "$dir/telemetry-check-$tn.log" 2>&1; then
          tel=TELEMETRY-FAILED
          cat "$dir/telemetry-check-$tn.log" >&2
          failed=1
        fi
      done
      line="$line $tel"
      echo "$line" | tee -a "$table"
    done
  done
done

# One checksum per case across every variant that ran.
for i in "${!cases[@]}"; do
  col=$((i + 2))
  n=$(awk -v c=$col '$2 != "BUILD-FAILED" {print $c}' "$table" | sort -u | wc -l)
  if [ "$n" -ne 1 ]; then
    echo "check-variants: $(basename "${cases[$i]}") gives $n different checksums across variants" >&2
    failed=1
  fi
done
n_variants=$(wc -l < "$table")
if [ $failed -ne 0 ]; then
  echo "check-variants: FAILED (table: $table)" >&2
  exit 1
fi
echo "check-variants: $n_variants variants, one checksum per case: $(awk 'NR==1 {$1=""; $NF=""; print}' "$table")"
