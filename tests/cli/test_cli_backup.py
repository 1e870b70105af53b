"""``smd export FILE`` and ``smd --data-dir NEW import FILE``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from smd_desktop.core.backup import MAGIC, export_backup
from smd_desktop.core.ids import BlobHash
from smd_desktop.core.profile import Image
from smd_desktop.core.testing import FAST_KDF

from .support import (
    PASSPHRASE,
    PNG,
    Result,
    Smd,
    Who,
    assert_error,
    assert_one_line_error,
    new_profile,
    no_profile_at,
    open_profile,
)


def fill(who: Who) -> None:
    """A profile with something of everything a backup must carry."""
    profile = open_profile(who.data_dir)
    try:
        profile.set_profile(bio="I keep backups", avatar=Image.from_bytes(PNG))
        first = profile.post("first post", tags=["hello"])
        profile.post("with a picture", images=[Image.from_bytes(PNG)])
        profile.post("a reply", reply_to=first.id)
        typo = profile.post("tpyo")
        profile.edit(typo.id, "typo fixed")
        gone = profile.post("regretted")
        profile.delete(gone.id)
    finally:
        profile.close()


def test_export_then_import_restores_the_identity_as_a_new_device_with_all_posts(
    smd: Smd, tmp_path: Path
) -> None:
    old = new_profile(tmp_path / "old", "Ada")
    fill(old)
    old_whoami = smd.at(old.data_dir, "whoami", "--json").json()
    backup, new_dir = tmp_path / "ada.smdbackup", tmp_path / "new"

    exported = smd.at(old.data_dir, "export", backup)

    records = old_whoami["records"]
    assert records == 10  # cert, 2 profiles, 5 posts, an edit, a tombstone
    assert exported == Result(
        0, f"Backup of {records} records written to {backup} (sealed with your passphrase).\n", ""
    )
    assert backup.read_bytes().startswith(MAGIC)

    imported = smd.at(new_dir, "import", backup)

    new_whoami = smd.at(new_dir, "whoami", "--json").json()
    assert imported == Result(
        0,
        f"Imported {records} records of {old.id}\nas a new device {new_whoami['peer_id']}.\n",
        "",
    )
    assert new_whoami["id"] == old.id
    assert new_whoami["peer_id"] != old.peer_id
    assert (new_whoami["name"], new_whoami["bio"]) == ("Ada", "I keep backups")
    assert new_whoami["records"] == records + 1  # plus the new device's certificate
    old_feed = smd.at(old.data_dir, "feed", "--json").json()
    new_feed = smd.at(new_dir, "feed", "--json").json()
    assert [p["text"] for p in new_feed] == [
        "typo fixed",
        "a reply",
        "with a picture",
        "first post",
    ]
    assert new_feed == old_feed  # ids, devices, seqs, times, replies, tags, images, edits
    devices = smd.at(new_dir, "device", "list", "--json").json()
    assert [(d["peer_id"], d["this_device"], d["records"], d["revoked"]) for d in devices] == [
        (new_whoami["peer_id"], True, 1, False),
        (old.peer_id, False, records, False),
    ]
    # The new device may edit what the old one wrote: same identity.
    first = new_feed[3]["id"]
    assert smd.at(new_dir, "edit", first, "first post, edited later").code == 0
    [edited] = smd.at(new_dir, "feed", "--json", "--limit", "4").json()[3:]
    assert (edited["id"], edited["text"], edited["edited"]) == (
        first,
        "first post, edited later",
        True,
    )
    [image] = new_feed[2]["images"]
    profile = open_profile(new_dir)  # the blobs came along
    try:
        assert profile.blob(BlobHash(bytes.fromhex(image["hash"]))) == (PNG, "image/png")
    finally:
        profile.close()


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good backup (sealed with PASSPHRASE) of a small profile, written through the core."""
    base = tmp_path_factory.mktemp("backup")
    who = new_profile(base / "source")
    profile = open_profile(who.data_dir)
    try:
        profile.post("in the backup")
        export_backup(profile, base / "good.smdbackup", PASSPHRASE, FAST_KDF)
    finally:
        profile.close()
    return base / "good.smdbackup"


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "truncated-half": (lambda d: d[: len(d) // 2], "{path} is a damaged SMD backup"),
    "truncated-one-byte": (lambda d: d[:-1], "{path} is a damaged SMD backup"),
    "magic-only": (lambda d: d[: len(MAGIC)], "{path} is a damaged SMD backup"),
    "random-bytes": (lambda d: os.urandom(len(d)), "{path} is not an SMD backup"),
    "random-after-magic": (lambda d: MAGIC + os.urandom(200), "{path} is a damaged SMD backup"),
    "empty": (lambda d: b"", "{path} is not an SMD backup"),
    "flipped-bit": (
        _flip_last_byte,
        "cannot decrypt the backup: wrong passphrase or damaged file",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_importing_a_damaged_backup_fails_in_one_line_and_creates_nothing(
    smd: Smd, tmp_path: Path, backup: Path, damage: str
) -> None:
    mangle, message = DAMAGE[damage]
    damaged = tmp_path / "damaged.smdbackup"
    damaged.write_bytes(mangle(backup.read_bytes()))
    new_dir = tmp_path / "new"

    result = smd.at(new_dir, "import", damaged)

    assert_error(result, message.format(path=damaged))
    assert_one_line_error(result, "backup")
    assert no_profile_at(new_dir)


def test_importing_with_the_wrong_passphrase_fails_and_creates_nothing(
    smd: Smd, tmp_path: Path, backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMD_PASSPHRASE", "not the backup's passphrase")
    new_dir = tmp_path / "new"

    result = smd.at(new_dir, "import", backup)

    assert_error(result, "cannot decrypt the backup: wrong passphrase or damaged file")
    assert no_profile_at(new_dir)


def test_importing_a_missing_file_says_no_such_file(smd: Smd, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.smdbackup"

    assert_error(smd.at(tmp_path / "new", "import", missing), f"no such file: {missing}")
    assert not (tmp_path / "new").exists()


def test_importing_over_an_existing_profile_is_refused(smd: Smd, ada: Who, backup: Path) -> None:
    existing = ada

    assert_error(
        smd.at(existing.data_dir, "import", backup),
        f"a profile already exists in {existing.data_dir}",
    )
    assert smd.at(existing.data_dir, "whoami", "--json").json()["id"] == existing.id


def test_exporting_into_a_missing_directory_fails_in_one_line(
    smd: Smd, ada: Who, tmp_path: Path
) -> None:
    result = smd.at(ada.data_dir, "export", tmp_path / "no" / "such" / "dir" / "b.smdbackup")

    assert_one_line_error(result)
    assert not (tmp_path / "no").exists()
