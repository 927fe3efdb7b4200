#!/usr/bin/env python3
"""Compare Wangge's grid partitioner with spopt (MaxPHeuristic, RegionKMeansHeuristic) and GerryChain
(recursive_tree_part) on identical block graphs, in one run, with one metric code for all.

Usage: bench/partition_compare.py WANGGE_BINARY OUT_DIR [--sizes 400,1600,...] [--skip-slow N] [--graphs A.json,B.json]
                                  [--compounds SIDE] [--timeout SECONDS]   (per method and graph)

Graphs: square lattices of blocks with 4 neighbours, unit area and sides, 10-50 households per block (fixed seed),
written in Wangge's JSON graph format (nodes: id, households, area, perimeter, x, y; edges: a, b, length) so every
tool reads the same file. `--graphs` adds graphs already in that format (bench/nanjing_graph.sh writes the real
central Nanjing blocks). Needs: pip install spopt gerrychain (in any virtualenv).
"""
import json, math, random, subprocess, sys, time, os

TARGET = 300


def lattice(side, seed=3):
    rnd = random.Random(seed)
    nodes, edges = [], []
    for i in range(side * side):
        nodes.append({"id": i, "households": rnd.randint(10, 50), "area": 1.0, "perimeter": 4.0,
                      "x": float(i % side), "y": float(i // side)})
        if i % side < side - 1:
            edges.append({"a": i, "b": i + 1, "length": 1.0})
        if i < side * (side - 1):
            edges.append({"a": i, "b": i + side, "length": 1.0})
    return {"nodes": nodes, "edges": edges}


def compounds(side, seed=11, slot_m=200.0):
    """A generated district of side x side road-bounded slots (labelled generated): 70 % gated compounds divided
    into building cells (n x n buildings, n from 2 to 7, 12-120 households each: compounds of ~50 to ~5,000
    households), 20 % small plain blocks (0-150 households), 10 % non-residential sites (a school, a hospital, a
    market: no households). Cells carry their compound; neighbouring slots touch across the street along the
    overlap of their facing cells. About 10,000 buildings at side 25."""
    rnd = random.Random(seed)
    nodes, edges, slots = [], [], {}
    for sy in range(side):
        for sx in range(side):
            kind = rnd.random()
            n = rnd.randint(2, 7) if kind < 0.7 else 1
            first = len(nodes)
            cell = slot_m / n
            for j in range(n):
                for i in range(n):
                    hh = rnd.randint(12, 120) if kind < 0.7 else (rnd.randint(0, 150) if kind < 0.9 else 0)
                    node = {"id": len(nodes), "households": hh, "area": cell * cell, "perimeter": 4 * cell,
                             "x": sx * slot_m + (i + 0.5) * cell, "y": sy * slot_m + (j + 0.5) * cell}
                    if n > 1:
                        node["compound"] = sy * side + sx
                    nodes.append(node)
                    if i > 0:
                        edges.append({"a": len(nodes) - 2, "b": len(nodes) - 1, "length": cell})
                    if j > 0:
                        edges.append({"a": len(nodes) - 1 - n, "b": len(nodes) - 1, "length": cell})
            slots[(sx, sy)] = (first, n)

    def side_cells(slot, edge):
        first, n = slot
        idx = {"e": [(j, n - 1) for j in range(n)], "w": [(j, 0) for j in range(n)],
               "n": [(n - 1, i) for i in range(n)], "s": [(0, i) for i in range(n)]}[edge]
        cell = slot_m / n
        return [(first + j * n + i, (k * cell, (k + 1) * cell)) for k, (j, i) in enumerate(idx)]

    for (sx, sy), slot in slots.items():
        for (dx, dy, mine, theirs) in ((1, 0, "e", "w"), (0, 1, "n", "s")):
            other = slots.get((sx + dx, sy + dy))
            if other is None:
                continue
            for a, (a0, a1) in side_cells(slot, mine):
                for b, (b0, b1) in side_cells(other, theirs):
                    overlap = min(a1, b1) - max(a0, b0)
                    if overlap > 1e-6:
                        edges.append({"a": a, "b": b, "length": overlap})
    return {"nodes": nodes, "edges": edges}


def metrics(graph, assignment, seconds):
    """assignment: node id -> region label."""
    hh, area, perim = {}, {}, {}
    for n in graph["nodes"]:
        r = assignment[n["id"]]
        hh[r] = hh.get(r, 0) + n["households"]
        area[r] = area.get(r, 0.0) + n["area"]
        perim[r] = perim.get(r, 0.0) + n["perimeter"]
    cut = 0.0
    # compounds given as building cells: which grids hold their cells, and the boundary length inside them
    compound = {n["id"]: n.get("compound") for n in graph["nodes"]}
    compound_grids, compound_cut = {}, 0.0
    for n in graph["nodes"]:
        if compound[n["id"]] is not None:
            compound_grids.setdefault(compound[n["id"]], set()).add(assignment[n["id"]])
    for e in graph["edges"]:
        ra, rb = assignment[e["a"]], assignment[e["b"]]
        if ra == rb:
            perim[ra] -= 2 * e["length"]
        else:
            cut += e["length"]
            if compound[e["a"]] is not None and compound[e["a"]] == compound[e["b"]]:
                compound_cut += e["length"]
    regions = list(hh)
    dev = [abs(hh[r] - TARGET) / TARGET for r in regions]
    pp = [4 * math.pi * area[r] / perim[r] ** 2 for r in regions]
    # contiguity check
    nb = {}
    for e in graph["edges"]:
        nb.setdefault(e["a"], []).append(e["b"])
        nb.setdefault(e["b"], []).append(e["a"])
    members = {}
    for n, r in assignment.items():
        members.setdefault(r, []).append(n)
    discontiguous = 0
    for r, ms in members.items():
        s = set(ms)
        seen, stack = {ms[0]}, [ms[0]]
        while stack:
            v = stack.pop()
            for u in nb.get(v, []):
                if u in s and u not in seen:
                    seen.add(u)
                    stack.append(u)
        discontiguous += len(seen) != len(s)
    return {"seconds": seconds, "grids": len(regions),
            "within10": 100 * sum(d <= 0.10 for d in dev) / len(dev),
            "within5": 100 * sum(d <= 0.05 for d in dev) / len(dev),
            "max_dev": 100 * max(dev), "pp_mean": sum(pp) / len(pp), "pp_min": min(pp), "cut": cut,
            "discontiguous": discontiguous,
            "compounds": f"{sum(len(g) > 1 for g in compound_grids.values())} of {len(compound_grids)}",
            "compound_cut": compound_cut}


def run_wangge(binary, path, graph):
    t = time.perf_counter()
    out = subprocess.run([binary, "partition", path], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t
    result = json.loads(out.stdout)
    assignment = {b: r["label"] for r in result["regions"] for b in r["blocks"]}
    return metrics(graph, assignment, seconds)


def to_frame(graph):
    import pandas as pd
    from libpysal.weights import W
    df = pd.DataFrame({"households": [n["households"] for n in graph["nodes"]]}, index=[n["id"] for n in graph["nodes"]])
    neighbours = {n["id"]: [] for n in graph["nodes"]}
    for e in graph["edges"]:
        neighbours[e["a"]].append(e["b"])
        neighbours[e["b"]].append(e["a"])
    return df, W(neighbours, silence_warnings=True)


def run_maxp(graph):
    from spopt.region import MaxPHeuristic
    df, w = to_frame(graph)
    t = time.perf_counter()
    model = MaxPHeuristic(df, w, ["households"], "households", TARGET, top_n=2)
    model.solve()
    seconds = time.perf_counter() - t
    return metrics(graph, dict(zip(df.index, model.labels_)), seconds)


def run_kmeans(graph):
    from spopt.region import RegionKMeansHeuristic
    import numpy as np
    df, w = to_frame(graph)
    k = round(df["households"].sum() / TARGET)
    t = time.perf_counter()
    model = RegionKMeansHeuristic(df[["households"]].values.astype(float), k, w)
    model.solve()
    seconds = time.perf_counter() - t
    return metrics(graph, dict(zip(df.index, model.labels_)), seconds)


def run_gerrychain(graph):
    import networkx as nx
    from gerrychain import Graph
    from gerrychain.tree import recursive_tree_part
    g = nx.Graph()
    for n in graph["nodes"]:
        g.add_node(n["id"], households=n["households"])
    for e in graph["edges"]:
        g.add_edge(e["a"], e["b"])
    gc = Graph.from_networkx(g)
    total = sum(n["households"] for n in graph["nodes"])
    k = round(total / TARGET)
    t = time.perf_counter()
    parts = recursive_tree_part(gc, range(k), total / k, "households", 0.10)
    seconds = time.perf_counter() - t
    return metrics(graph, dict(parts), seconds)


def _child(queue, run):
    try:
        queue.put(("ok", run()))
    except Exception as e:  # a peer failing is a result too
        queue.put(("failed", f"{type(e).__name__}: {str(e)[:60]}"))


def run_limited(run, seconds):
    """Run `run` in a child process; give up after `seconds` (None: no limit)."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue, run))
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        return "timeout", None
    return queue.get() if not queue.empty() else ("failed", "no result")


def main():
    binary, out_dir = sys.argv[1], sys.argv[2]
    sizes = [400, 1600, 4900, 10000]
    slow_limit = 1600
    args = sys.argv[3:]
    if "--sizes" in args:
        sizes = [int(s) for s in args[args.index("--sizes") + 1].split(",") if s]
    limit = None
    if "--timeout" in args:
        limit = float(args[args.index("--timeout") + 1])
    if "--skip-slow" in args:
        slow_limit = int(args[args.index("--skip-slow") + 1])
    os.makedirs(out_dir, exist_ok=True)
    graphs = []
    for size in sizes:
        side = int(round(math.sqrt(size)))
        path = os.path.join(out_dir, f"lattice-{side * side}.json")
        with open(path, "w") as f:
            json.dump(lattice(side), f)
        graphs.append((f"lattice {side * side:,}", path))
    if "--compounds" in args:
        side = int(args[args.index("--compounds") + 1])
        path = os.path.join(out_dir, f"compounds-{side}.json")
        with open(path, "w") as f:
            json.dump(compounds(side), f)
        graphs.append((f"generated compounds {side}x{side}", path))
    if "--graphs" in args and args[args.index("--graphs") + 1]:
        for path in args[args.index("--graphs") + 1].split(","):
            graphs.append((os.path.basename(path).removesuffix(".json"), path))
    print("| graph | blocks | method | runtime | grids | within ±10 % | within ±5 % | max dev | PP mean | PP min | cut length | discontiguous | compounds cut | cut inside compounds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, path in graphs:
        with open(path) as f:
            graph = json.load(f)
        n = len(graph["nodes"])
        methods = [("wangge", lambda: run_wangge(binary, path, graph)), ("gerrychain recursive_tree_part", lambda: run_gerrychain(graph)),
                   ("spopt RegionKMeansHeuristic", lambda: run_kmeans(graph))]
        if n <= slow_limit:
            methods.append(("spopt MaxPHeuristic(300)", lambda: run_maxp(graph)))
        for name, run in methods:
            started = time.perf_counter()
            status, m = run_limited(run, limit)
            if status == "timeout":
                print(f"| {label} | {n:,} | {name} | no result within {limit:.0f} s |||||||||||", flush=True)
                continue
            if status == "failed":
                print(f"| {label} | {n:,} | {name} | failed after {time.perf_counter() - started:.0f} s: {m} |||||||||||", flush=True)
                continue
            print(f"| {label} | {n:,} | {name} | {m['seconds']:.2f} s | {m['grids']} | {m['within10']:.1f} % | {m['within5']:.1f} % | "
                  f"{m['max_dev']:.0f} % | {m['pp_mean']:.3f} | {m['pp_min']:.3f} | {m['cut']:.0f} | {m['discontiguous']} | "
                  f"{m['compounds']} | {m['compound_cut']:.0f} |", flush=True)

if __name__ == "__main__":
    main()
