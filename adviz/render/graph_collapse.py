"""Decide which nodes of a big tape a graph draws, and which it folds into one box.

A loop that runs 300 times, or a small neural network written with scalars, records a
tape of a thousand nodes.  Drawn node by node that is a wall of boxes nobody can read,
and it is also *repetitive*: the loop body is the same few primitives again and again.
So for a big tape we draw the structure once and say how often it repeats:

1. **Repeats.**  Scan the tape for a block of primitives that occurs at least three
   times in a row (``mul, add, mul, add, mul, add, ...``).  Keep the first and the last
   repetition, fold the ones in between into a single box.  The kept repetitions are
   scanned again, so a repeat inside a repeat (neurons inside a layer) folds too.
2. **Spans.**  If that is still too many boxes, keep the beginning of the tape (where
   the inputs are) and the end (near the output) and fold the middle into one box.

Outputs are never folded.  This module only does the bookkeeping on tape positions;
``adviz.render.graph`` draws the boxes and writes the note saying what was folded.

>>> loop = ["input"] + ["sin", "mul"] * 6 + ["add"]  # x; 6 times x = sin(x)*c; + ...
>>> plan = collapse(loop, keep={13}, max_units=8)
>>> [u if isinstance(u, int) else f"{len(u.members)} folded" for u in plan.units]
[0, 1, 2, '8 folded', 11, 12, 13]
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["Group", "Plan", "collapse"]

MAX_PERIOD = 400
"""Longest loop body (in primitives) that is searched for repeats."""


@dataclass(frozen=True)
class Group:
    """Consecutive tape positions drawn as one box."""

    members: tuple[int, ...]
    kind: str  # "repeat": folded repetitions of `pattern`; "span": a stretch not drawn
    pattern: tuple[Hashable, ...] = ()  # one repetition's signatures (for "repeat")
    repeats: int = 0  # how many repetitions were folded (for "repeat")


Unit = int | Group


@dataclass(frozen=True)
class Plan:
    """What to draw: tape positions (ints) and folded groups, in tape order."""

    units: tuple[Unit, ...]
    total: int  # number of tape positions planned for
    expandable: bool = True  # could ``expand=True`` draw every node? (see scene.check_drawable)

    @property
    def groups(self) -> tuple[Group, ...]:
        if "_groups" not in self.__dict__:  # asked for by every caption: computed once
            object.__setattr__(self, "_groups", tuple(u for u in self.units if isinstance(u, Group)))
        return self.__dict__["_groups"]

    @property
    def collapsed(self) -> bool:
        return bool(self.groups)

    def unit_of(self) -> dict[int, Unit]:
        """Map every tape position to the unit that draws it."""
        owner: dict[int, Unit] = {}
        for unit in self.units:
            for index in unit.members if isinstance(unit, Group) else (unit,):
                owner[index] = unit
        return owner


def collapse(
    signatures: Sequence[Hashable],
    keep: set[int] | frozenset[int] = frozenset(),
    max_units: int = 60,
    *,
    spans: bool = True,
) -> Plan:
    """Plan a drawing of ``len(signatures)`` tape nodes in about ``max_units`` boxes.

    ``signatures[i]`` says what node ``i`` is (its primitive, say); nodes with equal
    signatures count as "the same" when looking for repeats.  Positions in ``keep``
    are always drawn.  A tape that fits in ``max_units`` is drawn whole, unless
    ``spans`` is False: then repeats are folded whatever the tape's length, and the
    middle of the tape is never folded (used for long, thin chains such as a loop).
    """
    if max_units < 8:
        raise ValueError(f"max_units must be at least 8, got {max_units}")
    n = len(signatures)
    if n <= max_units and spans:
        return Plan(tuple(range(n)), n)
    # Small ints compare fast; a kept node gets a number nothing else has, so no repeat
    # can swallow it.
    numbers: dict[Hashable, int] = {}
    sigs = [
        -1 - i if i in keep else numbers.setdefault(s, len(numbers))
        for i, s in enumerate(signatures)
    ]
    units = _fold_repeats(sigs, list(signatures), 0, n, depth=0)
    if spans and len(units) > max_units:
        units = _fold_middle(units, keep, max_units)
    return Plan(tuple(units), n)


def _best_run(sigs: list, start: int, stop: int) -> tuple[int, int] | None:
    """The (period, repetitions) covering most of ``sigs[start:stop]`` from ``start``."""
    best: tuple[int, int] | None = None
    first = sigs[start]
    for period in range(1, min(MAX_PERIOD, (stop - start) // 3) + 1):
        if sigs[start + period] != first:  # a repetition starts with the same node
            continue
        block = sigs[start : start + period]
        reps = 1
        while (
            start + (reps + 1) * period <= stop
            and sigs[start + reps * period : start + (reps + 1) * period] == block
        ):
            reps += 1
        folded = (reps - 2) * period  # nodes that would disappear into one box
        if (
            reps >= 3
            and folded >= 3
            and (best is None or reps * period > best[0] * best[1])
        ):
            best = (period, reps)
    return best


def _fold_repeats(
    sigs: list, original: list, start: int, stop: int, depth: int
) -> list[Unit]:
    units: list[Unit] = []
    i = start
    while i < stop:
        run = _best_run(sigs, i, stop)
        if run is None:
            units.append(i)
            i += 1
            continue
        period, reps = run
        last = i + (reps - 1) * period
        inner = (
            depth < 2 and period >= 6
        )  # look for repeats inside the kept repetitions
        first_units = (
            _fold_repeats(sigs, original, i, i + period, depth + 1)
            if inner
            else range(i, i + period)
        )
        last_units = (
            _fold_repeats(sigs, original, last, last + period, depth + 1)
            if inner
            else range(last, last + period)
        )
        units.extend(first_units)
        pattern = tuple(original[i : i + period])
        units.append(Group(tuple(range(i + period, last)), "repeat", pattern, reps - 2))
        units.extend(last_units)
        i += reps * period
    return units


def _fold_middle(units: list[Unit], keep, max_units: int) -> list[Unit]:
    """Keep the first and last boxes, fold the middle ones into "span" groups."""
    head = max(3, max_units // 4)
    tail = max_units - head - 1
    middle = units[head : len(units) - tail]
    folded: list[Unit] = list(units[:head])
    pending: list[int] = []
    for unit in middle:
        if (
            isinstance(unit, int) and unit in keep
        ):  # an output in the middle stays visible
            if pending:
                folded.append(Group(tuple(pending), "span"))
                pending = []
            folded.append(unit)
        else:
            pending.extend(unit.members if isinstance(unit, Group) else (unit,))
    if pending:
        folded.append(Group(tuple(pending), "span"))
    folded.extend(units[len(units) - tail :])
    return folded
