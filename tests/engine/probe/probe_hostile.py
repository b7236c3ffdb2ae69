"""Hostile probes: each prints OK / WRONG / CRASH / REFUSED with detail."""
import math
import sys
import numpy as np
from harness import *  # noqa
import adviz as ad

rng = np.random.default_rng(1)


def expect(name, thunk, ref=None, rtol=1e-7, atol=1e-10):
    def t():
        got = thunk()
        if ref is not None:
            r = ref() if callable(ref) else ref
            close(got, flat_out(r), np.zeros(np.size(flat_out(r))), name, rtol=rtol, atol=atol)
    record(name, t)


x0 = 0.7
# in-place ops on traced arrays
def inplace1(x):
    a = np.zeros(3)
    a[0] = x
    return np.sum(a * 2)
expect("a[0]=x into numpy", lambda: ad.grad(inplace1)(x0), 2.0)

def inplace2(x):
    a = np.ones(3)
    a += x
    return np.sum(a)
expect("numpy a += x", lambda: ad.grad(inplace2)(x0), 3.0)

def inplace3(x):
    y = x * 1.0
    y[0] = 5.0
    return np.sum(y)
expect("traced y[0]=const", lambda: ad.grad(inplace3)(np.array([1.0, 2.0, 3.0])), [0.0, 1.0, 1.0])

def inplace4(x):
    y = x * 2.0
    y += x
    y *= x
    return np.sum(y)
xv = np.array([1.0, 2.0])
expect("traced +=,*=", lambda: ad.grad(inplace4)(xv), 6 * xv)
expect("traced +=,*= input unchanged", lambda: (ad.grad(inplace4)(xv), xv)[1], [1.0, 2.0])

def inplace5(x):
    a = np.array([1.0, 2.0, 3.0])
    a[1:] = x[:2]
    return np.sum(a ** 2)
expect("numpy slice assign traced", lambda: ad.grad(inplace5)(np.array([1.0, 2.0, 3.0])), [2.0, 4.0, 0.0])

# np.array mixing tracer and float
expect("np.sin(np.array([x, 1.0]))", lambda: ad.grad(lambda x: np.sum(np.sin(np.array([x, 1.0]))))(x0), math.cos(x0))
expect("np.array([x,1.0])**2", lambda: ad.grad(lambda x: np.sum(np.array([x, 1.0]) ** 2))(x0), 2 * x0)
expect("np.exp(np.array([[x, 1.0],[2.0, x]]))", lambda: ad.grad(lambda x: np.sum(np.exp(np.array([[x, 1.0], [2.0, x]]))))(x0), 2 * math.exp(x0))
expect("np.array([x, y]) jacfwd", lambda: ad.jacfwd(lambda v: np.array([v[0] * v[1], np.sin(v[0])]))(np.array([1.0, 2.0])), [[2.0, 1.0], [math.cos(1.0), 0.0]])
expect("np.array([x], dtype=float)", lambda: ad.grad(lambda x: np.sum(np.array([x, 2.0], dtype=float) ** 2))(x0), 2 * x0)
expect("np.asarray([x, 1])", lambda: ad.grad(lambda x: np.sum(np.tanh(np.asarray([x, 1]))))(x0), 1 - math.tanh(x0) ** 2)
expect("np.array(list of 0-d traced)", lambda: ad.grad(lambda v: np.sum(np.cos(np.array([v[i] for i in range(3)]))))(np.array([0.1, 0.2, 0.3])), -np.sin([0.1, 0.2, 0.3]))
expect("np.array([x, 1.0]) sorted", lambda: ad.grad(lambda x: np.sort(np.array([x, 1.0]))[0])(x0), 1.0)
expect("np.array([[x]]) f32 dtype", lambda: ad.grad(lambda x: np.sum(np.array([x, 1.0], dtype=np.float32) ** 2))(x0), 2 * x0, rtol=1e-6)

# dtype kwargs
expect("sum dtype=float32", lambda: ad.grad(lambda x: np.sum(x, dtype=np.float32))(np.array([1.0, 2.0])), [1.0, 1.0])
expect("sum dtype=float32 value", lambda: ad.value_and_grad(lambda x: np.sum(x, dtype=np.float32))(np.array([1.0, 2.0 + 1e-12]))[0], np.sum(np.array([1.0, 2.0 + 1e-12]), dtype=np.float32))
expect("sum dtype=int", lambda: ad.grad(lambda x: np.sum(x ** 2, dtype=int) * 1.0 + np.sum(x))(np.array([1.5, 2.5])), [1.0, 1.0])
expect("mean dtype=float32", lambda: ad.grad(lambda x: np.mean(x, dtype=np.float32))(np.array([1.0, 2.0])), [0.5, 0.5])
expect("cumsum dtype", lambda: ad.jacfwd(lambda x: np.cumsum(x, dtype=np.float64))(np.array([1.0, 2.0])), [[1, 0], [1, 1]])
expect("astype float32", lambda: ad.grad(lambda x: np.sum(x.astype(np.float32) ** 2))(np.array([1.0, 2.0])), [2.0, 4.0], rtol=1e-6)
expect("astype int then use", lambda: ad.grad(lambda x: np.sum(x.astype(int) * x))(np.array([1.5, 2.5])), [1.0, 2.0])
expect("np.sin(x, dtype=f32)", lambda: ad.grad(lambda x: np.sin(x, dtype=np.float32))(0.5), math.cos(0.5), rtol=1e-6)
expect("np.add(x, 1, dtype=f32)", lambda: ad.grad(lambda x: np.add(x, 1.0, dtype=np.float32))(0.5), 1.0)

# out= / where=
def with_out(x):
    out = np.empty(2)
    np.sin(x, out=out)
    return np.sum(out)
expect("np.sin(x, out=numpy)", lambda: ad.grad(with_out)(np.array([0.1, 0.2])), np.cos([0.1, 0.2]))
def with_out2(x):
    out = np.zeros(2)
    r = np.multiply(x, 2.0, out=out)
    return np.sum(r)
expect("np.multiply(out=) returned", lambda: ad.grad(with_out2)(np.array([0.1, 0.2])), [2.0, 2.0])
def with_where(x):
    return np.sum(np.sin(x, where=np.array([True, False]), out=np.zeros(2)))
expect("np.sin(where=, out=)", lambda: ad.grad(with_where)(np.array([0.1, 0.2])), [math.cos(0.1), 0.0])
def with_where2(x):
    return np.sum(np.sqrt(x, where=x > 0))
expect("np.sqrt(where=) no out", lambda: ad.grad(with_where2)(np.array([4.0, 9.0])), [0.25, 1 / 6])
def sum_out(x):
    o = np.zeros(())
    np.sum(x, out=o)
    return o * 1.0
expect("np.sum(out=)", lambda: ad.grad(sum_out)(np.array([1.0, 2.0])), [1.0, 1.0])

# subclasses
expect("np.matrix input", lambda: ad.grad(lambda x: np.sum(np.sin(x)))(np.matrix([[1.0, 2.0]])), np.cos([[1.0, 2.0]]))
expect("np.matrix inside", lambda: ad.grad(lambda x: np.sum(np.matrix([[1.0, 2.0], [3.0, 4.0]]) @ x))(np.array([1.0, 1.0])), [4.0, 6.0])
expect("np.matrix * traced", lambda: ad.grad(lambda x: np.sum(np.asarray(np.matrix([[1.0, 2.0], [3.0, 4.0]]) * x)))(np.array([1.0, 1.0])), [4.0, 6.0])
expect("masked input", lambda: ad.grad(lambda x: np.sum(x ** 2))(np.ma.array([1.0, 2.0], mask=[False, True])), [2.0, 0.0])
expect("masked constant inside", lambda: ad.grad(lambda x: np.sum(np.ma.array([1.0, 2.0], mask=[False, True]) * x))(np.array([3.0, 4.0])), [1.0, 0.0])
expect("object array input", lambda: ad.grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0], dtype=object)), [2.0, 4.0])
expect("object array of traced", lambda: ad.grad(lambda x: np.sum(np.array([x, x * x], dtype=object) * 1.0))(x0), 1 + 2 * x0)
expect("object array np.sin", lambda: ad.grad(lambda x: np.sum(np.sin(np.array([x, 1.0], dtype=object))))(x0), math.cos(x0))

# math module / python builtins
expect("math.sin(tracer)", lambda: ad.grad(lambda x: math.sin(x))(x0), math.cos(x0))
expect("math.exp(tracer)", lambda: ad.grad(lambda x: math.exp(x) * 2)(x0), 2 * math.exp(x0))
expect("math.sqrt(tracer)", lambda: ad.grad(lambda x: math.sqrt(x))(x0), 0.5 / math.sqrt(x0))
expect("math.fsum", lambda: ad.grad(lambda x: math.fsum([x, x]))(x0), 2.0)
expect("float(tracer)", lambda: ad.grad(lambda x: float(x) * x)(x0), x0)
expect("int(tracer) control", lambda: ad.grad(lambda x: x * int(x))(2.5), 2.0)
expect("bool(tracer)", lambda: ad.grad(lambda x: x ** 2 if bool(x > 0) else -x)(x0), 2 * x0)
expect("if x > 0", lambda: ad.grad(lambda x: x ** 2 if x > 0 else -x)(-x0), -1.0)
expect("while loop on traced", lambda: ad.grad(lambda x: (lambda: [y := x, [y := y * 2 for _ in range(3)]][-1][-1])())(x0), 8.0)
def whileloop(x):
    y = x
    while y < 10:
        y = y * 2
    return y
expect("while y < 10", lambda: ad.grad(whileloop)(1.5), 8.0)
expect("max builtin", lambda: ad.grad(lambda x, y: max(x, y), argnums=(0, 1))(1.0, 2.0), [0.0, 1.0])
expect("abs builtin", lambda: ad.grad(lambda x: abs(x))(-2.0), -1.0)
expect("round builtin", lambda: ad.grad(lambda x: round(x) * x)(2.3), 2.0)
expect("sum builtin list", lambda: ad.grad(lambda v: sum([v[0], v[1] ** 2]))(np.array([1.0, 3.0])), [1.0, 6.0])
expect("sum builtin array", lambda: ad.grad(lambda v: sum(v ** 2))(np.array([1.0, 3.0])), [2.0, 6.0])
expect("pow builtin", lambda: ad.grad(lambda x: pow(x, 3))(2.0), 12.0)
expect("complex(tracer)", lambda: ad.grad(lambda x: complex(x).real)(2.0), 1.0)
expect("x.item()", lambda: ad.grad(lambda x: x.item() * x)(2.0), 2.0)
expect("x.tolist()", lambda: ad.grad(lambda x: sum(x.tolist()))(np.array([2.0, 3.0])), [1.0, 1.0])
expect("list(x)", lambda: ad.grad(lambda x: sum(list(x)) * 1.0)(np.array([2.0, 3.0])), [1.0, 1.0])
expect("iter 2d", lambda: ad.grad(lambda x: sum(np.sum(r ** 2) for r in x))(np.array([[2.0, 3.0], [1.0, 0.0]])), [[4.0, 6.0], [2.0, 0.0]])
expect("len(x)", lambda: ad.grad(lambda x: np.sum(x) / len(x))(np.array([2.0, 3.0])), [0.5, 0.5])
expect("hash(tracer)", lambda: ad.grad(lambda x: x * len({x: 1}))(2.0), 1.0)
expect("x in list", lambda: ad.grad(lambda x: x * (1.0 if x in [2.0] else 3.0))(2.0), 1.0)
expect("np.isclose on tracer", lambda: ad.grad(lambda x: x * 2 if np.isclose(x, 2.0) else x)(2.0), 2.0)
expect("format tracer", lambda: ad.grad(lambda x: (f"{x:.3f}", x * 2)[1])(2.0), 2.0)
expect("str tracer", lambda: ad.grad(lambda x: (str(x), x * 2)[1])(2.0), 2.0)
expect("divmod", lambda: ad.grad(lambda x: divmod(x, 1.5)[1])(2.0), 1.0)

# powers / singular points
expect("x**0 at 0", lambda: ad.grad(lambda x: x ** 0)(0.0), 0.0)
expect("x**0 jacfwd arr", lambda: ad.jacfwd(lambda x: x ** 0)(np.array([0.0, 2.0])), np.zeros((2, 2)))
expect("x**0.0 at 0", lambda: ad.grad(lambda x: x ** 0.0)(0.0), 0.0)
expect("0**x at 1", lambda: ad.grad(lambda x: 0.0 ** x)(1.0), 0.0)
expect("0**x at 0 (jax: -inf? value 1)", lambda: ad.grad(lambda x: 0.0 ** x)(0.0), None)
expect("x**x at 0.5", lambda: ad.grad(lambda x: x ** x)(0.5), 0.5 ** 0.5 * (math.log(0.5) + 1))
expect("x**x at 0", lambda: ad.grad(lambda x: x ** x)(0.0), None)
expect("x**2 at 0", lambda: ad.grad(lambda x: x ** 2)(0.0), 0.0)
expect("x**1 at 0", lambda: ad.grad(lambda x: x ** 1)(0.0), 1.0)
expect("x**2 hess at 0", lambda: ad.hessian(lambda x: x ** 2)(0.0), 2.0)
expect("x**3 hess at 0", lambda: ad.hessian(lambda x: x ** 3)(0.0), 0.0)
expect("x**1 hess at 0", lambda: ad.hessian(lambda x: x ** 1)(0.0), 0.0)
expect("x**2 at -2", lambda: ad.grad(lambda x: x ** 2)(-2.0), -4.0)
expect("x**3 at -2", lambda: ad.grad(lambda x: x ** 3)(-2.0), 12.0)
expect("x**-1 at -2", lambda: ad.grad(lambda x: x ** -1)(-2.0), -0.25)
expect("x**2 (int y array) at -2", lambda: ad.grad(lambda x: np.power(x, np.array(2)))(-2.0), -4.0)
expect("x**2.0 at -2", lambda: ad.grad(lambda x: x ** 2.0)(-2.0), -4.0)
expect("x**3.0 hess at -2", lambda: ad.hessian(lambda x: x ** 3.0)(-2.0), -12.0)
expect("(-2)**y d/dy at 2", lambda: ad.grad(lambda y: (-2.0) ** y)(2.0), None)
expect("x**y wrt both at neg x, int y", lambda: ad.grad(lambda x, y: x ** y, argnums=0)(-2.0, 3.0), 12.0)
expect("x**y grad y at neg x", lambda: ad.grad(lambda x, y: x ** y, argnums=1)(-2.0, 3.0), None)
expect("float_power neg", lambda: ad.grad(lambda x: np.float_power(x, 3))(-2.0), 12.0)
expect("square of neg", lambda: ad.hessian(lambda x: np.square(x))(-2.0), 2.0)
expect("x**0.5 at 0", lambda: ad.grad(lambda x: x ** 0.5)(0.0), np.inf)
expect("sqrt at 0", lambda: ad.grad(np.sqrt)(0.0), np.inf)
expect("sqrt hess at 0", lambda: ad.hessian(np.sqrt)(0.0), None)
expect("log at 0", lambda: ad.grad(np.log)(0.0), np.inf)
expect("1/x at 0", lambda: ad.grad(lambda x: 1 / x)(0.0), None)
expect("x/0", lambda: ad.grad(lambda x: x / 0.0)(1.0), np.inf)
expect("0/x", lambda: ad.grad(lambda x: 0.0 / x)(1.0), 0.0)
expect("x/x at 0", lambda: ad.grad(lambda x: x / x)(0.0), None)
expect("arctan2 origin", lambda: ad.grad(lambda x, y: np.arctan2(y, x), argnums=(0, 1))(0.0, 0.0), None)
expect("arctan2 (-1,0)", lambda: ad.grad(lambda x, y: np.arctan2(y, x), argnums=(0, 1))(-1.0, 0.0), [0.0, -1.0])
expect("abs at 0", lambda: ad.grad(np.abs)(0.0), 0.0)
expect("exp overflow", lambda: ad.grad(np.exp)(1000.0), np.inf)
expect("exp underflow", lambda: ad.grad(np.exp)(-1000.0), 0.0)
expect("tanh large", lambda: ad.grad(np.tanh)(1000.0), 0.0)
expect("logaddexp large", lambda: ad.grad(lambda x: np.logaddexp(x, 0.0))(1000.0), 1.0)
expect("logaddexp -inf both", lambda: ad.grad(lambda x: np.logaddexp(x, -np.inf))(-np.inf), None)
expect("sigmoid large (inf/inf: nan, as JAX)", lambda: ad.grad(lambda x: 1 / (1 + np.exp(-x)))(-1000.0), np.nan)
expect("nan input sin", lambda: ad.grad(np.sin)(np.nan), np.nan)
expect("nan in sum", lambda: ad.grad(np.sum)(np.array([np.nan, 1.0])), [1.0, 1.0])
expect("max with nan", lambda: ad.grad(np.max)(np.array([np.nan, 1.0])), None)
expect("hypot huge", lambda: ad.grad(lambda x: np.hypot(x, 1e300))(1e300), [2 ** -0.5])
expect("norm huge (NumPy's value is inf)", lambda: ad.grad(np.linalg.norm)(np.array([1e200, 1e200])), [0.0, 0.0])
expect("norm tiny (NumPy's value is 0)", lambda: ad.grad(np.linalg.norm)(np.array([1e-200, 1e-200])), [0.0, 0.0])
expect("std tiny (NumPy's value is 0)", lambda: ad.grad(np.std)(np.array([1e-200, -1e-200])), [0.0, 0.0])
expect("sinc at 0", lambda: ad.grad(np.sinc)(0.0), 0.0)
expect("sinc hess at 0", lambda: ad.hessian(np.sinc)(0.0), -np.pi ** 2 / 3)
expect("cbrt at 0", lambda: ad.grad(np.cbrt)(0.0), np.inf)
expect("arcsin at 1", lambda: ad.grad(np.arcsin)(1.0), np.inf)
expect("x*log(x) at 0", lambda: ad.grad(lambda x: x * np.log(x))(0.0), None)
expect("xlogy-like where", lambda: ad.grad(lambda x: np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0))(0.0), 0.0)
expect("expm1 tiny", lambda: ad.grad(np.expm1)(1e-300), 1.0)
expect("log1p -1", lambda: ad.grad(np.log1p)(-1.0), np.inf)
expect("reciprocal 0", lambda: ad.grad(np.reciprocal)(0.0), -np.inf)
expect("prod zeros 2", lambda: ad.grad(np.prod)(np.array([0.0, 0.0, 2.0])), [0.0, 0.0, 0.0])
expect("prod one zero hess", lambda: ad.hessian(np.prod)(np.array([0.0, 3.0, 2.0])), [[0, 2, 3], [2, 0, 0], [3, 0, 0]])
expect("prod two zeros hess", lambda: ad.hessian(np.prod)(np.array([0.0, 0.0, 2.0])), [[0, 2, 0], [2, 0, 0], [0, 0, 0]])
expect("cumprod zero", lambda: ad.jacrev(np.cumprod)(np.array([2.0, 0.0, 3.0])), [[1, 0, 0], [0, 2, 0], [0, 6, 0]])
expect("cumprod zero jacfwd", lambda: ad.jacfwd(np.cumprod)(np.array([2.0, 0.0, 3.0])), [[1, 0, 0], [0, 2, 0], [0, 6, 0]])
expect("cumprod two zeros", lambda: ad.jacrev(np.cumprod)(np.array([0.0, 0.0, 3.0])), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
expect("det singular", lambda: ad.grad(np.linalg.det)(np.array([[1.0, 2.0], [2.0, 4.0]])), [[4.0, -2.0], [-2.0, 1.0]])
expect("det singular 3x3 rank1", lambda: ad.grad(np.linalg.det)(np.ones((3, 3))), np.zeros((3, 3)))
expect("det zero matrix hess-ish", lambda: ad.grad(np.linalg.det)(np.zeros((2, 2))), np.zeros((2, 2)))
expect("slogdet singular (value -inf, derivative nan)", lambda: ad.grad(lambda a: np.linalg.slogdet(a)[1])(np.array([[1.0, 2.0], [2.0, 4.0]])), np.full((2, 2), np.nan))
def _same_error_as_numpy():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    try:
        np.linalg.inv(singular)
    except np.linalg.LinAlgError:
        pass
    try:
        ad.grad(lambda a: np.sum(np.linalg.inv(a)))(singular)
    except np.linalg.LinAlgError:
        return True  # the value does not exist: NumPy's own error, as without adviz
    return False


expect("inv singular: NumPy's own LinAlgError", _same_error_as_numpy, True)

# integer/bool inputs
expect("int input grad", lambda: ad.grad(lambda x: x ** 2)(3), 6.0)
expect("int array input", lambda: ad.grad(lambda x: np.sum(x ** 2))(np.array([1, 2])), [2.0, 4.0])
expect("int input x/2", lambda: ad.grad(lambda x: np.sum(x // 2 + x / 2))(np.array([3, 4])), [0.5, 0.5])
expect("bool input", lambda: ad.grad(lambda x: np.sum(x * 2.0))(np.array([True, False])), [2.0, 2.0])
expect("int jvp", lambda: ad.jvp(lambda x: x ** 2, (3,), (1,))[1], 6.0)
expect("int jvp int tangent f->", lambda: ad.jvp(lambda x: x * 2.5, (np.array([3]),), (np.array([1]),))[1], [2.5])
expect("int hessian", lambda: ad.hessian(lambda x: x ** 3)(2), 12.0)
expect("int jacfwd", lambda: ad.jacfwd(lambda x: x ** 2)(np.array([1, 2])), [[2, 0], [0, 4]])
expect("int vjp", lambda: ad.vjp(lambda x: x ** 2, 3)[1](1.0)[0], 6.0)
expect("int in bitwise", lambda: ad.grad(lambda x: np.sum(x * (np.arange(2) & 1)))(np.array([1, 2])), [0.0, 1.0])
expect("int output grad refused", lambda: ad.grad(lambda x: np.sum(x > 0))(np.array([1.0, 2.0])), None)
expect("f32 input dtype kept", lambda: ad.grad(lambda x: np.sum(x ** 2)).__call__(np.array([1.0, 2.0], np.float32)).dtype == np.float32, True)
expect("f32 times f64 const grad dtype", lambda: ad.grad(lambda x: np.sum(x * np.float64(2.0)))(np.array([1.0], np.float32)), [2.0])
expect("f16 input", lambda: ad.grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0], np.float16)), [2.0, 4.0])
expect("longdouble input", lambda: ad.grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0], np.longdouble)), [2.0, 4.0])
expect("complex input refused", lambda: ad.grad(lambda x: np.abs(x))(1.0 + 1j), None)
expect("complex constant in f", lambda: ad.grad(lambda x: np.real(x * (1 + 2j)))(1.0), 1.0)
expect("complex constant abs", lambda: ad.grad(lambda x: np.abs(x * (1 + 1j)))(1.0), 2 ** 0.5)
expect("x + 1j imag", lambda: ad.grad(lambda x: np.imag((x + 1j) ** 2))(3.0), 2.0)
expect("np.exp(1j*x).real", lambda: ad.grad(lambda x: np.exp(1j * x).real)(0.5), -math.sin(0.5))
expect("datetime-ish string in f", lambda: ad.grad(lambda x: x * float("2.0"))(1.0), 2.0)

# jacobian memory
def big_jac(tr):
    n = 100_000
    return tr(lambda x: np.sum(x ** 2))(np.ones(n))
expect("jacfwd n=1e5 scalar out", lambda: big_jac(ad.jacfwd), 2 * np.ones(100_000))
expect("jacrev n=1e5 scalar out", lambda: big_jac(ad.jacrev), 2 * np.ones(100_000))
expect("jacfwd n=1e5 elementwise", lambda: ad.jacfwd(np.sin)(np.ones(100_000)).shape, None)
expect("jacrev n=1e5 elementwise", lambda: ad.jacrev(np.sin)(np.ones(100_000)).shape, None)
expect("hessian n=2e4", lambda: ad.hessian(lambda x: np.sum(x ** 2))(np.ones(20_000)).shape, None)

# misc contract
expect("grad non-scalar refused", lambda: ad.grad(np.sin)(np.array([1.0, 2.0])), None)
expect("grad of list out", lambda: ad.grad(lambda x: [x])(1.0), None)
expect("escape", lambda: (lambda s: (ad.grad(lambda x: (s.append(x), x)[1])(1.0), s[0] * 2))([])[1], None)
expect("closure over outer tracer", lambda: ad.grad(lambda x: ad.grad(lambda y: x * y ** 2)(x))(3.0), 2 * 2 * 3)
expect("perturbation confusion", lambda: ad.grad(lambda x: x * ad.grad(lambda y: x + y)(1.0))(3.0), 1.0)
expect("jvp tangent shape mismatch", lambda: ad.jvp(np.sin, (np.ones(3),), (np.ones(2),)), None)
expect("jvp tangent dtype int", lambda: ad.jvp(np.sin, (np.ones(2),), (np.ones(2, int),))[1], np.cos(np.ones(2)))
expect("vjp cot shape mismatch", lambda: ad.vjp(np.sin, np.ones(3))[1](np.ones(2)), None)
expect("vjp cot broadcastable scalar", lambda: ad.vjp(np.sin, np.ones(3))[1](1.0), None)
expect("argnums out of range", lambda: ad.grad(lambda x: x, argnums=2)(1.0), None)
expect("argnums negative", lambda: ad.grad(lambda x, y: x * y, argnums=-1)(2.0, 3.0), 2.0)
expect("grad of constant fn", lambda: ad.grad(lambda x: 3.0)(1.0), 0.0)
expect("grad of constant array fn", lambda: ad.grad(lambda x: np.float64(3.0))(np.ones(2)), [0.0, 0.0])
expect("jacfwd const fn", lambda: ad.jacfwd(lambda x: np.ones(3))(np.ones(2)), np.zeros((3, 2)))
expect("jacrev const fn", lambda: ad.jacrev(lambda x: np.ones(3))(np.ones(2)), np.zeros((3, 2)))
expect("jvp const fn", lambda: ad.jvp(lambda x: np.ones(3), (np.ones(2),), (np.ones(2),))[1], np.zeros(3))
expect("hessian const fn", lambda: ad.hessian(lambda x: 1.0)(np.ones(2)), np.zeros((2, 2)))
expect("hessian linear fn", lambda: ad.hessian(lambda x: np.sum(x))(np.ones(2)), np.zeros((2, 2)))
expect("identity jacrev", lambda: ad.jacrev(lambda x: x)(np.ones(2)), np.eye(2))
expect("identity hessian", lambda: ad.hessian(lambda x: x)(2.0), 0.0)
expect("returns input in tuple jacrev", lambda: ad.jacrev(lambda x: (x, x * 2))(np.ones(2)), [np.eye(2), 2 * np.eye(2)])
expect("has_aux with tracer aux", lambda: ad.grad(lambda x: (x ** 2, x), has_aux=True)(3.0)[1], 3.0)
expect("has_aux aux dict", lambda: ad.value_and_grad(lambda x: (x ** 2, {"a": np.sin(x)}), has_aux=True)(3.0)[0][1]["a"], math.sin(3.0))
expect("has_aux not tuple", lambda: ad.grad(lambda x: x ** 2, has_aux=True)(3.0), None)
expect("has_aux vjp", lambda: ad.vjp(lambda x: (x ** 2, x), 3.0, has_aux=True)[2], 3.0)
expect("pytree None leaf", lambda: ad.grad(lambda p: p["a"] ** 2)({"a": 3.0, "b": None}), None)
expect("pytree int leaf", lambda: ad.grad(lambda p: p["a"] ** 2 * p["b"])({"a": 3.0, "b": 2})["b"], 9.0)
expect("pytree nested", lambda: ad.grad(lambda p: p[0]["x"][1] * p[1])(({"x": [1.0, 2.0]}, 3.0))[0]["x"][1], 3.0)
expect("pytree non-str keys", lambda: ad.grad(lambda p: p[1] * p[(2, 3)])({1: 2.0, (2, 3): 5.0})[(2, 3)], 2.0)
expect("pytree mixed keys", lambda: ad.grad(lambda p: p[1] * p["a"])({1: 2.0, "a": 5.0})["a"], 2.0)
expect("pytree namedtuple", lambda: (lambda P: ad.grad(lambda p: p.a * p.b)(P(2.0, 3.0)).a)(__import__("collections").namedtuple("P", "a b")), 3.0)
expect("pytree empty", lambda: ad.grad(lambda p, x: x ** 2)({}, 2.0), {})
expect("pytree empty argnums0", lambda: ad.grad(lambda p, x: x ** 2)([], 2.0), [])
expect("jvp pytree", lambda: ad.jvp(lambda p: p["a"] * p["b"], ({"a": 2.0, "b": 3.0},), ({"a": 1.0, "b": 0.0},))[1], 3.0)
expect("jvp pytree struct mismatch", lambda: ad.jvp(lambda p: p["a"] * p["b"], ({"a": 2.0, "b": 3.0},), ({"a": 1.0},)), None)
expect("hessian of dict", lambda: ad.hessian(lambda p: p["a"] ** 2 * p["b"])({"a": 1.0, "b": np.array([1.0, 2.0])})["b"]["a"], 2 * np.eye(2))
expect("trace with dict", lambda: ad.trace(lambda p: p["a"] * p["b"], {"a": 2.0, "b": 3.0}).gradient()[0] if False else 0, 0)
