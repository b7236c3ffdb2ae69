"""Lesson 9 · Training a tiny neural network with ``ad.grad`` alone — its check and predictions.

The exercise: ``train_momentum(steps, learning_rate, beta)``, gradient descent with
momentum (v ← βv − η∇L, θ ← θ + v) on the lesson's network.  The check follows the first
steps exactly against its own implementation of that rule, then trains for 300 steps.
"""

from __future__ import annotations

import numpy as np

from ..check import Question, Questions, check


def _momentum(value_and_grad, initial_parameters, steps, learning_rate, beta):
    params = initial_parameters()
    velocity = [np.zeros_like(p) for p in params]
    history = []
    for _ in range(steps):
        loss, grads = value_and_grad(*params)
        history.append(float(loss))
        velocity = [beta * v - learning_rate * g for v, g in zip(velocity, grads)]
        params = [p + v for p, v in zip(params, velocity)]
    return params, history


def _run(c, train_momentum, steps, learning_rate, beta):
    result = c.call(train_momentum, steps, learning_rate, beta, name="train_momentum")
    c.expect(isinstance(result, (tuple, list)) and len(result) == 2,
             "train_momentum returns (params, history), like train.")
    params, history = result
    history = c.array(history, "history")
    c.expect(history.shape == (steps,), f"history has {history.size} entries after {steps} steps: record the "
                                        "loss once per step, before updating.")
    c.expect(isinstance(params, (tuple, list)), "params is a list of arrays, like the one train returns.")
    return [np.asarray(p, dtype=float) for p in params], history


def check_momentum(train_momentum, train, value_and_grad, initial_parameters, accuracy) -> None:
    """Check ``train_momentum`` step by step, then its 300-step result against plain descent."""
    with check("gradient descent with momentum") as c:
        with c.part("β = 0 is plain gradient descent (like train)"):
            params, history = _run(c, train_momentum, 3, 0.5, 0.0)
            plain, plain_history = train(3, 0.5)
            c.expect(np.isclose(history[0], plain_history[0], rtol=1e-12),
                     "The first loss in history is the loss at initial_parameters(): start from there and "
                     "record the loss before each update.")
            c.expect(np.allclose(history, plain_history, rtol=1e-10),
                     "With β = 0 the velocity is just −η∇L: each step should match train's.")
            c.expect(len(params) == len(plain) and all(np.allclose(p, q, rtol=1e-10) for p, q in zip(params, plain)),
                     "With β = 0 your parameters should end where train's do.")

        with c.part("the first steps with β = 0.9 follow v ← βv − η∇L, θ ← θ + v"):
            params, history = _run(c, train_momentum, 4, 0.5, 0.9)
            want, want_history = _momentum(value_and_grad, initial_parameters, 4, 0.5, 0.9)
            if history[-1] > history[0] * 1.5:
                c.fail("The loss grows: the velocity should point against the gradient (subtract η∇L).")
            _, plain_history = train(4, 0.5)
            if np.allclose(history, plain_history, rtol=1e-10):
                c.fail("With β = 0.9 your steps match plain gradient descent: the velocity must keep β times "
                       "its previous value (start it at zero once, before the loop).")
            c.expect(np.allclose(history, want_history, rtol=1e-10)
                     and all(np.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(params, want)),
                     "Your steps differ from v ← βv − η∇L, θ ← θ + v: update the velocity first, from its "
                     "previous value and the gradient at the current parameters, then move by it.")

        with c.part("300 steps: below 0.02 loss and 98% correct, ahead of plain descent"):
            params, history = _run(c, train_momentum, 300, 0.5, 0.9)
            _, plain_history = train(300, 0.5)
            c.expect(history[-1] < 0.02, f"After 300 steps the loss is {history[-1]:.4f}, not yet below 0.02.")
            c.expect(accuracy(params) >= 0.98, f"After 300 steps {accuracy(params):.1%} of the points are "
                                               "classified correctly, not yet 98%.")
            c.expect(history[-1] < plain_history[-1], "Momentum should end with a lower loss than plain "
                                                      "gradient descent after 300 steps.")


QUESTIONS = Questions(
    Question(
        "parameter-count",
        answer=65,
        explanation="W1 is 2 × 16 = 32, b1 has 16, W2 has 16 and b2 is one number: 32 + 16 + 16 + 1 = 65.",
    ),
    Question(
        "batch-tape",
        answer="b",
        choices={"a": "about 200 times as many lines as for one example",
                 "b": "the same lines as for one example, each on an array with 200 rows",
                 "c": "one line per parameter"},
        explanation="Each line of the tape is one array primitive applied to the whole batch at once: "
                    "X @ W1 is one matrix product for all 200 points. The batch size changes the shapes, "
                    "not the length of the tape.",
    ),
    Question(
        "one-sweep",
        answer="c",
        choices={"a": "1 parameter", "b": "16 parameters", "c": "all 65 parameters"},
        explanation="The loss is one number, so one reverse sweep gives its derivative with respect to every "
                    "parameter at once: that is backpropagation.",
    ),
)
predict = QUESTIONS.predict
