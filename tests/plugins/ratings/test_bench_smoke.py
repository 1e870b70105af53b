"""The reputation benchmark runs end to end at a tiny size and reports every row."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

from bench import reputation  # noqa: E402

EXPECTED_KEYS = {
    "load",
    "load_ratings",
    "cold",
    "warm",
    "other",
    "explain",
    "explain_hub",
    "new_rating",
    "new_edge",
}


def test_benchmark_runs_and_reports_every_row(capsys: pytest.CaptureFixture[str]) -> None:
    rows = reputation.main(["--people", "300", "--edges", "1500", "--repeat", "1"])
    assert {r.key for r in rows} == EXPECTED_KEYS
    out = capsys.readouterr().out
    assert "target: cold score < 1 s: met" in out
