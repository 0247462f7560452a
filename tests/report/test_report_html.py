"""``report --html FILE``: one self-contained page, checked in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from core.core_helpers import run_cli
from report_scenario import scenario

from tagihlite import clock


def _html(tmp_path: Path) -> tuple[Path, str]:
    book = scenario(tmp_path)
    out = tmp_path / "laporan.html"
    try:
        code, _, err = run_cli("--today", "2026-12-06", "report", book, "--html", out)
    finally:
        clock.pin(None)
    assert code == 0, err
    return out, out.read_text("utf-8")


def test_html_is_self_contained_with_three_svg_charts(tmp_path):
    _, text = _html(tmp_path)
    assert text.count("<svg") == 3
    for outside in ("<script", "src=", "href=", "@import", "url("):
        assert outside not in text  # nothing loaded from elsewhere
    assert "Lunas setelah pengingat, per tingkat" in text and "Jatuh tempo" in text
    assert "Rp1.500.000" in text  # collected after reminders: 100,000 x (1+2+3+4+5)


def test_html_renders_in_headless_chromium(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    from PIL import Image, ImageStat

    page, _ = _html(tmp_path)
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1400",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    img = Image.open(shot).convert("RGB")
    assert img.size == (1280, 1400)
    stat = ImageStat.Stat(img)
    assert max(stat.stddev) > 20  # not a blank page
    # the charts' red and blue bars are on the screen
    colours = {c for _, c in img.getcolors(maxcolors=1 << 20)}
    assert (0xC0, 0x00, 0x00) in colours and (0x2F, 0x75, 0xB5) in colours
