"""Tests for adviz.render.graph_collapse: which tape nodes a big graph folds."""

from __future__ import annotations

import random

import pytest

from adviz.render.graph_collapse import Group, collapse


def owners_cover_every_position_once(plan) -> bool:
    seen = [i for u in plan.units for i in (u.members if isinstance(u, Group) else (u,))]
    return seen == list(range(plan.total))


def test_small_tapes_are_drawn_whole():
    plan = collapse(["input", "sin", "cos"], max_units=8)
    assert plan.units == (0, 1, 2) and not plan.collapsed


def test_loop_body_is_drawn_first_and_last_with_the_middle_folded():
    sigs = ["input"] + ["sin", "mul", "add"] * 100 + ["out"]
    plan = collapse(sigs, keep={301}, max_units=20)
    assert plan.units[:4] == (0, 1, 2, 3)
    (group,) = plan.groups
    assert group.kind == "repeat" and group.repeats == 98 and group.pattern == ("sin", "mul", "add")
    assert group.members == tuple(range(4, 298))
    assert plan.units[-4:] == (298, 299, 300, 301)
    assert owners_cover_every_position_once(plan)


def test_kept_nodes_are_never_folded():
    sigs = ["a"] * 50
    plan = collapse(sigs, keep={25}, max_units=10)
    assert 25 in plan.units
    assert owners_cover_every_position_once(plan)


def test_repeats_inside_repeats_fold_too():
    neuron = ["mul", "add"] * 20 + ["tanh"]
    sigs = ["input"] + neuron * 10 + ["sum"]
    plan = collapse(sigs, keep={len(sigs) - 1}, max_units=30)
    outer = [g for g in plan.groups if len(g.pattern) == len(neuron)]
    inner = [g for g in plan.groups if g.pattern == ("mul", "add")]
    assert len(outer) == 1 and outer[0].repeats == 8
    assert len(inner) == 2  # inside the first and the last drawn neuron
    assert len(plan.units) <= 30
    assert owners_cover_every_position_once(plan)


def test_unstructured_tapes_fold_a_middle_span():
    rng = random.Random(1)
    sigs = [rng.choice("abcdefghijklmnop") for _ in range(500)]
    plan = collapse(sigs, keep={499}, max_units=40)
    assert len(plan.units) <= 40
    assert any(g.kind == "span" for g in plan.groups)
    assert plan.units[-1] == 499
    assert owners_cover_every_position_once(plan)


def test_max_units_must_leave_room():
    with pytest.raises(ValueError, match="at least 8"):
        collapse(["a"] * 100, max_units=3)
