"""np.fft's entries join the dispatch table on first use, so ``import adviz`` need not load np.fft."""

import subprocess
import sys

import numpy as np

import adviz as ad
from adviz.engine import catalog


def test_importing_adviz_does_not_load_numpy_fft():
    code = "import sys, adviz.cli.app; print('numpy.fft' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_fftshift_is_differentiated_when_first_met():
    code = ("import numpy as np, adviz as ad\n"
            "x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])\n"
            "print(ad.grad(lambda t: np.sum(np.fft.fftshift(t) * np.arange(5.0)))(x).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # fftshift of 5 entries moves entry j to (j + 2) mod 5, which is multiplied by that index
    assert out.strip() == str([float((j + 2) % 5) for j in range(5)])


def test_ifftshift_along_an_axis_and_the_catalog():
    x = np.arange(12.0).reshape(3, 4)
    t = np.ones_like(x) * np.arange(4.0)
    _, y_dot = ad.jvp(lambda a: np.fft.ifftshift(a, axes=(0,)), (x,), (t,))
    np.testing.assert_array_equal(y_dot, np.roll(t, -1, axis=0))  # -(3 // 2) rows
    assert {"np.fft.fftshift", "np.fft.ifftshift"} <= set(catalog.supported()["functions"])
