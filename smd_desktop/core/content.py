"""Pure validators for the core content types (docs/PROTOCOL.md, "Content types").

Each validator takes a decoded content map and raises :class:`InvalidRecord` when it breaks the
spec. Core types reject unknown keys: a new field means a new type version. Records of types no
validator knows are stored and replicated as they are (plugins add validators later).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import InvalidRecord
from .identity import validate_cert, validate_revocation
from .ids import HASH_SIZE, KEY_SIZE
from .records import SignedRecord

CERT = "smd/cert/1"
REVOKE = "smd/revoke/1"
PROFILE = "smd/profile/1"
POST = "smd/post/1"
DELETE = "smd/delete/1"
FOLLOW = "smd/follow/1"
BLOCK = "smd/block/1"

MAX_POST_CHARS = 5000
MAX_NAME_CHARS = 64
MAX_BIO_CHARS = 1000
MAX_TAGS = 10
MAX_TAG_CHARS = 32
MAX_IMAGES = 4
MAX_BLOB_SIZE = 8 * 1024 * 1024
IMAGE_MIME_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
TAG_PATTERN = re.compile(r"^[\w-]{1,32}$")

type Validator = Callable[[dict[str, Any]], None]


def _keys(content: dict[str, Any], required: set[str], optional: set[str]) -> None:
    keys = set(content)
    if missing := required - keys:
        raise InvalidRecord(f"missing field(s): {', '.join(sorted(missing))}")
    if unknown := keys - required - optional:
        raise InvalidRecord(f"unknown field(s): {', '.join(sorted(unknown))}")


def _text(value: Any, field: str, max_chars: int, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f"{field} must be text")
    if len(value) > max_chars:
        raise InvalidRecord(f"{field} is longer than {max_chars} characters")
    if not allow_empty and not value.strip():
        raise InvalidRecord(f"{field} must not be empty")
    return value


def _key(value: Any, field: str, size: int = KEY_SIZE) -> bytes:
    if not isinstance(value, bytes) or len(value) != size:
        raise InvalidRecord(f"{field} must be {size} bytes")
    return value


def validate_blob_ref(value: Any, field: str = "blob") -> None:
    """A blob reference: ``{hash: bin32, mime: str, size: int}`` of an image."""
    if not isinstance(value, dict):
        raise InvalidRecord(f"{field} must be a map")
    _keys(value, {"hash", "mime", "size"}, set())
    _key(value["hash"], f"{field}.hash", HASH_SIZE)
    if not isinstance(value["mime"], str) or value["mime"] not in IMAGE_MIME_TYPES:
        raise InvalidRecord(f"{field}.mime must be one of {sorted(IMAGE_MIME_TYPES)}")
    size = value["size"]
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_BLOB_SIZE:
        raise InvalidRecord(f"{field}.size must be from 1 to {MAX_BLOB_SIZE} bytes")


def validate_profile(content: dict[str, Any]) -> None:
    """``smd/profile/1``: ``name``, optional ``bio`` and ``avatar`` (blob ref)."""
    _keys(content, {"name"}, {"bio", "avatar"})
    _text(content["name"], "name", MAX_NAME_CHARS, allow_empty=False)
    if "bio" in content:
        _text(content["bio"], "bio", MAX_BIO_CHARS)
    if "avatar" in content:
        validate_blob_ref(content["avatar"], "avatar")


def validate_post(content: dict[str, Any]) -> None:
    """``smd/post/1``: ``text``; optional ``reply_to``, ``edits`` (record ids), ``tags``,
    ``images`` (blob refs). A post has text or at least one image."""
    _keys(content, {"text"}, {"reply_to", "edits", "tags", "images"})
    text = _text(content["text"], "text", MAX_POST_CHARS)
    for field in ("reply_to", "edits"):
        if field in content:
            _key(content[field], field, HASH_SIZE)
    if "tags" in content:
        tags = content["tags"]
        if not isinstance(tags, list) or not 1 <= len(tags) <= MAX_TAGS:
            raise InvalidRecord(f"tags must be a list of 1 to {MAX_TAGS} tags")
        for tag in tags:
            if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag) or tag != tag.lower():
                raise InvalidRecord("a tag is 1-32 lowercase letters, digits, '_' or '-'")
        if len(set(tags)) != len(tags):
            raise InvalidRecord("tags must be unique")
    images = content.get("images", [])
    if "images" in content and (not isinstance(images, list) or not 1 <= len(images) <= MAX_IMAGES):
        raise InvalidRecord(f"images must be a list of 1 to {MAX_IMAGES} blob refs")
    for i, image in enumerate(images):
        validate_blob_ref(image, f"images[{i}]")
    if not text.strip() and not images:
        raise InvalidRecord("a post needs text or an image")


def validate_delete(content: dict[str, Any]) -> None:
    """``smd/delete/1``: ``target``, the id of one of the same identity's records."""
    _keys(content, {"target"}, set())
    _key(content["target"], "target", HASH_SIZE)


def _relation(flag: str) -> Validator:
    def validate(content: dict[str, Any]) -> None:
        _keys(content, {"target", flag}, set())
        _key(content["target"], "target")
        if not isinstance(content[flag], bool):
            raise InvalidRecord(f"{flag} must be true or false")

    validate.__doc__ = f"``target`` (an identity key) and ``{flag}`` (bool); the latest wins."
    return validate


validate_follow = _relation("following")
validate_block = _relation("blocked")


def _validate_cert_content(content: dict[str, Any]) -> None:
    validate_cert(content)


def _validate_revocation_content(content: dict[str, Any]) -> None:
    validate_revocation(content)


CORE_VALIDATORS: dict[str, Validator] = {
    CERT: _validate_cert_content,
    REVOKE: _validate_revocation_content,
    PROFILE: validate_profile,
    POST: validate_post,
    DELETE: validate_delete,
    FOLLOW: validate_follow,
    BLOCK: validate_block,
}


def blob_refs(type_: str, content: dict[str, Any]) -> list[dict[str, Any]]:
    """The blob references (``{hash, mime, size}``) in validated content of a core type."""
    if type_ == POST:
        return list(content.get("images", ()))
    if type_ == PROFILE and "avatar" in content:
        return [content["avatar"]]
    return []


def validate_record(record: SignedRecord, extra: Mapping[str, Validator] | None = None) -> None:
    """Check the feed rules and, when present and known, the content of a verified record.

    ``extra`` maps plugin-owned types to their validators (core types always use the core's).

    Feed rule: seq 1 is the device certificate (``smd/cert/1``, certifying the author) and no
    other record is.

    Raises:
        InvalidRecord: the record breaks a rule; the sender's fault.
    """
    is_cert = record.type == CERT
    if (record.seq == 1) != is_cert:
        raise InvalidRecord("seq 1, and only seq 1, is the device certificate")
    if record.content is None:
        if is_cert:
            raise InvalidRecord("a certificate cannot be withheld")
        return
    if is_cert:
        if validate_cert(record.content).device != record.author:
            raise InvalidRecord("the certificate is for another device")
        return
    # Plugins add validators for their own types; they can never replace a core one.
    validator = CORE_VALIDATORS.get(record.type) or (extra or {}).get(record.type)
    if validator is not None:
        validator(record.content)
