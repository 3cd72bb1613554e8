#!/usr/bin/env bash
# Install what memfem needs from Debian's packages (Debian 12 / Ubuntu 22.04+).
# Installs only what is missing; needs root or sudo.
#   usage: scripts/install-deps.sh [--dolfinx]
#   --dolfinx  also what bench/dolfinx/compare.sh needs: DOLFINx 0.5 with PETSc and Open MPI
#              (about 150 packages), gmsh to make its meshes; kept out of the default set
#              because only that benchmark and its smoke test (skipped without it) use them.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git
      libyaml-dev libcjson-dev libcmocka-dev libhdf5-dev libmetis-dev python3-h5py python3-matplotlib
      libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev libhypre-dev libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
      python3 time calculix-ccx paraview python3-paraview xvfb gnuplot-nox
      clang libclang-rt-dev libomp-dev llvm valgrind util-linux)
# clang, libclang-rt-dev (libFuzzer, the sanitizer runtimes), libomp-dev (OpenMP for
# clang) and llvm (llvm-symbolizer for readable reports): the fuzz preset and
# scripts/fuzz.sh; valgrind: test memory_valgrind; util-linux (unshare, mount): test
# output_disk_full.
case ${1:-} in
  "") ;;
  --dolfinx) pkgs+=(python3-dolfinx python3-yaml openmpi-bin gmsh) ;;
  *) echo "install-deps: unknown option $1 (usage: scripts/install-deps.sh [--dolfinx])" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
