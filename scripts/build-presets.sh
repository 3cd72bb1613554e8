#!/usr/bin/env bash
# Build memory-strategy variants side by side, one build-<preset>/ directory each
# (CMakePresets.json), so their memfem binaries can be compared on the same case.
#   usage: scripts/build-presets.sh PRESET [PRESET...]    e.g. pool-jemalloc naive-system
#          scripts/build-presets.sh all                   every configure preset
#   JOBS=N sets the build parallelism (default: nproc).
# Prints each binary's path and the allocator it reports; keeps going after a failure
# (one broken variant should not hide the others) and exits non-zero naming the failures.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
jobs=${JOBS:-$(nproc)}

if [ $# -eq 0 ]; then
  echo "usage: $0 PRESET [PRESET...] | all" >&2
  echo "presets:" >&2
  cmake --list-presets=configure >&2
  exit 2
fi
presets=("$@")
if [ "$1" = all ]; then
  # The names are the quoted first words of `cmake --list-presets` (hidden ones are not listed).
  mapfile -t presets < <(cmake --list-presets=configure | sed -n 's/^ *"\([^"]*\)".*/\1/p')
  [ ${#presets[@]} -gt 0 ] || { echo "build-presets: no configure presets found" >&2; exit 1; }
fi

failed=()
for p in "${presets[@]}"; do
  echo "== $p"
  # Full output goes to a log, kept in the build directory; on failure its tail says why.
  log=$(mktemp)
  if ! { cmake --preset "$p" && cmake --build --preset "$p" -j "$jobs"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    if [ -d "$root/build-$p" ]; then mv "$log" "$root/build-$p/build-presets.log"; log="$root/build-$p/build-presets.log"; fi
    echo "build-presets: $p FAILED (log: $log)" >&2
    failed+=("$p")
    continue
  fi
  mv "$log" "$root/build-$p/build-presets.log"
  bin="$root/build-$p/src/memfem"
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
