#!/usr/bin/env bash
# Strong and weak scaling studies of memfem over threads and MPI ranks (issues 4 and 14).
#
#   usage: scripts/scaling.sh [--threads 1,2,4] [--ranks 1,2,4] [--configs 1x16,4x4,16x1]
#                             [--mesh box:LXxLYxLZ:NXxNYxNZ | FILE]
#                             [--reps R] [--out DIR] [--weak CELLS_PER_CORE] [--case FILE]
#                             [--stream-mb MB] [--no-stream] [--strong-only|--weak-only]
#                             [--preconditioner NAME]
#
# Every ranks x threads pair is a configuration on R x T cores (--ranks defaults to 1: no
# MPI; --configs RxT,... names the pairs instead of every pair of the two lists, e.g. pure
# MPI, hybrid and pure OpenMP on one node's cores). A rank count above 1 needs a memfem
# built with MEMFEM_MPI=ON and runs under $MPIEXEC (default mpiexec) as
# scripts/mpi-launch.sh places it: each rank bound to its own T CPUs while R x T fits the
# machine, unbound and oversubscribed beyond.
#   strong: the --mesh box (default box:1x1x1:16x16x16) in every configuration, or the
#           mesh file --mesh names (with --strong-only; e.g. one `memfem convert --order rcm
#           --parts ...` wrote, whose stored cuts the runs read);
#   weak:   a box of CELLS_PER_CORE x C hexahedral cells (6 tetrahedra each) on C = R x T
#           cores, grown along z with its length (LZ x C, NZ x C), so elements per core and
#           the cells' shape stay fixed; CELLS_PER_CORE defaults to the --mesh box's cells
#           and must then be NX x NY x NZ of that box (other values: the nearest cube).
# --preconditioner overrides the case's (memfem run --preconditioner).
# Each configuration runs R times (default 3) with `memfem run CASE --stream` (the STREAM
# triad at the run's thread count after the run; MEMFEM_STREAM_MB=--stream-mb, default
# memfem's own choice of 4x the last-level cache capped at 1 GiB per array).
# The case defaults to configs/box_1m.yaml (output.every 0: no field output), its mesh
# replaced by the boxes above. Binding: OMP_PROC_BIND/OMP_PLACES from the environment,
# close/cores when unset, printed and written to DIR/machine.txt.
#
# Writes DIR/strong.csv and DIR/weak.csv (median and min/max over the repetitions per
# configuration: wall, phase times with rank 0's communication, figures of merit,
# efficiency, checksum), DIR/*.png (gnuplot, Debian gnuplot-nox; skipped with a warning
# when absent) and every run's summary.json under DIR/runs/. Needs python3. Exit 1 when
# the strong study's checksums differ between configurations (results must be
# bit-identical at any ranks x threads).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=1,2 ranks=1 mesh=box:1x1x1:16x16x16 reps=3 out="" weak="" case_file=$root/configs/box_1m.yaml
stream_mb="" stream=1 do_strong=1 do_weak=1 configs="" pc=""
die() { echo "scaling.sh: error: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=${2:?}; shift ;;
    --ranks) ranks=${2:?}; shift ;;
    --configs) configs=${2:?}; shift ;;
    --mesh) mesh=${2:?}; shift ;;
    --reps) reps=${2:?}; shift ;;
    --out) out=${2:?}; shift ;;
    --weak) weak=${2:?}; shift ;;
    --case) case_file=${2:?}; shift ;;
    --stream-mb) stream_mb=${2:?}; shift ;;
    --no-stream) stream=0 ;;
    --preconditioner) pc=${2:?}; shift ;;
    --strong-only) do_weak=0 ;;
    --weak-only) do_strong=0 ;;
    -h|--help) sed -n 2,34p "$0"; exit 0 ;;
    *) die "unknown argument '$1' (--help)" ;;
  esac
  shift
done
[ -n "$out" ] || out=$root/bench/results/$(date -u +%Y-%m-%d)-$(hostname)-scaling
[[ $threads =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--threads expects a list like 1,2,4, got '$threads'"
[[ $ranks =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--ranks expects a list like 1,2,4, got '$ranks'"
if [ -n "$configs" ]; then
  [[ $configs =~ ^[1-9][0-9]*x[1-9][0-9]*(,[1-9][0-9]*x[1-9][0-9]*)*$ ]] ||
    die "--configs expects a list like 1x16,4x4,16x1 (ranks x threads), got '$configs'"
else # every pair of the two lists
  configs=$(for r in ${ranks//,/ }; do for t in ${threads//,/ }; do printf '%sx%s,' "$r" "$t"; done; done)
  configs=${configs%,}
fi
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps expects a positive integer, got '$reps'"
strong_mesh=$mesh
if [ -f "$mesh" ] && [[ ! $mesh =~ ^box: ]]; then # a mesh file: the strong study only
  [ "$do_weak" = 1 ] && die "--mesh $mesh is a file: the weak study needs a generated box (add --strong-only)"
  mesh=box:1x1x1:1x1x1 # unused
fi
[[ $mesh =~ ^box:([0-9.]+)x([0-9.]+)x([0-9.]+):([0-9]+)x([0-9]+)x([0-9]+)$ ]] ||
  die "--mesh must be a generated box box:LXxLYxLZ:NXxNYxNZ or a mesh file, got '$mesh'"
lx=${BASH_REMATCH[1]} ly=${BASH_REMATCH[2]} lz=${BASH_REMATCH[3]}
nx=${BASH_REMATCH[4]} ny=${BASH_REMATCH[5]} nz=${BASH_REMATCH[6]}
wlx=$lx wly=$ly wlz0=$lz wnx=$nx wny=$ny wnz=$nz # the weak study's box per thread
if [ -n "$weak" ]; then
  [[ $weak =~ ^[1-9][0-9]*$ ]] || die "--weak expects a cell count per core, got '$weak'"
  if [ "$weak" -ne $((nx * ny * nz)) ]; then # a cube of about that many cells
    n=$(python3 -c "print(max(1, round($weak ** (1 / 3))))")
    wnx=$n wny=$n wnz=$n wlx=1 wly=1 wlz0=1
    echo "scaling.sh: weak scaling with ${n}x${n}x${n} = $((n * n * n)) cells per core (nearest cube to $weak)"
  fi
fi
[ -f "$case_file" ] || die "case file $case_file not found"
memfem=${MEMFEM:-$root/build/src/memfem}
[ -x "$memfem" ] || die "no memfem at $memfem (build first, or set MEMFEM)"
command -v python3 > /dev/null || die "python3 is needed for the tables"

export OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores}
unset OMP_NUM_THREADS
[ -n "$stream_mb" ] && export MEMFEM_STREAM_MB=$stream_mb
ncpu=$(nproc)
mpiexec=${MPIEXEC:-mpiexec}
for c in ${configs//,/ }; do
  r=${c%x*} t=${c#*x}
  [ $((r * t)) -le "$ncpu" ] ||
    echo "scaling.sh: WARNING: $r ranks x $t threads on $ncpu available cores: oversubscribed, times are not scaling figures" >&2
  if [ "$r" -gt 1 ]; then
    command -v "$mpiexec" > /dev/null || die "$r ranks need $mpiexec (Open MPI; or set MPIEXEC)"
    "$memfem" --version | grep -q 'MPI *: yes' || die "$r ranks need a memfem built with MEMFEM_MPI=ON ($memfem)"
  fi
done
mkdir -p "$out/runs"
"$root/scripts/machine-info.sh" "$memfem" > "$out/machine.txt"
echo "scaling.sh: OMP_PROC_BIND=$OMP_PROC_BIND OMP_PLACES=$OMP_PLACES, ranks x threads $configs, $reps repetition(s), out $out"

run_study() { # study, then "ranks threads mesh" triples
  local study=$1
  shift
  : > "$out/$study.list"
  while [ $# -gt 0 ]; do
    local nr=$1 t=$2 m=$3
    shift 3
    for r in $(seq 1 "$reps"); do
      local tag=$study-r${nr}t$t-rep$r
      local d=$out/runs/$tag
      rm -rf "$d"
      local args=(run "$case_file" --mesh "$m" --threads "$t" --out "$d" --quiet)
      [ "$stream" = 1 ] && args+=(--stream)
      [ -n "$pc" ] && args+=(--preconditioner "$pc")
      echo "scaling.sh: $study ${nr}x$t (ranks x threads) rep $r: $m"
      MPIEXEC=$mpiexec "$root/scripts/mpi-launch.sh" "$nr" "$t" "$memfem" "${args[@]}" > "$out/runs/$tag.log" 2>&1 ||
        { cat "$out/runs/$tag.log" >&2; die "memfem failed ($study, $nr ranks x $t threads, rep $r)"; }
      echo "$nr $t $r $d/summary.json" >> "$out/$study.list"
    done
  done
  python3 "$root/scripts/scaling-table.py" "$study" "$out/$study.list" "$out/$study.csv"
}

strong_args=() weak_args=()
for rt in ${configs//,/ }; do
  nr=${rt%x*} t=${rt#*x}
  c=$((nr * t))
  strong_args+=("$nr" "$t" "$strong_mesh")
  wlz=$(python3 -c "print('%g' % ($wlz0 * $c))")
  weak_args+=("$nr" "$t" "box:${wlx}x${wly}x${wlz}:${wnx}x${wny}x$((wnz * c))")
done
status=0
[ "$do_strong" = 1 ] && { run_study strong "${strong_args[@]}" || status=1; }
[ "$do_weak" = 1 ] && { run_study weak "${weak_args[@]}" || status=1; }

if command -v gnuplot > /dev/null; then
  for study in strong weak; do
    [ -f "$out/$study.csv" ] || continue
    gnuplot -e "csv='$out/$study.csv'; png='$out/$study.png'; study='$study'" "$root/scripts/scaling.gp" ||
      { echo "scaling.sh: gnuplot failed for $study" >&2; status=1; }
  done
else
  echo "scaling.sh: WARNING: gnuplot not found (Debian: gnuplot-nox); no PNG plots" >&2
fi
echo "scaling.sh: wrote $out/{strong,weak}.csv and plots (binding OMP_PROC_BIND=$OMP_PROC_BIND OMP_PLACES=$OMP_PLACES)"
exit $status
