#!/usr/bin/python3
"""memfem's linear cantilever case solved by DOLFINx 0.5 (Debian python3-dolfinx).

    [mpirun -np N] /usr/bin/python3 elasticity.py CASE.yaml MESH.msh --json OUT.json
                                                [--write-u U.npy] [--rtol R]

Reads the memfem case file itself (E, nu, clamped groups, tractions, probes, linear.rtol),
so the two codes solve one problem: small-strain linear elasticity, Lagrange P1 vectors
on the Gmsh mesh's tetrahedra, the clamped groups' nodes fixed in x, y and z, the
traction integrated over the loaded groups' triangles. PETSc CG + GAMG with the six
rigid-body modes as near-nullspace and Chebyshev/Jacobi smoothing, as in DOLFINx's
elasticity demo; CG stops on the unpreconditioned residual, ||r|| <= rtol ||b||, as
memfem's CG does. More PETSc options: the PETSC_OPTIONS environment variable.

The mesh is read by a small MSH 4.1 ASCII reader on rank 0 (Debian's dolfinx 0.5.2
gmshio.read_from_msh does not run, and going through the gmsh API would count gmsh's
own model against DOLFINx's memory) and handed to dolfinx.mesh.create_mesh, which
distributes it, as gmshio.model_to_mesh does.

OUT.json: phase seconds (imports, mesh, of which mesh_read is rank 0 parsing the file,
forms, assembly, setup, solve), CG iterations, peak RSS per rank and summed and each
rank's peak at the end of every phase, the probes (nearest mesh node to each probe point,
lowest node tag on a tie, as memfem picks it). --write-u: every node's displacement in
ascending node-tag order (nodes x 3), for a full-field comparison.
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from mpi4py import MPI  # noqa: E402
from petsc4py import PETSc  # noqa: E402

import dolfinx  # noqa: E402
import dolfinx.fem.petsc  # noqa: E402
import ufl  # noqa: E402
from dolfinx import cpp as _cpp  # noqa: E402
from dolfinx.io import gmshio  # noqa: E402

GMSH_TET4, GMSH_TRI3 = 4, 2


class BenchError(Exception):
    """A case or mesh this script cannot run: one line on stderr, exit status 2."""


# ---- the case ------------------------------------------------------------------------

def read_case(path):
    """What the solve needs from a memfem case file; anything it cannot honour is an error."""
    with open(path) as f:
        case = yaml.safe_load(f)
    mats = case.get("materials", [])
    if len(mats) != 1 or mats[0].get("model") != "linear-elastic":
        raise BenchError(f"{path}: needs exactly one material of model linear-elastic")
    clamped = []
    for bc in case.get("boundary", []):
        comps = [bc.get(c) for c in ("ux", "uy", "uz")]
        if any(c is None or float(c) != 0.0 for c in comps):
            raise BenchError(f"{path}: boundary group '{bc.get('group')}': only full clamps (ux = uy = uz = 0)")
        clamped.append(bc["group"])
    tractions = []
    for ld in case.get("loads", []):
        if "group" not in ld or "traction" not in ld or len(ld) != 2:
            raise BenchError(f"{path}: loads: only {{group, traction}} entries")
        tractions.append((ld["group"], [float(t) for t in ld["traction"]]))
    count = case.get("steps", {}).get("count", 1)
    if count != 1:
        raise BenchError(f"{path}: steps.count must be 1 for a linear comparison, got {count}")
    return {
        "E": float(mats[0]["E"]), "nu": float(mats[0]["nu"]),
        "clamped": clamped, "tractions": tractions,
        "probes": {k: [float(c) for c in v] for k, v in (case.get("probes") or {}).items()},
        "rtol": float(case.get("linear", {}).get("rtol", 1e-8)),
        "max_iter": int(case.get("linear", {}).get("max_iter", 20000)),
    }


# ---- the mesh: MSH 4.1 ASCII on rank 0 ----------------------------------------------

def msh_sections(path):
    """{section name: its text} of an ASCII MSH 4.1 file."""
    with open(path, "rb") as f:
        data = f.read().decode("ascii", errors="strict")
    sections, pos = {}, 0
    while True:
        start = data.find("$", pos)
        if start < 0:
            break
        eol = data.find("\n", start)
        name = data[start + 1:eol].strip()
        end = data.find("$End" + name, eol)
        if end < 0:
            raise BenchError(f"{path}: section ${name} has no $End{name}")
        sections[name] = data[eol + 1:end]
        pos = end + 4 + len(name)
    fmt = sections.get("MeshFormat", "").split()
    if len(fmt) < 2 or fmt[0] != "4.1" or fmt[1] != "0":
        raise BenchError(f"{path}: needs an ASCII MSH 4.1 file (gmsh -format msh41, Mesh.Binary = 0)")
    return sections


def entity_groups(sections):
    """{(dim, entity tag): [physical tags]} from $Entities."""
    tok = np.array(sections["Entities"].split(), dtype=np.float64)
    counts, k, out = tok[:4].astype(int), 4, {}
    for dim, n in enumerate(counts):
        for _ in range(n):
            tag = int(tok[k])
            k += 4 if dim == 0 else 7           # tag and a point, or tag and a bounding box
            nphys = int(tok[k])
            out[(dim, tag)] = tok[k + 1:k + 1 + nphys].astype(int).tolist()
            k += 1 + nphys
            if dim > 0:
                k += 1 + int(tok[k])             # bounding entities
    return out


def read_nodes(sections):
    """Node coordinates (ascending tag) and a tag -> row lookup table."""
    tok = np.fromstring(sections["Nodes"], sep=" ")  # text mode: C speed, exact for the tags
    nblocks, nnodes = int(tok[0]), int(tok[1])
    tags, xyz, k = np.empty(nnodes, np.int64), np.empty((nnodes, 3)), 4
    row = 0
    for _ in range(nblocks):
        parametric, n = int(tok[k + 2]), int(tok[k + 3])
        if parametric:
            raise BenchError("parametric node coordinates are not supported")
        k += 4
        tags[row:row + n] = tok[k:k + n]
        xyz[row:row + n] = tok[k + n:k + 4 * n].reshape(n, 3)
        k += 4 * n
        row += n
    order = np.argsort(tags, kind="stable")
    tags, xyz = tags[order], xyz[order]
    lookup = np.full(int(tags[-1]) + 1, -1, np.int64)
    lookup[tags] = np.arange(nnodes)
    return xyz, tags, lookup


def read_elements(sections, groups, wanted):
    """Tet4 connectivity of every volume entity in a physical group, and the triangles
    (with their physical tag) of the surface entities whose group is in `wanted`."""
    tok = np.fromstring(sections["Elements"], sep=" ")
    nblocks, k = int(tok[0]), 4
    tets, tris, tri_tag = [], [], []
    for _ in range(nblocks):
        dim, etag, etype, n = (int(t) for t in tok[k:k + 4])
        k += 4
        width = {GMSH_TET4: 5, GMSH_TRI3: 4}.get(etype)
        if width is None:
            raise BenchError(f"element type {etype} in entity ({dim}, {etag}): only tetrahedra and triangles")
        block = tok[k:k + width * n].reshape(n, width)[:, 1:].astype(np.int64)
        k += width * n
        phys = groups.get((dim, etag), [])
        if etype == GMSH_TET4 and phys:
            tets.append(block)
        elif etype == GMSH_TRI3:
            for p in phys:
                if p in wanted:
                    tris.append(block)
                    tri_tag.append(np.full(n, p, np.int32))
    return np.concatenate(tets), np.concatenate(tris), np.concatenate(tri_tag)


def read_mesh(path, group_names, comm):
    """The distributed dolfinx mesh, its facet tags for group_names, the nodes' coordinates
    on rank 0 (ascending tag; None elsewhere), {name: physical tag} and the seconds rank 0
    spent reading the file."""
    t_read = time.perf_counter()
    if comm.rank == 0:
        try:
            sections = msh_sections(path)
            names = {}
            for line in sections.get("PhysicalNames", "").splitlines()[1:]:
                dim, tag, name = line.split(maxsplit=2)
                names[name.strip('"')] = (int(dim), int(tag))
            missing = [g for g in group_names if names.get(g, (0, 0))[0] != 2]
            if missing:
                raise BenchError(f"{path}: no physical surface named {', '.join(missing)}")
            tag_of = {g: names[g][1] for g in group_names}
            xyz, tags, lookup = read_nodes(sections)
            tets, tris, tri_tag = read_elements(sections, entity_groups(sections), set(tag_of.values()))
            cells, facets = lookup[tets], lookup[tris]
            if (cells < 0).any() or (facets < 0).any():
                raise BenchError(f"{path}: an element refers to a node that is not in $Nodes")
            failure = None
        except (BenchError, OSError, ValueError, KeyError, IndexError) as e:
            failure, tag_of = f"{e}", None
        t_read = time.perf_counter() - t_read
        failure, tag_of = comm.bcast((failure, tag_of), root=0)
    else:
        failure, tag_of = comm.bcast(None, root=0)
    if failure:
        raise BenchError(failure)
    if comm.rank != 0:
        xyz, cells = np.empty((0, 3)), np.empty((0, 4), np.int64)
        facets, tri_tag = np.empty((0, 3), np.int64), np.empty(0, np.int32)
    domain = ufl.Mesh(ufl.VectorElement("Lagrange", ufl.tetrahedron, 1))
    cells = cells[:, gmshio.cell_perm_array(dolfinx.mesh.CellType.tetrahedron, 4)]
    mesh = dolfinx.mesh.create_mesh(comm, cells, xyz, domain)
    tdim = mesh.topology.dim
    entities, values = _cpp.io.distribute_entity_data(mesh._mesh, tdim - 1, facets, tri_tag)
    mesh.topology.create_connectivity(tdim - 1, tdim)
    ft = dolfinx.mesh.meshtags_from_entities(mesh, tdim - 1, _cpp.graph.AdjacencyList_int32(entities),
                                              values.astype(np.int32))
    return mesh, ft, (xyz if comm.rank == 0 else None), tag_of, comm.bcast(t_read, root=0)


# ---- the problem ----------------------------------------------------------------------

def problem(mesh, ft, tag_of, case):
    """P1 vector space, bilinear and linear forms (JIT-compiled), the clamp."""
    V = dolfinx.fem.VectorFunctionSpace(mesh, ("Lagrange", 1))
    E, nu = case["E"], case["nu"]
    mu, lam = E / (2 * (1 + nu)), E * nu / ((1 + nu) * (1 - 2 * nu))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)

    def sigma(w):
        eps = ufl.sym(ufl.grad(w))
        return 2 * mu * eps + lam * ufl.tr(eps) * ufl.Identity(3)

    ds = ufl.Measure("ds", domain=mesh, subdomain_data=ft)
    a = dolfinx.fem.form(ufl.inner(sigma(u), ufl.sym(ufl.grad(v))) * ufl.dx)
    L = dolfinx.fem.form(sum(ufl.dot(dolfinx.fem.Constant(mesh, np.array(t, dtype=PETSc.ScalarType)), v)
                             * ds(tag_of[g]) for g, t in case["tractions"]))
    clamp = np.concatenate([ft.find(tag_of[g]) for g in case["clamped"]])
    dofs = dolfinx.fem.locate_dofs_topological(V, mesh.topology.dim - 1, clamp)
    bc = dolfinx.fem.dirichletbc(np.zeros(3, dtype=PETSc.ScalarType), dofs, V)
    return V, a, L, bc


def assemble(a, L, bc):
    """K with identity rows and columns on the clamped dofs, and the load vector."""
    A = dolfinx.fem.petsc.assemble_matrix(a, bcs=[bc])
    A.assemble()
    b = dolfinx.fem.petsc.assemble_vector(L)
    dolfinx.fem.petsc.apply_lifting(b, [a], bcs=[[bc]])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    dolfinx.fem.petsc.set_bc(b, [bc])
    return A, b


def krylov(A, V, case):
    """CG + GAMG, the near-nullspace from the owned nodes' coordinates."""
    n_owned = V.dofmap.index_map.size_local
    coords = PETSc.Vec().createWithArray(V.tabulate_dof_coordinates()[:n_owned].ravel().copy(),
                                         bsize=3, comm=V.mesh.comm)
    A.setNearNullSpace(PETSc.NullSpace().createRigidBody(coords))  # 3 translations, 3 rotations
    A.setOption(PETSc.Mat.Option.SPD, True)
    opts = PETSc.Options()
    for key, value in {"ksp_type": "cg", "ksp_rtol": case["rtol"], "ksp_max_it": case["max_iter"],
                       "ksp_norm_type": "unpreconditioned", "pc_type": "gamg",
                       "mg_levels_ksp_type": "chebyshev", "mg_levels_pc_type": "jacobi",
                       "mg_levels_ksp_chebyshev_esteig_steps": 10}.items():
        if not opts.hasName(key):               # PETSC_OPTIONS wins
            opts[key] = value
    ksp = PETSc.KSP().create(V.mesh.comm)
    ksp.setOperators(A)
    ksp.setFromOptions()
    return ksp


def node_values(mesh, V, uh):
    """(input node index, u) for the nodes this rank owns."""
    n_owned = V.dofmap.index_map.size_local
    geom_to_dof = np.empty(mesh.geometry.x.shape[0], np.int64)
    geom_to_dof[mesh.geometry.dofmap.array] = V.dofmap.list.array
    owned = geom_to_dof < n_owned
    dof = geom_to_dof[owned]
    u = uh.x.array.reshape(-1, 3)[dof]
    return np.asarray(mesh.geometry.input_global_indices, np.int64)[owned], u


def probe_nodes(xyz, probes):
    """The nearest node to each probe point (the first, i.e. lowest tag, on a tie)."""
    out = {}
    for name, p in probes.items():
        d = ((xyz - np.asarray(p)) ** 2).sum(axis=1)
        out[name] = int(np.argmin(d))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case")
    ap.add_argument("mesh")
    ap.add_argument("--json", required=True, help="where to write the figures (rank 0)")
    ap.add_argument("--write-u", help="every node's displacement, ascending node tag, as .npy")
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    t = {"imports": time.perf_counter() - T_START}
    hwm = {}  # this rank's peak RSS (MiB) at the end of each phase

    def phase(name, t0):
        comm.Barrier()
        t[name] = time.perf_counter() - t0
        hwm[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return time.perf_counter()

    t0 = time.perf_counter()
    case = read_case(args.case)
    groups = list(dict.fromkeys(case["clamped"] + [g for g, _ in case["tractions"]]))
    mesh, ft, xyz, tag_of, t["mesh_read"] = read_mesh(args.mesh, groups, comm)  # mesh_read: part of mesh
    n_nodes = mesh.geometry.index_map().size_global
    t0 = phase("mesh", t0)
    V, a, L, bc = problem(mesh, ft, tag_of, case)
    t0 = phase("forms", t0)
    A, b = assemble(a, L, bc)
    t0 = phase("assembly", t0)
    ksp = krylov(A, V, case)
    ksp.setUp()
    t0 = phase("setup", t0)
    uh = dolfinx.fem.Function(V)
    ksp.solve(b, uh.vector)
    uh.x.scatter_forward()
    t0 = phase("solve", t0)

    idx, u = node_values(mesh, V, uh)
    gathered = comm.gather((idx, u), root=0)
    rss = comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, root=0)
    hwm = comm.gather(hwm, root=0)
    t["total"] = time.perf_counter() - T_START
    reason = ksp.getConvergedReason()
    if comm.rank != 0:
        return 0 if reason > 0 else 1
    u_all = np.empty((n_nodes, 3))
    for i, ui in gathered:
        u_all[i] = ui
    probes = {name: {"u": u_all[n].tolist(), "node_coords": xyz[n].tolist()}
              for name, n in probe_nodes(xyz, case["probes"]).items()}
    if args.write_u:
        np.save(args.write_u, u_all)
    out = {
        "tool": "dolfinx", "dolfinx": dolfinx.__version__,
        "petsc": ".".join(str(v) for v in PETSc.Sys.getVersion()),
        "ranks": comm.size, "case": args.case, "mesh": args.mesh, "nodes": int(n_nodes),
        "cells": int(mesh.topology.index_map(3).size_global), "dofs": int(3 * n_nodes),
        "seconds": t, "cg_iterations": ksp.getIterationNumber(), "converged_reason": reason,
        "residual_norm": ksp.getResidualNorm(),
        "ksp": ksp.getType(), "pc": ksp.getPC().getType(),
        "peak_rss_mb": {"per_rank": rss, "sum": sum(rss), "max": max(rss),
                        "per_rank_after": {k: [h[k] for h in hwm] for k in hwm[0]}},
        "probes": probes,
    }
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)
    print(f"dolfinx {out['dolfinx']}: {n_nodes} nodes, {comm.size} ranks, CG+GAMG {out['cg_iterations']} "
          f"iterations (reason {reason}), total {t['total']:.3f} s, peak RSS {sum(rss):.1f} MB")
    return 0 if reason > 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"elasticity.py: {e}", file=sys.stderr)
        sys.exit(2)
