"""The ingest benchmark runs end to end at tiny sizes and reports every row."""

from __future__ import annotations

import sys
from pathlib import Path

import nacl.bindings
import nacl.signing
import pytest

from smd_desktop.core import content as ct
from smd_desktop.core.ids import RecordId
from smd_desktop.core.records import decode_record, sign_record

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is not an installed package (also for `pytest` alone)
    sys.path.insert(0, str(ROOT))

from bench import ingest  # noqa: E402

EXPECTED_KEYS = {
    "verify",
    "parse",
    "decode",
    "check",
    "fresh",
    "fresh_batch_p50",
    "fresh_batch_max",
    "fresh_close",
    "fresh_size",
    "existing_size",
    "existing",
    "existing_batch_p50",
    "existing_batch_max",
    "existing_close",
    "after_size",
    "open_moderate",
    "open_interactive",
    "open_big",
    "open_after",
}


def test_signer_matches_sign_record() -> None:
    seed = bytes(range(32))
    public, secret = nacl.bindings.crypto_sign_seed_keypair(seed)
    content = {"text": "hello", "tags": ["news"]}
    raw, record_id = ingest.sign_raw(secret, public, 2, b"\x01" * 32, 1234, ct.POST, content)
    expected = sign_record(
        nacl.signing.SigningKey(seed),
        seq=2,
        prev=RecordId(b"\x01" * 32),
        timestamp=1234,
        type=ct.POST,
        content=content,
    )
    assert raw == expected.raw
    assert record_id == expected.id


def test_generated_feeds_are_valid() -> None:
    identities = ingest.identities_of("t", 2)
    raws = ingest.generate_feed("t", 0, 50, identities)
    assert raws == ingest.generate_feed("t", 0, 50, identities)  # deterministic
    types = [decode_record(raw).type for raw in raws]
    assert types[0] == ct.CERT
    assert types.count(ct.POST) > 30


def test_benchmark_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--records", "300", "--existing", "1000", "--opens", "1", "--cache", str(tmp_path)]
    rows = ingest.main(argv)
    assert {row.key for row in rows} == EXPECTED_KEYS
    for row in rows:
        assert row.n > 0, row
        assert row.value > 0, row
    out = capsys.readouterr().out
    for row in rows:
        assert row.name in out
    assert "sqlcipher3" in out and "cores:" in out
    # The record sets and the pre-built store are cached for the next run.
    prep = ingest.Prep()
    ingest.ensure_store(tmp_path, 1000, 100, 1000, 1, prep)
    ingest.ensure_records(tmp_path, "new", 300, 100, 1, prep)
    assert [what.split(":")[1].strip().startswith("cached") for what, _ in prep.steps] == [
        True,
        True,
    ]
