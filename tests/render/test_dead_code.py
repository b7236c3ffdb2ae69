"""Every private helper of adviz.render is used somewhere in the package.

A helper left behind after a rewrite (``_caption_box`` outlived the widget captions moving
into the browser's view) reads as if it still drew something: a reader fixing a caption
would edit it and see nothing change.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import adviz

PACKAGE = Path(adviz.__file__).parent


def _private_definitions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.name.startswith("_") and not node.name.startswith("__")]


def test_every_private_helper_of_the_render_package_is_used():
    sources = [p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")]
    unused = []
    for path in sorted((PACKAGE / "render").glob("*.py")):
        for name in _private_definitions(path):
            uses = sum(len(re.findall(rf"\b{re.escape(name)}\b", text)) for text in sources)
            if uses < 2:  # only its own ``def``
                unused.append(f"{path.name}: {name}")
    assert not unused, f"defined but never used: {unused}"


def test_the_check_sees_a_helper_nobody_calls(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def _used():\n    return 1\n\ndef _orphan():\n    return _used()\n", encoding="utf-8")
    assert _private_definitions(module) == ["_used", "_orphan"]
