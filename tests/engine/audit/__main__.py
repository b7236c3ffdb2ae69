"""``python -m tests.engine.audit [words...]``: run the audit and print its totals and every non-pass."""

from __future__ import annotations

import sys

from . import all_cases
from .core import tally


def main(words: list[str]) -> int:
    cases = [c for c in all_cases() if not words or any(w in c.name for w in words)]
    counts, notes = tally(cases)
    total = sum(counts.values())
    print(f"{total} cases: " + ", ".join(f"{counts[k]} {k}" for k in ("pass", "refused", "wrong", "crash")))
    for kind, name, msg in sorted(notes):
        print(f"{kind:8} {name}\n         {msg}")
    return 1 if counts["wrong"] or counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
