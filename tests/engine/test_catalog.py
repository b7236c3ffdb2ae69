"""The README's list of supported functions is generated from the dispatch tables and kept current."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adviz.engine import catalog, numpy_api

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_what_the_dispatch_tables_hold():
    text = README.read_text(encoding="utf-8")
    assert catalog.BEGIN in text and catalog.END in text
    shown = text[text.index(catalog.BEGIN): text.index(catalog.END) + len(catalog.END)]
    assert shown == catalog.markdown(), (
        "README.md's list of supported functions is out of date; regenerate it with\n"
        "    python -m adviz.engine.catalog --write README.md"
    )


def test_every_dispatch_entry_is_listed_once():
    listed = [name for names in catalog.supported().values() for name in names]
    assert len(listed) == len(set(listed))
    for uf in numpy_api.UFUNCS:
        assert f"np.{uf.__name__}" in listed
    for name in numpy_api.METHODS:
        assert f"x.{name}" in listed
    for uf, method in numpy_api.REDUCTIONS:
        assert f"np.{uf.__name__}.{method}" in listed
    assert "np.linalg.solve" in catalog.supported()["linalg"]
    assert "np.argmax" in catalog.supported()["plain"] and "np.sign" in catalog.supported()["plain"]
    assert "np.sin" in catalog.supported()["ufuncs"] and "x[...]" in catalog.supported()["operators"]


def test_a_new_dispatch_entry_shows_up_in_the_list(monkeypatch):
    monkeypatch.setitem(numpy_api.FUNCTIONS, np.fft.fft, lambda x: x)
    assert "np.fft.fft" in catalog.supported()["functions"]
    assert "`np.fft.fft`" in catalog.markdown()


def test_write_replaces_only_the_marked_part(tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text(f"before\n{catalog.BEGIN}\nstale\n{catalog.END}\nafter\n", encoding="utf-8")
    assert catalog.main(["--write", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == f"before\n{catalog.markdown()}\nafter\n"
    assert "updated" in capsys.readouterr().out
    doc.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        catalog.main(["--write", str(doc)])
