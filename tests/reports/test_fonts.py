"""The charts draw Chinese with the CJK font file, whatever matplotlib's font cache holds.

A chart that would draw a Chinese label without a CJK font fails the suite twice over: pytest
turns matplotlib's "Glyph … missing from font(s)" warning into an error (pyproject.toml), and
these tests check which font file the Agg renderer actually used.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from jiyue.reports import charts, fonts


@pytest.fixture
def used_fonts(monkeypatch):
    """The font files the Agg renderer opens for text (first file of each font list)."""
    used: list[str] = []
    real = backend_agg.get_font

    def spy(paths, *a, **kw):
        used.append(str(paths[0] if isinstance(paths, (list, tuple)) else paths))
        return real(paths, *a, **kw)

    monkeypatch.setattr(backend_agg, "get_font", spy)
    return used


@pytest.fixture
def stale_cache(monkeypatch):
    """matplotlib's font list as if its cache had been built before the CJK font was installed."""
    wqy = str(fonts.cjk_font_path())
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.fname != wqy])
    fonts.cjk_family.cache_clear()
    font_manager.fontManager._findfont_cached.cache_clear()
    yield
    fonts.cjk_family.cache_clear()
    font_manager.fontManager._findfont_cached.cache_clear()


def _chinese_chart() -> bytes:
    return charts.region_scores({"industrial": {"东部": 80.5, "中部": 70.0}, "integrated": {"东部": 75.0}},
                                ["东部", "中部"])


def test_cjk_font_is_a_file():
    p = fonts.cjk_font_path()
    assert p.is_file()
    assert fonts.cjk_family() == fonts.CJK_FAMILY


def test_chart_with_chinese_labels_uses_the_cjk_font_file(used_fonts):
    png = _chinese_chart()
    assert png.startswith(b"\x89PNG")
    assert used_fonts, "no text was drawn"
    assert set(used_fonts) == {str(fonts.cjk_font_path())}


def test_stale_font_cache_does_not_matter(stale_cache, used_fonts):
    assert not any("wqy" in f.fname for f in font_manager.fontManager.ttflist)
    _chinese_chart()
    assert set(used_fonts) == {str(fonts.cjk_font_path())}


def test_chinese_label_without_cjk_font_fails_the_suite(stale_cache):
    """Drawn outside charts.style() with the cache lacking the font: the glyph warning is an error."""
    fig = Figure(figsize=(2, 1))
    FigureCanvasAgg(fig)
    fig.add_subplot().set_title("东部")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from", category=UserWarning)
        with pytest.raises(UserWarning, match="Glyph .* missing from"):
            fig.savefig(io.BytesIO(), format="png")


def test_pytest_config_turns_glyph_warnings_into_errors(pytestconfig):
    assert any("Glyph" in f and f.startswith("error") for f in pytestconfig.getini("filterwarnings"))


def test_no_cjk_font_is_a_clear_chinese_error(monkeypatch):
    monkeypatch.delenv(fonts.ENV, raising=False)
    monkeypatch.setattr(fonts, "DEBIAN_PATHS", ("/nonexistent/wqy-microhei.ttc",))
    monkeypatch.setattr(fonts, "_from_fontconfig", lambda: None)
    fonts.cjk_font_path.cache_clear()
    fonts.cjk_family.cache_clear()
    try:
        with pytest.raises(fonts.CjkFontMissing, match="找不到中文字体") as e:
            _chinese_chart()
        assert "apt-get install -y fonts-wqy-microhei" in e.value.message
    finally:
        fonts.cjk_font_path.cache_clear()
        fonts.cjk_family.cache_clear()


def test_font_file_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV, str(tmp_path / "none.ttf"))
    fonts.cjk_font_path.cache_clear()
    try:
        with pytest.raises(fonts.CjkFontMissing, match=fonts.ENV):
            fonts.cjk_font_path()
        monkeypatch.setenv(fonts.ENV, str(fonts.DEBIAN_PATHS[0]))
        fonts.cjk_font_path.cache_clear()
        assert str(fonts.cjk_font_path()) == fonts.DEBIAN_PATHS[0]
    finally:
        fonts.cjk_font_path.cache_clear()


def test_a_real_stale_font_cache_on_disk(tmp_path):
    """matplotlib's fontlist-*.json built before the font was installed (entries removed), in a fresh
    process with every UserWarning an error: the chart still draws its Chinese labels."""
    import glob
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True)
    (cache,) = glob.glob(str(tmp_path / "fontlist-*.json"))
    data = json.loads(Path(cache).read_text(encoding="utf-8"))
    data["ttflist"] = [f for f in data["ttflist"] if f["fname"] != str(fonts.cjk_font_path())]
    Path(cache).write_text(json.dumps(data), encoding="utf-8")
    code = ("from matplotlib import font_manager as fm\n"
            "from jiyue.reports import charts, fonts\n"
            "assert not any(f.fname == str(fonts.cjk_font_path()) for f in fm.fontManager.ttflist)\n"
            "charts.region_scores({'industrial': {'东部': 80.5}}, ['东部'])\n")
    r = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", code], env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
