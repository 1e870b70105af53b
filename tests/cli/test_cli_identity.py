"""``smd init``, ``whoami``, ``restore``, ``--version`` and ``smd`` without a command."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

from smd_desktop import __version__
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import identity_text

from .support import Result, Smd, Who, assert_error, no_profile_at

INIT_OUTPUT = re.compile(
    r"\AIdentity: (?P<id>z6Mk[1-9A-HJ-NP-Za-km-z]{44})\n"
    r"Device:   (?P<peer>12D3KooW[1-9A-HJ-NP-Za-km-z]{44})\n"
    r"\n"
    r"Recovery phrase \(shown once; write it down and keep it offline\):\n"
    r"  (?P<phrase>[a-z]+(?: [a-z]+){23})\n"
    r"\n"
    r"Anyone with these 24 words can act as you\. Without them and without this\n"
    r"device or a backup, your identity cannot be recovered\.\n\Z"
)


def init(smd: Smd, data_dir: Path, *args: str) -> re.Match[str]:
    result = smd.at(data_dir, "init", *args)
    assert (result.code, result.err) == (0, "")
    match = INIT_OUTPUT.match(result.out)
    assert match is not None, result.out
    return match


def test_init_prints_identity_device_and_the_phrase_of_that_identity(
    smd: Smd, tmp_path: Path
) -> None:
    shown = init(smd, tmp_path / "p", "--name", "Ada")

    root = RootKey.from_phrase(shown["phrase"])
    assert identity_text(root.public) == shown["id"]
    me = smd.at(tmp_path / "p", "whoami", "--json").json()
    assert (me["id"], me["peer_id"], me["name"]) == (shown["id"], shown["peer"], "Ada")


def test_second_init_in_the_same_dir_fails_and_keeps_the_first_identity(
    smd: Smd, tmp_path: Path
) -> None:
    data_dir = tmp_path / "p"
    first = init(smd, data_dir)

    assert_error(
        smd.at(data_dir, "init", "--name", "Eve"), f"a profile already exists in {data_dir}"
    )
    me = smd.at(data_dir, "whoami", "--json").json()
    assert (me["id"], me["peer_id"], me["name"]) == (first["id"], first["peer"], None)


def test_whoami_json_describes_identity_device_and_counts(smd: Smd, tmp_path: Path) -> None:
    data_dir = tmp_path / "p"
    shown = init(smd, data_dir, "--name", "Ada", "--device-name", "laptop")

    assert smd.at(data_dir, "whoami", "--json").json() == {
        "id": shown["id"],
        "did": "did:key:" + shown["id"],
        "peer_id": shown["peer"],
        "name": "Ada",
        "bio": "",
        "records": 2,  # the device certificate and the profile
        "devices": [
            {
                "peer_id": shown["peer"],
                "name": "laptop",
                "records": 2,
                "this_device": True,
                "revoked": False,
                "forked": False,
            }
        ],
    }


def test_init_without_a_name_publishes_no_profile(smd: Smd, tmp_path: Path) -> None:
    data_dir = tmp_path / "p"
    shown = init(smd, data_dir)

    result = smd.at(data_dir, "whoami")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "Name:      (no profile yet)",
        f"Identity:  {shown['id']}",
        f"DID:       did:key:{shown['id']}",
        f"Device:    {shown['peer']}",
        "Records:   1",
        "Devices:   1",
    ]


def test_unknown_kdf_profile_is_refused_before_anything_is_written(
    smd: Smd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMD_KDF", "fast")
    data_dir = tmp_path / "p"

    assert_error(
        smd.at(data_dir, "init"), "unknown KDF profile 'fast' (use 'moderate' or 'interactive')"
    )
    assert no_profile_at(data_dir)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("init", "--name", "x" * 65), "name is longer than 64 characters"),
        (("init", "--device-name", "d" * 65), "a device name has at most 64 characters"),
        (("restore", "--name", "x" * 65), "name is longer than 64 characters"),
    ],
    ids=["init-name", "init-device-name", "restore-name"],
)
def test_a_refused_init_or_restore_leaves_no_half_made_profile(
    smd: Smd,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.setenv("SMD_RECOVERY_PHRASE", RootKey.generate().phrase())
    data_dir = tmp_path / "p"

    assert_error(smd.at(data_dir, *args), message)

    # No store holding a root seed whose phrase was never shown; a retry just works.
    assert no_profile_at(data_dir)
    assert smd.at(data_dir, "init", "--name", "Ada").code == 0


def test_restore_gives_the_same_identity_on_a_new_device(
    smd: Smd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ada_template: Who
) -> None:
    original = ada_template  # only its ids are read
    # People paste phrases with odd spacing and capitals; the words are what count.
    monkeypatch.setenv("SMD_RECOVERY_PHRASE", "  " + "\n".join(original.phrase.upper().split()))

    result = smd.at(tmp_path / "two", "restore")

    restored = smd.at(tmp_path / "two", "whoami", "--json").json()
    assert restored["id"] == original.id
    assert restored["peer_id"] != original.peer_id
    assert restored["name"] is None
    assert [d["peer_id"] for d in restored["devices"]] == [restored["peer_id"]]
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        f"Restored identity {original.id}",
        f"as a new device {restored['peer_id']}.",
        "Your earlier posts arrive when your other devices or friends sync with this one.",
    ]


def test_restore_with_a_name_publishes_it(
    smd: Smd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMD_RECOVERY_PHRASE", RootKey.generate().phrase())

    assert smd.at(tmp_path / "p", "restore", "--name", "Ada").code == 0

    assert smd.at(tmp_path / "p", "whoami", "--json").json()["name"] == "Ada"


@pytest.mark.parametrize(
    "phrase",
    [
        "abandon " * 24,  # right words, wrong checksum
        " ".join(["abandon"] * 11 + ["about"]),  # a valid 12-word phrase
        "correct horse battery staple",
    ],
    ids=["bad-checksum", "12-words", "not-bip39"],
)
def test_restore_with_an_invalid_phrase_creates_nothing(
    smd: Smd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, phrase: str
) -> None:
    monkeypatch.setenv("SMD_RECOVERY_PHRASE", phrase)
    data_dir = tmp_path / "p"

    assert_error(smd.at(data_dir, "restore"), "not a valid 24-word recovery phrase")
    assert not data_dir.exists()


def test_restore_without_a_phrase_source_names_the_variable(smd: Smd, tmp_path: Path) -> None:
    assert_error(
        smd.at(tmp_path / "p", "restore"), "no terminal to ask for it: set SMD_RECOVERY_PHRASE"
    )
    assert not (tmp_path / "p").exists()


def test_restore_over_an_existing_profile_is_refused(
    smd: Smd, monkeypatch: pytest.MonkeyPatch, ada: Who
) -> None:
    existing = ada
    monkeypatch.setenv("SMD_RECOVERY_PHRASE", existing.phrase)

    assert_error(
        smd.at(existing.data_dir, "restore"), f"a profile already exists in {existing.data_dir}"
    )
    assert smd.at(existing.data_dir, "whoami", "--json").json()["peer_id"] == existing.peer_id


def test_version_prints_the_installed_version(smd: Smd) -> None:
    result = smd("--version")

    assert result == Result(0, f"smd {__version__}\n", "")
    assert __version__ == importlib.metadata.version("smd-desktop")


def test_no_command_without_a_terminal_hints_at_the_commands(smd: Smd, tmp_path: Path) -> None:
    data_dir = tmp_path / "p"

    result = smd.at(data_dir)

    assert_error(result, "run a command (see 'smd --help'), or start smd in a terminal")
    assert not data_dir.exists()
