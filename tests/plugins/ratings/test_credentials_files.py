"""Credentials as files: stable names, pretty JSON, and clear errors for bad files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rfc8785")

from plugins.ratings.core.credentials import (
    MAX_FILE_SIZE,
    TAMPERED,
    CredentialError,
    CredentialFileError,
    CredentialInputError,
    credential_file_name,
    rating_credential,
    read_credential,
    verify_credential,
    write_credentials,
)
from plugins.ratings.core.credentials.testing import CREATED_MS, root_key, sample_facts

ALICE, BOB, CAROL = root_key("alice"), root_key("bob"), root_key("carol")


def credentials() -> list[dict[str, Any]]:
    by_alice = sample_facts(ALICE, BOB)
    by_carol = sample_facts(
        CAROL, BOB, revealed_record=b"\x07" * 32, overall=2, text="Late, and rude about it."
    )
    return [
        rating_credential(by_alice, issuer=ALICE, created_ms=CREATED_MS),
        rating_credential(by_carol, issuer=CAROL, created_ms=CREATED_MS + 1),
    ]


def test_credentials_are_written_and_read_back(tmp_path: Path) -> None:
    docs = credentials()
    paths = write_credentials(tmp_path / "export", docs)
    assert [p.name for p in paths] == [
        f"rating-{docs[0]['id'].removeprefix('urn:smd:rating:')}.json",
        "rating-" + "07" * 32 + ".json",
    ]
    assert sorted(os.listdir(tmp_path / "export")) == sorted(p.name for p in paths)
    for path, doc in zip(paths, docs, strict=True):
        assert read_credential(path) == doc
        assert verify_credential(read_credential(path)).facts == verify_credential(doc).facts


def test_files_are_indented_utf8_json(tmp_path: Path) -> None:
    [path] = write_credentials(tmp_path, credentials()[:1])
    text = path.read_text("utf-8")
    assert text.startswith('{\n  "@context": [\n')
    assert text.endswith("}\n")
    assert "Merci, à bientôt!" in text


def test_a_second_export_replaces_the_same_files(tmp_path: Path) -> None:
    first = write_credentials(tmp_path, credentials())
    second = write_credentials(tmp_path, credentials())
    assert first == second
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in first)  # no temporary files


def test_the_same_credential_twice_is_one_file(tmp_path: Path) -> None:
    doc = credentials()[0]
    a, b = write_credentials(tmp_path, [doc, doc])
    assert a == b
    assert os.listdir(tmp_path) == [a.name]


def test_two_different_credentials_with_one_id_are_refused(tmp_path: Path) -> None:
    doc = credentials()[0]
    other = json.loads(json.dumps(doc))
    other["validFrom"] = "2000-01-01T00:00:00Z"
    with pytest.raises(CredentialInputError, match=r"^two different credentials have the id "):
        write_credentials(tmp_path, [doc, other])
    assert os.listdir(tmp_path) == []


def test_a_document_without_a_rating_id_cannot_be_named() -> None:
    with pytest.raises(
        CredentialInputError, match=r"^not an SMD rating credential id: 'urn:uuid:1'$"
    ):
        credential_file_name({"id": "urn:uuid:1"})


def test_an_unwritable_directory_is_a_file_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CredentialFileError, match=rf"^cannot create {re.escape(str(blocker))}: "):
        write_credentials(blocker, credentials())


def test_a_credential_edited_on_disk_fails_verification(tmp_path: Path) -> None:
    [path] = write_credentials(tmp_path, credentials()[:1])
    path.write_text(path.read_text("utf-8").replace('"overall": 4', '"overall": 5'), "utf-8")
    with pytest.raises(CredentialError, match=f"^{re.escape(TAMPERED)}$"):
        verify_credential(read_credential(path))


def test_a_missing_file_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(
        CredentialFileError,
        match=rf"^cannot read {re.escape(str(path))}: No such file or directory$",
    ):
        read_credential(path)


def test_a_directory_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialFileError, match=r"^cannot read .*: Is a directory$"):
        read_credential(tmp_path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
        (b"", "not JSON: Expecting value at line 1 column 1"),
        (b'{"a": 1,\n "b": }', "not JSON: Expecting value at line 2 column 7"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"id": 1, "id": 2}', "duplicate key 'id'"),
        (b'{"overall": NaN}', "NaN is not JSON"),
        (b'{"overall": -Infinity}', "-Infinity is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        (b" " * MAX_FILE_SIZE + b"{}", "larger than 1 MiB, not a credential"),
    ],
)
def test_a_malformed_file_says_what_is_wrong(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CredentialError, match=f"^{re.escape(f'{path}: {reason}')}$"):
        read_credential(path)
