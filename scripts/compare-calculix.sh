#!/usr/bin/env bash
# Validate memfem against CalculiX (an independent finite-element code) on the same mesh
# and the same material law.
#
#   usage: scripts/compare-calculix.sh [--element tet4|tet10|hex8] [--law nh|linear]
#                                      MEMFEM_BINARY OUTDIR
#
# Problem: a 10 x 1 x 1 cantilever, face "fixed" clamped (ux = uy = uz = 0), face "tip"
# given uz = -2.0 (20% of the length), E = 200000, nu = 0.3. The element picks the mesh:
#   tet4  (default) meshes/cantilever.msh, 14576 linear tetrahedra, CalculiX C3D4
#         (one integration point, like memfem)
#   tet10 meshes/cantilever_tet10.msh, 3603 quadratic tetrahedra, C3D10 (4 points, as
#         memfem's Tet10); Gmsh's nodes 8 (edge 2-3) and 9 (edge 1-3) are swapped into
#         C3D10's order (nodes 9 and 10, 1-based, on edges 2-4 and 3-4)
#   hex8  meshes/cantilever_hex8.msh, 40 x 4 x 4 trilinear hexahedra, C3D8 (2x2x2 points,
#         as memfem's Hex8); Gmsh and C3D8 number the nodes alike
# The law:
#   nh (default) the decoupled neo-Hookean law W = C10 (I1bar - 3) + (J - 1)^2 / D1 with
#         C10 = mu/2 and D1 = 2/K: in memfem `neo-hookean-decoupled`, 10 load steps; in
#         CalculiX `*HYPERELASTIC, NEO HOOKE` in a *STATIC step with NLGEOM, increments of
#         0.1 and tight *CONTROLS. A hyperelastic body's final state does not depend on
#         the load path, so both codes must reach the same discrete equilibrium.
#   linear small-strain linear elasticity: memfem `linear-elastic`, one load step;
#         CalculiX *ELASTIC in a *STATIC step without NLGEOM (one linear solve).
#
# The script writes under OUTDIR:
#   mesh.inp, probes.txt    the mesh converted by awk from the .msh (node numbers are the
#                           .msh node tags, coordinates copied verbatim, only the volume
#                           elements, node sets from the physical surfaces)
#   case.yaml, memfem/      the memfem case (probes on every k-th node, k = 10 for the
#                           tetrahedra, 1 for hex8, and every tip-face node) and its
#                           output (summary.json)
#   ccx/cantilever.inp, .dat, .frd, .log   the CalculiX deck and its output
#   compare.txt             the comparison table printed to stdout
# and compares the final displacement of every probe node (difference relative to the
# largest |u| of the probes) and the total reaction force on "fixed" (relative to its
# magnitude). Both codes solve to round-off (memfem |R| <= 1e-9; CalculiX largest residual
# <= 1e-9 x the mean force, or a direct linear solve), so what limits the comparison is
# CalculiX's printing: it writes 7 significant digits (e13.6), a rounding of at most
# 5e-7 x 10^e for a value d.dddddd x 10^e, that is at most 5e-7 of the value itself and
# so at most 5e-7 of the largest |u| (or of |reaction|), whichever case it is (tet4, nh:
# 2.5e-7 of the largest displacement, 2.04, and 3.2e-7 of the reaction, 154.5). The
# tolerance, 1e-6, is twice that bound. The script also counts how many memfem values
# round to exactly the digits CalculiX printed (information, not a pass criterion).
# See docs/validation.md for measured figures.
#
# Exit status: 0 all differences below the tolerance, 1 a difference above it or a run
# failed, 2 bad usage, 77 CalculiX (ccx) not installed (ctest SKIP_RETURN_CODE).
# Needs bash, awk and ccx (Debian package calculix-ccx); not python, not gmsh.
set -euo pipefail

usage() {
  echo "usage: $0 [--element tet4|tet10|hex8] [--law nh|linear] MEMFEM_BINARY OUTDIR" >&2
  exit 2
}
element=tet4
law=nh
while [ $# -gt 0 ]; do
  case $1 in
    --element) [ $# -ge 2 ] || usage; element=$2; shift 2 ;;
    --law) [ $# -ge 2 ] || usage; law=$2; shift 2 ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || usage
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# per element: mesh, Gmsh volume and face element types, CalculiX type, probe stride,
# memfem preconditioner (block-Jacobi for tet4, as before; the multigrid for the others,
# whose CG with block-Jacobi is slow on the slender beam)
case $element in
  tet4) mesh=$root/meshes/cantilever.msh; vtype=4; ftype=2; ccxtype=C3D4; stride=10; pc=block-jacobi ;;
  tet10) mesh=$root/meshes/cantilever_tet10.msh; vtype=11; ftype=9; ccxtype=C3D10; stride=10; pc=amg ;;
  hex8) mesh=$root/meshes/cantilever_hex8.msh; vtype=5; ftype=3; ccxtype=C3D8; stride=1; pc=amg ;;
  *) usage ;;
esac
case $law in
  nh) lawname=neo-hookean-decoupled; steps=10 ;;
  linear) lawname=linear-elastic; steps=1 ;;
  *) usage ;;
esac
if ! command -v ccx > /dev/null 2>&1; then
  echo "calculix-ccx not installed: skipped"
  exit 77
fi
memfem=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
tol=1e-6

# Material: E = 200000, nu = 0.3 -> mu = E / (2 (1 + nu)), K = E / (3 (1 - 2 nu)).
young=200000
poisson=0.3
c10=38461.538461538461 # mu / 2
d1=1.2e-5              # 2 / K
tip_uz=-2.0

[ -x "$memfem" ] || { echo "compare-calculix: $memfem is not executable" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/memfem" "$out/ccx"
out=$(cd "$out" && pwd)

now() { date +%s.%N; }

# ---- 1. the mesh for CalculiX, and the probe nodes, from the .msh (MSH 4.1 ASCII) ----
awk -v inp="$out/mesh.inp" -v probes="$out/probes.txt" -v vtype=$vtype -v ftype=$ftype \
    -v ccxtype=$ccxtype -v stride=$stride '
function fail(msg) { print "compare-calculix: " FILENAME ": " msg > "/dev/stderr"; bad = 1; exit 1 }
/^\$MeshFormat/   { sec = "format"; next }
/^\$PhysicalNames/ { sec = "names"; first = 1; next }
/^\$Entities/     { sec = "entities"; first = 1; next }
/^\$Nodes/        { sec = "nodes"; first = 1; left = 0; next }
/^\$Elements/     { sec = "elements"; first = 1; left = 0; next }
/^\$End/          { sec = ""; next }
sec == "format" { if ($1 != "4.1" || $2 != 0) fail("expected MSH 4.1 ASCII, got " $1 " " $2); next }
sec == "names" {
  if (first) { first = 0; next }
  name = $3; gsub(/"/, "", name); pname[$1 "," $2] = name; next
}
sec == "entities" {
  if (first) { first = 0; ne[0] = $1; ne[1] = $2; ne[2] = $3; ne[3] = $4; dim = 0; k = 0; next }
  while (k >= ne[dim]) { dim++; k = 0 }
  k++
  np = (dim == 0) ? 5 : 8              # field holding the number of physical tags
  for (i = 1; i <= $np; i++) ephys[dim "," $1] = ephys[dim "," $1] " " $(np + i)
  next
}
sec == "nodes" {
  if (first) { first = 0; next }
  if (left == 0 && ntag == 0) { left = $4; ntag = $4; param = $3; nt = 0; next }
  if (ntag > 0 && nt < ntag) { tags[++nt] = $1; if (nt == ntag) nc = 0; next }
  nc++; t = tags[nc]
  if (t in x) fail("duplicate node tag " t)
  x[t] = $1; y[t] = $2; z[t] = $3; order[++nnodes] = t
  if (nc == ntag) { left = 0; ntag = 0 }
  next
}
sec == "elements" {
  if (first) { first = 0; next }
  if (left == 0) { left = $4; edim = $1; etag = $2; etype = $3; next }
  left--
  if (etype == vtype) {                # the volume elements
    # 4-node tetrahedron (4) and 8-node hexahedron (5): Gmsh numbers the nodes as C3D4 and
    # C3D8 do. 10-node tetrahedron (11): Gmsh puts node 8 on edge 2-3 and node 9 on edge
    # 1-3 (0-based), C3D10 node 8 on edge 1-3 and node 9 on edge 2-3: swap the two.
    nel++; line = $1
    if (etype == 11) { for (j = 2; j <= 9; j++) line = line ", " $j; line = line ", " $11 ", " $10 }
    else for (j = 2; j <= NF; j++) line = line ", " $j
    el[nel] = line
    n = split(ephys[edim "," etag], ph, " ")
    for (i = 1; i <= n; i++) { g = pname[edim "," ph[i]]; eset[g] = eset[g] " " $1 }
  } else if (etype == ftype) {         # boundary faces: only their nodes, for node sets
    n = split(ephys[edim "," etag], ph, " ")
    for (i = 1; i <= n; i++) {
      g = pname[edim "," ph[i]]
      for (j = 2; j <= NF; j++) if (!((g, $j) in inset)) { inset[g, $j] = 1; nset[g] = nset[g] " " $j }
    }
  } else if (etype != 15 && etype != 1 && etype != 8) fail("element type " etype " is not supported here")
  next
}
function print_set(kw, name, list,   a, n, i, line) {
  n = split(list, a, " ")
  print kw name > inp
  line = ""
  for (i = 1; i <= n; i++) {
    line = line a[i] (i < n ? ", " : "")
    if (i % 8 == 0 || i == n) { print line > inp; line = "" }
  }
}
END {
  if (bad) exit 1
  if (nnodes == 0 || nel == 0) { print "compare-calculix: no nodes or no elements of Gmsh type " vtype > "/dev/stderr"; exit 1 }
  print "** converted from the .msh by compare-calculix.sh: node numbers are the .msh tags" > inp
  print "*NODE, NSET=NALL" > inp
  for (i = 1; i <= nnodes; i++) { t = order[i]; print t ", " x[t] ", " y[t] ", " z[t] > inp }
  print "*ELEMENT, TYPE=" ccxtype ", ELSET=EALL" > inp
  for (i = 1; i <= nel; i++) print el[i] > inp
  for (g in eset) print_set("*ELSET, ELSET=", g, eset[g])
  for (g in nset) print_set("*NSET, NSET=", g, nset[g])
  # probes: every stride-th node in file order and every node of the tip face
  for (i = 1; i <= nnodes; i += stride) pick[order[i]] = 1
  n = split(nset["tip"], a, " ")
  if (n == 0) { print "compare-calculix: the mesh has no surface group tip" > "/dev/stderr"; exit 1 }
  for (i = 1; i <= n; i++) pick[a[i]] = 1
  for (i = 1; i <= nnodes; i++) { t = order[i]; if (t in pick) print t, x[t], y[t], z[t] > probes }
}' "$mesh"

# ---- 2. the memfem case ----
{
  echo "# written by scripts/compare-calculix.sh: the cantilever for the CalculiX comparison"
  echo "mesh: $mesh"
  echo "materials:"
  if [ "$law" = nh ]; then
    echo "  - {region: solid, model: neo-hookean-decoupled, C10: $c10, D1: $d1}"
  else
    echo "  - {region: solid, model: linear-elastic, E: $young, nu: $poisson}"
  fi
  echo "boundary:"
  echo "  - {group: fixed, ux: 0, uy: 0, uz: 0}"
  echo "  - {group: tip, uz: $tip_uz}"
  echo "steps: {count: $steps}"
  echo "newton: {rtol: 1.0e-12, atol: 1.0e-9, max_iter: 25}"
  echo "linear: {solver: cg, preconditioner: $pc, rtol: 1.0e-10, max_iter: 50000}"
  echo "probes:"
  awk '{ printf "  n%s: [%s, %s, %s]\n", $1, $2, $3, $4 }' "$out/probes.txt"
  echo "output: {dir: $out/memfem}"
} > "$out/case.yaml"

# ---- 3. the CalculiX deck ----
{
  echo "** written by scripts/compare-calculix.sh: the same cantilever for CalculiX"
  echo "*INCLUDE, INPUT=$out/mesh.inp"
  if [ "$law" = nh ]; then
    cat << EOF
*MATERIAL, NAME=NH
*HYPERELASTIC, NEO HOOKE
$c10, $d1
*SOLID SECTION, ELSET=solid, MATERIAL=NH
*STEP, NLGEOM, INC=1000
*STATIC
0.1, 1.0, 1e-4, 0.1
** convergence: largest residual <= 1e-9 x the mean force, largest correction <= 1e-8 x
** the largest increment (defaults 0.005 and 0.01), so the final state is at round-off
*CONTROLS, PARAMETERS=FIELD
1e-9, 1e-8, , , 1e-9, 1e-5, 1e-3, 1e-8
*CONTROLS, PARAMETERS=TIME INCREMENTATION
20, 30, 9, 40, 10, 4, 12, 5
EOF
  else
    cat << EOF
*MATERIAL, NAME=LE
*ELASTIC
$young, $poisson
*SOLID SECTION, ELSET=solid, MATERIAL=LE
** no NLGEOM and a linear material: one linear solve (SPOOLES, direct)
*STEP
*STATIC
EOF
  fi
  cat << EOF
*BOUNDARY
fixed, 1, 3, 0.0
tip, 3, 3, $tip_uz
*NODE PRINT, NSET=NALL
U
*NODE PRINT, NSET=fixed, TOTALS=ONLY
RF
*END STEP
EOF
} > "$out/ccx/cantilever.inp"

# ---- 4. run both ----
t0=$(now)
rc=0
"$memfem" run "$out/case.yaml" --out "$out/memfem" --quiet > "$out/memfem/stdout.txt" 2>&1 || rc=$?
t1=$(now)
if [ $rc -ne 0 ]; then
  echo "compare-calculix: memfem failed (exit $rc):" >&2
  tail -20 "$out/memfem/stdout.txt" >&2
  exit 1
fi
rc=0
# ccx threads (its SPOOLES solver and element loops) follow OMP_NUM_THREADS; default: all cores
(cd "$out/ccx" && OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc 2> /dev/null || echo 1)} \
   ccx -i cantilever > cantilever.log 2>&1) || rc=$?
t2=$(now)
if [ $rc -ne 0 ] || ! grep -q "Job finished" "$out/ccx/cantilever.log" || [ ! -s "$out/ccx/cantilever.dat" ]; then
  echo "compare-calculix: ccx failed (exit $rc):" >&2
  tail -20 "$out/ccx/cantilever.log" >&2
  exit 1
fi

# ---- 5. compare ----
awk -v tol="$tol" -v what="$element ($ccxtype), $lawname" -v tm="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
    -v tc="$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')" '
function abs(v) { return v < 0 ? -v : v }
function nums(s, a,   n) { gsub(/[\[\],]/, " ", s); return split(s, a, " ") }
FILENAME ~ /summary.json$/ {
  if ($1 == "\"steps\":") insteps = 1
  if (!insteps) next
  if ($1 == "\"step\":") { nstep++; delete mu; delete mtag; np = 0 }
  if ($1 == "\"load_factor\":") { lf = $2; sub(/,$/, "", lf) }
  if ($1 == "\"fixed\":") { sub(/^[^[]*/, ""); nums($0, mr) }
  if ($1 ~ /^"n[0-9]+":$/ && $2 == "{") { p = $1; gsub(/[":n]/, "", p) }
  if ($1 == "\"u\":") { sub(/^[^[]*/, ""); nums($0, v); mu[p, 1] = v[1]; mu[p, 2] = v[2]; mu[p, 3] = v[3] }
  if ($1 == "\"node_tag\":") { t = $2; sub(/,$/, "", t); if (t != p) { print "probe n" p " landed on node " t; exit 1 } np++; ptag[np] = p }
  if ($1 == "\"status\":") { st = $2; gsub(/[",]/, "", st) }
  next
}
FILENAME ~ /cantilever.dat$/ {
  if ($1 == "displacements") { blk = "u"; tim = $NF; next }
  if ($1 == "total" && $2 == "force") { blk = "rf"; next }
  if ($1 == "forces") { blk = ""; next }
  if (NF == 4 && blk == "u" && $1 ~ /^[0-9]+$/) { cu[$1, 1] = $2; cu[$1, 2] = $3; cu[$1, 3] = $4 }
  if (NF == 3 && blk == "rf") { cr[1] = $1; cr[2] = $2; cr[3] = $3 }
  next
}
END {
  if (st != "converged" || lf + 0 != 1) { print "memfem did not converge to load factor 1 (status " st ", load " lf ")"; exit 1 }
  if (tim + 0 != 1) { print "calculix did not reach time 1 (last " tim ")"; exit 1 }
  umax = 0; dmax = 0; worst = ""
  for (i = 1; i <= np; i++) {
    t = ptag[i]
    if (!((t, 1) in cu)) { print "no CalculiX displacement for node " t; exit 1 }
    m = 0; d = 0
    for (c = 1; c <= 3; c++) {
      m += mu[t, c] ^ 2; e = abs(mu[t, c] - cu[t, c]); if (e > d) { d = e; dc = c }
      # does the memfem value round to the 7 digits CalculiX printed (half an ulp of e13.6)?
      split(cu[t, c], q, /[Ee]/); nval++
      if (e <= 0.5e-6 * 10 ^ (q[2] + 0) * (1 + 1e-9)) nsame++; else if (e > dother) dother = e
    }
    if (sqrt(m) > umax) { umax = sqrt(m); tmax = t }
    if (d > dmax) { dmax = d; worst = t; worstc = dc }
  }
  comp[1] = "x"; comp[2] = "y"; comp[3] = "z"
  printf "memfem vs CalculiX: cantilever, %s, tip uz = -2.0, %d probe nodes\n", what, np
  printf "memfem %s s, ccx %s s\n\n", tm, tc
  printf "%-30s %16s %16s %12s\n", "quantity", "memfem", "calculix", "rel. diff"
  fail = 0
  # the largest displacement, every component at that node, and the worst-matching value
  for (c = 1; c <= 3; c++) {
    r = abs(mu[tmax, c] - cu[tmax, c]) / umax; if (r > tol) fail = 1
    printf "%-30s %16.9e %16.6e %12.3e\n", "u" comp[c] " node " tmax " (max |u|)", mu[tmax, c], cu[tmax, c], r
  }
  r = dmax / umax; if (r > tol) fail = 1
  printf "%-30s %16.9e %16.6e %12.3e\n", "u" comp[worstc] " node " worst " (worst)", mu[worst, worstc], cu[worst, worstc], r
  rmag = sqrt(mr[1] ^ 2 + mr[2] ^ 2 + mr[3] ^ 2)
  for (c = 1; c <= 3; c++) {
    r = abs(mr[c] - cr[c]) / rmag; if (r > tol) fail = 1
    printf "%-30s %16.9e %16.6e %12.3e\n", "reaction fixed f" comp[c], mr[c], cr[c], r
  }
  printf "\nu: |difference| / max|u| (max|u| = %.6g) over all %d probe nodes x 3 components;\n", umax, np
  printf "reaction: |difference| / |reaction| (|reaction| = %.6g); tolerance %g\n", rmag, tol
  printf "memfem values that round to the 7 digits CalculiX printed: %d of %d", nsame, nval
  if (nsame < nval) printf " (the others differ by at most %.1e of max|u|)", dother / umax
  printf "\n"
  print (fail ? "FAIL" : "PASS")
  exit fail
}' "$out/memfem/summary.json" "$out/ccx/cantilever.dat" | tee "$out/compare.txt"
exit "${PIPESTATUS[0]}"
