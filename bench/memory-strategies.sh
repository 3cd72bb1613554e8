#!/usr/bin/env bash
# Which memory strategy changes time and which changes memory (issue 3): run the same
# work with memfem builds that differ only in scratch provider, node layout and
# allocator (CMakePresets.json; build them with scripts/build-presets.sh).
#
#   usage: bench/memory-strategies.sh [-p PRESET,...] [-S PRESET,...] [-r REPS]
#                  [-m MESH_SPEC] [-M SOAK_MESH_SPEC] [-t THREADS] [-n SOAK_STEPS] [-o DIR]
#   -p  presets timed on the speed case   (default: all 12 presets; "" for none)
#   -S  presets soaked                    (default: pool-* and naive-system, naive-jemalloc;
#       "" for none)
#   -m  speed-case mesh: configs/cube.yaml's uniaxial neo-Hookean load on a generated box
#       (default box:1x1x1:30x30x30, 29.8k nodes, 162k tets)
#   -n  soak: configs/cube.yaml on SOAK_MESH_SPEC (default box:1x1x1:20x20x20, 9261
#       nodes), then N more load steps cycling between full and half load (default 64,
#       8 phases of record sizes), with and without --release-after-step
#   -r  repetitions of each speed run (default 3); -t threads (default: all cores)
#
# Writes DIR/{speed,soak}/<preset>-<rep or release>/ (summary.json, telemetry.csv,
# time.txt from /usr/bin/time -v), DIR/machine.txt, DIR/speed.csv, DIR/soak.csv and
# DIR/table.md (median and min-max of the repetitions; checksums must agree).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
presets=pool-system,pool-jemalloc,pool-mimalloc,pool-tcmalloc,naive-system,naive-jemalloc,naive-mimalloc,naive-tcmalloc,aos-system,aos-jemalloc,boxed-system,boxed-jemalloc
soak_presets=pool-system,pool-jemalloc,pool-mimalloc,pool-tcmalloc,naive-system,naive-jemalloc
reps=3 mesh=box:1x1x1:30x30x30 soak_mesh=box:1x1x1:20x20x20 threads=$(nproc) soak_steps=64
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-memory
while getopts p:S:r:m:M:t:n:o: opt; do
  case $opt in
    p) presets=$OPTARG ;; S) soak_presets=$OPTARG ;; r) reps=$OPTARG ;; m) mesh=$OPTARG ;; M) soak_mesh=$OPTARG ;;
    t) threads=$OPTARG ;; n) soak_steps=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n 2,21p "$0"; exit 2 ;;
  esac
done
for p in ${presets//,/ } ${soak_presets//,/ }; do
  [ -x "$root/build-$p/src/memfem" ] || { echo "no build-$p/src/memfem: scripts/build-presets.sh $p" >&2; exit 2; }
done
mkdir -p "$out"
{ "$root/scripts/machine-info.sh"
  echo "threads=$threads"
  echo "speed: configs/cube.yaml --mesh $mesh, $reps repetitions; soak: configs/cube.yaml --mesh $soak_mesh --soak-steps $soak_steps"
} > "$out/machine.txt"

run() { # DIR MEMFEM ARGS...: one run under /usr/bin/time -v
  local d=$1 bin=$2; shift 2
  mkdir -p "$d"
  /usr/bin/time -v -o "$d/time.txt" "$bin" run "$@" --threads "$threads" --quiet --out "$d" > "$d/stdout.txt"
}

# Repetitions interleave the presets (rep 1 of every preset, then rep 2, ...) so that a
# slow drift of the machine does not land on one variant.
for r in $(seq 1 "$reps"); do
  for p in ${presets//,/ }; do
    echo "speed: $p repetition $r"
    run "$out/speed/$p-$r" "$root/build-$p/src/memfem" "$root/configs/cube.yaml" --mesh "$mesh"
  done
done
for p in ${soak_presets//,/ }; do
  for rel in keep release; do
    echo "soak: $p ($rel)"
    extra=()
    [ $rel = release ] && extra=(--release-after-step)
    run "$out/soak/$p-$rel" "$root/build-$p/src/memfem" "$root/configs/cube.yaml" \
      --mesh "$soak_mesh" --soak-steps "$soak_steps" "${extra[@]}"
  done
done
python3 "$root/bench/tabulate-memory.py" "$out" | tee "$out/table.md"
