#!/usr/bin/env bash
# memfem against DOLFINx (PETSc CG + GAMG) on the same Gmsh cantilever meshes, one run
# after the other on this machine (bench/dolfinx/README.md).
#
#   usage: bench/dolfinx/compare.sh [options] [MEMFEM]      MEMFEM: default build/src/memfem
#     --out DIR          results folder (default out/dolfinx-compare)
#     --sizes LIST       Gmsh cantilevers to make and run: medium (h 0.07, ~27k nodes),
#                        fine (h 0.0375, ~157k nodes); default medium,fine
#     --mesh FILE.msh    run this ASCII MSH 4.1 mesh (groups fixed and tip) instead; repeatable
#     --reps R           repetitions of every run (default 3)
#     --ranks LIST       DOLFINx MPI ranks (default 1,2)
#     --threads LIST     memfem OpenMP threads (default 1,2)
#     --pcs LIST         memfem preconditioners (default block-jacobi,amg)
#     --amg-keys KEYS    amg options for memfem's amg runs, as in a case file's
#                        `amg: {KEYS}` (e.g. 'fine_precision: single'; default none)
#     --no-field-check   skip the untimed first pass that compares every node's displacement
#     --no-install       never call scripts/install-deps.sh --dolfinx; exit 77 if a tool is missing
#
# Writes DIR/machine.txt, DIR/meshes.csv, DIR/results.csv (one row per run), DIR/table.md
# (medians and min-max per configuration), DIR/agreement.json and each run's own files
# under DIR/runs/. Every run records the load average it started under.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3 # Debian's: python3-dolfinx, python3-yaml, python3-h5py are installed for it
out=$root/out/dolfinx-compare reps=3 ranks=1,2 threads=1,2 pcs=block-jacobi,amg sizes=medium,fine amg_keys=
meshes=() field_check=1 install=1 memfem=$root/build/src/memfem
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --mesh) meshes+=("$(realpath "$2")"); sizes=""; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --pcs) pcs=$2; shift 2 ;;
    --amg-keys) amg_keys=$2; shift 2 ;;
    --no-field-check) field_check=0; shift ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    *) memfem=$1; shift ;;
  esac
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --reps expects a positive integer, got '$reps'" >&2; exit 2; }
[ -x "$memfem" ] || { echo "compare.sh: no memfem binary at $memfem (build: scripts/build.sh)" >&2; exit 2; }
memfem=$(realpath "$memfem")

# ---- tools: DOLFINx and its MPI, gmsh when meshes are made, GNU time ------------------
have_tools() {
  "$py" -c "import dolfinx, yaml, h5py" 2>/dev/null && command -v mpirun >/dev/null &&
    [ -x /usr/bin/time ] && { [ -z "$sizes" ] || command -v gmsh >/dev/null; }
}
if ! have_tools; then
  if [ $install -eq 0 ]; then
    echo "compare.sh: needs python3-dolfinx, python3-yaml, python3-h5py, openmpi-bin, time and gmsh" \
         "(scripts/install-deps.sh --dolfinx)" >&2
    exit 77
  fi
  "$root/scripts/install-deps.sh" --dolfinx
fi
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

mkdir -p "$out/meshes" "$out/cases" "$out/runs"
{
  "$root/scripts/machine-info.sh" "$memfem"
  echo "gmsh $(gmsh --version 2>&1 || echo missing)"
  "$py" -c "import dolfinx, petsc4py.PETSc as P
print('dolfinx', dolfinx.__version__, 'petsc', '.'.join(map(str, P.Sys.getVersion())))"
  mpirun --version | head -n 1
} > "$out/machine.txt"

# ---- meshes: generated from meshes/cantilever.geo with a fixed size h -----------------
# Gmsh 4.8.4 (Debian 12) with these options gives the same file every time; another
# version gives another mesh, so meshes.csv records the version, node count and md5.
gmsh_h() { case $1 in medium) echo 0.07 ;; fine) echo 0.0375 ;; *) return 1 ;; esac; }
echo "mesh,file,h,nodes,md5,gmsh" > "$out/meshes.csv"
for size in ${sizes//,/ }; do
  h=$(gmsh_h "$size") || { echo "compare.sh: --sizes knows medium and fine, not '$size'" >&2; exit 2; }
  f=$out/meshes/cantilever-$size.msh
  if [ ! -s "$f" ]; then
    echo "compare.sh: meshing $size (h = $h) ..."
    gmsh "$root/meshes/cantilever.geo" -3 -format msh41 -setnumber h "$h" -o "$f.tmp" -v 1 >/dev/null
    mv "$f.tmp" "$f"
  fi
  meshes+=("$f")
done
nodes_of() { awk '/^\$Nodes/ { getline; print $2; exit }' "$1"; }
gmsh_version=$(gmsh --version 2>&1 || echo n/a)
for f in "${meshes[@]}"; do
  name=$(basename "$f" .msh)
  h=$(gmsh_h "${name#cantilever-}" || echo given)
  echo "$name,$f,$h,$(nodes_of "$f"),$(md5sum < "$f" | cut -d' ' -f1),$gmsh_version" >> "$out/meshes.csv"
done

# ---- memfem cases: the committed case with each preconditioner ------------------------
# DIR/cases/PC.yaml, and PC-field.yaml writing results.h5 (mesh and output folder come
# from the command line).
case_for() { # PC [field]
  local c=$out/cases/$1${2:+-field}.yaml every=0
  [ -n "${2:-}" ] && every=1
  sed -e "s|preconditioner: block-jacobi|preconditioner: $1|" -e "s|every: 0}|every: $every}|" \
      "$here/cantilever_linear.yaml" > "$c"
  if [ "$1" = amg ] && [ -n "$amg_keys" ]; then
    sed -i "s|^linear: {\(.*\)}|linear: {\1, amg: {$amg_keys}}|" "$c"
    grep -q "amg: {$amg_keys}}" "$c" || { echo "compare.sh: could not add amg: {$amg_keys} to the amg case" >&2; exit 2; }
  fi
  if ! grep -q "preconditioner: $1," "$c" || ! grep -q "every: $every}" "$c"; then
    echo "compare.sh: could not make the $1 case from cantilever_linear.yaml" >&2
    exit 2
  fi
}
for pc in ${pcs//,/ }; do case_for "$pc"; done
[ $field_check -eq 1 ] && case_for "${pcs##*,}" field

# ---- one run: tool, config, mesh, ranks/threads, rep ----------------------------------
index=$out/runs/index.csv
echo "tool,config,mesh,mesh_file,ranks,threads,rep,dir,load1,load5,rc" > "$index"
run_dolfinx() { # MESH_FILE RANKS DIR [extra args]
  local f=$1 n=$2 d=$3; shift 3
  local over=""
  [ "$n" -gt "$(nproc)" ] && over=--oversubscribe
  /usr/bin/time -v -o "$d/time.txt" mpirun -np "$n" $over -x OMP_NUM_THREADS=1 -x OPENBLAS_NUM_THREADS=1 \
    "$py" "$here/elasticity.py" "$here/cantilever_linear.yaml" "$f" --json "$d/run.json" "$@" > "$d/stdout.txt" 2>&1
}
run_memfem() { # MESH_FILE THREADS DIR CASE
  /usr/bin/time -v -o "$3/time.txt" "$memfem" run "$4" --mesh "$1" --threads "$2" --out "$3" --quiet \
    > "$3/stdout.txt" 2>&1
}
record() { # TOOL CONFIG MESH_FILE RANKS THREADS REP DIR -- command...
  local tool=$1 config=$2 f=$3 n=$4 t=$5 rep=$6 d=$7; shift 8
  mkdir -p "$d"
  local load rc=0
  load=$(cut -d' ' -f1,2 /proc/loadavg)
  cp /proc/loadavg "$d/loadavg.txt"
  "$@" || rc=$?
  echo "$tool,$config,$(basename "$f" .msh),$f,$n,$t,$rep,$d,${load% *},${load#* },$rc" >> "$index"
  printf '  %-8s %-13s %-22s ranks %s threads %s rep %s: exit %s, load %s\n' \
    "$tool" "$config" "$(basename "$f" .msh)" "$n" "$t" "$rep" "$rc" "$load"
}

# The first pass (untimed, rep 0): every node's displacement from DOLFINx (1 rank) and
# memfem (the last of --pcs, 1 thread: its answer is the same at any thread count, with
# results.h5), compared in agreement.json; every timed run's probes are compared too. It
# also compiles DOLFINx's forms into its JIT cache, so no timed run pays for that.
if [ $field_check -eq 1 ]; then
  pc=${pcs##*,}
  for f in "${meshes[@]}"; do
    m=$(basename "$f" .msh)
    d=$out/runs/field/$m-dolfinx
    record dolfinx gamg "$f" 1 1 0 "$d" -- run_dolfinx "$f" 1 "$d" --write-u "$d/u.npy"
    d=$out/runs/field/$m-memfem-$pc
    record memfem "$pc" "$f" 1 1 0 "$d" -- run_memfem "$f" 1 "$d" "$out/cases/$pc-field.yaml"
  done
else # still warm the JIT cache on the first mesh, untimed
  d=$out/runs/warmup
  record dolfinx gamg "${meshes[0]}" 1 1 0 "$d" -- run_dolfinx "${meshes[0]}" 1 "$d"
fi

# The timed runs: the repetitions interleave, so a slow spell of the machine spreads over
# every configuration instead of landing on one.
for rep in $(seq 1 "$reps"); do
  for f in "${meshes[@]}"; do
    m=$(basename "$f" .msh)
    for n in ${ranks//,/ }; do
      d=$out/runs/$m/dolfinx-r$n-$rep
      record dolfinx gamg "$f" "$n" 1 "$rep" "$d" -- run_dolfinx "$f" "$n" "$d"
    done
    for pc in ${pcs//,/ }; do
      for t in ${threads//,/ }; do
        d=$out/runs/$m/memfem-$pc-t$t-$rep
        record memfem "$pc" "$f" 1 "$t" "$rep" "$d" -- run_memfem "$f" "$t" "$d" "$out/cases/$pc.yaml"
      done
    done
  done
done

"$py" "$here/tabulate.py" "$out"
