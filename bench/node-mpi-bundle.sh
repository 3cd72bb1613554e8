#!/usr/bin/env bash
# Prepare the MPI build for a node without compilers or packages (issue 14's scaling
# study): memfem and memfem-bench built with MEMFEM_MPI=ON, every shared library they
# need (all but the C runtime, which must be the node's own), and Debian's Open MPI
# runtime relocated into the bundle (mpiexec, its plugins and help files, PMIx), with
# env.sh pointing Open MPI there (OPAL_PREFIX, PMIX_PREFIX). Laid out as
#   DIR/bin/{memfem,memfem-bench,mpiexec,time}, DIR/lib/, DIR/ompi/, DIR/env.sh
# On the node: source DIR/env.sh, then bench/node-mpi-study.sh DIR OUT.
#
#   usage: bench/node-mpi-bundle.sh [DIR] [BUILD_DIR]
#   DIR        default .bundle-mpi (ignored by git)
#   BUILD_DIR  an MPI build to take as it is; without it one is made (Release, default
#              options, MEMFEM_MPI=ON) in build-node-mpi
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/.bundle-mpi}
build=${2:-}
arch=$(gcc -print-multiarch) # x86_64-linux-gnu: Debian's library folder
ompi_lib=/usr/lib/$arch/openmpi/lib pmix=/usr/lib/$arch/pmix2
for need in /usr/bin/orterun "$ompi_lib/openmpi3" "$pmix/lib" /usr/share/openmpi /usr/bin/time; do
  [ -e "$need" ] || { echo "node-mpi-bundle: $need missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
if [ -z "$build" ]; then
  build=$root/build-node-mpi
  echo "node-mpi-bundle: building $build (MEMFEM_MPI=ON)"
  "$root/scripts/build.sh" "$build" -DMEMFEM_MPI=ON > /dev/null
fi
"$build/src/memfem" --version | grep -q 'MPI *: yes' ||
  { echo "node-mpi-bundle: $build/src/memfem is not an MPI build (MEMFEM_MPI=ON)" >&2; exit 2; }
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/lib"
skip='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libresolv)'
copy_libs() { # the libraries FILE needs, into DIR/lib
  ldd "$1" | awk '/=> \// {print $1, $3}' | while read -r name path; do
    [[ $name =~ $skip ]] || cp -Ln "$path" "$dir/lib/" 2> /dev/null || true
  done
}
cp "$build/src/memfem" "$build/bench/memfem-bench" /usr/bin/time "$dir/bin/"
cp /usr/bin/orterun "$dir/bin/mpiexec"
for f in "$dir"/bin/*; do copy_libs "$f"; done
# Open MPI as it is installed (prefix /usr), under DIR/ompi: with OPAL_PREFIX=DIR/ompi it
# finds its plugins in DIR/ompi/lib/$arch/openmpi/lib/openmpi3 and its help texts in
# DIR/ompi/share/openmpi. Its plugins' own libraries go to DIR/lib; a plugin whose
# library is missing there is skipped by Open MPI (not one the study uses: shared memory).
mkdir -p "$dir/ompi/lib/$arch/openmpi/lib" "$dir/ompi/share" "$dir/pmix/lib" "$dir/pmix/share"
cp -r "$ompi_lib/openmpi3" "$dir/ompi/lib/$arch/openmpi/lib/"
cp -r /usr/share/openmpi "$dir/ompi/share/"
cp -r "$pmix/lib/pmix" "$dir/pmix/lib/"
cp -r "$pmix/share/." "$dir/pmix/share/"
for f in "$dir/ompi/lib/$arch/openmpi/lib/openmpi3"/*.so "$dir/pmix/lib/pmix"/*.so; do copy_libs "$f"; done
cat > "$dir/env.sh" << 'ENV'
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$here/bin:$PATH" LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OPAL_PREFIX="$here/ompi" PMIX_PREFIX="$here/pmix" MF_TIME="$here/bin/time"
# PMIx looks for its plugins where it was installed, not under PMIX_PREFIX; a node with
# another PMIx there has plugins of another version (which it skips, with a warning)
export PMIX_MCA_mca_base_component_path="$here/pmix/lib/pmix" PMIX_MCA_pcompress_base_silence_warning=1
# the node runs commands as root; shared memory between the ranks, no network
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_btl_vader_single_copy_mechanism=none
ENV
du -sh "$dir" | awk '{print "node-mpi-bundle: " $1 " in " $2}'
