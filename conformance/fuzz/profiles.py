"""Hypothesis settings profiles for the fuzz tests, picked with ``--hypothesis-profile``.

- ``ci``: fast, bounded and derandomized (the same few hundred programs on every run, so CI
  fails only for a behaviour change, never for luck);
- ``dev``: a little more, random each run;
- ``deep``: many examples, for a long local run.

Each example is a batch of programs, so ``max_examples`` counts batches. No
deadline: a batch's time depends on the runners, not on the code under
test. Outside ``ci`` the example database stays on (Hypothesis's default,
``.hypothesis/``), so a failure replays first on the next run.
"""

from __future__ import annotations

PROFILES: dict[str, dict[str, object]] = {
    "ci": {"max_examples": 30, "derandomize": True},
    "dev": {"max_examples": 80},
    "deep": {"max_examples": 5000},
}
#: Programs per Hypothesis example.
BATCH_SIZE = 10



def register_profiles() -> None:
    """Register the profiles (idempotent); Hypothesis loads the one named by ``--hypothesis-profile``.

    Hypothesis is imported here, not at module level, so the pytest plugin can
    read ``PROFILES`` without importing it.
    """
    from hypothesis import HealthCheck, settings

    common: dict[str, object] = {
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                  HealthCheck.function_scoped_fixture],
        "report_multiple_bugs": False,
        "print_blob": True,
    }
    for name, values in PROFILES.items():
        settings.register_profile(name, **{**common, **values})  # type: ignore[arg-type]
