"""The pytree helpers: flatten, unflatten, key paths (adviz/engine/pytree.py)."""

from __future__ import annotations

from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest

from adviz.engine.pytree import (
    LEAF,
    keystr,
    tree_flatten,
    tree_flatten_with_path,
    tree_leaves,
    tree_map,
    tree_structure,
    tree_unflatten,
)

Point = namedtuple("Point", ["x", "y"])


TREES = [
    1.0,
    np.ones(3),
    (1.0, 2.0),
    [1.0, (2.0, [3.0])],
    {"b": 1.0, "a": [2.0, 3.0]},
    {"W": np.ones((2, 2)), "b": None, "extra": ()},
    Point(1.0, (2.0, 3.0)),
    OrderedDict([("z", 1.0), ("a", 2.0)]),
    defaultdict(list, {"k": 1.0}),
    (),
    None,
    [None, 1.0, {}],
]


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_unflatten_inverts_flatten(tree):
    leaves, treedef = tree_flatten(tree)
    rebuilt = treedef.unflatten(leaves)
    assert type(rebuilt) is type(tree)
    assert tree_structure(rebuilt) == treedef
    assert [id(v) for v in tree_leaves(rebuilt)] == [id(v) for v in leaves]
    assert treedef.num_leaves == len(leaves)


def test_dict_keys_are_sorted_and_none_is_an_empty_subtree():
    leaves, treedef = tree_flatten({"b": 2.0, "W": (1.0, None)})
    assert leaves == [1.0, 2.0]
    assert repr(treedef) == "TreeDef({'W': (*, None), 'b': *})"
    assert treedef.unflatten([10.0, 20.0]) == {"W": (10.0, None), "b": 20.0}


def test_dicts_with_the_same_keys_in_another_order_have_the_same_structure():
    assert tree_structure({"a": 1, "b": 2}) == tree_structure({"b": 3, "a": 4})
    assert tree_structure({"a": 1}) != tree_structure({"b": 1})
    assert tree_structure((1, 2)) != tree_structure([1, 2])
    assert tree_structure(np.zeros(3)) == LEAF


def test_ordered_dicts_keep_their_order():
    leaves, _ = tree_flatten(OrderedDict([("z", 1.0), ("a", 2.0)]))
    assert leaves == [1.0, 2.0]


def test_key_paths_read_like_python_indexing():
    pairs, _ = tree_flatten_with_path({"layers": [(1.0, 2.0)], "b": 3.0, 0: 4.0, "p": Point(5.0, 6.0)})
    names = sorted(keystr(path, "params") for path, _ in pairs)
    assert names == sorted(['params["layers"][0][0]', 'params["layers"][0][1]', 'params["b"]', "params[0]",
                            'params["p"].x', 'params["p"].y'])


def test_tree_map_over_matching_trees_and_mismatch_error():
    out = tree_map(lambda a, b: a + b, {"x": 1.0, "y": (2.0,)}, {"x": 10.0, "y": (20.0,)})
    assert out == {"x": 11.0, "y": (22.0,)}
    with pytest.raises(ValueError, match="structures differ"):
        tree_map(lambda a, b: a, (1.0, 2.0), [1.0, 2.0])
    with pytest.raises(ValueError, match="3 leaves, got 2"):
        tree_unflatten(tree_structure((1, 2, 3)), [1, 2])


def test_flattening_leaves_no_reference_cycle():
    """A leaf is released as soon as the caller drops it, without waiting for the cyclic collector.

    The flattening walk once kept itself (and its list of leaves) alive through its own closure:
    every traced value flattened there kept its tape's values until a garbage collection, which
    inflated the peak memory of ad.checkpoint's reverse sweep by one recomputed value per block.
    """
    import gc
    import weakref

    class Leaf:
        pass

    leaf = Leaf()
    ref = weakref.ref(leaf)
    gc.collect()
    gc.disable()
    try:
        tree_flatten_with_path({"a": [leaf, (1.0, leaf)]})
        del leaf
        assert ref() is None
    finally:
        gc.enable()


def _nested(depth, leaf=1.0):
    tree = leaf
    for _ in range(depth):
        tree = [tree]
    return tree


def _innermost(tree):
    while isinstance(tree, list):
        tree = tree[0]
    return tree


def test_a_tree_nested_deeper_than_the_limit_is_a_clear_error_not_a_recursion_error():
    import adviz as ad
    from adviz.engine import pytree

    with pytest.raises(ValueError, match=f"more than {pytree.MAX_DEPTH} levels deep, at \\[0\\]\\[0\\]"):
        ad.grad(lambda t: _innermost(t) * 2.0)(_nested(3000))


def test_a_list_that_contains_itself_is_a_clear_error():
    loop: list = [1.0]
    loop.append(loop)
    with pytest.raises(ValueError, match="does a container contain itself"):
        tree_flatten(loop)


def test_a_tree_at_the_depth_limit_is_differentiated_and_rebuilt():
    import adviz as ad
    from adviz.engine import pytree

    g = ad.grad(lambda t: _innermost(t) ** 2)(_nested(pytree.MAX_DEPTH - 1, 3.0))
    assert _innermost(g) == 6.0
    leaves, treedef = tree_flatten(_nested(pytree.MAX_DEPTH - 1))
    assert treedef == tree_flatten(_nested(pytree.MAX_DEPTH - 1, 2.0))[1] and len(repr(treedef)) > pytree.MAX_DEPTH
