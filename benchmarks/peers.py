"""Which peer AD libraries are installed, imported once so every workload shares them.

A peer that is not installed is not an error: the report prints one line saying so and
how to install it.  The ``bench`` extra of adviz installs the pure-Python ones; PyTorch and
JAX are installed by hand (their wheels are large): ``pip install torch`` (CPU build) and
``pip install jax jaxlib``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["PEER_NAMES", "Peer", "load_peers"]

#: Peers in the order they are reported, with the pip command that installs each.
PEER_NAMES: dict[str, str] = {
    "torch": "pip install torch   (CPU build)",
    "jax": "pip install jax jaxlib",
    "autograd": "pip install autograd   (or: pip install -e '.[bench]')",
    "micrograd": "pip install micrograd   (or: pip install -e '.[bench]')",
    "mygrad": "pip install mygrad   (or: pip install -e '.[bench]')",
}

_DISTRIBUTION = {"torch": "torch", "jax": "jax", "autograd": "autograd", "micrograd": "micrograd", "mygrad": "mygrad"}


@dataclass
class Peer:
    """One peer library: its module if importable, else why not."""

    name: str
    module: Any | None
    version: str = ""
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.module is not None

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip()


def _version(name: str, module: Any) -> str:
    try:
        return importlib.metadata.version(_DISTRIBUTION[name])
    except importlib.metadata.PackageNotFoundError:
        return str(getattr(module, "__version__", ""))


def _prepare(name: str, module: Any) -> None:
    """Per-library settings so that every peer computes in float64 on the CPU."""
    if name == "jax":
        module.config.update("jax_enable_x64", True)
        module.config.update("jax_platforms", "cpu")
    if name == "micrograd":
        # micrograd sorts its graph with a recursive function: 4·10⁴ nodes need a deep stack.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))


def load_peers(wanted: list[str] | None = None) -> dict[str, Peer]:
    """Import the wanted peers (all by default); missing ones carry the reason."""
    peers: dict[str, Peer] = {}
    for name in PEER_NAMES if wanted is None else wanted:
        if name not in PEER_NAMES:
            raise SystemExit(f"unknown peer {name!r}; choose from {', '.join(PEER_NAMES)}")
        try:
            module = importlib.import_module(name)
            if name == "micrograd":
                importlib.import_module("micrograd.engine")
            if name == "autograd":
                importlib.import_module("autograd.numpy")
            if name == "torch":
                importlib.import_module("torch.func")
            _prepare(name, module)
            peers[name] = Peer(name, module, _version(name, module))
        except Exception as err:  # noqa: BLE001  (ImportError, or a broken install failing on import)
            peers[name] = Peer(name, None, reason=f"not installed ({type(err).__name__}: {err}); {PEER_NAMES[name]}")
    return peers
