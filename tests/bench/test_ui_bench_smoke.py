"""The desktop app benchmark runs end to end at tiny sizes: the app child (launch, unlock,
first page, RSS) and the app syncing from a sender node process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package (also for `pytest` alone)
    sys.path.insert(0, str(ROOT))

from bench import ui  # noqa: E402

EXPECTED_KEYS = {
    "query_first",
    "query_page",
    "query_next",
    "launch_dialog",
    "unlock",
    "unlock_window",
    "model_first",
    "model_page",
    "model_next",
    "rss_page",
    "rss_node",
    "gui_sync",
    "lag_p50",
    "lag_p99",
    "lag_max",
    "lag_idle_p99",
}


def test_benchmark_smoke(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    argv = [
        "--quick",
        "--timeline-records",
        "1000",
        "--timeline-feeds",
        "5",
        "--sync-records",
        "300",
        "--repeats",
        "2",
        "--idle",
        "0.3",
        "--timeout",
        "60",
        "--cache",
        str(tmp_path),
    ]
    rows = ui.main(argv)
    assert {row.key for row in rows} == EXPECTED_KEYS
    for row in rows:
        assert row.n > 0, row
        # A lag percentile may be exactly 0 on an idle machine (the timer came on time).
        assert row.value > 0 or row.key.startswith("lag_"), row
    out = capsys.readouterr().out
    for row in rows:
        assert row.name in out
    assert "cores:" in out and "load average" in out
