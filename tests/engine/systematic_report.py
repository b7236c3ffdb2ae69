"""Tally the systematic suite: how many cases pass, give a wrong number, crash, or are refused.

    python tests/engine/systematic_report.py            # counts, then every case that did not pass
    python tests/engine/systematic_report.py sin max    # only cases whose id contains one of the words

"Refused" means adviz raised its own ``UnsupportedOperation``; "wrong" means ``check_grads``
found a number that disagrees with the references; anything else raised is a "crash".
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import CASES
from check_grads import WrongDerivative, check_grads

import adviz as ad


def outcome(case) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_grads(case.fn, case.values(), order=case.order, analytic=case.analytic, single=case.single,
                        modes=case.modes, name=case.id)
    except WrongDerivative as e:
        return "wrong", str(e)
    except ad.UnsupportedOperation as e:
        return "refused", str(e)
    except Exception as e:  # noqa: BLE001  (tallying every kind of failure is the point)
        return "crash", f"{type(e).__name__}: {e}"
    return "pass", ""


def main(words: list[str]) -> int:
    cases = [c for c in CASES if not words or any(w in c.id for w in words)]
    counts: Counter = Counter()
    notes = []
    for case in cases:
        kind, message = outcome(case)
        counts[kind] += 1
        if kind != "pass":
            known = f"  [known: {case.known}]" if case.known else ""
            expected = "  [expected]" if case.expect == "refuse" and kind == "refused" else ""
            notes.append(f"{kind:8} {case.id}{known}{expected}\n         {message[:300]}")
    total = sum(counts.values())
    print(f"{total} cases: " + ", ".join(f"{counts[k]} {k}" for k in ("pass", "wrong", "crash", "refused")))
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
