"""Credentials as files: one pretty-printed JSON document per credential."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, NoReturn

from ._errors import CredentialError, CredentialFileError, CredentialInputError, shown

MAX_FILE_SIZE: Final = 1 << 20
"""A rating credential is a few KiB; anything past 1 MiB is not one."""
_RATING_ID: Final = re.compile(r"^urn:smd:rating:([0-9a-f]{64})$")


def credential_file_name(doc: Mapping[str, Any]) -> str:
    """``rating-<revealed record id>.json``: stable, so a second export replaces the first.

    Raises:
        CredentialInputError: the document has no ``urn:smd:rating:<64 hex>`` id.
    """
    match = _RATING_ID.match(str(doc.get("id", "")))
    if match is None:
        raise CredentialInputError(f"not an SMD rating credential id: {shown(doc.get('id'))}")
    return f"rating-{match.group(1)}.json"


def _dumps(doc: Mapping[str, Any]) -> str:
    try:
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:  # a set, bytes, NaN...: a bug in the caller
        raise CredentialInputError(f"not a JSON document: {exc}") from exc


def write_credentials(directory: Path | str, docs: Iterable[Mapping[str, Any]]) -> list[Path]:
    """Write each credential to ``directory`` (created if missing) as UTF-8 JSON, indented, one
    file per credential named by :func:`credential_file_name`; return the paths in order.

    Each file is written whole or not at all (a temporary file renamed over it), so an export
    interrupted half-way never leaves a truncated credential.

    Raises:
        CredentialInputError: a document without an SMD rating id, one that is not JSON, or two
            different documents with the same id.
        CredentialFileError: the directory or a file cannot be written.
    """
    out = Path(directory)
    texts: dict[str, str] = {}
    names: list[str] = []
    for doc in docs:
        name, text = credential_file_name(doc), _dumps(doc)
        if texts.setdefault(name, text) != text:
            raise CredentialInputError(f"two different credentials have the id {shown(doc['id'])}")
        names.append(name)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _file_error("cannot create", out, exc)
    for name, text in texts.items():
        path = out / name
        tmp = out / f".{name}.tmp"
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            _file_error("cannot write", path, exc)
    return [out / name for name in names]


def read_credential(path: Path | str) -> dict[str, Any]:
    """The JSON object in a credential file, not yet verified (see ``verify_credential``).

    Strict JSON: duplicate keys, ``NaN`` and ``Infinity`` are refused, since two readers could
    otherwise see different credentials in the same bytes.

    Raises:
        CredentialFileError: the file cannot be read (missing, a directory, no permission).
        CredentialError: the file is not a JSON object in UTF-8, or is larger than 1 MiB.
    """
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        _file_error("cannot read", p, exc)
    if len(data) > MAX_FILE_SIZE:
        raise CredentialError(f"{p}: larger than {MAX_FILE_SIZE >> 20} MiB, not a credential")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CredentialError(f"{p}: not UTF-8 text (byte {exc.start})") from exc
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise CredentialError(
            f"{p}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except _Refused as exc:
        raise CredentialError(f"{p}: {exc}") from exc
    except RecursionError as exc:
        raise CredentialError(f"{p}: JSON nested too deeply") from exc
    if not isinstance(value, dict):
        raise CredentialError(f"{p}: not a JSON object")
    return value


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {shown(key)}")
        out[key] = value
    return out


def _no_constant(name: str) -> NoReturn:
    raise _Refused(f"{name} is not JSON")


def _file_error(doing: str, path: Path, exc: OSError) -> NoReturn:
    raise CredentialFileError(f"{doing} {path}: {exc.strerror or exc}") from exc
