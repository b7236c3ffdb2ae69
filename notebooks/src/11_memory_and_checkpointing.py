# %% [markdown]
# # Lesson 11 · Memory and checkpointing
#
# *About 25 minutes.* You will learn:
#
# * why reverse mode needs **memory that grows with the program**, and what exactly its tape keeps —
#   counted on the trace and measured in bytes;
# * why forward mode does not;
# * how `ad.checkpoint` **trades memory for recomputation**: a block keeps only its inputs and outputs,
#   and the reverse sweep computes its intermediates again when it gets there;
# * how to place checkpoints: the segment length that minimises the peak, and the $\sqrt{L}$ rule.

# %%
# %matplotlib inline
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import SVG, display

import adviz as ad
from adviz.course import memory as course   # this lesson's checks and predictions

# %% [markdown]
# ## 1. The tape grows with the program
#
# Our program is a stack of identical layers, each four primitives — `sin`, a multiplication, an
# addition and `tanh` — followed by a loss, $\sum_i x_i^2$:

# %%
def layer(x):
    return np.tanh(np.sin(x) * x + 0.5)


def layers(x, count):
    for _ in range(count):
        x = layer(x)
    return x


def model(x, depth):
    return np.sum(layers(x, depth) ** 2)


print(ad.trace(model, np.array([0.3, 0.7]), depth=2).to_text())

# %% [markdown]
# Reverse mode sweeps this tape backwards, and each step needs values from the forward pass: the
# adjoint of `sin` needs $\cos v$, so $v$; the adjoint of a product needs both factors. So the forward
# pass must **keep** values until the sweep comes back for them. How much, as the program grows? Count
# it on the trace: nodes, and the bytes their values hold (`node.value`), for a vector of 1,000 numbers.

# %%
x_small = np.linspace(-1.0, 1.0, 1_000)
print("depth   nodes   numbers kept   bytes kept")
for depth in (1, 2, 4, 8, 16):
    t = ad.trace(model, x_small, depth=depth)
    counted = sum(np.asarray(node.value).nbytes for node in t.nodes)
    print(f"{depth:5d}   {len(t.nodes):5d}   {t.memory().numbers_kept:12,d}   {counted:10,d}")

# %% [markdown]
# Four nodes and four vectors more per layer: the tape is **linear in the length of the program**. A
# network with a hundred layers, or a simulation with ten thousand time steps, keeps a hundred or ten
# thousand times as much.
#
# Forward mode (lesson 2) carries each tangent along with its value.
#
# **Predict, then run.** Going from 1 layer to 16, how does the peak memory of a forward-mode
# derivative (`ad.jvp`) of this program change?
#
# * (a) about the same
# * (b) about 16 times as much
# * (c) about 4 times as much

# %%
course.predict("forward-memory", ...)

# %% [markdown]
# Now measure real memory. Python's `tracemalloc` sees every allocation NumPy makes. For reverse mode
# we measure what is **still allocated after the forward pass**, while `ad.vjp`'s pullback holds the
# tape; for forward mode, the **peak** during `ad.jvp`.

# %%
def held_after(run):
    """Bytes allocated by run() and still held when it returns (with run's result kept alive)."""
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    result = run()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return after - before


def peak_during(run):
    """Peak bytes allocated while run() executes."""
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before


x_big = np.linspace(-1.0, 1.0, 50_000)     # 400 kB per vector
direction = np.ones_like(x_big)
depths = [1, 2, 4, 8, 12, 16]
reverse_tape = [held_after(lambda: ad.vjp(lambda x: model(x, d), x_big)) for d in depths]
forward_peak = [peak_during(lambda: ad.jvp(lambda x: model(x, d), (x_big,), (direction,))) for d in depths]
vector = x_big.nbytes

fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(depths, np.array(reverse_tape) / vector, "o-", color="#c2410c", label="reverse mode: tape after the forward pass")
ax.plot(depths, np.array(forward_peak) / vector, "s-", color="#1d4ed8", label="forward mode: peak during ad.jvp")
ax.set_xlabel("depth (layers)")
ax.set_ylabel("memory, in vectors of 50,000 numbers")
ax.set_ylim(bottom=0)
ax.grid(alpha=0.3)
ax.legend(loc="upper left")
plt.show()
per_layer = (reverse_tape[-1] - reverse_tape[0]) / (depths[-1] - depths[0]) / vector
print(f"reverse mode keeps {per_layer:.2f} vectors more per layer; forward mode peaks at "
      f"{min(forward_peak) / vector:.1f} to {max(forward_peak) / vector:.1f} vectors at every depth")

# %% [markdown]
# The tape's size grows by the same amount with every layer; forward mode stays flat. But the tape
# holds fewer vectors per layer than the trace has nodes: a tape recorded *for derivatives* keeps only
# what its rules will read (`tanh` keeps its output, `sin` and the product their operands, the addition
# nothing), and several of those are the same array. The trace above, made for people, keeps every
# value. Either way, memory is linear in the program's length — the price of reverse mode's cheap
# gradients (lesson 4).
#
# ## 2. `ad.checkpoint`: forget now, recompute later
#
# `ad.checkpoint(f)` returns a function with the same values and the same derivatives. The difference
# is what reverse mode keeps: for a checkpointed block only its **inputs and outputs**. When the reverse
# sweep reaches the block, it runs the block again from its inputs — the **recomputation** — and then
# sweeps through it. Here are two checkpointed layers on a scalar, small enough to look at:

# %%
checkpointed_layer = ad.checkpoint(layer)

def two_layers(x):
    return checkpointed_layer(checkpointed_layer(x)) ** 2

t = ad.trace(two_layers, 0.8)
print(t.to_text())
print()
for block in t.checkpoints:
    names = [t.nodes[i].name for i in block.nodes]
    print(f"block {block.name}: nodes {names}, dropped after the forward pass: "
          f"{[t.nodes[i].name for i in block.intermediates]}")
print(t.memory())

# %% [markdown]
# **Predict, then run.** Each checkpointed layer has 4 primitives. How many *recompute* steps does the
# reverse sweep of `two_layers` record?
#
# * (a) 0
# * (b) 4
# * (c) 8
# * (d) 16

# %%
course.predict("recompute-steps", ...)

# %%
sweep = t.reverse()
for step in sweep.steps:
    node = t.nodes[step.node]
    if step.recompute:
        print(f"recompute {node.name} = {node.definition}")
    else:
        print(f"adjoint   {node.name}: " + ", ".join(term.update() for term in step.terms))
display(SVG(t.to_svg(sweep, step=len(sweep.steps), title="two checkpointed layers, reverse mode")))

# %% [markdown]
# The dashed boxes are the blocks. The sweep starts at the output, reaches the second block, recomputes
# its four values, sweeps through them, and does the same for the first block: each recomputation
# happens just before the values are needed. Derivatives are unchanged — compare with the model without
# checkpoints and with central differences, which know nothing about AD:

# %%
def two_layers_plain(x):
    return layer(layer(x)) ** 2

h = 1e-6
print("checkpointed:      ", ad.grad(two_layers)(0.8))
print("no checkpoints:    ", ad.grad(two_layers_plain)(0.8))
print("central difference:", (two_layers_plain(0.8 + h) - two_layers_plain(0.8 - h)) / (2 * h))

# %% [markdown]
# ## 3. Where to put the checkpoints
#
# Checkpoint *segments* of $k$ layers instead of single layers: `ad.checkpoint(layers,
# static_argnums=(1,))` makes the layer count a fixed, non-differentiated argument. Two things pull in
# opposite directions:
#
# * the forward pass keeps one output per block: **fewer, longer blocks keep less**;
# * while the sweep is inside a block it holds that block's recomputed intermediates: **shorter blocks
#   hold less at a time**.
#
# The worst moment of the sweep holds both: everything kept, plus the largest block's intermediates.
# Count them on traces of the 16-layer model for every segment length, and measure what the tape really
# keeps after the forward pass and the real peak during `ad.grad`:

# %%
segment = ad.checkpoint(layers, static_argnums=(1,))


def model_in_segments(x, depth, k, covered=None):
    """The model with its first `covered` layers checkpointed in segments of k (all of them by default)."""
    covered = depth if covered is None else covered
    for _ in range(covered // k):
        x = segment(x, k)
    x = layers(x, depth - covered // k * k)
    return np.sum(x**2)


def worst_moment(t):
    """Values held at the sweep's worst moment: all that is kept, plus the largest block's intermediates."""
    largest = max((len(block.intermediates) for block in t.checkpoints), default=0)
    return t.memory().values_kept + largest, largest

# %%
depth = 16
lengths = [1, 2, 4, 8, 16]
print("             counted on the trace (values)                 measured (vectors of 50,000 numbers)")
print("   k   kept   largest block   worst moment   recomputed   tape after forward   peak of ad.grad")
rows = []
for k in lengths:
    t = ad.trace(model_in_segments, x_small, depth=depth, k=k)
    worst, largest = worst_moment(t)
    tape = held_after(lambda: ad.vjp(lambda x: model_in_segments(x, depth, k), x_big)) / vector
    top = peak_during(lambda: ad.grad(lambda x: model_in_segments(x, depth, k))(x_big)) / vector
    rows.append((k, t.memory().values_kept, largest, worst, t.reverse().recomputed, tape, top))
    print(f"{k:4d}   {rows[-1][1]:4d}   {largest:13d}   {worst:12d}   {rows[-1][4]:10d}   {tape:18.1f}   {top:15.1f}")
t = ad.trace(model, x_small, depth=depth)
print(f"no checkpoints: {t.memory().values_kept} values kept, nothing recomputed; measured: tape "
      f"{held_after(lambda: ad.vjp(lambda x: model(x, depth), x_big)) / vector:.1f}, peak "
      f"{peak_during(lambda: ad.grad(lambda x: model(x, depth))(x_big)) / vector:.1f} vectors")
lowest = min(r[6] for r in rows)
tied = [str(r[0]) for r in rows if r[6] <= lowest + 0.5]   # half a vector apart or less: a tie
print("lowest measured peak with segments of", " and ".join(tied),
      "(a tie: within half a vector)" if len(tied) > 1 else "",
      "; lowest counted worst moment with segments of", min(rows, key=lambda r: r[3])[0])

# %% [markdown]
# Every segmentation recomputes each layer once — one extra forward pass, whatever $k$ — but the worst
# moment is lowest in the middle, in the counts and in the measured peak alike. With $L$ layers of $p$
# values each and segments of $k$ layers, about $L/k + pk$ values are held, smallest near
# $k = \sqrt{L/p}$. On the trace $p = 4$, and $k = 2$ wins clearly. The measured vectors are fewer,
# because the real tape keeps only what its rules read, about two vectors per layer instead of four:
# with $p = 2$, $L/k + pk$ is the same for $k = 2$ and $k = 4$ ($8 + 4 = 4 + 8$), the best length
# $\sqrt{16/2} \approx 2.8$ lies between them, and the measured peaks at 2 and 4 are a tie (the line
# under the table lists every length within half a vector of the lowest). Either way memory grows like
# $\sqrt{L}$ instead of $L$, for the price of one extra forward pass (Chen et al., 2016, and Griewank's earlier *revolve*,
# which nests checkpoints to reach logarithmic memory, recomputing each step a logarithmic number of
# times).
#
# Checkpointing only *some* layers gives every trade-off in between. The left plot shows the two
# opposing terms; the right one shows every way to checkpoint the first $c$ layers of the 16 in
# segments of $k$ — memory against recomputation:

# %%
options = []
for k in lengths:
    for blocks in range(0, depth // k + 1):
        t = ad.trace(model_in_segments, x_small, depth=depth, k=k, covered=blocks * k)
        options.append((k, t.reverse().recomputed, worst_moment(t)[0]))

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
ks = [r[0] for r in rows]
left.plot(ks, [r[1] for r in rows], "o--", color="#1d4ed8", label="kept by the forward pass")
left.plot(ks, [r[2] for r in rows], "s--", color="#c2410c", label="largest block, recomputed")
left.plot(ks, [r[3] for r in rows], "D-", color="black", label="worst moment: their sum")
left.set_xscale("log", base=2)
left.set_xticks(ks, [str(k) for k in ks])
left.set_xlabel("segment length k (layers per checkpoint)")
left.set_ylabel("values held")
left.set_title(f"{depth} layers, every layer checkpointed")
left.legend(fontsize=8)
colours = {1: "#1d4ed8", 2: "#059669", 4: "#c2410c", 8: "#7c3aed", 16: "#6b7280"}
for k in lengths:
    mine = [(r, m) for kk, r, m in options if kk == k]
    right.plot([r for r, _ in mine], [m for _, m in mine], "o-", color=colours[k], ms=4, label=f"segments of {k}")
right.set_xlabel("values recomputed in the reverse sweep")
right.set_ylabel("values held at the worst moment")
right.set_title("memory against recomputation")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
plt.tight_layout()
plt.show()
best = min(options, key=lambda o: o[2])
print(f"lowest worst moment: {best[2]} values (segments of {best[0]}), against "
      f"{max(o[2] for o in options)} without checkpoints; it recomputes {best[1]} values")

# %% [markdown]
# Each line starts on the left at the model without checkpoints (nothing recomputed, everything kept)
# and moves right as more layers are checkpointed. Short segments buy memory steadily; long segments
# help only once most layers are covered, and a single block around everything saves nothing at all —
# its recomputation holds what the tape would have held.
#
# ## Exercises
#
# ### A · The counts as formulas
#
# Write the counts of this lesson as formulas in `depth` and `k` (for a `depth` divisible by `k`), for
# the program `model` of section 1 and its segmented version `model_in_segments` of section 3:
#
# * `tape_values(depth)`: the values the forward pass keeps without checkpoints (every node: the input,
#   the layers' nodes, the two nodes of the loss);
# * `peak_values(depth, k)`: the values held at the worst moment of the sweep when every layer is
#   checkpointed in segments of `k` layers.
#
# The check compares your formulas with the traces for many depths and segment lengths.

# %% tags=["exercise"] grade_id="formulas-answer"
def tape_values(depth):
    """Values kept for the reverse sweep of model(x, depth), without checkpoints."""
    ### BEGIN SOLUTION
    return 1 + 4 * depth + 2
    ### END SOLUTION


def peak_values(depth, k):
    """Values held at the worst moment of the sweep, with segments of k layers checkpointed."""
    ### BEGIN SOLUTION
    kept_by_forward = 1 + depth // k + 2      # the input, one output per block, the loss's two nodes
    return kept_by_forward + 4 * k - 1        # plus one block's intermediates (its output is kept already)
    ### END SOLUTION

# %% tags=["check"] grade_id="formulas-check" points=2
course.check_formulas(tape_values, peak_values)

# %% [markdown]
# ### B · A model within a memory budget
#
# Write `checkpointed_model(x)`: the same function as `model(x, 12)` — twelve layers, then
# $\sum_i x_i^2$ — checkpointed with `segment` (from section 3) so that the reverse sweep never holds
# more than **16 values** at once. Its value and gradient must not change. Your formula from exercise A
# (or a few traces) tells you which segment length fits.

# %% tags=["exercise"] grade_id="budget-answer"
def checkpointed_model(x):
    """sum(layers(x, 12) ** 2), with the reverse sweep holding at most 16 values at a time."""
    ### BEGIN SOLUTION
    for _ in range(6):
        x = segment(x, 2)
    return np.sum(x**2)
    ### END SOLUTION

# %% tags=["check"] grade_id="budget-check" points=3
course.check_checkpointed_model(checkpointed_model)

# %% [markdown]
# ## Summary
#
# * Reverse mode keeps values from the forward pass for the sweep: its memory is **linear in the
#   program's length**. Forward mode keeps no tape.
# * A tape for derivatives keeps only what its rules read; the trace, made for people, keeps every value.
# * `ad.checkpoint` keeps only a block's inputs and outputs and **recomputes** the rest when the reverse
#   sweep gets there: same derivatives, less memory, one more forward pass of the block.
# * Segments balance what is kept against what one recomputation holds: about $\sqrt{L}$ memory for
#   $L$ layers. Nesting checkpoints (revolve) goes further, to logarithmic memory.
#
# **Next:** lesson 12 looks inside AD systems themselves: operator overloading, tracing and source
# transformation.

# %% [markdown]
# ## Further reading
#
# * A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind,
#   [*Automatic differentiation in machine learning: a survey*](https://jmlr.org/papers/v18/17-468.html),
#   JMLR 18(153), 2018: §3 on the memory reverse mode needs, and why forward mode needs none.
# * A. Griewank, A. Walther, *Evaluating Derivatives: Principles and Techniques of Algorithmic
#   Differentiation*, 2nd ed., SIAM, 2008. Ch. 3–4 for the cost of the modes, including memory;
#   ch. 12, "Reversal Schedules and Checkpointing", for *revolve* and binomial checkpointing.
# * T. Chen, B. Xu, C. Zhang, C. Guestrin, [*Training Deep Nets with Sublinear Memory
#   Cost*](https://arxiv.org/abs/1604.06174), 2016: the $\sqrt{L}$ segments of section 3, for networks.
# * The JAX [autodiff cookbook](https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html), and
#   JAX's `jax.checkpoint` documentation, whose API `ad.checkpoint` follows (its `policy` saves chosen
#   intermediates; adviz recomputes whole blocks).
# * A. Karpathy, [micrograd](https://github.com/karpathy/micrograd): every `Value` keeps its operands
#   (`_prev`) alive as long as the result is alive — the tape of this lesson, held by the graph's
#   references.
