#!/usr/bin/env bash
# Prepare the build bundle for a node without compilers or packages (the HPC node the
# scaling studies run on): build memfem and memfem-bench in each preset here, and copy
# them with every shared library they need (all but the C runtime, which must be the
# node's own) into one folder laid out like a build root:
#   DIR/build/<preset>/src/memfem, DIR/build/<preset>/bench/memfem-bench, DIR/lib/,
#   DIR/bin/time (GNU time, for peak RSS), DIR/env.sh (LD_LIBRARY_PATH, MF_TIME).
# On the node: source DIR/env.sh, then bench/node-study.sh DIR OUT.
#
#   usage: bench/node-bundle.sh [DIR] [PRESET...]   (default .bundle and the 12 presets)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/.bundle}
shift || true
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(pool-system naive-system pool-jemalloc naive-jemalloc pool-mimalloc
  naive-mimalloc pool-tcmalloc naive-tcmalloc aos-system aos-jemalloc boxed-system boxed-jemalloc)
rm -rf "$dir"
mkdir -p "$dir/lib" "$dir/bin"
skip='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libresolv)'
copy_libs() {
  ldd "$1" | awk '/=> \// {print $1, $3}' | while read -r name path; do
    [[ $name =~ $skip ]] || cp -Ln "$path" "$dir/lib/" 2> /dev/null || true
  done
}
echo "node-bundle: building ${presets[*]}"
TARGETS="memfem memfem-bench" "$root/scripts/build-presets.sh" "${presets[@]}" > /dev/null ||
  { echo "node-bundle: a preset does not build" >&2; exit 1; }
for p in "${presets[@]}"; do
  b=$root/build-$p
  mkdir -p "$dir/build/$p/src" "$dir/build/$p/bench"
  cp "$b/src/memfem" "$dir/build/$p/src/"
  cp "$b/bench/memfem-bench" "$dir/build/$p/bench/"
  copy_libs "$b/src/memfem"
done
cp /usr/bin/time "$dir/bin/time"
cat > "$dir/env.sh" << 'ENV'
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" MF_TIME="$here/bin/time"
ENV
du -sh "$dir" | awk '{print "node-bundle: " $1 " in " $2}'
