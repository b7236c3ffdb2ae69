"""The error-vs-h curve has the shape a numerical-analysis lecture draws, found by fitting."""

import numpy as np
import pytest

from adviz.numeric.error_sweep import error_sweep, fit_slope

EPS = np.finfo(float).eps

CASES = {
    "exp at 1": (np.exp, np.exp, 1.0),
    "sin at 1": (np.sin, np.cos, 1.0),
    "log at 2": (np.log, lambda x: 1 / x, 2.0),
    "tanh at 0.5": (np.tanh, lambda x: 1 / np.cosh(x) ** 2, 0.5),
    "sin(x**2+1) at 3": (lambda x: np.sin(x**2 + 1), lambda x: 2 * x * np.cos(x**2 + 1), 3.0),
}


@pytest.fixture(scope="module", params=list(CASES))
def sweep(request):
    f, df, x = CASES[request.param]
    return error_sweep(f, x, df(x), methods=("forward", "backward", "central", "central4", "complex"))


def test_truncation_slopes_are_the_orders(sweep):
    c = sweep.curves
    assert c["forward"].truncation_slope == pytest.approx(1, abs=0.1)
    assert c["backward"].truncation_slope == pytest.approx(1, abs=0.1)
    assert c["central"].truncation_slope == pytest.approx(2, abs=0.1)
    assert c["central4"].truncation_slope == pytest.approx(4, abs=0.2)
    assert c["complex"].truncation_slope == pytest.approx(2, abs=0.1)
    assert c["forward"].truncation_mask.sum() >= 20  # the fit used a real stretch of the curve


def test_roundoff_slope_is_minus_one(sweep):
    for name in ("forward", "backward", "central", "central4"):
        c = sweep.curves[name]
        assert c.roundoff_mask.sum() >= 20
        assert c.roundoff_slope == pytest.approx(-1, abs=0.2), name
    assert np.isnan(sweep.curves["complex"].roundoff_slope)  # no cancellation, no left arm


def test_best_h_is_near_the_estimates(sweep):
    scale = max(1.0, abs(sweep.x))
    fwd, cen = sweep.curves["forward"], sweep.curves["central"]
    assert fwd.textbook_h == pytest.approx(np.sqrt(EPS) * scale)
    assert cen.textbook_h == pytest.approx(EPS ** (1 / 3) * scale)
    for c in (fwd, cen):
        # the model optimum (from the fitted C and R) agrees with the measured best h
        assert abs(np.log10(c.best_h / c.model_h)) <= 1.0
    # one-sided optimum far below the central one, as √ε ≪ ∛ε
    assert cen.best_h / fwd.best_h > 30


@pytest.mark.parametrize("case", ["exp at 1", "sin at 1", "log at 2", "tanh at 0.5"])
def test_best_h_within_a_decade_of_the_textbook_value(case):
    f, df, x = CASES[case]
    s = error_sweep(f, x, df(x), methods=("forward", "central"))
    for c in s.curves.values():
        assert abs(np.log10(c.best_h / c.textbook_h)) <= 1.0, (c.method, c.best_h, c.textbook_h)


def test_best_errors_are_half_and_two_thirds_of_the_digits(sweep):
    rel_f = sweep.curves["forward"].best_error / abs(sweep.exact)
    rel_c = sweep.curves["central"].best_error / abs(sweep.exact)
    assert 1e-10 < rel_f < 1e-6  # ≈ √ε ≈ 1.5e-8
    assert 1e-13 < rel_c < 1e-9  # ≈ ε^(2/3) ≈ 3.7e-11
    assert rel_c < rel_f / 30


def test_complex_step_stays_at_machine_precision(sweep):
    assert sweep.complex_floor() <= 4 * EPS
    tiny = sweep.hs <= 1e-12
    assert np.all(sweep.curves["complex"].rel_error[tiny] <= 4 * EPS)


def test_left_end_is_pure_cancellation():
    """For h below ε·|x|/2, x + h == x: the difference is 0 and the relative error exactly 1."""
    s = error_sweep(np.exp, 4.0, np.exp(4.0), methods=("forward",))
    gone = s.hs < EPS * 4.0 / 2
    assert gone.any() and np.all(s.curves["forward"].rel_error[gone] == 1.0)


def test_models_reproduce_the_curve_on_their_branches(sweep):
    for name in ("forward", "central"):
        c = sweep.curves[name]
        trunc = c.truncation_model(sweep.hs[c.truncation_mask])
        ratio = c.abs_error[c.truncation_mask] / trunc
        assert np.all((ratio > 0.5) & (ratio < 2))  # a clean power law
        rnd = c.roundoff_model(sweep.hs[c.roundoff_mask])
        ratio = c.abs_error[c.roundoff_mask] / rnd
        assert np.median(ratio) == pytest.approx(1, rel=0.5)  # noisy, but centred on R/h
        # round-off of f is a few ulps of f, not orders of magnitude more
        assert 0.05 < c.roundoff_constant / sweep.roundoff_bound(name, 1.0) < 300


def test_fit_slope_recovers_a_power_law():
    hs = np.logspace(-5, -1, 20)
    assert fit_slope(hs, 3 * hs**2) == pytest.approx(2)
    assert np.isnan(fit_slope(hs[:2], hs[:2]))


def test_summary_is_json_ready():
    import json
    import math

    s = error_sweep(np.sin, 1.0, np.cos(1.0), hs=np.logspace(-12, -2, 41))
    data = json.loads(json.dumps(s.to_dict()))
    assert set(data["methods"]) == {"forward", "central", "complex"}
    assert len(data["methods"]["central"]["rel_error"]) == 41
    assert data["methods"]["complex"]["textbook_h"] is None   # the complex step has no textbook h: no value


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown method"):
        error_sweep(np.sin, 1.0, np.cos(1.0), methods=("forward", "magic"))
    with pytest.raises(ValueError, match="scalar"):
        error_sweep(np.sin, np.ones(2), 1.0)
    with pytest.raises(ValueError, match="positive"):
        error_sweep(np.sin, 1.0, np.cos(1.0), hs=[1e-3, -1e-3])


def test_progress_callback_sees_every_method():
    seen = []
    error_sweep(np.sin, 1.0, np.cos(1.0), hs=np.logspace(-8, -2, 7), progress=lambda k, n: seen.append((k, n)))
    assert seen == [(k, 21) for k in range(1, 22)]
