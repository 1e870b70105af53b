"""The store at rest: SQLCipher with an Argon2id key, a clear header without secrets, a
passphrase change that survives a crash at any point, and no plaintext in any file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from smd_desktop.core.errors import NoProfile, ProfileExists, WrongPassphrase
from smd_desktop.core.kdf import KdfParams, StoreHeader
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import DB_NAME, HEADER_NAME, Store
from smd_desktop.core.store.db import NEXT_HEADER_NAME
from smd_desktop.core.testing import FAST_KDF, make_profile

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "a brand new passphrase"


def snapshot(directory: Path) -> dict[str, str]:
    """SHA-256 of every file in ``directory``, by name."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def files_containing(needle: bytes, directory: Path) -> list[str]:
    """Files under ``directory`` whose bytes contain ``needle``, plus any unlinked file this
    process still holds open (where SQLite keeps its temporary files)."""
    hits = [
        str(p) for p in sorted(directory.rglob("*")) if p.is_file() and needle in p.read_bytes()
    ]
    fd_dir = Path("/proc/self/fd")
    if fd_dir.is_dir():
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
                if target.endswith(" (deleted)") and needle in fd.read_bytes():
                    hits.append(target)
            except OSError:
                continue  # closed meanwhile, or not a readable file
    return hits


def post_texts(profile: Profile) -> list[str]:
    return [p.text for p in profile.timeline(limit=100)]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A closed profile with two posts, in ``tmp_path / "profile"``."""
    directory = tmp_path / "profile"
    profile = make_profile(directory, passphrase=PASSPHRASE)
    profile.post("first")
    profile.post("second")
    profile.close()
    return directory


# -- opening and creating ---------------------------------------------------------------------


def test_wrong_passphrase_raises_and_changes_no_file(data_dir: Path) -> None:
    before = snapshot(data_dir)

    with pytest.raises(WrongPassphrase, match=r"^wrong passphrase$") as info:
        Profile.open(data_dir, "not the passphrase")

    assert str(info.value) == "wrong passphrase"
    assert snapshot(data_dir) == before
    assert sorted(before) == [DB_NAME, HEADER_NAME]


def test_wrong_passphrase_leaves_an_interrupted_header_change_in_place(data_dir: Path) -> None:
    StoreHeader.new(FAST_KDF).write(data_dir / NEXT_HEADER_NAME)
    before = snapshot(data_dir)

    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, "not the passphrase")

    assert snapshot(data_dir) == before
    assert sorted(before) == [DB_NAME, HEADER_NAME, NEXT_HEADER_NAME]


def test_open_on_an_empty_directory_raises_no_profile(tmp_path: Path) -> None:
    with pytest.raises(NoProfile):
        Profile.open(tmp_path, PASSPHRASE)

    assert list(tmp_path.iterdir()) == []


def test_open_on_a_missing_directory_raises_no_profile(tmp_path: Path) -> None:
    with pytest.raises(NoProfile):
        Profile.open(tmp_path / "nothing here", PASSPHRASE)

    assert not (tmp_path / "nothing here").exists()


def test_creating_a_profile_twice_raises_profile_exists(data_dir: Path) -> None:
    before = snapshot(data_dir)

    with pytest.raises(ProfileExists):
        make_profile(data_dir, passphrase="another passphrase")

    assert snapshot(data_dir) == before
    reopened = Profile.open(data_dir, PASSPHRASE)
    assert post_texts(reopened) == ["second", "first"]
    reopened.close()


def test_profile_reopens_with_its_keys_and_posts(data_dir: Path) -> None:
    first = Profile.open(data_dir, PASSPHRASE)
    identity, device = first.identity, first.device_key
    first.close()

    again = Profile.open(data_dir, PASSPHRASE)

    assert (again.identity, again.device_key) == (identity, device)
    assert post_texts(again) == ["second", "first"]
    again.close()


# -- changing the passphrase ------------------------------------------------------------------


def test_change_passphrase_locks_out_the_old_one_and_keeps_every_post(data_dir: Path) -> None:
    old_salt = StoreHeader.read(data_dir / HEADER_NAME).salt
    profile = Profile.open(data_dir, PASSPHRASE)

    profile.change_passphrase(NEW_PASSPHRASE, FAST_KDF)
    profile.close()

    with pytest.raises(WrongPassphrase):
        Profile.open(data_dir, PASSPHRASE)
    reopened = Profile.open(data_dir, NEW_PASSPHRASE)
    assert post_texts(reopened) == ["second", "first"]
    reopened.close()
    assert StoreHeader.read(data_dir / HEADER_NAME).salt != old_salt
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_NAME, HEADER_NAME]


def test_crash_before_rekey_keeps_the_old_passphrase_and_drops_the_new_header(
    data_dir: Path,
) -> None:
    # The new header is on disk, but the database was never re-keyed.
    header_before = (data_dir / HEADER_NAME).read_bytes()
    StoreHeader.new(FAST_KDF).write(data_dir / NEXT_HEADER_NAME)

    with pytest.raises(WrongPassphrase):
        Profile.open(data_dir, NEW_PASSPHRASE)
    assert (data_dir / NEXT_HEADER_NAME).exists()

    profile = Profile.open(data_dir, PASSPHRASE)

    assert post_texts(profile) == ["second", "first"]
    assert not (data_dir / NEXT_HEADER_NAME).exists()
    assert (data_dir / HEADER_NAME).read_bytes() == header_before
    profile.close()
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_NAME, HEADER_NAME]


def test_crash_after_rekey_before_the_rename_opens_with_the_new_passphrase(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def crash_on_header_swap(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(src).name == NEXT_HEADER_NAME:
            raise OSError("simulated crash before the header swap")
        real_replace(src, dst)

    profile = Profile.open(data_dir, PASSPHRASE)
    monkeypatch.setattr(os, "replace", crash_on_header_swap)
    with pytest.raises(OSError, match=r"^simulated crash before the header swap$"):
        profile.change_passphrase(NEW_PASSPHRASE, FAST_KDF)
    monkeypatch.undo()
    profile.close()
    new_salt = StoreHeader.read(data_dir / NEXT_HEADER_NAME).salt

    with pytest.raises(WrongPassphrase):
        Profile.open(data_dir, PASSPHRASE)
    assert (data_dir / NEXT_HEADER_NAME).exists()

    reopened = Profile.open(data_dir, NEW_PASSPHRASE)

    assert post_texts(reopened) == ["second", "first"]
    assert not (data_dir / NEXT_HEADER_NAME).exists()
    assert StoreHeader.read(data_dir / HEADER_NAME).salt == new_salt
    reopened.close()
    # Finalized: the next open goes through the main header alone.
    Profile.open(data_dir, NEW_PASSPHRASE).close()
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_NAME, HEADER_NAME]


CRASHING_CHILD = """
import os, sys
from pathlib import Path
from smd_desktop.core import kdf
from smd_desktop.core.testing import FAST_KDF, make_profile

data_dir, passphrase, new_passphrase, crash_point = sys.argv[1:]
profile = make_profile(Path(data_dir), passphrase=passphrase)
for n in range(40):
    profile.post(f"post {n}")
real_write, real_replace = kdf.StoreHeader.write, os.replace

def write_then_die(self, path):
    real_write(self, path)
    if path.name.endswith(".next") and crash_point == "after the new header":
        os._exit(3)

def die_before_the_swap(src, dst):
    if str(src).endswith(".next"):
        os._exit(3)
    real_replace(src, dst)

kdf.StoreHeader.write = write_then_die
os.replace = die_before_the_swap
profile.change_passphrase(new_passphrase, FAST_KDF)
"""


@pytest.mark.parametrize(
    ("crash_point", "survivor"),
    [("after the new header", PASSPHRASE), ("after the rekey", NEW_PASSPHRASE)],
    ids=["crash-after-new-header", "crash-after-rekey"],
)
def test_a_process_killed_during_a_passphrase_change_leaves_an_openable_profile(
    tmp_path: Path, crash_point: str, survivor: str
) -> None:
    # A real crash: no close, no checkpoint; the WAL and the pending header stay behind.
    data_dir = tmp_path / "profile"
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASHING_CHILD,
            str(data_dir),
            PASSPHRASE,
            NEW_PASSPHRASE,
            crash_point,
        ],
        check=False,
        capture_output=True,
    )
    assert child.returncode == 3, child.stderr.decode()
    assert {NEXT_HEADER_NAME, f"{DB_NAME}-wal"} <= {p.name for p in data_dir.iterdir()}
    loser = NEW_PASSPHRASE if survivor == PASSPHRASE else PASSPHRASE

    with pytest.raises(WrongPassphrase):
        Profile.open(data_dir, loser)
    profile = Profile.open(data_dir, survivor)

    assert post_texts(profile) == [f"post {n}" for n in reversed(range(40))]
    assert not (data_dir / NEXT_HEADER_NAME).exists()
    profile.close()
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_NAME, HEADER_NAME]
    Profile.open(data_dir, survivor).close()


# -- nothing readable at rest -----------------------------------------------------------------


def test_no_plaintext_of_posts_profile_or_secrets_in_any_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "profile"
    post_marker = uuid.uuid4().hex
    name_marker = uuid.uuid4().hex[:20]
    bio_marker = uuid.uuid4().hex
    profile = make_profile(data_dir, name=name_marker, passphrase=PASSPHRASE)
    profile.set_profile(bio=bio_marker)
    profile.post(f"secret post {post_marker}", tags=[post_marker[:16]])
    secrets = {
        "root seed": profile.root.seed,
        "root seed hex": profile.root.seed.hex().encode(),
        "recovery phrase": profile.root.phrase().encode("utf-8"),
        "device seed": profile.device_seed,
        "database key": StoreHeader.read(data_dir / HEADER_NAME).derive_key(PASSPHRASE),
    }
    markers = {
        "post": post_marker.encode("utf-8"),
        "name": name_marker.encode("utf-8"),
        "bio": bio_marker.encode("utf-8"),
    }
    # The profile is open: the WAL and its index hold the latest writes.
    assert {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"} <= {p.name for p in data_dir.iterdir()}
    assert profile.timeline()[0].text == f"secret post {post_marker}"

    for what, needle in (markers | secrets).items():
        assert files_containing(needle, data_dir) == [], f"{what} readable while open"

    profile.close()

    for what, needle in (markers | secrets).items():
        assert files_containing(needle, tmp_path) == [], f"{what} readable after close"


def test_plaintext_scan_finds_a_marker_in_plain_and_unlinked_files(tmp_path: Path) -> None:
    # The check above is only as good as this scan: prove that it sees what it looks for.
    marker = uuid.uuid4().hex.encode()
    (tmp_path / "plain.txt").write_bytes(b"before " + marker + b" after")
    with tempfile.TemporaryFile(dir=tmp_path) as unlinked:
        unlinked.write(marker)
        unlinked.flush()

        hits = files_containing(marker, tmp_path)

    assert hits[0] == str(tmp_path / "plain.txt")
    if Path("/proc/self/fd").is_dir():
        assert len(hits) == 2
        assert hits[1].endswith(" (deleted)")


def test_header_holds_only_the_kdf_parameters_and_salt(data_dir: Path) -> None:
    fields = json.loads((data_dir / HEADER_NAME).read_text(encoding="utf-8"))

    assert set(fields) == {"format", "kdf", "salt", "opslimit", "memlimit", "cipher"}
    assert fields["format"] == "smd-store/1"
    assert fields["kdf"] == "argon2id"
    assert fields["cipher"] == "sqlcipher4-raw-key"
    assert len(bytes.fromhex(fields["salt"])) == 16


def test_header_records_the_kdf_parameters_used(data_dir: Path) -> None:
    header = StoreHeader.read(data_dir / HEADER_NAME)

    assert header.params == KdfParams.interactive()
    assert header.params == FAST_KDF


def test_new_profiles_default_to_moderate_kdf(tmp_path: Path) -> None:
    # The one slow test (~0.7 s): it proves what a real user gets.
    profile = Profile.create(tmp_path / "default", PASSPHRASE, name=None)
    profile.close()

    header = StoreHeader.read(tmp_path / "default" / HEADER_NAME)
    assert header.params == KdfParams.moderate()
    assert header.params != KdfParams.interactive()


def test_change_passphrase_records_its_new_kdf_parameters(data_dir: Path) -> None:
    stronger = KdfParams(FAST_KDF.opslimit + 1, FAST_KDF.memlimit)
    profile = Profile.open(data_dir, PASSPHRASE)

    profile.change_passphrase(NEW_PASSPHRASE, stronger)
    profile.close()

    assert StoreHeader.read(data_dir / HEADER_NAME).params == stronger
    Profile.open(data_dir, NEW_PASSPHRASE).close()
