"""adviz demo on a big expression: refused at once, instead of building thousands of screens."""

from __future__ import annotations

import adviz.cli.demo as demo_module


def test_a_demo_longer_than_the_limit_is_refused_before_any_screen_is_built(cli, monkeypatch):
    monkeypatch.setattr(demo_module, "MAX_OPERATIONS", 5)
    built = []
    monkeypatch.setattr(demo_module, "_demo_frames", lambda *args: built.append(args) or [])
    r = cli("demo", "x*x*x*x*x*x*x", "--at", "x=2", "--auto", "0")     # 6 multiplications
    assert r.exit_code == 2 and r.stdout == "" and built == []
    assert r.stderr.startswith("adviz: error: demo shows one step per screen, and x*x*x*x*x*x*x has 6 operations; "
                               "the limit is 5") and r.stderr.count("\n") == 1
    assert "adviz trace" in r.stderr


def test_a_demo_at_the_limit_runs(cli, monkeypatch):
    monkeypatch.setattr(demo_module, "MAX_OPERATIONS", 6)
    r = cli("demo", "x*x*x*x*x*x*x", "--at", "x=2", "--auto", "0")
    assert r.exit_code == 0, r.output
    assert "tape 6/6" in r.stdout and "summary" in r.stdout


def test_the_default_limit_refuses_thousands_of_operations_quickly(cli):
    """4,899 multiplications would be about 15,000 screens (hours of tables); refused outright."""
    r = cli("demo", "*".join(["x"] * 4900), "--at", "x=1", "--auto", "0")
    assert r.exit_code == 2 and "has 4,899 operations; the limit is 100" in r.stderr
