"""``smd refs ...`` end to end, in-process (the entry point makes the plugin's commands appear)."""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from smd_desktop.cli import main
from smd_desktop.core.ids import identity_text
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records, make_profile

from .conftest import PASSPHRASE

RECORD_ID = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def line(self) -> str:
        assert (self.code, self.err, self.out.count("\n")) == (0, "", 1), self
        return self.out.strip()

    def json(self) -> Any:
        assert (self.code, self.err) == (0, ""), self
        return json.loads(self.out)


class Smd:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def at(self, data_dir: Path, *args: str | Path) -> Result:
        self._capsys.readouterr()
        try:
            code = main(["--data-dir", str(data_dir), *map(str, args)])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = self._capsys.readouterr()
        return Result(code, out, err)


def assert_error(result: Result, message: str) -> None:
    assert (result.code, result.out, result.err) == (1, "", f"smd: {message}\n")


@pytest.fixture
def smd(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Smd:
    monkeypatch.setenv("SMD_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("SMD_KDF", "interactive")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    return Smd(capsys)


def closed_profile(data_dir: Path, name: str) -> str:
    """Make a profile (without loading plugins: the CLI discovers them); its identity text."""
    profile = make_profile(data_dir, name, passphrase=PASSPHRASE)
    try:
        return identity_text(profile.identity)
    finally:
        profile.close()


def sync(source: Path, target: Path) -> None:
    src, dst = Profile.open(source, PASSPHRASE), Profile.open(target, PASSPHRASE)
    try:
        copy_records(src.store, dst.store)
    finally:
        src.close()
        dst.close()


def test_add_list_search_show_update_export_and_remove(smd: Smd, tmp_path: Path) -> None:
    me = tmp_path / "ada"
    ada = closed_profile(me, "Ada")

    entry_id = smd.at(
        me,
        *shlex.split(
            "refs add --title 'Shure SM7B' --url 'https://www.shure.com/sm7b?utm_source=yt'"
            " --category Audio/Microphones --note Warm. --tag podcast --tag voice"
            " --affiliate-url 'https://amzn.example/x?tag=ada-20' --affiliate-network Amazon"
            " --disclose affiliate,free --verdict recommend --still-using --since 2019"
            " --isbn 0-306-40615-2"
        ),
    ).line
    assert RECORD_ID.fullmatch(entry_id)

    (listed,) = smd.at(me, "refs", "list", "--json").json()
    assert listed | {"timestamp": 0} == {
        "id": entry_id,
        "author": ada,
        "author_name": "Ada",
        "mine": True,
        "slug": "shure-sm7b",
        "title": "Shure SM7B",
        "url": "https://www.shure.com/sm7b",
        "category": "Audio/Microphones",
        "category_segments": ["Audio", "Microphones"],
        "disclosures": ["affiliate", "free"],
        "disclosure_text": [
            "I earn a commission if you buy through this link.",
            "I received this for free.",
        ],
        "affiliate_links": [{"network": "Amazon", "url": "https://amzn.example/x?tag=ada-20"}],
        "note": "Warm.",
        "tags": ["podcast", "voice"],
        "identifiers": {"isbn": "0306406152"},
        "since": "2019",
        "until": None,
        "still_using": True,
        "verdict": "recommend",
        "timestamp": 0,
    }

    (hit,) = smd.at(
        me,
        "refs",
        "search",
        "warm",
        "--category",
        "audio",
        "--tag",
        "voice",
        "--author",
        ada,
        "--json",
    ).json()
    assert (hit["id"], hit["score"]) == (entry_id, 1.0)
    assert smd.at(me, "refs", "search", "warm", "--category", "video", "--json").json() == []

    new_id = smd.at(
        me,
        "refs",
        "update",
        entry_id,
        *shlex.split("--note 'Still warm.' --no-longer-using --until 2024"),
    ).line
    shown = smd.at(me, "refs", "show", entry_id, "--json").json()
    assert (
        shown["id"],
        shown["note"],
        shown["still_using"],
        shown["until"],
        shown["versions"],
    ) == (
        new_id,
        "Still warm.",
        False,
        "2024",
        2,
    )

    page = tmp_path / "resources.html"
    assert smd.at(me, "refs", "export-html", page).line == f"Wrote 1 entry to {page}"
    html = page.read_text(encoding="utf-8")
    assert 'rel="sponsored noopener"' in html
    assert "I earn a commission if you buy through this link." in html

    assert smd.at(me, "refs", "remove", entry_id).line == "Removed Shure SM7B (2 versions)"
    assert smd.at(me, "refs", "list", "--json").json() == []
    assert smd.at(me, "refs", "list").line == "No entries."


def test_endorsing_someone_elses_entry_across_profiles(smd: Smd, tmp_path: Path) -> None:
    ada_dir, bob_dir = tmp_path / "ada", tmp_path / "bob"
    ada, bob = closed_profile(ada_dir, "Ada"), closed_profile(bob_dir, "Bob")
    entry_id = smd.at(
        ada_dir, "refs", "add", "--title", "Desk", "--url", "https://desk.example"
    ).line
    sync(ada_dir, bob_dir)

    (theirs,) = smd.at(bob_dir, "refs", "list", "--author", ada, "--json").json()
    assert (theirs["id"], theirs["author"], theirs["mine"]) == (entry_id, ada, False)
    endorsement = smd.at(bob_dir, "refs", "endorse", entry_id, "--note", "Sturdy.").line
    assert RECORD_ID.fullmatch(endorsement)
    assert_error(smd.at(ada_dir, "refs", "endorse", entry_id), "you cannot endorse your own entry")

    shown = smd.at(bob_dir, "refs", "show", entry_id, "--json").json()
    assert [(e["id"], e["endorser"], e["note"]) for e in shown["endorsements"]] == [
        (endorsement, bob, "Sturdy.")
    ]


def test_errors_are_one_line_sentences(
    smd: Smd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = tmp_path / "ada"
    closed_profile(me, "Ada")
    add = ("refs", "add", "--title", "T")
    assert_error(smd.at(me, "refs", "remove", "ab" * 32), f"no reference entry {'ab' * 32}")

    # Mistakes in the arguments are reported before the profile is unlocked.
    monkeypatch.setenv("SMD_PASSPHRASE", "not the passphrase")
    assert_error(
        smd.at(me, *add, "--url", "ftp://x.example/"),
        "invalid URL 'ftp://x.example/': only http:// and https:// URLs are allowed",
    )
    assert_error(
        smd.at(
            me, *add, "--url", "https://x.example/", "--affiliate-url", "https://a.example/?t=1"
        ),
        "--affiliate-url needs --disclose affiliate",
    )
    assert_error(
        smd.at(me, *add, "--url", "https://x.example/", "--disclose", "paid"),
        "unknown disclosure 'paid' (use affiliate, sponsored, free or owner)",
    )
    assert_error(
        smd.at(me, *add, "--url", "https://x.example/", "--isbn", "123"),
        "an ISBN is 10 characters (digits, last may be X) or 13 digits starting 978/979: '123'",
    )
    assert_error(
        smd.at(me, "refs", "update", "ab" * 32, "--url", "mailto:x"),
        "invalid URL 'mailto:x': only http:// and https:// URLs are allowed",
    )
    assert_error(smd.at(me, "refs", "show", "xyz"), "not a record id: 'xyz'")
    assert_error(smd.at(me, "refs", "list"), "wrong passphrase")
