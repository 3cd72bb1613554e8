#!/usr/bin/env bash
# The distributed linear solver at ranks x threads (issue 14): memfem-bench dist-cg (PCG
# with block-Jacobi on the bench mesh's tangent, exact reductions over MPI, products
# overlapped with the ghost exchange) under mpiexec for each RxT of the list (placed by
# scripts/mpi-launch.sh: each rank on its own T CPUs while R x T fits the machine), the
# configurations interleaved within every round; writes DIR/runs/R<r>xT<t>-<round>.csv,
# DIR/ranks-threads.csv (every row) and DIR/ranks-threads.md (per configuration: ms per
# iteration and the product / preconditioner / vector shares, medians and min-max over
# all repetitions of all rounds; the final residual norm, which must be one value).
#
#   usage: bench/ranks-threads.sh [-c 1x1,1x2,2x1] [-m box:1x1x1:48x48x48] [-r 2] [-n 5]
#                                 [-i 50] [-o DIR] [-w]
#   -c  ranks x threads configurations   -r rounds   -n repetitions per round
#   -i  CG iterations per solve           MEMFEM_BENCH (default build-hypre/bench/memfem-bench,
#       the MPI build of scripts/test.sh)
#   -w  each configuration also with the product waiting for the whole ghost exchange
#       (dist-cg --overlap 0): what the overlap gains
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
configs=1x1,1x2,2x1 mesh=box:1x1x1:48x48x48 rounds=2 reps=5 iters=50 overlaps=1
out=$root/bench/results/$(date +%Y-%m-%d)-$(hostname)-ranks-threads
while getopts c:m:r:n:i:o:w opt; do
  case $opt in
    c) configs=$OPTARG ;; m) mesh=$OPTARG ;; r) rounds=$OPTARG ;; n) reps=$OPTARG ;; i) iters=$OPTARG ;;
    o) out=$OPTARG ;; w) overlaps="1 0" ;; *) sed -n 2,17p "$0"; exit 2 ;;
  esac
done
bench=${MEMFEM_BENCH:-$root/build-hypre/bench/memfem-bench}
[ -x "$bench" ] || { echo "ranks-threads.sh: no MPI build at $bench (scripts/build.sh build-hypre -DMEMFEM_MPI=ON)" >&2; exit 2; }
command -v mpiexec >/dev/null || { echo "ranks-threads.sh: mpiexec not found (Debian: openmpi-bin)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# ranks x threads may exceed the cores: passive waits keep an oversubscribed team usable
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
export OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores}
mkdir -p "$out/runs"
"$root/scripts/machine-info.sh" > "$out/machine.txt"
for round in $(seq 1 "$rounds"); do
  for c in ${configs//,/ }; do
    r=${c%x*} t=${c#*x}
    for ov in $overlaps; do
      echo "ranks-threads.sh: round $round, $r ranks x $t threads, overlap $ov (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      FORCE_MPI=1 "$root/scripts/mpi-launch.sh" "$r" "$t" "$bench" dist-cg --mesh "$mesh" --threads "$t" \
        --reps "$reps" --iters "$iters" --overlap "$ov" > "$out/runs/R${r}xT${t}-O$ov-$round.csv"
    done
  done
done
(python3 - "$out" <<'PY'
import csv, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
rows = []
for f in sorted((out / "runs").glob("*.csv")):
    rows += list(csv.DictReader(f.open()))
with (out / "ranks-threads.csv").open("w", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
# group the rounds' medians per configuration and metric
groups = {}
for r in rows:
    note = dict(kv.split("=", 1) for kv in r["note"].split())
    key = (int(note["ranks"]), int(r["threads"]), int(note.get("overlap", 1)))
    groups.setdefault(key, {}).setdefault(r["metric"], []).append(float(r["median"]))
    groups[key].setdefault("rnorm", set()).add(note["rnorm"])
print(f"mesh {rows[0]['case']}, {rows[0]['note'].split()[1]} per solve; each cell: median [min-max] of the rounds' medians")
print()
print("| ranks x threads | overlap | ms per CG iteration | product share | preconditioner share | vector share | final residual norm |")
print("|---|---|---|---|---|---|---|")
def cell(v, d):
    return f"{statistics.median(v):.{d}f} [{min(v):.{d}f}-{max(v):.{d}f}]"
for (rk, th, ov), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[0][2])):
    print(f"| {rk} x {th} | {'yes' if ov else 'no'} | {cell(g['cg_iteration_time'], 3)} | {cell(g['spmv_share'], 2)} | "
          f"{cell(g['pc_share'], 2)} | {cell(g['vec_share'], 2)} | {', '.join(sorted(g['rnorm']))} |")
norms = set().union(*(g["rnorm"] for g in groups.values()))
print()
print("one final residual norm at every ranks x threads: " + ("yes" if len(norms) == 1 else f"NO ({len(norms)} values)"))
PY
) | tee "$out/ranks-threads.md"
