"""The HTML report as a person sees it: pages opened from the file system in a real headless Chromium.

Skips, saying why, where Debian's `chromium` package is absent; CI (.ci/run) installs it. The index's
screenshot is saved as a test artifact under reports/ci/ (gitignored). With MPCONFORM_SITE set to a built
site (.ci/run sets it to the site of the CI runs), that site is checked too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from chromium import Chromium, find_chromium
from site_support import SampleSite

from conformance.results import read_results

ARTIFACTS = Path(__file__).resolve().parent.parent / "reports" / "ci"
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: `apt-get install chromium` (Debian), or set MPCONFORM_CHROMIUM")

COUNT = "document.querySelectorAll({!r}).length"


def check_site(site: Path, runners: list[str], areas: int, screenshot: Path) -> None:
    """Open every kind of page; no console errors; the matrix and case columns have the right shape."""
    assert CHROMIUM is not None
    with Chromium(CHROMIUM) as browser:
        browser.open(site / "index.html")
        assert browser.evaluate("document.title") == "MicroPython conformance report"
        assert browser.evaluate(COUNT.format("#matrix th.runner")) == len(runners)
        assert browser.evaluate(COUNT.format("#matrix tr.area")) == areas
        assert browser.evaluate(COUNT.format("#matrix tr.area td.cell")) == areas * len(runners)
        # the stylesheet applied: matrix cells are coloured
        assert browser.evaluate("getComputedStyle(document.querySelector('#matrix td.cell')).backgroundColor") \
            != "rgba(0, 0, 0, 0)"
        shot = browser.screenshot(screenshot)
        area_href = browser.evaluate("document.querySelector('#matrix tr.area th a').getAttribute('href')")
        browser.open(site / area_href)
        assert browser.evaluate(COUNT.format("#cases th.runner")) == len(runners)
        case_href = browser.evaluate("document.querySelector('#cases td.cell a').getAttribute('href')")
        browser.open((site / area_href).parent / case_href)
        ran = browser.evaluate(COUNT.format("#outcomes th.runner"))
        assert 1 <= ran <= len(runners)
        assert browser.evaluate(COUNT.format("#outcomes tr")) == 7, "header, verdict, expected, outcome, diff, heap, " \
                                                                    "duration"
        for name in ("memory.html", "differences.html"):
            browser.open(site / name)
        errors = browser.console_errors()
    assert errors == [], f"console errors: {errors}"
    assert shot.stat().st_size > 10_000


def test_sample_site_in_chromium(sample_site: SampleSite, tmp_path: Path) -> None:
    records = read_results(sample_site.inputs).records
    runners = list(dict.fromkeys(r.runner for r in records))
    shot = tmp_path / "index.png"
    check_site(sample_site.site, runners, len({r.area for r in records}), shot)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "sample-site-index.png")


def test_a_case_page_has_one_column_per_runner(sample_site: SampleSite) -> None:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM) as browser:
        browser.open(sample_site.site / "cases" / "demo-wrong-expectation.html")
        assert browser.evaluate(COUNT.format("#outcomes th.runner")) == 2
        assert browser.evaluate(COUNT.format("pre.diff span.del")) == 2
        browser.open(sample_site.site / "cases" / "demo-markup-output.html")
        assert browser.evaluate(COUNT.format("script")) == 0, "output rendered as text, not markup"
        assert "<script>" in browser.evaluate("document.querySelector('#outcomes pre').textContent")
        assert browser.console_errors() == []


@pytest.mark.skipif(not os.environ.get("MPCONFORM_SITE"), reason="MPCONFORM_SITE not set (CI sets it to the site "
                    "built from its runs)")
def test_ci_site_in_chromium() -> None:
    site = Path(os.environ["MPCONFORM_SITE"])
    rows = site / "index.html"
    assert rows.is_file(), f"MPCONFORM_SITE={site} has no index.html"
    runners = [n.strip() for n in os.environ.get("MPCONFORM_SITE_RUNNERS", "").split(",") if n.strip()]
    areas = len(list((site / "areas").glob("*.html")))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    check_site(site, runners, areas, ARTIFACTS / "site-index.png")
