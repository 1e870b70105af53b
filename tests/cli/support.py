"""Helpers for the ``smd`` CLI tests: run ``main`` in-process, make and sync profiles fast."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from smd_desktop.cli import main
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import identity_text, peer_id_text
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import IngestResult, profile_exists
from smd_desktop.core.testing import copy_records, make_profile

PASSPHRASE = "correct horse battery staple"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
"""Enough of a PNG for SMD: it recognizes images by their magic bytes."""
SMD_BIN = Path(sys.executable).with_name("smd")
"""The installed console script next to the interpreter running the tests."""


@dataclass(frozen=True)
class Result:
    """What one ``smd`` run returned and printed."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Stdout parsed as JSON (the ``--json`` forms)."""
        assert self.code == 0, self.err
        return json.loads(self.out)

    @property
    def line(self) -> str:
        """Stdout of a command that prints exactly one line (e.g. a record id), stripped."""
        assert self.code == 0, self.err
        assert self.out.count("\n") == 1, self.out
        return self.out.strip()


class Smd:
    """Runs ``smd_desktop.cli.main`` in this process and captures its output."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *args: str | Path) -> Result:
        """``smd ARGS...``; ``--version``/``--help`` exits are turned into a result."""
        self._capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def at(self, data_dir: Path, *args: str | Path) -> Result:
        """``smd --data-dir DATA_DIR ARGS...``."""
        return self(*("--data-dir", data_dir, *args))


def assert_error(result: Result, expected: str) -> None:
    """The run failed the documented way: exit 1, nothing on stdout, and stderr is exactly
    ``smd: EXPECTED`` on one line (so no traceback)."""
    assert (result.code, result.out, result.err) == (1, "", f"smd: {expected}\n")


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit 1 with one ``smd: ...`` line on stderr containing every fragment; returns it."""
    assert result.code == 1, result
    assert result.out == ""
    assert result.err.startswith("smd: ")
    assert result.err.endswith("\n")
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err
    return result.err


@dataclass(frozen=True)
class Who:
    """Text ids of a profile made for a test."""

    data_dir: Path
    id: str
    peer_id: str
    phrase: str


def new_profile(data_dir: Path, name: str | None = "Alice", *, root: RootKey | None = None) -> Who:
    """A closed profile made through the core (fast KDF), for tests not about ``init``."""
    profile = make_profile(data_dir, name, passphrase=PASSPHRASE, root=root)
    try:
        return Who(
            data_dir,
            identity_text(profile.identity),
            peer_id_text(profile.device_key),
            profile.root.phrase(),
        )
    finally:
        profile.close()


def clone(who: Who, data_dir: Path) -> Who:
    """A copy of a closed test profile in ``data_dir``: the same identity *and* device.

    Much cheaper than a new profile (no Argon2id); use it to start each test from a state a
    session- or module-scoped fixture built once. Never sync a clone with its original.
    """
    shutil.copytree(who.data_dir, data_dir)
    return dataclasses.replace(who, data_dir=data_dir)


def open_profile(data_dir: Path, passphrase: str = PASSPHRASE) -> Profile:
    """Unlock a test profile; the caller closes it."""
    return Profile.open(data_dir, passphrase)


def sync(source: Path, target: Path) -> list[IngestResult]:
    """Copy every feed ``source`` holds into ``target`` (what the network would do)."""
    src, dst = open_profile(source), open_profile(target)
    try:
        return copy_records(src.store, dst.store)
    finally:
        src.close()
        dst.close()


def no_profile_at(data_dir: Path) -> bool:
    """Nothing that looks like a profile was left in ``data_dir``."""
    return not profile_exists(data_dir) and not any(data_dir.glob("smd.*"))
