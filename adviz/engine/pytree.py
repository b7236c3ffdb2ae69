"""Pytrees: nested tuples, lists and dicts of arrays, taken apart and put back together.

Real models do not take one array: they take *parameters*, ``{"W": W, "b": b}``, or a list
of layers, each a tuple ``(W, b)``.  Following JAX, every transform accepts such nested
containers — **pytrees** — and returns derivatives in the same structure::

    >>> params = {"W": np.ones((2, 3)), "b": np.zeros(2)}
    >>> g = ad.grad(loss)(params, x)      # g == {"W": ∂loss/∂W, "b": ∂loss/∂b}

Internally the engine only ever sees a flat list of arrays.  :func:`tree_flatten` turns a
pytree into its **leaves** (the arrays and numbers, in a fixed order) and a
:class:`TreeDef` (the shape of the containers, with a hole per leaf);
:meth:`TreeDef.unflatten` fills the holes again::

    >>> leaves, tree = tree_flatten({"b": 2.0, "W": (1.0, None)})
    >>> leaves
    [1.0, 2.0]
    >>> tree
    TreeDef({'W': (*, None), 'b': *})
    >>> tree.unflatten([10.0, 20.0])
    {'W': (10.0, None), 'b': 20.0}

The rules are JAX's: tuples, lists, dicts (keys sorted, so ``{"a", "b"}`` matches
``{"b", "a"}``), ``OrderedDict`` and ``defaultdict`` (insertion order) and namedtuples
are containers; ``None`` is an empty container (no leaves, so it gets no derivative and
comes back as ``None``); everything else — arrays, numbers, traced values — is a leaf.

:func:`tree_flatten_with_path` also gives each leaf its **key path**, which
:func:`keystr` prints as Python would index it: ``params["W"]``, ``layers[0][1]``.
``ad.trace`` names its inputs that way.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any, Callable, Hashable, Iterable, NamedTuple, Optional, Sequence

__all__ = [
    "TreeDef",
    "Key",
    "tree_flatten",
    "tree_flatten_with_path",
    "tree_unflatten",
    "tree_leaves",
    "tree_structure",
    "tree_map",
    "keystr",
    "LEAF",
]


class Key(NamedTuple):
    """One step of a key path: ``kind`` is ``"key"`` (dict), ``"index"`` (tuple/list) or
    ``"attr"`` (a namedtuple field); ``key`` is the dict key, the position or the field name."""

    kind: str
    key: Hashable

    def __str__(self) -> str:
        if self.kind == "attr":
            return f".{self.key}"
        if self.kind == "key" and isinstance(self.key, str):
            return f'["{self.key}"]'
        return f"[{self.key!r}]"


def keystr(path: Sequence[Key], root: str = "") -> str:
    """A key path as Python source would index it: ``keystr(path, "params") == 'params["W"]'``."""
    return root + "".join(str(k) for k in path)


class TreeDef:
    """The containers of a pytree with a hole (``*``) for every leaf.

    ``kind`` is ``"leaf"``, ``"none"``, ``"tuple"``, ``"list"``, ``"dict"``,
    ``"namedtuple"``, ``"ordereddict"`` or ``"defaultdict"``; ``children`` are the
    sub-trees; ``meta`` is what rebuilding needs (dict keys, the namedtuple class, the
    defaultdict's factory).  Two TreeDefs are equal when their structures are.
    """

    __slots__ = ("kind", "children", "meta", "num_leaves")

    def __init__(self, kind: str, children: tuple = (), meta: Any = None) -> None:
        self.kind = kind
        self.children = children
        self.meta = meta
        self.num_leaves = 1 if kind == "leaf" else sum(c.num_leaves for c in children)

    # -- rebuilding --------------------------------------------------------------------
    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """Put ``leaves`` (as many as this tree has holes) back into the containers."""
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"this tree structure has {self.num_leaves} leaves, got {len(leaves)} values")
        it = iter(leaves)
        return self._build(it)

    def _build(self, it) -> Any:
        kind = self.kind
        if kind == "leaf":
            return next(it)
        if kind == "none":
            return None
        built = [c._build(it) for c in self.children]
        if kind == "tuple":
            return tuple(built)
        if kind == "list":
            return built
        if kind == "namedtuple":
            return self.meta._make(built)
        if kind == "dict":
            return dict(zip(self.meta, built))
        if kind == "ordereddict":
            return OrderedDict(zip(self.meta, built))
        factory, keys = self.meta
        return defaultdict(factory, zip(keys, built))

    # -- comparing and showing ---------------------------------------------------------
    def _key(self) -> tuple:
        meta = self.meta
        if self.kind == "defaultdict":
            meta = meta[1]
        return (self.kind, meta, tuple(c._key() for c in self.children))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TreeDef) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def is_leaf(self) -> bool:
        """True for a bare leaf (a single array or number, no container)."""
        return self.kind == "leaf"

    def __repr__(self) -> str:
        return f"TreeDef({self._show()})"

    def _show(self) -> str:
        kind = self.kind
        if kind == "leaf":
            return "*"
        if kind == "none":
            return "None"
        parts = [c._show() for c in self.children]
        if kind == "tuple":
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if kind == "list":
            return "[" + ", ".join(parts) + "]"
        if kind == "namedtuple":
            return f"{self.meta.__name__}(" + ", ".join(f"{f}={p}" for f, p in zip(self.meta._fields, parts)) + ")"
        keys = self.meta if kind != "defaultdict" else self.meta[1]
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts)) + "}"


LEAF = TreeDef("leaf")
_NONE = TreeDef("none")


def _sorted_keys(d: dict) -> list:
    try:
        return sorted(d)
    except TypeError:  # keys of mixed types: keep the insertion order
        return list(d)


def _children(tree: Any) -> Optional[tuple[str, list, list, Any]]:
    """``(kind, child values, keys, meta)`` of a container, or None for a leaf."""
    t = type(tree)
    if t is tuple:
        return "tuple", list(tree), [Key("index", i) for i in range(len(tree))], None
    if t is list:
        return "list", list(tree), [Key("index", i) for i in range(len(tree))], None
    if t is dict:
        keys = _sorted_keys(tree)
        return "dict", [tree[k] for k in keys], [Key("key", k) for k in keys], tuple(keys)
    if isinstance(tree, tuple) and hasattr(t, "_fields") and hasattr(t, "_make"):
        return "namedtuple", list(tree), [Key("attr", f) for f in t._fields], t
    if isinstance(tree, defaultdict):
        keys = list(tree)
        return "defaultdict", [tree[k] for k in keys], [Key("key", k) for k in keys], (tree.default_factory, tuple(keys))
    if isinstance(tree, OrderedDict):
        keys = list(tree)
        return "ordereddict", [tree[k] for k in keys], [Key("key", k) for k in keys], tuple(keys)
    if isinstance(tree, dict):
        keys = _sorted_keys(tree)
        return "dict", [tree[k] for k in keys], [Key("key", k) for k in keys], tuple(keys)
    return None


MAX_DEPTH = 100
"""Deepest nesting of containers a pytree may have. Taking a tree apart, comparing two
structures and putting one back together all recurse once per level, so a list nested 3,000
deep (or a list that contains itself) would end in a ``RecursionError`` from somewhere inside;
it is refused up front with a ``ValueError`` that says why. Real parameter trees are a few
levels deep."""


def tree_flatten_with_path(tree: Any, is_leaf: Optional[Callable[[Any], bool]] = None
                           ) -> tuple[list[tuple[tuple[Key, ...], Any]], TreeDef]:
    """``([(key path, leaf), …], treedef)``: the leaves in order, each with its key path."""
    out: list = []

    def walk(node: Any, path: tuple) -> TreeDef:
        if node is None:
            return _NONE
        parts = None if is_leaf is not None and is_leaf(node) else _children(node)
        if parts is None:
            out.append((path, node))
            return LEAF
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"this argument nests containers (lists, tuples, dicts) more than {MAX_DEPTH} levels "
                             f"deep, at {keystr(path[:6])}…; a pytree may be at most {MAX_DEPTH} levels deep "
                             "(does a container contain itself?)")
        kind, values, keys, meta = parts
        return TreeDef(kind, tuple(walk(v, path + (k,)) for v, k in zip(values, keys)), meta)

    treedef = walk(tree, ())
    walk = None  # walk's closure refers to walk itself: break that cycle, or `out` (and every leaf,
    # e.g. a traced value holding its whole tape) waits for the cyclic garbage collector
    return out, treedef


def tree_flatten(tree: Any, is_leaf: Optional[Callable[[Any], bool]] = None) -> tuple[list, TreeDef]:
    """``(leaves, treedef)`` with ``treedef.unflatten(leaves)`` rebuilding ``tree``."""
    if tree is not None and _children(tree) is None and is_leaf is None:
        return [tree], LEAF  # the common case: one array
    pairs, treedef = tree_flatten_with_path(tree, is_leaf)
    return [leaf for _, leaf in pairs], treedef


def tree_unflatten(treedef: TreeDef, leaves: Iterable[Any]) -> Any:
    """The inverse of :func:`tree_flatten`."""
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any) -> list:
    return tree_flatten(tree)[0]


def tree_structure(tree: Any) -> TreeDef:
    return tree_flatten(tree)[1]


def tree_map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """Apply ``fn`` to every leaf (and the matching leaves of ``rest``, same structure)."""
    leaves, treedef = tree_flatten(tree)
    others = []
    for r in rest:
        r_leaves, r_def = tree_flatten(r)
        if r_def != treedef:
            raise ValueError(f"tree structures differ: {treedef} and {r_def}")
        others.append(r_leaves)
    return treedef.unflatten(fn(*xs) for xs in zip(leaves, *others))
