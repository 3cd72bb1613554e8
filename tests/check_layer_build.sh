#!/usr/bin/env bash
# The build refuses an upward include: with the include roots the mesh layer's library
# sees (core, mem, mesh), a file including its own layer compiles and one including io/
# does not, failing on that include.
#   usage: check_layer_build.sh CC LAYER_ROOT CONFIG_DIR DATA_DIR
set -u
cc=$1 root=$2 config=$3 data=$4
flags=(-fsyntax-only -D_GNU_SOURCE -I"$root/core" -I"$root/mem" -I"$root/mesh" -I"$config")
if ! "$cc" "${flags[@]}" "$data/mesh_includes_mesh.c" 2>/tmp/layer-ok.$$; then
  echo "FAIL: a mesh file including mesh/ does not compile:"; cat /tmp/layer-ok.$$; rm -f /tmp/layer-ok.$$; exit 1
fi
if "$cc" "${flags[@]}" "$data/mesh_includes_io.c" 2>/tmp/layer-up.$$; then
  echo "FAIL: a mesh file including io/ compiles: the layers do not refuse upward includes"; rm -f /tmp/layer-*.$$; exit 1
fi
if ! grep -q "io/mf_case.h" /tmp/layer-up.$$; then
  echo "FAIL: the upward include failed for another reason:"; cat /tmp/layer-up.$$; rm -f /tmp/layer-*.$$; exit 1
fi
echo "ok: mesh/ compiles against core, mem, mesh; io/mf_case.h is refused: $(grep -m1 'io/mf_case.h' /tmp/layer-up.$$)"
rm -f /tmp/layer-*.$$
