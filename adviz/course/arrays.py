"""Lesson 7 · Arrays: broadcasting, reductions and matrix products — its check and predictions.

The exercise: the reverse sweep of a dense layer with a bias, L(W, b) = Σ tanh(XW + b), by
hand in NumPy: ``dense_backward(X, W, b)`` returns ``(W_bar, b_bar)``.  The check runs it on
batches of different sizes, so it must work from the shapes it is given.
"""

from __future__ import annotations

import numpy as np

from ..check import Question, Questions, check


def _case(batch: int, inputs: int, units: int, seed: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, inputs)), rng.normal(size=(inputs, units)) / 2, rng.normal(size=units) / 2


def _reference(X, W, b):
    Z_bar = 1 - np.tanh(X @ W + b) ** 2
    return X.T @ Z_bar, Z_bar.sum(axis=0)


BY_HAND = ("dense_backward runs adviz (ad.grad, ad.vjp, …): that is the engine's backward pass. Write it by "
           "hand in NumPy: Z̄ from the sum and tanh, then W̄ and b̄ from Z̄.")


def _backward(c, dense_backward, X, W, b):
    result = c.call_by_hand(dense_backward, X, W, b, name="dense_backward", hint=BY_HAND)
    c.expect(isinstance(result, (tuple, list)) and len(result) == 2, "dense_backward returns (W_bar, b_bar).")
    W_bar = c.array(result[0], "W_bar", W.shape,
                    "An adjoint has the shape of its variable: W̄ is shaped like W. Which product of X and "
                    "Z̄ has that shape?")
    b_bar = c.array(result[1], "b_bar", b.shape,
                    "An adjoint has the shape of its variable: b̄ is shaped like b. b was broadcast over the "
                    "batch, so its adjoint sums over the batch axis.")
    return W_bar, b_bar


def check_dense_backward(dense_backward) -> None:
    """Check W̄ and b̄ of L = Σ tanh(XW + b) for batches of 5 and 7 examples."""
    with check("your backward pass of L(W, b) = Σ tanh(XW + b)") as c:
        X, W, b = _case(5, 3, 4, seed=7)
        W_want, b_want = _reference(X, W, b)
        with c.part("the shapes: W̄ like W, b̄ like b"):
            _backward(c, dense_backward, X, W, b)
        if not c.all_passed:
            for name in ("b̄: the broadcast over the batch becomes a sum", "W̄: the matrix-product rule",
                         "another batch: 7 examples, 2 inputs, 3 units"):
                c.skip(name, "checked once the shapes are right")
            return

        with c.part("b̄: the broadcast over the batch becomes a sum"):
            W_bar, b_bar = _backward(c, dense_backward, X, W, b)
            ones = np.ones_like(X @ W)
            if np.allclose(b_bar, ones.sum(axis=0)):
                c.fail("Z̄ is not all ones: the sum passes 1 to every entry, then tanh multiplies it by its "
                       "local derivative 1 − tanh(Z)².")
            if np.allclose(b_bar, b_want / len(X)):
                c.fail("Sum, do not average: each example's use of b adds its own contribution.")
            c.close(b_bar, b_want, "b̄ is off: it adds Z̄ over the batch (the axis that broadcasting added).")

        with c.part("W̄: the matrix-product rule"):
            W_bar, b_bar = _backward(c, dense_backward, X, W, b)
            c.close(W_bar, W_want, "W̄ is off: for Z = XW, the adjoint of W is Xᵀ Z̄ (check Z̄ first).")

        with c.part("another batch: 7 examples, 2 inputs, 3 units"):
            X, W, b = _case(7, 2, 3, seed=11)
            W_want, b_want = _reference(X, W, b)
            W_bar, b_bar = _backward(c, dense_backward, X, W, b)
            c.close(W_bar, W_want, "W̄ is off for this batch: compute everything from X, W and b as given.")
            c.close(b_bar, b_want, "b̄ is off for this batch: compute everything from X, W and b as given.")


QUESTIONS = Questions(
    Question(
        "diagonal-storage",
        answer="b",
        choices={"a": "10¹², the whole Jacobian", "b": "10⁶, its diagonal", "c": "1"},
        explanation="Output i of sin depends only on input i: the Jacobian is diagonal, and multiplying by a "
                    "diagonal matrix is an elementwise product with cos(x), 10⁶ numbers.",
    ),
    Question(
        "bias-adjoint",
        answer=3,
        explanation="b is broadcast to each of the 3 rows, so it is used 3 times; each use sends back an "
                    "adjoint of 1, and the reverse sweep adds them: 1 + 1 + 1 = 3.",
    ),
    Question(
        "index-twice",
        answer=2,
        explanation="v[[0, 0, 1]] uses entry 0 twice; in reverse, the selection becomes a scatter that adds "
                    "both adjoints into position 0.",
    ),
)
predict = QUESTIONS.predict
