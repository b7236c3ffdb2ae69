"""The probe's harness: independent references (central differences with a Richardson error
estimate, second differences for second order) and the pass / wrong / crash / refused tally.
It shares no code with ``check_grads.py`` on purpose."""
from __future__ import annotations

import os
import traceback
import warnings
from collections import Counter, defaultdict

import numpy as np

import adviz as ad
from adviz.engine.tracer import UnsupportedOperation, EscapedTracerError

warnings.simplefilter("ignore")
np.seterr(all="ignore")

SEED = int(os.environ.get("PROBE_SEED", "0"))
RESULTS = Counter()
DETAILS = defaultdict(list)


class Wrong(Exception):
    pass


def classify(exc: BaseException) -> str:
    if isinstance(exc, (UnsupportedOperation, EscapedTracerError)) or (isinstance(exc, MemoryError) and "ADVIZ_MAX_BATCH" in str(exc)):
        return "refused"
    if isinstance(exc, Wrong):
        return "wrong"
    tb = traceback.extract_tb(exc.__traceback__)
    last = tb[-1].filename if tb else ""
    # a ValueError/TypeError raised by adviz itself with a message is a refusal
    if isinstance(exc, (ValueError, TypeError)) and "/adviz/" in last and "raise" in (tb[-1].line or ""):
        return "refused"
    return "crash"


def record(name, fn):
    try:
        fn()
        RESULTS["pass"] += 1
    except BaseException as exc:  # noqa
        if isinstance(exc, KeyboardInterrupt):
            raise
        kind = classify(exc)
        RESULTS[kind] += 1
        msg = f"{type(exc).__name__}: {str(exc)[:300]}"
        if kind == "crash":
            tb = traceback.extract_tb(exc.__traceback__)
            msg += " @ " + " <- ".join(f"{f.filename.split('/')[-1]}:{f.lineno}" for f in tb[-3:])
        DETAILS[kind].append(f"{name}: {msg}")


# ----------------------------------------------------------------- references


def f64(a):
    return np.asarray(a, dtype=np.float64)


def flat_out(y):
    """Flatten a pytree output of plain numpy to a float64 vector."""
    if isinstance(y, (tuple, list)):
        return np.concatenate([flat_out(v) for v in y]) if len(y) else np.zeros(0)
    if isinstance(y, dict):
        return np.concatenate([flat_out(y[k]) for k in sorted(y)]) if y else np.zeros(0)
    return np.ravel(np.asarray(y, dtype=np.float64))


def fd_dir(f, args, dirs, h=1e-4):
    """Directional derivative of f (as flat vector) along dirs, 4th order + Richardson error."""

    def at(t):
        return flat_out(f(*[a + t * d for a, d in zip(args, dirs)]))

    def cd(h):
        return (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h)

    d1, d2 = cd(h), cd(h / 2)
    return d2, np.abs(d1 - d2) + 1e-9 * (1 + np.abs(at(0.0)))


def close(got, ref, err, what, rtol=1e-5, atol=1e-7):
    got = flat_out(got)
    ref = np.ravel(np.asarray(ref, dtype=np.float64))
    err = np.broadcast_to(np.ravel(np.asarray(err, dtype=np.float64)), ref.shape) if np.size(err) in (1, ref.size) else np.ravel(err)
    if got.shape != ref.shape:
        raise Wrong(f"{what}: shape {got.shape} vs ref {ref.shape}")
    both_nan = (np.isnan(got) & np.isnan(ref)) | (got == ref)
    tol = atol + rtol * np.abs(ref) + 10 * err
    bad = ~both_nan & ~(np.abs(got - ref) <= tol)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise Wrong(f"{what}: got {got[i]!r} ref {ref[i]!r} (idx {i}, err {err[i]:.2e})")


def fd_jacobian(f, args, h=1e-4):
    """Full Jacobian blocks per argument by FD: list of (m, n_i)."""
    cols = []
    errs = []
    for i, a in enumerate(args):
        a = f64(a)
        ci, ei = [], []
        for j in range(a.size):
            e = np.zeros(a.size)
            e[j] = 1.0
            dirs = [np.zeros_like(f64(b)) for b in args]
            dirs[i] = e.reshape(a.shape)
            d, err = fd_dir(f, [f64(b) for b in args], dirs, h)
            ci.append(d)
            ei.append(err)
        cols.append((np.array(ci).T if ci else None, np.array(ei).T if ei else None))
    return cols


def rand_like(rng, a):
    return rng.standard_normal(np.shape(a))


def check_first_order(name, f, args, rng, scalar_out=None, do_jac=True, rtol=1e-5):
    """jvp, vjp, grad, jacfwd, jacrev vs FD."""
    args64 = [f64(a) for a in args]
    y = f(*args)
    yflat = flat_out(y)
    m = yflat.size
    argnums = tuple(range(len(args)))
    dirs = [rand_like(rng, a) for a in args]

    def t_jvp():
        yv, tv = ad.jvp(f, tuple(args), tuple(dirs))
        close(yv, yflat, np.zeros(m), "jvp primal", rtol=1e-12, atol=1e-12)
        ref, err = fd_dir(f, args64, dirs)
        close(tv, ref, err, "jvp tangent", rtol=rtol)

    record(f"{name} jvp", t_jvp)

    def t_vjp():
        yv, fn = ad.vjp(f, *args)
        close(yv, yflat, np.zeros(m), "vjp primal", rtol=1e-12, atol=1e-12)
        w = rng.standard_normal(np.shape(y)) if not isinstance(y, (tuple, list, dict)) else None
        if w is None:
            return
        if np.ndim(y) == 0 and not isinstance(y, np.ndarray):
            w = float(w)
        cots = fn(w)
        assert isinstance(cots, tuple) and len(cots) == len(args), "vjp_fn not tuple per primal"
        for c, a in zip(cots, args):
            if np.shape(c) != np.shape(a):
                raise Wrong(f"vjp cotangent shape {np.shape(c)} vs arg {np.shape(a)}")
        lhs = sum(float(np.sum(f64(c) * d)) for c, d in zip(cots, dirs))
        ref, err = fd_dir(f, args64, dirs)
        rhs = float(np.sum(ref * np.ravel(w)))
        rerr = float(np.sum(np.abs(err * np.ravel(w))))
        close(lhs, rhs, np.array(rerr), "vjp dot identity", rtol=rtol)

    record(f"{name} vjp", t_vjp)

    if m == 1 and np.ndim(y) == 0 and not isinstance(y, (tuple, list, dict)):

        def t_grad():
            g = ad.grad(f, argnums=argnums)(*args)
            v, g2 = ad.value_and_grad(f, argnums=argnums)(*args)
            close(v, yflat, np.zeros(1), "value_and_grad value", rtol=1e-12, atol=1e-12)
            ref, err = fd_dir(f, args64, dirs)
            got = sum(float(np.sum(f64(gi) * d)) for gi, d in zip(g, dirs))
            close(got, ref, err, "grad", rtol=rtol)
            for gi, g2i, a in zip(g, g2, args):
                if np.shape(gi) != np.shape(a):
                    raise Wrong(f"grad shape {np.shape(gi)} vs {np.shape(a)}")
                close(g2i, flat_out(gi), np.zeros(np.size(gi)), "vg vs grad", rtol=1e-12, atol=1e-14)

        record(f"{name} grad", t_grad)

    n = sum(np.size(a) for a in args)
    if do_jac and n * max(m, 1) <= 400 and not isinstance(y, (tuple, list, dict)):
        blocks = fd_jacobian(f, args)
        for tr_name, tr in (("jacfwd", ad.jacfwd), ("jacrev", ad.jacrev)):

            def t_jac(tr=tr, tr_name=tr_name):
                J = tr(f, argnums=argnums)(*args)
                for i, (Ji, a) in enumerate(zip(J, args)):
                    exp_shape = np.shape(y) + np.shape(a)
                    if np.shape(Ji) != exp_shape:
                        raise Wrong(f"{tr_name} shape {np.shape(Ji)} vs {exp_shape}")
                    ref, err = blocks[i]
                    if ref is None:
                        continue
                    close(np.reshape(f64(Ji), (m, np.size(a))), ref.reshape(m, np.size(a)), err.reshape(m, np.size(a)), tr_name, rtol=rtol)

            record(f"{name} {tr_name}", t_jac)


def second_fd(g, x, u, v, h=1e-3):
    """u^T H v of scalar g at x by FD (4-point) + Richardson error."""

    def q(h):
        return (g(x + h * u + h * v) - g(x + h * u - h * v) - g(x - h * u + h * v) + g(x - h * u - h * v)) / (4 * h * h)

    a, b = q(h), q(h / 2)
    # Richardson: error O(h^2)
    r = (4 * b - a) / 3
    return r, abs(a - b) + 1e-6 * (1 + abs(g(x)))


def check_second_order(name, f, x, rng, rtol=1e-4):
    """f: array -> array. Checks hessian, jvp-of-grad, grad-of-grad, jacfwd(jacrev), jacrev(jacrev) on <w,f>."""
    x64 = f64(x)
    y = f(x)
    w = rng.standard_normal(np.shape(y))

    def g(z):
        return float(np.sum(w * f(z)))

    def g_tr(z):
        return np.sum(w * f(z))

    u = rng.standard_normal(np.shape(x))
    v = rng.standard_normal(np.shape(x))
    ref, err = second_fd(g, x64, u, v)

    def t_hess():
        H = ad.hessian(g_tr)(x)
        if np.shape(H) != np.shape(x) * 2:
            raise Wrong(f"hessian shape {np.shape(H)}")
        Hm = np.reshape(f64(H), (np.size(x), np.size(x)))
        close(u.ravel() @ Hm @ v.ravel(), ref, np.array(err), "hessian", rtol=rtol, atol=1e-5)

    record(f"{name} hessian", t_hess)

    def t_jvp_grad():
        _, t = ad.jvp(ad.grad(g_tr), (x,), (v,))
        close(np.sum(f64(t) * u), ref, np.array(err), "jvp(grad)", rtol=rtol, atol=1e-5)

    record(f"{name} jvp(grad)", t_jvp_grad)

    def t_grad_grad():
        # grad of <grad g, v>
        h = ad.grad(lambda z: np.sum(ad.grad(g_tr)(z) * v))(x)
        close(np.sum(f64(h) * u), ref, np.array(err), "grad(grad)", rtol=rtol, atol=1e-5)

    record(f"{name} grad(grad)", t_grad_grad)

    def t_rev_rev():
        H = ad.jacrev(ad.jacrev(g_tr))(x)
        Hm = np.reshape(f64(H), (np.size(x), np.size(x)))
        close(u.ravel() @ Hm @ v.ravel(), ref, np.array(err), "jacrev(jacrev)", rtol=rtol, atol=1e-5)

    record(f"{name} jacrev(jacrev)", t_rev_rev)

    def t_fwd_fwd():
        H = ad.jacfwd(ad.jacfwd(g_tr))(x)
        Hm = np.reshape(f64(H), (np.size(x), np.size(x)))
        close(u.ravel() @ Hm @ v.ravel(), ref, np.array(err), "jacfwd(jacfwd)", rtol=rtol, atol=1e-5)

    record(f"{name} jacfwd(jacfwd)", t_fwd_fwd)


def run_cases(cases, rng, *, float32_rtol=None, second_up_to=0):
    """Check each ``(name, f, args, second)`` case: first order always, second order (in the
    first argument) when ``second`` says so or, with ``second_up_to``, for a single input of
    at most that many entries.  A case NumPy itself cannot evaluate is reported and skipped.
    ``float32_rtol``: the tolerance for cases with float32 inputs (default: the usual one)."""
    for name, f, args, second in cases:
        try:
            with np.errstate(all="ignore"):
                f(*args)
        except Exception as e:
            print("numpy itself fails:", name, e)
            continue
        f32 = float32_rtol is not None and any(np.asarray(a).dtype == np.float32 for a in args)
        check_first_order(name, f, args, rng, rtol=float32_rtol if f32 else 1e-5)
        if second or (len(args) == 1 and np.size(args[0]) <= second_up_to):
            if len(args) == 1:
                check_second_order(name, f, args[0], rng)
            else:
                check_second_order(name + " arg0", lambda a, f=f, rest=args[1:]: f(a, *rest), args[0], rng)


def summary():
    total = sum(RESULTS.values())
    print(f"TOTAL {total}: " + ", ".join(f"{k}={v}" for k, v in sorted(RESULTS.items())))
    for kind in ("wrong", "crash", "refused"):
        items = DETAILS[kind]
        print(f"\n=== {kind} ({len(items)}) ===")
        for s in items:
            print("  " + s)


def expect(name, thunk, ref=None, rtol=1e-7, atol=1e-10):
    def t():
        got = thunk()
        if ref is not None:
            r = ref() if callable(ref) else ref
            close(got, flat_out(r), np.zeros(np.size(flat_out(r))), name, rtol=rtol, atol=atol)
    record(name, t)
