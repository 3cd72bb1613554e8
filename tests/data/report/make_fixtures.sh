#!/usr/bin/env bash
# Regenerate the report fixtures: summary.json and telemetry.csv of real runs of other
# builds than the default one, so that the report tests (tests/check_report.py) cover
# naive scratch and every allocator without building five presets in the test suite.
#   usage: tests/data/report/make_fixtures.sh [BUILD_ROOT]   (default: build-<preset>)
# Builds the presets it needs (scripts/build-presets.sh), runs each on the case the
# test runs with the default build (configs/cube.yaml on a 6^3 box, 3 load steps,
# 2 threads), and one soak with release after every step (iteration -1 rows).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
build_root=${1:-}
presets=(naive-system pool-jemalloc pool-mimalloc pool-tcmalloc)
BUILD_ROOT=$build_root TARGETS=memfem "$root/scripts/build-presets.sh" "${presets[@]}"
bin_of() { if [ -n "$build_root" ]; then echo "$build_root/$1/src/memfem"; else echo "$root/build-$1/src/memfem"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep() { mkdir -p "$here/$2"; cp "$tmp/$1/summary.json" "$tmp/$1/telemetry.csv" "$here/$2/"; }
cd "$root"
for p in "${presets[@]}"; do
  "$(bin_of "$p")" run configs/cube.yaml --mesh box:1x1x1:6x6x6 --steps 3 --threads 2 --quiet --out "$tmp/$p"
  keep "$p" "$p"
done
"$(bin_of pool-jemalloc)" run tests/data/cases/cube_soak.yaml --mesh box:1x1x1:6x6x6 --soak-steps 4 --threads 2 \
  --quiet --out "$tmp/soak"
keep soak pool-jemalloc-soak
du -sh "$here"/*/
