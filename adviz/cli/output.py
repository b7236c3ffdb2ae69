"""What the commands print: a rich console that respects the terminal, and JSON.

JSON output (``--json``): numbers are JSON numbers, arrays nested lists; values JSON cannot
hold are the strings ``"inf"``, ``"-inf"`` and ``"nan"``.
"""

from __future__ import annotations

import os
from typing import Any

import typer

__all__ = ["make_console", "node_json", "print_json", "sweep_json", "to_json_value"]


def make_console(ascii: bool = False) -> Any:
    """A rich Console that prints plain text when piped or when NO_COLOR is set."""
    from rich.console import Console

    plain = "NO_COLOR" in os.environ and os.environ.get("NO_COLOR", "") != ""
    kwargs: dict = {"highlight": False, "emoji": False}
    if plain:
        kwargs["color_system"] = None
    if ascii:
        kwargs["safe_box"] = True
    return Console(**kwargs)




def to_json_value(value: Any) -> Any:
    """NumPy values → JSON: numbers, nested lists, and the strings "inf", "-inf", "nan".

    ``None`` stays ``null`` (a term with no elementwise partial, such as ``sum``'s).
    """
    import math

    import numpy as np

    if value is None:                    # e.g. the partial of a structural rule (sum, reshape)
        return None
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    a = np.asarray(value)
    if a.ndim > 0:
        return [to_json_value(v) for v in a]
    x = a.item()
    if isinstance(x, complex):
        return {"real": to_json_value(x.real), "imag": to_json_value(x.imag)}
    if isinstance(x, bool) or isinstance(x, int):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def print_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def node_json(node: Any) -> dict:
    return {"name": node.name, "op": node.op, "definition": node.definition,
            "operands": [o.text for o in node.operands], "value": to_json_value(node.value),
            "shape": list(node.shape), "is_input": node.is_input, "is_output": node.is_output}


def sweep_json(sweep: Any, trace: Any) -> dict:
    steps = []
    for step in sweep.steps:
        steps.append({
            "node": trace.nodes[step.node].name,
            "value": to_json_value(step.value),
            "terms": [{"update": term.update(), "update_ascii": term.update(ascii=True),
                       "from": trace.nodes[term.source].name, "to": trace.nodes[term.target].name,
                       "partial": term.partial, "partial_value": to_json_value(term.partial_value),
                       "contribution": to_json_value(term.contribution), "total": to_json_value(term.total)}
                      for term in step.terms],
        })
    result = sweep.result
    return {"mode": sweep.mode, "seed": to_json_value(sweep.seed), "steps": steps, "ops": sweep.ops,
            "result": to_json_value(result)}
