#!/usr/bin/env bash
# Build memory-strategy variants side by side, one build-<preset>/ directory each
# (CMakePresets.json), so their memfem binaries can be compared on the same case.
#   usage: scripts/build-presets.sh PRESET [PRESET...]    e.g. pool-jemalloc naive-system
#          scripts/build-presets.sh all                   every memory-strategy preset
#   JOBS=N sets the build parallelism (default: nproc).
#   BUILD_ROOT=DIR builds preset P in DIR/P instead of build-P (the benchmark harnesses'
#   --build-root); TARGETS="memfem memfem-bench" builds only those (default: everything).
# Prints each binary's path and the allocator it reports; keeps going after a failure
# (one broken variant should not hide the others) and exits non-zero naming the failures.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -z "${BUILD_ROOT:-}" ] || BUILD_ROOT=$(realpath -m "$BUILD_ROOT") # relative to the caller, before the cd
cd "$root" || exit 1
jobs=${JOBS:-$(nproc)}
dir_of() { if [ -n "${BUILD_ROOT:-}" ]; then echo "$BUILD_ROOT/$1"; else echo "$root/build-$1"; fi; }
target_args=()
for t in ${TARGETS:-}; do target_args+=(--target "$t"); done

if [ $# -eq 0 ]; then
  echo "usage: $0 PRESET [PRESET...] | all" >&2
  echo "presets:" >&2
  cmake --list-presets=configure >&2
  exit 2
fi
presets=("$@")
if [ "$1" = all ]; then
  # The names are the quoted first words of `cmake --list-presets` (hidden ones are not listed);
  # the memory-strategy ones (SCRATCH-ALLOCATOR), not asan-ubsan, tsan and fuzz (issue 15).
  mapfile -t presets < <(cmake --list-presets=configure | sed -n 's/^ *"\([^"]*\)".*/\1/p' | grep -E '^(pool|naive|aos|boxed)-')
  [ ${#presets[@]} -gt 0 ] || { echo "build-presets: no configure presets found" >&2; exit 1; }
fi

failed=()
for p in "${presets[@]}"; do
  echo "== $p"
  # Full output goes to a log, kept in the build directory; on failure its tail says why.
  dir=$(dir_of "$p")
  log=$(mktemp)
  if ! { cmake --preset "$p" -S "$root" -B "$dir" && cmake --build "$dir" -j "$jobs" "${target_args[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    if [ -d "$dir" ]; then mv "$log" "$dir/build-presets.log"; log="$dir/build-presets.log"; fi
    echo "build-presets: $p FAILED (log: $log)" >&2
    failed+=("$p")
    continue
  fi
  mv "$log" "$dir/build-presets.log"
  bin="$dir/src/memfem"
  if ! alloc=$("$bin" --version | sed -n 's/^ *allocator *: *//p') || [ -z "$alloc" ]; then
    echo "build-presets: $p built, but '$bin --version' did not report an allocator" >&2
    failed+=("$p")
    continue
  fi
  echo "   binary   : $bin"
  echo "   allocator: $alloc"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "build-presets: failed: ${failed[*]}" >&2
  exit 1
fi
echo "build-presets: built ${#presets[@]} preset(s)"
