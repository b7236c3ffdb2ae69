"""Pytrees carry the right numbers to the right places: every leaf of every transform's result
against central differences of the flattened function (dict entries matched by key, whatever
order they were written in)."""

from __future__ import annotations

import numpy as np
import pytest
from check_grads import check_grads_tree

RNG = np.random.default_rng(4)
W, B, V = RNG.uniform(-1, 1, (3, 2)), RNG.uniform(-1, 1, (3,)), RNG.uniform(-1, 1, (2,))


def mlp_loss(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h * params["v"][0]) + params["v"][1] ** 2


CASES = {
    "dict params, scalar loss": (mlp_loss, ({"W": W, "b": B, "v": (np.array([0.5, -1.0, 2.0]), 0.7)}, V)),
    "keys inserted out of order": (lambda p: p["z"] * np.sin(p["a"]) + p["m"],
                                   ({"z": np.array([1.5, -0.5]), "a": np.array([0.3, 1.1]), "m": 2.0},)),
    "tuple output": (lambda x, y: (np.sin(x) * y, x @ np.array([1.0, -2.0]), y**2), (V, 1.3)),
    "dict output": (lambda x: {"sq": x**2, "cube": {"in": x**3}, "sum": np.sum(x)}, (V,)),
    "list in, list out": (lambda xs: [xs[0] * xs[1], np.exp(xs[1])], ([V, V[::-1] * 0.5],)),
    "nested everything": (lambda p, q: {"a": (p[0]["k"] * q, np.tanh(p[1]))},
                          (({"k": B}, W), 0.4)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_pytree_results_are_right_leaf_by_leaf(name):
    f, args = CASES[name]
    check_grads_tree(f, args, name=name)
