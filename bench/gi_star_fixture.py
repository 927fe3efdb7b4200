#!/usr/bin/env python3
"""Write the Gi* fixture the domain crate's test holds `hotspot::gi_star` to: PySAL esda's G_Local(star=True,
transform='B') on a 12 x 12 rook lattice of counts (clustered at one corner, sparse elsewhere, a few zeros).

    python3 -m venv /tmp/pysal-venv && /tmp/pysal-venv/bin/pip install esda libpysal numpy
    /tmp/pysal-venv/bin/python bench/gi_star_fixture.py > domain/tests/fixtures/gi_star_esda.json
"""
import json
import warnings

import numpy as np
from esda.getisord import G_Local
from libpysal.weights import lat2W

warnings.filterwarnings("ignore")
SIDE = 12
rng = np.random.default_rng(20261130)
y = rng.poisson(2.0, SIDE * SIDE).astype(float)
for r in range(4):
    for c in range(4):
        y[r * SIDE + c] += rng.poisson(9.0)
y[[50, 77, 101]] = 0.0
w = lat2W(SIDE, SIDE, rook=True)
g = G_Local(y, w, transform="B", star=True, permutations=0)
neighbours = [sorted(int(j) for j in w.neighbors[i]) for i in range(SIDE * SIDE)]
print(json.dumps({
    "source": "esda.getisord.G_Local(y, lat2W(12, 12, rook=True), transform='B', star=True)",
    "y": y.tolist(),
    "neighbours": neighbours,
    "Gs": g.Gs.tolist(),
    "Zs": g.Zs.tolist(),
    "p_norm": g.p_norm.tolist(),
}))
