"""Schema migrations: an older profile upgrades in place and keeps its data."""

from __future__ import annotations

from pathlib import Path

import pytest

from smd_desktop.core.errors import StoreError
from smd_desktop.core.profile import Image
from smd_desktop.core.store import db
from smd_desktop.core.store.schema import MIGRATIONS
from smd_desktop.core.testing import FAST_KDF, make_profile

PASSPHRASE = "correct horse battery staple"


def test_a_profile_from_schema_1_upgrades_in_place(tmp_path: Path) -> None:
    conn = db.create_database(tmp_path / "p", PASSPHRASE, FAST_KDF)
    conn.execute("DROP TABLE blob_refs")  # undo migrations 2 and 3:
    conn.execute("DROP INDEX posts_recent")  # as a first-release profile left it
    conn.execute("DROP INDEX records_type")  # and migration 4
    conn.execute("DROP TABLE forgotten")
    conn.execute("DROP TABLE plugin_state")
    conn.execute("DROP TABLE direct_outbox")  # and migration 5
    conn.execute("DROP TABLE direct_inbox_seen")
    conn.execute("PRAGMA user_version = 1")
    conn.close()

    reopened = db.open_database(tmp_path / "p", PASSPHRASE)
    (version,) = reopened.execute("PRAGMA user_version").fetchone()
    assert version == len(MIGRATIONS) == 5
    assert reopened.execute("SELECT count(*) FROM blob_refs").fetchone() == (0,)
    plan = reopened.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM posts WHERE edits IS NULL ORDER BY ts DESC, id DESC"
    ).fetchall()
    assert "posts_recent" in str(plan)
    assert reopened.execute("SELECT count(*) FROM plugin_state").fetchone() == (0,)
    reopened.close()


def test_a_profile_from_a_newer_smd_is_refused(tmp_path: Path) -> None:
    make_profile(tmp_path / "p").close()
    conn = db.open_database(tmp_path / "p", PASSPHRASE)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match=r"newer SMD"):
        db.open_database(tmp_path / "p", PASSPHRASE)


def test_referenced_blobs_we_lack_are_listed_until_stored(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "a", "Alice")
    bob = make_profile(tmp_path / "b", "Bob")
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    record = alice.post("pic", images=[Image.from_bytes(png)])
    bob.store.ingest(alice.store.read_range(alice.device_key, 1, 10))
    digest = record.content["images"][0]["hash"] if record.content else b""

    assert alice.store.missing_blobs() == []
    assert bob.store.missing_blobs() == [(digest, len(png))]
    bob.store.put_blob(png, "image/png")
    assert bob.store.missing_blobs() == []
    alice.close()
    bob.close()
