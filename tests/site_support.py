"""A small real run for the HTML report tests: a tmp corpus through the real cpython and wasm runners,
reported together with a committed results file of the emulated micro:bit (tests/data/microbit-sample.jsonl,
recorded by `mpconform run --runner qemu-microbit` on six topic files of the corpus).

The tmp corpus holds one case of each kind the pages must show: a pass, a documented difference that
holds, one that no longer holds (stale), a failure with a stdout diff, a skip for a missing capability,
a heap-hungry case, and output that would be markup if it were not escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conftest import NAME_ERROR_CASE

from conformance.cli import main

DATA = Path(__file__).resolve().parent / "data"
MICROBIT_SAMPLE = DATA / "microbit-sample.jsonl"

SAMPLE_CORPUS = {
    "demo_basics/basics.yaml": """\
schema_version: 1
cases:
  - id: demo-add
    code: |
      print(1 + 1)
    expect:
      stdout: "2\\n"
""" + NAME_ERROR_CASE + "        workaround: Compare exception types, not messages.\n" + """\
  - id: demo-stale-difference
    code: |
      print(len("abc"))
    expect:
      stdout: "3\\n"
    differences:
      cpython:
        stdout: "three\\n"
        category: builtin-types
        reason: A difference that no implementation shows (kept to test the flag).
  - id: demo-wrong-expectation
    code: |
      for i in range(3):
          print(i)
    expect:
      stdout: "0\\n1\\n3\\n"
""",
    "demo_memory/heap.yaml": """\
schema_version: 1
cases:
  - id: demo-big-list
    code: |
      x = [i for i in range(600)]
      print(len(x))
    expect:
      stdout: "600\\n"
  - id: demo-small-tuple
    code: |
      t = (1, 2)
      print(t)
    expect:
      stdout: "(1, 2)\\n"
  - id: demo-needs-gc-mem
    requires: [gc-mem]
    code: |
      import gc
      print(gc.mem_alloc() > 0)
    expect:
      stdout: "True\\n"
  - id: demo-markup-output
    code: |
      print("<script>alert('x')</script> & <b>bold</b>")
    expect:
      stdout: "<script>alert('x')</script> & <b>bold</b>\\n"
""",
}

SAMPLE_CASE_IDS = ("demo-add", "name-error", "demo-stale-difference", "demo-wrong-expectation",
                   "demo-big-list", "demo-small-tuple", "demo-needs-gc-mem", "demo-markup-output")


@dataclass(frozen=True)
class SampleSite:
    """Where the sample run and its site are."""

    results: Path
    site: Path
    out: Path

    @property
    def inputs(self) -> list[Path]:
        return [self.results, MICROBIT_SAMPLE]


def build_sample_site(root: Path) -> SampleSite:
    """Run the tmp corpus on cpython and wasm, then build the site with the micro:bit sample beside it."""
    cases = root / "cases"
    for relative, text in SAMPLE_CORPUS.items():
        path = cases / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    run_out = root / "run"
    # One failing case: `mpconform run` exits 1 when a case fails.
    assert main(["run", "-q", "--runner", "cpython,wasm", "--out", str(run_out), str(cases)]) == 1
    results = run_out / "results.jsonl"
    site = root / "site"
    assert main(["report", str(results), str(MICROBIT_SAMPLE), "--out", str(root / "report"),
                 "--html", str(site)]) == 0
    return SampleSite(results, site, root / "report")
