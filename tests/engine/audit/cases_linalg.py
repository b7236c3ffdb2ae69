"""np.linalg as autograd's test_linalg (and JAX's linalg grad tests) differentiate it: batched
shapes, UPLO, full_matrices/compute_uv, every norm ord/axis combination."""

from __future__ import annotations

import numpy as np

from .core import SEED, Case, check

R = np.random.default_rng(2 + SEED)
CASES: list[Case] = []
la = np.linalg


def randn(*shape):
    return R.standard_normal(shape)


def C(name, f, *args, **opts):
    CASES.append(Case(f"linalg {name}", lambda: check(f, args, what=name, **opts), "linalg"))


def T(a):
    return np.swapaxes(a, -1, -2)


def sym(f):
    """Differentiate ``f`` of a symmetric matrix through its lower triangle (autograd's practice)."""
    return lambda a, *rest: f((np.tril(a) + T(np.tril(a))) / 2.0, *rest)


def psd(d, *batch):
    m = randn(*batch, d, d)
    return m @ T(m) + d * np.eye(d)


def well(d, *batch):
    return randn(*batch, d, d) + 4.0 * np.eye(d)


C("inv", la.inv, well(4))
C("inv 3d", la.inv, well(3, 2), order=1)
C("inv 4d", la.inv, well(2, 2, 2), order=1)
B43 = randn(4, 3)
W4 = well(4)
C("solve arg1", lambda a: la.solve(a, B43), well(4))
C("solve arg1 1d", lambda a, b: la.solve(a, b), well(4), randn(4))
C("solve arg2", lambda b: la.solve(W4, b), randn(4, 3))
C("solve both", la.solve, well(3), randn(3, 2))
C("solve 3d batched b matrix", la.solve, well(3, 2), randn(2, 3, 2), order=1)
C("solve 3d A with 1d b", la.solve, well(3, 2), randn(3), order=1)
C("det", la.det, randn(4, 4))
C("det 3d", la.det, randn(3, 3, 3), order=1)
C("det 1x1", la.det, randn(1, 1))
C("slogdet logdet", lambda x: la.slogdet(x)[1], randn(4, 4))
C("slogdet logdet negated", lambda x: la.slogdet(-x)[1], randn(4, 4))
C("slogdet 3d", lambda x: np.sum(la.slogdet(x)[1]), psd(3, 2), order=1)
C("slogdet attribute", lambda x: la.slogdet(x).logabsdet * la.slogdet(x).sign, well(3))
C("norm vector 2", la.norm, randn(6))
C("norm frobenius", la.norm, randn(4, 3))
C("norm frobenius axis (0,1)", lambda x: la.norm(x, axis=(0, 1)), randn(4, 3, 2), order=1)
for ord_ in (1, 2, 3, 4, 0.5, np.inf, -np.inf, -1, -2, 0):
    C(f"norm vector ord={ord_}", lambda x, o=ord_: la.norm(x, ord=o), R.permutation(6) * 0.3 + 0.2 * randn(6) + 0.1)
for axis in (0, 1, 2, -1):
    C(f"norm axis={axis}", lambda x, a=axis: la.norm(x, axis=a), randn(4, 3, 2), order=1)
    C(f"norm axis={axis} keepdims", lambda x, a=axis: la.norm(x, axis=a, keepdims=True), randn(4, 3, 2), order=1)
for ord_ in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
    C(f"norm matrix ord={ord_}", lambda x, o=ord_: la.norm(x, ord=o), randn(4, 3))
    C(f"norm matrix ord={ord_} axis=(0,1) 3d", lambda x, o=ord_: la.norm(x, ord=o, axis=(0, 1)), randn(4, 3, 2), order=1)
    C(f"norm matrix ord={ord_} axis=(2,0) keepdims", lambda x, o=ord_: la.norm(x, ord=o, axis=(2, 0), keepdims=True),
      randn(3, 2, 4), order=1)
C("norm nuclear", lambda x: la.norm(x, ord="nuc"), randn(5, 4))
C("vector_norm", lambda x: la.vector_norm(x, ord=3), randn(4))
C("matrix_norm", lambda x: la.matrix_norm(x), randn(3, 3))
for uplo in ("L", "U"):
    C(f"eigh {uplo}", sym(lambda a, u=uplo: la.eigh(a, u)), psd(4))
    C(f"eigh {uplo} broadcasting", sym(lambda a, u=uplo: tuple(la.eigh(a, UPLO=u))), psd(3, 2, 2), order=1)
    C(f"eigvalsh {uplo}", sym(lambda a, u=uplo: la.eigvalsh(a, UPLO=u)), psd(4))
C("eigh unsymmetrised input (NumPy reads the lower triangle)", lambda a: la.eigh(a)[0], psd(3) + np.triu(randn(3, 3), 1))
C("eigh namedtuple", sym(lambda a: la.eigh(a).eigenvalues), psd(3))
C("cholesky", sym(la.cholesky), psd(4))
C("cholesky broadcast", sym(la.cholesky), psd(3, 2), order=1)
C("cholesky reparameterization", sym(lambda a: la.norm(la.cholesky(a) @ np.random.default_rng(0).standard_normal(3))), psd(3))
C("cholesky upper", sym(lambda a: la.cholesky(a, upper=True)), psd(3))
for m, n in ((3, 5), (4, 4), (5, 3)):
    C(f"svd {m}x{n}", lambda x: tuple(la.svd(x, full_matrices=False)), randn(m, n), order=1)
    C(f"svd {m}x{n} batched", lambda x: tuple(la.svd(x, full_matrices=False)), randn(2, m, n), order=1)
    C(f"svd {m}x{n} only s", lambda x: la.svd(x, compute_uv=False), randn(m, n))
    C(f"svd {m}x{n} only s batched", lambda x: la.svd(x, full_matrices=False, compute_uv=False), randn(2, m, n), order=1)
    C(f"svdvals {m}x{n}", la.svdvals, randn(m, n), order=1)
C("svd full_matrices square", lambda x: tuple(la.svd(x)), randn(3, 3), order=1)
C("svd reconstruct", lambda x: (lambda u, s, vt: (u * s) @ vt)(*la.svd(x, full_matrices=False)), randn(3, 4))
C("qr", lambda x: tuple(la.qr(x)), randn(4, 3))
C("qr wide", lambda x: tuple(la.qr(x)), randn(3, 4), order=1)
C("qr square batched", lambda x: tuple(la.qr(x)), randn(2, 3, 3), order=1)
C("qr r only", lambda x: la.qr(x, mode="r"), randn(4, 3), order=1)
C("pinv", la.pinv, randn(4, 3))
C("pinv wide", la.pinv, randn(2, 4), order=1)
C("pinv batched", la.pinv, randn(2, 3, 2), order=1)
C("matrix_power 3", lambda x: la.matrix_power(x, 3), randn(3, 3))
C("matrix_power -2", lambda x: la.matrix_power(x, -2), well(3))
C("matrix_power 0", lambda x: la.matrix_power(x, 0) + x, randn(2, 2), order=1)
C("multi_dot", lambda a, b, c: la.multi_dot([a, b, c]), randn(2, 3), randn(3, 4), randn(4, 2), order=1)
C("tensorinv", lambda x: la.tensorinv(x, ind=2), randn(2, 3, 6) + np.eye(6).reshape(2, 3, 6) * 3, order=1)
C("tensorsolve", lambda a, b: la.tensorsolve(a, b), randn(6, 2, 3) + np.eye(6).reshape(6, 2, 3) * 3, randn(6), order=1)
C("outer+inv composite", lambda x: np.sum(la.inv(np.eye(3) + np.outer(x, x))), randn(3))
C("lstsq solution", lambda a, b: la.lstsq(a, b, rcond=None)[0], randn(5, 3), randn(5), order=1)
C("cond 2", lambda x: la.cond(x), well(3), order=1)
C("cond fro", lambda x: la.cond(x, "fro"), well(3), order=1)
C("matrix_rank passthrough", lambda x: x * la.matrix_rank(x), well(2), order=1)
C("trace of inv", lambda x: np.trace(la.inv(x)), well(3))
C("logdet via cholesky", sym(lambda a: 2 * np.sum(np.log(np.diag(la.cholesky(a))))), psd(3))
C("linalg.diagonal", lambda x: la.diagonal(x, offset=1), randn(3, 3), order=1)
C("linalg.trace", lambda x: la.trace(x), randn(3, 3), order=1)
C("linalg.outer", la.outer, randn(2), randn(3), order=1)
C("linalg.cross", la.cross, randn(3), randn(3), order=1)
C("linalg.matmul", la.matmul, randn(2, 3), randn(3, 2), order=1)
C("linalg.vecdot", la.vecdot, randn(2, 3), randn(2, 3), order=1)
C("linalg.tensordot", lambda a, b: la.tensordot(a, b, axes=1), randn(2, 3), randn(3, 2), order=1)
C("eigvals of symmetric (real)", sym(lambda a: np.sort(np.real(la.eigvals(a)))), psd(3), order=1)


# third order: the Hessian of each scalar function differentiated once more, forward (jvp of
# hessian) and reverse (grad of <u, hessian>), against central differences of the Hessian
def third_order(name, f, x):
    def run():
        from .core import close, directional

        import adviz as ad

        rng = np.random.default_rng(11)
        v = rng.standard_normal(x.shape)
        H = lambda z: ad.hessian(f)(z)  # noqa: E731
        ref, err = directional(H, [x], [v])
        close(ad.jvp(H, (x,), (v,))[1], ref[0], err[0], f"{name}: jvp of hessian", rtol=1e-4)
        u = rng.standard_normal(x.shape * 2)
        g3 = ad.grad(lambda z: np.sum(ad.hessian(f)(z) * u))(x)
        close(np.sum(g3 * v), np.sum(u * ref[0]), 1e-5, f"{name}: grad of <u, hessian>", rtol=1e-4)

    CASES.append(Case(f"linalg third order {name}", run, "linalg"))


A3, S3 = randn(3, 3), psd(3)
third_order("logdet", lambda a: la.slogdet(a)[1], S3)
third_order("det", la.det, A3)
third_order("sum inv²", lambda a: np.sum(la.inv(a) ** 2), S3)
third_order("largest eigvalsh", sym(lambda a: la.eigvalsh(a)[-1]), S3)
third_order("eigh vector", sym(lambda a: np.sum(la.eigh(a)[1][:, 0] ** 2 * np.arange(3.0))), S3)
third_order("top singular value", lambda a: la.svd(a, compute_uv=False)[0], A3)
third_order("sum cholesky", sym(lambda a: np.sum(la.cholesky(a))), S3)
third_order("nuclear norm", lambda a: la.norm(a, "nuc"), A3)
third_order("spectral norm", lambda a: la.norm(a, 2), A3)
third_order("pinv of tall", lambda a: np.sum(la.pinv(a[:, :2]) ** 2), A3)
third_order("qr R weighted", lambda a: np.sum(la.qr(a)[1] ** 2 * np.arange(9.0).reshape(3, 3)), A3)
third_order("solve", lambda a: np.sum(la.solve(a, np.arange(3.0)) ** 2), S3)
