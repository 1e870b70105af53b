"""The sync benchmark runs end to end at tiny sizes, two node processes included."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smd_desktop.core import content as ct
from smd_desktop.core.records import decode_record

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package (also for `pytest` alone)
    sys.path.insert(0, str(ROOT))

from bench import ingest  # noqa: E402
from bench import sync as sync_bench  # noqa: E402

EXPECTED_KEYS = {
    "verify",
    "check_many",
    "ceiling",
    "sync",
    "sync_dial",
    "sync_plan",
    "sync_first",
    "recv_ingest",
    "recv_check",
    "recv_write",
    "recv_cpu",
    "send_read",
    "send_cpu",
}


def test_generated_feeds_are_valid_and_fully_stored() -> None:
    identities = sync_bench.sync_identities(3)
    raws = sync_bench.generate_sync_feed(1, 60, identities)
    assert raws == sync_bench.generate_sync_feed(1, 60, identities)  # deterministic
    records = [decode_record(raw) for raw in raws]
    assert [r.seq for r in records] == list(range(1, 61))
    types = [r.type for r in records]
    assert types[:2] == [ct.CERT, ct.PROFILE]
    assert set(types[2:]) <= {ct.POST, ct.FOLLOW}  # nothing that deletes or replaces a record
    assert types.count(ct.POST) > 40


def test_benchmark_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--records", "300", "--sample", "300", "--timeout", "60", "--cache", str(tmp_path)]
    rows = sync_bench.main(argv)
    assert {row.key for row in rows} == EXPECTED_KEYS
    for row in rows:
        assert row.n > 0, row
        assert row.value > 0, row
    out = capsys.readouterr().out
    for row in rows:
        assert row.name in out
    assert "accepted 300," in out and "store count 300" in out
    assert "cores:" in out and "load average" in out
    # The records and the sender's profile are cached for the next run.
    prep = ingest.Prep()
    records = sync_bench.ensure_sync_records(tmp_path, 300, 20, 1, prep)
    sync_bench.ensure_sender_store(tmp_path, records, 300, 20, 2048, prep)
    assert [what.split(":")[1].strip().startswith("cached") for what, _ in prep.steps] == [
        True,
        True,
    ]
