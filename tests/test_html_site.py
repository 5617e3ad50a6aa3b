"""conformance.html: the static site, built from a real cpython+wasm run and a recorded micro:bit run."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from site_support import MICROBIT_SAMPLE, SAMPLE_CASE_IDS, SampleSite

from conformance.cli import main
from conformance.html import build_site
from conformance.html.layout import esc
from conformance.html.svg import grouped_bar_chart
from conformance.html.textdiff import diff_html
from conformance.results import read_results

RUNNERS = ["cpython", "wasm", "qemu-microbit"]
SCHEMA = Path(__file__).resolve().parent.parent / "conformance" / "schema" / "report.schema.json"


class Page(HTMLParser):
    """The parts of a page the tests look at: links, cells by class, text."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.links: list[str] = []
        self.classes: list[tuple[str, str]] = []  # (tag, class)
        self.text: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for key in ("href", "src"):
            if found.get(key):
                self.links.append(str(found[key]))
        if found.get("class"):
            self.classes.append((tag, str(found["class"])))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str, css: str) -> int:
        return sum(1 for t, c in self.classes if t == tag and css in c.split())

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def test_index_has_provenance_headlines_and_one_cell_per_area_and_runner(sample_site: SampleSite) -> None:
    index = Page(sample_site.site / "index.html")
    results = read_results(sample_site.inputs)
    areas = sorted({r.area for r in results.records})
    assert {"demo_basics", "demo_memory", "micropython", "strings"} <= set(areas)
    assert index.count("th", "runner") == len(RUNNERS)
    assert index.count("tr", "area") == len(areas)
    # one cell per area x runner, plus the totals row
    assert index.count("td", "cell") == (len(areas) + 1) * len(RUNNERS)
    text = index.all_text
    for header in results.headers:
        assert str(header["commit"]) in text and str(header["started"]) in text
    assert "qemu-microbit micropython 1.9.2 32-bit" in text
    assert index.count("p", "headline") == len(RUNNERS)
    assert text.count("of judged cases pass (") == len(RUNNERS)
    assert "wordsize-32" in text, "the capability profile is listed"
    # the failing tmp case makes cpython and wasm each fail one of 7 judged cases on demo_basics + demo_memory
    assert "1 failure (1 stdout)" in text and "14 failures (" in text


def test_area_page_shows_each_verdict_kind_and_links_every_case(sample_site: SampleSite) -> None:
    page = sample_site.site / "areas" / "demo_basics.html"
    area = Page(page)
    text = area.all_text
    assert "fail: stdout" in text and "documented: messages" in text and "pass" in text
    assert area.count("th", "runner") == len(RUNNERS)
    for case_id in ("demo-add", "name-error", "demo-stale-difference", "demo-wrong-expectation"):
        assert f"../cases/{case_id}.html" in area.links
    skip = Page(sample_site.site / "areas" / "demo_memory.html").all_text
    assert "skip: gc-mem" in skip, "a skip names the missing capability"
    floats = Page(sample_site.site / "areas" / "floats.html").all_text
    assert "skip: float" in floats or "skip:" in floats


def test_case_page_shows_code_expectation_outcomes_diff_heap_and_duration(sample_site: SampleSite) -> None:
    page = Page(sample_site.site / "cases" / "demo-wrong-expectation.html")
    assert page.count("th", "runner") == 2, "one column per runner that ran the case"
    assert page.count("td", "ln") == 2, "the code with line numbers"
    html = (sample_site.site / "cases" / "demo-wrong-expectation.html").read_text(encoding="utf-8")
    assert '<span class="del">-3</span>' in html and '<span class="add">+2</span>' in html
    text = page.all_text
    assert "for i in range(3):" in text
    assert "allocated" in text and " ms" in text
    assert "fail: stdout" in text
    microbit_case = Page(sample_site.site / "cases" / "heap-list-of-3000-ints.html")
    assert microbit_case.count("th", "runner") == 1
    assert "fail: memory" in microbit_case.all_text


def test_everything_rendered_is_escaped(sample_site: SampleSite) -> None:
    html = (sample_site.site / "cases" / "demo-markup-output.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert esc('"><img src=x>') == "&quot;&gt;&lt;img src=x&gt;"


def test_every_link_resolves_inside_the_site(sample_site: SampleSite) -> None:
    pages = sorted(sample_site.site.rglob("*.html"))
    records = read_results(sample_site.inputs).records
    assert len(pages) == 3 + len({r.area for r in records}) + len({r.case_id for r in records})
    for page in pages:
        for link in Page(page).links:
            if link.startswith(("data:", "#")):
                continue
            assert not re.match(r"[a-z]+:", link), f"{page}: absolute link {link}"
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(sample_site.site)}: broken link {link}"


def test_memory_page_compares_like_with_like_outliers_first(sample_site: SampleSite) -> None:
    page = Page(sample_site.site / "memory.html")
    text = page.all_text
    assert "gc heap, 32-bit words: wasm, qemu-microbit" in text
    assert "tracemalloc heap, 64-bit words: cpython" in text
    html = (sample_site.site / "memory.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2
    section = html.split("gc heap, 32-bit words")[1].split("tracemalloc heap")[0]
    spreads = [int(s.replace(",", "")) for s in re.findall(r'<td class="num">([0-9,]+) B</td></tr>', section)]
    assert spreads and spreads == sorted(spreads, reverse=True), "largest disagreement first"
    assert section.index("demo-big-list") < section.index("demo-small-tuple")


def test_differences_page_groups_by_category_and_flags_what_no_runner_shows(sample_site: SampleSite) -> None:
    page = Page(sample_site.site / "differences.html")
    text = page.all_text
    assert "Exception messages" in text and "Builtin types" in text
    entry = text.split("name-error")[1].split("demo-")[0]
    assert "CPython words it differently." in entry
    assert "Workaround: Compare exception types, not messages." in entry
    assert "still holds on cpython" in entry
    assert "MicroPython: message: \"name 'undefined_name' isn't defined\"" in entry
    assert "cpython: message: \"name 'undefined_name' is not defined\"" in entry
    stale = text.split("demo-stale-difference (cpython)")[-1]
    assert "no longer holds on cpython" in stale
    assert "No runner shows this difference any more" in stale
    flagged = text.split("Flagged: no runner shows these any more")[1].split("Contents:")[0]
    assert "demo-stale-difference" in flagged and "name-error" not in flagged
    older = text.split("Of other MicroPython versions and builds")[-1]
    assert "From CPython" in text and "micropython<" in older and "(cpython)" not in older
    assert "still holds on qemu-microbit" in older, "old-MicroPython differences show the runner they hold on"


def test_report_json_validates_against_its_schema(sample_site: SampleSite) -> None:
    report = json.loads((sample_site.out / "report.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report, schema)
    assert report["runner_order"] == RUNNERS
    stale = [d for d in report["differences"] if d["stale"]]
    assert [(d["case"], d["states"]) for d in stale] == [("demo-stale-difference", {"cpython": "no-longer-holds"})]


def test_a_garbled_line_costs_only_itself(sample_site: SampleSite, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    lines = sample_site.results.read_text(encoding="utf-8").splitlines(keepends=True)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join([*lines[:3], "{garbled\n", *lines[3:]]), encoding="utf-8")
    code = main(["report", str(damaged), str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "r"),
                 "--html", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{damaged}:4: unreadable record" in err
    assert f"{tmp_path / 'missing.jsonl'}: no such results file" in err
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert sum(sum(c.values()) for c in report["totals"].values()) == len(lines) - 1, "every other record kept"
    assert "damaged.jsonl:4" in Page(tmp_path / "site" / "index.html").all_text


def test_format_1_results_still_render(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    with MICROBIT_SAMPLE.open(encoding="utf-8") as source, old.open("w", encoding="utf-8") as target:
        for line in source:
            data = json.loads(line)
            data["format"] = 1
            for key in ("code", "expect", "differences", "difference", "runner_profiles"):
                data.pop(key, None)
            target.write(json.dumps(data) + "\n")
    summary = build_site(read_results([old]), tmp_path / "site")
    assert summary.pages > 40
    case = Page(tmp_path / "site" / "cases" / "heap-list-of-3000-ints.html").all_text
    assert "recorded before results format 2" in case
    assert "results written before format 2" in Page(tmp_path / "site" / "differences.html").all_text


def test_sample_ids_are_all_on_the_site(sample_site: SampleSite) -> None:
    for case_id in SAMPLE_CASE_IDS:
        assert (sample_site.site / "cases" / f"{case_id}.html").is_file()


def test_diff_html_marks_lines_and_trailing_newlines() -> None:
    assert diff_html("a\n", "a\n") == ""
    marked = diff_html("a\nb\n", "a\nc\n")
    assert '<span class="del">-b</span>' in marked and '<span class="add">+c</span>' in marked
    assert "only the trailing newlines differ" in diff_html("a\n", "a\n\n")
    assert "&lt;x&gt;" in diff_html("<x>\n", "<y>\n")


def test_chart_draws_one_bar_per_figure_and_escapes_labels() -> None:
    svg = grouped_bar_chart([("<case>", [10, None]), ("b", [5, 20])], ["wasm", "micro:bit"])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 2 + 3, "two legend swatches, three bars"
    assert "&lt;case&gt;" in svg and "<case>" not in svg


def test_rebuilding_into_the_same_folder_leaves_no_stale_pages(tmp_path: Path) -> None:
    from conformance.baseline import compare_runs

    full = read_results([MICROBIT_SAMPLE])
    site = tmp_path / "site"
    build_site(full, site, compare_runs(full, full))
    assert (site / "changes.html").is_file() and (site / "cases" / "float-round-nan.html").is_file()
    (site / "keep.txt").write_text("not ours", encoding="utf-8")
    fewer = read_results([MICROBIT_SAMPLE])
    fewer.records = [r for r in fewer.records if r.case_id != "float-round-nan"]
    build_site(fewer, site)
    assert not (site / "cases" / "float-round-nan.html").exists()
    assert not (site / "changes.html").exists()
    assert (site / "keep.txt").is_file(), "only pages the site writes are removed"


def test_hrefs_are_relative_and_percent_encoded() -> None:
    from conformance.html.layout import area_file, case_file, href_to

    assert href_to(case_file("a.b-c_d"), depth=1) == "../cases/a.b-c_d.html"
    assert href_to(area_file("odd area#1")) == "areas/odd%20area%231.html"
