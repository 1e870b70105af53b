"""Where the passphrase comes from, what a wrong one does, ``smd passwd``, and no profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from smd_desktop.core.store.db import NEXT_HEADER_NAME

from .support import (
    PASSPHRASE,
    Result,
    Smd,
    Who,
    assert_error,
    clone,
    new_profile,
    no_profile_at,
    open_profile,
)

# Every command that opens an existing profile.
OPENING_COMMANDS = [
    ("whoami",),
    ("feed",),
    ("post", "hello"),
    ("device", "list"),
    ("following",),
    ("export", "backup.smdbackup"),
    ("passwd",),
]
IDS = [c[0] if c[0] != "device" else "device-list" for c in OPENING_COMMANDS]


@pytest.fixture(scope="module")
def me_template(tmp_path_factory: pytest.TempPathFactory) -> Who:
    who = new_profile(tmp_path_factory.mktemp("passphrase") / "me", "Ada")
    profile = open_profile(who.data_dir)
    try:
        profile.post("written before the change")
    finally:
        profile.close()
    return who


@pytest.fixture
def me(me_template: Who, tmp_path: Path) -> Who:
    return clone(me_template, tmp_path / "me")


@pytest.mark.parametrize("command", OPENING_COMMANDS, ids=IDS)
def test_wrong_passphrase_is_exactly_one_line(
    smd: Smd, me: Who, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("SMD_PASSPHRASE", PASSPHRASE + "!")
    monkeypatch.setenv("SMD_NEW_PASSPHRASE", "irrelevant")
    monkeypatch.chdir(me.data_dir.parent)

    assert smd.at(me.data_dir, *command) == Result(1, "", "smd: wrong passphrase\n")
    assert not (me.data_dir.parent / "backup.smdbackup").exists()


@pytest.mark.parametrize("command", OPENING_COMMANDS, ids=IDS)
def test_no_profile_points_to_smd_init(smd: Smd, tmp_path: Path, command: tuple[str, ...]) -> None:
    empty = tmp_path / "empty"

    assert_error(
        smd.at(empty, *command), f"no profile in {empty} (run 'smd init' or 'smd restore' first)"
    )
    assert not empty.exists()


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
@pytest.mark.parametrize("command", [("init",), ("whoami",)])
def test_no_passphrase_source_names_smd_passphrase(
    smd: Smd,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
    command: tuple[str, ...],
) -> None:
    data_dir = tmp_path / "p"
    if command == ("whoami",):
        assert smd.at(data_dir, "init", "--name", "Ada").code == 0
    if value is None:
        monkeypatch.delenv("SMD_PASSPHRASE")
    else:
        monkeypatch.setenv("SMD_PASSPHRASE", value)

    assert_error(smd.at(data_dir, *command), "no terminal to ask for it: set SMD_PASSPHRASE")
    if command == ("init",):
        assert no_profile_at(data_dir)


def test_passwd_switches_to_the_new_passphrase(
    smd: Smd, me: Who, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMD_NEW_PASSPHRASE", "a whole new passphrase")

    assert smd.at(me.data_dir, "passwd") == Result(0, "Passphrase changed.\n", "")

    assert smd.at(me.data_dir, "whoami") == Result(1, "", "smd: wrong passphrase\n")
    monkeypatch.setenv("SMD_PASSPHRASE", "a whole new passphrase")
    assert smd.at(me.data_dir, "whoami", "--json").json()["id"] == me.id
    feed = smd.at(me.data_dir, "feed", "--json").json()
    assert [p["text"] for p in feed] == ["written before the change"]
    assert not (me.data_dir / NEXT_HEADER_NAME).exists()


def test_passwd_without_a_new_passphrase_source_changes_nothing(smd: Smd, me: Who) -> None:
    assert_error(smd.at(me.data_dir, "passwd"), "no terminal to ask for it: set SMD_NEW_PASSPHRASE")

    assert smd.at(me.data_dir, "whoami", "--json").json()["id"] == me.id
