"""Lesson 11 · Memory and checkpointing — its checks and its predictions.

The lesson's program is a stack of ``depth`` layers, each ``tanh(sin(x)·x + 0.5)`` (four
primitives: sin, multiply, add, tanh), followed by ``sum(x**2)``.  Two exercises:

* ``tape_values(depth)`` and ``peak_values(depth, k)``: how many values a reverse sweep keeps,
  without checkpoints and with segments of ``k`` layers checkpointed — as formulas, checked
  against the counts of real traces (``Trace.memory`` and ``Trace.checkpoints``);
* ``checkpointed_model(x)``: the 12-layer program, checkpointed so that its reverse sweep
  never holds more than :data:`BUDGET` values, with its value and gradient unchanged.
  The gradient's reference is the chain rule written out in NumPy, independent of adviz.
"""

from __future__ import annotations

import numpy as np

from ..check import Question, Questions, check

PER_LAYER = 4
DEPTH = 12
BUDGET = 16
X = np.linspace(-1.0, 1.5, 6)


# ---------------------------------------------------------------- the program, and counts of its traces
def _layer(x):
    return np.tanh(np.sin(x) * x + 0.5)


def _layers(x, k):
    for _ in range(k):
        x = _layer(x)
    return x


def _model(x, depth, k=None):
    import adviz as ad

    if k is None:
        x = _layers(x, depth)
    else:
        segment = ad.checkpoint(_layers, static_argnums=(1,))
        for _ in range(depth // k):
            x = segment(x, k)
    return np.sum(x**2)


def peak(t) -> int:
    """Values held at the worst moment of a reverse sweep over trace ``t``: everything the
    forward pass kept, plus the intermediates of the largest checkpointed block, which the
    sweep recomputes and holds while it goes through that block."""
    largest = max((len(c.intermediates) for c in t.checkpoints), default=0)
    return t.memory().values_kept + largest


def _counts(depth, k=None) -> tuple[int, int]:
    import adviz as ad

    t = ad.trace(lambda x: _model(x, depth, k), np.array([0.3, 0.7]))
    return t.memory().values_kept, peak(t)


def _gradient(x: np.ndarray, depth: int) -> np.ndarray:
    """d/dx Σ layerᵈᵉᵖᵗʰ(x)², by the chain rule written out (elementwise layers)."""
    slope = np.ones_like(x)
    for _ in range(depth):
        z = np.sin(x) * x + 0.5
        slope = slope * (1 - np.tanh(z) ** 2) * (np.cos(x) * x + np.sin(x))
        x = np.tanh(z)
    return 2 * x * slope


CASES = [(depth, k) for depth in (1, 2, 3, 4, 6, 8, 12, 16) for k in (1, 2, 3, 4, 6, 8, 12, 16)
         if k <= depth and depth % k == 0]


_MEASURED = ("{name} traces the program and counts: that is the measurement this check compares with, "
             "not a formula. Write the count from what you know: how many nodes the input, each layer and "
             "the loss add{extra}.")


def _formula(c, fn, *args, name: str, extra: str = ""):
    """The student's formula at ``args``; a formula that runs adviz (ad.trace, then count) fails."""
    got = c.call_by_hand(fn, *args, name=name, hint=_MEASURED.format(name=name, extra=extra))
    return c.number(got, f"{name}({', '.join(map(str, args))})")


# ---------------------------------------------------------------- exercise A: the counts as formulas
def check_formulas(tape_values, peak_values) -> None:
    """Check the two formulas against the counts of traces of the lesson's program.

    The formulas must be formulas: one that traces the program and counts its nodes gets
    the right numbers without the idea, so any adviz transform run inside them fails.
    """
    with check("what the reverse sweep keeps, as formulas") as c:
        with c.part("tape_values(depth): the tape without checkpoints"):
            for depth in (1, 2, 5, 12):
                got = _formula(c, tape_values, depth, name="tape_values")
                want, _ = _counts(depth)
                if got == PER_LAYER * depth:
                    c.fail("you counted the layers' nodes only: the tape also holds the input x and the two "
                           "nodes after the layers (x**2 and the sum).")
                c.expect(got == want, f"tape_values({depth}) does not match the tape: count the input, "
                                      f"{PER_LAYER} nodes per layer, and the nodes after the last layer.")
        with c.part("peak_values(depth, k): segments of k layers checkpointed"):
            for depth, k in CASES:
                got = _formula(c, peak_values, depth, k, name="peak_values",
                               extra=", and how many values one block recomputes")
                kept, want = _counts(depth, k)
                if got == kept:
                    c.fail("that is what the forward pass keeps; while the sweep goes through a block it also "
                           "holds the block's recomputed intermediates.")
                if got == kept + PER_LAYER * k:
                    c.fail("a block's output is kept anyway (the next block reads it): only the other "
                           f"{PER_LAYER}·k − 1 values of a block are recomputed and held.")
                c.expect(got == want, f"peak_values({depth}, {k}) does not match the trace: the forward pass "
                                      "keeps the input, one output per block and the nodes after the layers; "
                                      "the sweep adds one block's intermediates.")


# ---------------------------------------------------------------- exercise B: a model within budget
def check_checkpointed_model(checkpointed_model) -> None:
    """Check the checkpointed 12-layer model: value, gradient, and the peak within BUDGET values."""
    import adviz as ad

    with check(f"the {DEPTH}-layer model, checkpointed within {BUDGET} values") as c:
        with c.part("the same value as the model without checkpoints"):
            value = c.number(c.call(checkpointed_model, X.copy(), name="checkpointed_model"), "its value")
            c.expect(np.isclose(value, float(np.sum(_layers(X.copy(), DEPTH) ** 2)), rtol=1e-12),
                     f"checkpointed_model(x) should compute the same as {DEPTH} layers followed by sum(x**2): "
                     "count the layers your segments apply.")
        with c.part("the same gradient"):
            c.call(checkpointed_model, X.copy(), name="checkpointed_model")
            g = c.array(ad.grad(checkpointed_model)(X.copy()), "the gradient", shape=X.shape)
            c.expect(np.allclose(g, _gradient(X.copy(), DEPTH), rtol=1e-10, atol=1e-14),
                     "the gradient differs: ad.checkpoint never changes derivatives, so look for a layer "
                     "missing or doubled, or an ad.stop_gradient.")
        with c.part(f"the reverse sweep never holds more than {BUDGET} values"):
            c.call(checkpointed_model, X.copy(), name="checkpointed_model")
            t = ad.trace(checkpointed_model, X.copy())
            if not t.checkpoints:
                c.fail(f"nothing is checkpointed: the tape keeps {t.memory().values_kept} values. Wrap segments "
                       "of layers in ad.checkpoint.")
            most = peak(t)
            if most > BUDGET:
                largest = max(len(b.intermediates) for b in t.checkpoints)
                c.fail(f"at its worst moment the sweep holds {most} values: {t.memory().values_kept} kept by the "
                       f"forward pass and {largest} recomputed in the largest block. Fewer blocks keep less, "
                       "smaller blocks recompute less at a time: try other segment lengths.")


QUESTIONS = Questions(
    Question(
        "forward-memory",
        answer="a",
        choices={"a": "about the same", "b": "about 16 times as much", "c": "about 4 times as much"},
        explanation="Forward mode carries each tangent along with its value and forgets both once the next "
                    "layer has used them: its memory does not depend on the program's length. Reverse mode "
                    "needs the past, so its tape grows with every layer.",
        feedback={"b": "That is reverse mode's tape. Forward mode keeps no tape at all."},
    ),
    Question(
        "recompute-steps",
        answer="c",
        choices={"a": "0", "b": "4", "c": "8", "d": "16"},
        explanation="When the sweep reaches a checkpointed block it runs the whole block again: 4 primitives "
                    "per layer, 2 layers, 8 recompute steps, once each — one extra forward pass in total.",
        feedback={"d": "Each block is recomputed once, not once per adjoint step.",
                  "b": "Both layers are checkpointed, and each is recomputed."},
    ),
)
predict = QUESTIONS.predict
