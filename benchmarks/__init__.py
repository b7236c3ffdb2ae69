"""adviz benchmarks: the workloads of the performance targets, adviz and its peers in one run.

Run everything with one command from the repository root::

    python -m benchmarks                 # or: python benchmarks/run.py
    python -m benchmarks --only W1,W4    # a subset (W1 W2 W3 W4 W5 MEM)
    python -m benchmarks --no-peers      # adviz alone

Peers are optional: whichever of PyTorch, JAX, HIPS autograd, micrograd and MyGrad are
installed are measured in the same process, on the same inputs, and printed as ratios;
absent ones get a line saying so.  Every implementation's derivative is checked once
against a hand-written NumPy derivative, so a fast wrong answer cannot pass.
"""
