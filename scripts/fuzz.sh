#!/usr/bin/env bash
# Fuzz one of memfem's readers with libFuzzer (issue 15; harnesses in tests/fuzz).
#   usage: scripts/fuzz.sh TARGET SECONDS [--build-dir DIR] [-- libFuzzer options...]
#          scripts/fuzz.sh --build-only [--build-dir DIR]
#   TARGET: gmsh | h5_mesh | case | checkpoint
# Configures and builds the fuzz preset (clang, libFuzzer, ASan, UBSan) in DIR (default
# build-fuzz) when needed, then fuzzes TARGET for SECONDS on one core, starting from the
# seeds of tests/fuzz/corpus/TARGET and the inputs found by earlier runs in DIR (its
# working corpus), with the target's dictionary. It prints the executions, the corpus
# and, at the end, one line "fuzz TARGET: ..." with the figures. Exit 0 when nothing was
# found; 77 when clang's libFuzzer is not installed (scripts/install-deps.sh installs it).
#
# A finding (crash, oracle violation, leak, timeout, out-of-memory) is copied into
# tests/fuzz/regressions/TARGET/, which the normal suite replays (fuzz_replay_TARGET)
# until it is fixed: commit it with the fix. A crash whose innermost frame of memfem's
# process lies in libhdf5 or libyaml (Debian's libraries, not instrumented) is not
# memfem's: it goes to DIR/library-crashes/TARGET/ with its stack, is reported, and does
# not fail the run; copy it to tests/fuzz/library-crashes/TARGET/ to keep it, and
# fuzz_library_crashes replays it (docs/reliability.md, Fuzzing).
# A crash that does not happen again when its input runs alone (fork mode: the state
# earlier inputs left behind) has no stack to classify: it is kept under
# DIR/unreproduced/TARGET, reported, and does not fail the run. Both stay out of the
# source tree so that a run (CI's fuzz label) never changes what later tests read.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-fuzz
target="" secs="" build_only=0
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) if [ -z "$target" ]; then target=$1; elif [ -z "$secs" ]; then secs=$1; else
         echo "fuzz.sh: unexpected argument '$1'" >&2; exit 2; fi; shift ;;
  esac
done
if [ $build_only -eq 0 ]; then
  case $target in gmsh|h5_mesh|case|checkpoint) ;; *)
    echo "usage: scripts/fuzz.sh gmsh|h5_mesh|case|checkpoint SECONDS [--build-dir DIR] [-- libFuzzer options]" >&2
    exit 2 ;;
  esac
  [[ "$secs" =~ ^[0-9]+$ ]] && [ "$secs" -ge 1 ] || { echo "fuzz.sh: SECONDS must be a positive integer" >&2; exit 2; }
fi

# clang with libFuzzer: the one real prerequisite
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }' >"$probe/p.c"
if ! command -v clang >/dev/null || ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>/dev/null; then
  echo "SKIP: clang with libFuzzer is not installed (Debian: clang libclang-rt-dev libomp-dev; scripts/install-deps.sh)"
  exit 77
fi

# configure once, build every harness (quietly; errors still show)
mkdir -p "$build"
( flock 9
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake --preset fuzz -S "$root" -B "$build" >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
  fi
  cmake --build "$build" --target fuzz_all -j "$(nproc)" >"$build/build.log" 2>&1 || { tail -50 "$build/build.log"; exit 1; }
) 9>"$build/.lock"
[ $build_only -eq 1 ] && { echo "fuzz harnesses built in $build/tests/fuzz"; exit 0; }

case $target in gmsh) dict=gmsh.dict ;; case) dict=case.dict ;; *) dict=h5.dict ;; esac
seeds=$root/tests/fuzz/corpus/$target
work=$build/corpus/$target
art=$build/artifacts/$target
mkdir -p "$work" "$art"
cp -n "$seeds"/* "$work"/ 2>/dev/null || true
before=$(ls "$art" | wc -l)
log=$build/fuzz-$target.log
set +e
# allocator_may_return_null: a failed malloc returns NULL as in production (libhdf5 then
# reports an error) instead of aborting; memfem sizes nothing beyond core/mf_limits.h's
# memory figure, which the harness lowers to 256 MiB. Leaks inside libhdf5: lsan.supp.
export OMP_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# The HDF5 targets fuzz in fork mode: the fuzzing goes on after a finding (a crash inside
# libhdf5 would otherwise end a run in its first seconds). The others stop at the first.
# Every finding is an artifact, classified below.
mode=(-print_final_stats=1)
case $target in h5_mesh|checkpoint) mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1) ;; esac
"$build/tests/fuzz/fuzz_$target" "$work" -dict="$root/tests/fuzz/$dict" -max_total_time="$secs" "${mode[@]}" \
  -artifact_prefix="$art/" -timeout=20 -rss_limit_mb=2048 -max_len=65536 "${extra[@]}" >"$log" 2>&1
rc=$?
set -e
grep -E "^#[0-9]+:? +(cov|INITED|DONE)" "$log" | tail -2 || true
execs=$(sed -n 's/^stat::number_of_executed_units: *//p; s/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1)
files=$(ls "$work" | wc -l)
kib=$(du -sk "$work" | cut -f1)

# findings: classify, file, report
status=0
new=$(ls -t "$art" | head -n $(( $(ls "$art" | wc -l) - before )) 2>/dev/null || true)
if [ $rc -ne 0 ] && [ -z "$new" ]; then
  tail -40 "$log"
  echo "fuzz $target: libFuzzer exited $rc without an artifact"
  exit 1
fi
for a in $new; do
  # An out-of-memory artifact is rerun alone with malloc capped at the 256 MiB memfem
  # sizes nothing beyond (core/mf_limits.h, lowered by the harness) and the RSS limit
  # lifted: a single allocation over the cap is reported with its stack and classified
  # like a crash; an input that then runs to its end used its RSS through the
  # sanitizer's and libhdf5's overhead (or a fork-mode job's earlier inputs), not through
  # one oversized allocation.
  limits=()
  case $a in oom-*) limits=(-malloc_limit_mb=256 -rss_limit_mb=16384) ;; esac
  trace=$("$build/tests/fuzz/fuzz_$target" "${limits[@]}" "$art/$a" 2>&1 || true)
  if [ ${#limits[@]} -gt 0 ] && ! printf '%s\n' "$trace" | grep -qE 'ERROR: |SUMMARY: |memfem fuzz oracle'; then
    dst=$build/unreproduced/$target
    mkdir -p "$dst"
    cp "$art/$a" "$dst/$a"
    echo "fuzz $target: $a ran out of memory while fuzzing, but alone it allocates at most 256 MiB at once and ends: kept as $dst/$a"
    continue
  fi
  # The innermost frame that is either a library's (libhdf5, libyaml: Debian's builds,
  # no source paths) or memfem's own (a source line of src/*/mf_*.c or tests/fuzz/*.c). Frames
  # of the sanitizer runtime, of glibc and of the interceptors the sanitizer links into
  # the harness (strdup, memcpy, ... shown as the harness binary) are neither and are
  # passed over: CI twice took such a frame (glibc's memcpy, then the strdup
  # interceptor) for memfem's on a crash inside libhdf5.
  frame=$(printf '%s\n' "$trace" | grep -E '^ +#[0-9]+ ' | grep -E 'libhdf5|libyaml|/src/[a-z]+/mf_[a-z0-9_]+\.c:[0-9]|/tests/fuzz/[a-z0-9_]+\.c:[0-9]' | head -1) || true
  sum=$(sha1sum "$art/$a" | cut -c1-16)
  # A fork-mode job runs many inputs in one process; a crash that needs the state earlier
  # inputs left in libhdf5 does not happen when the input runs alone. With no report to
  # classify it cannot be attributed: it is kept and reported, and does not fail the run.
  if ! printf '%s\n' "$trace" | grep -qE 'ERROR: |SUMMARY: |memfem fuzz oracle'; then
    dst=$build/unreproduced/$target
    mkdir -p "$dst"
    cp "$art/$a" "$dst/$a"
    echo "fuzz $target: $a crashed in a fork-mode job but not when run alone (no report to classify): kept as $dst/$a"
    continue
  fi
  if printf '%s' "$frame" | grep -qE 'libhdf5|libyaml' && ! printf '%s' "$trace" | grep -q 'memfem fuzz oracle'; then
    dst=$build/library-crashes/$target
    mkdir -p "$dst"
    cp "$art/$a" "$dst/$sum"
    printf '%s\n' "$trace" | grep -E 'ERROR|SUMMARY|^ +#[0-9]+ ' | head -40 >"$dst/$sum.txt"
    echo "fuzz $target: crash inside a library, not memfem's ($frame): $dst/$sum (to keep it: cp $dst/$sum* tests/fuzz/library-crashes/$target/)"
  else
    dst=$root/tests/fuzz/regressions/$target
    mkdir -p "$dst"
    cp "$art/$a" "$dst/$a"
    printf '%s\n' "$trace" | tail -60
    echo "fuzz $target: FINDING in memfem: copied to tests/fuzz/regressions/$target/$a; fix it and commit both"
    status=1
  fi
done
echo "fuzz $target: ${execs:-?} executions in ${secs} s, corpus $files files ($kib KiB), $(printf '%s' "$new" | grep -c . || true) findings"
exit $status
