#!/usr/bin/env python3
"""Layers only look down: every #include "layer/..." in src/<layer>/ names its own or a
lower layer (core < mem < mesh < la < fem < solver < io < app). The build already refuses
an upward include (each layer's library sees only the headers below it); this check names
the offending file, line and include, and also catches a layer directory missing from the
order.

usage: check_layers.py SRC_DIR
"""
import pathlib
import re
import sys

ORDER = ["core", "mem", "mesh", "la", "fem", "solver", "io", "app"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z]+)/[^"]+"')


def main():
    src = pathlib.Path(sys.argv[1])
    rank = {name: i for i, name in enumerate(ORDER)}
    bad = []
    layers = sorted(p.name for p in src.iterdir() if p.is_dir())
    for layer in layers:
        if layer not in rank:
            bad.append(f"{src / layer}: directory is not a layer of {' < '.join(ORDER)}")
    files = 0
    for path in sorted(src.glob("*/*.[ch]")):
        layer = path.parent.name
        if layer not in rank:
            continue
        files += 1
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if target not in rank:
                bad.append(f"{path}:{lineno}: includes '{line.strip()}' from unknown layer '{target}'")
            elif rank[target] > rank[layer]:
                bad.append(f"{path}:{lineno}: {layer} includes '{line.strip()}' from the higher layer {target}")
    if files == 0:
        bad.append(f"{src}: no source files found")
    for b in bad:
        print(b)
    print(f"check_layers: {files} files, {len(bad)} offending includes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
