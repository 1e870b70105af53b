"""Canonical msgpack: the only encoding SMD signs.

Rules (docs/PROTOCOL.md, "Canonical encoding"):

* types: nil, bool, int (-2**63 .. 2**64-1), str (valid UTF-8), bin, array, map. No float, no
  ext (so no msgpack timestamps);
* every length and integer in its shortest msgpack form, str as str8/16/32 (never raw), bytes
  as bin8/16/32;
* map keys are str, unique, sorted by their UTF-8 bytes;
* nesting at most :data:`MAX_DEPTH` deep.

:func:`decode` accepts exactly the bytes :func:`encode` produces: it decodes, re-encodes and
compares, so any other spelling of the same value is rejected with :class:`CodecError`.
"""

from __future__ import annotations

from typing import Any

import msgpack

from .errors import CodecError

MAX_DEPTH = 16
_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1


def _canon(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError(f"nested deeper than {MAX_DEPTH}")
    if value is None or isinstance(value, (bool, str, bytes)):
        return value
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise CodecError("integer out of range")
        return value
    if type(value) in (list, tuple):  # not isinstance: msgpack.ExtType is a namedtuple
        return [_canon(v, depth + 1) for v in value]
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise CodecError("map keys must be strings")
        keys = sorted(value, key=lambda k: k.encode("utf-8"))
        return {k: _canon(value[k], depth + 1) for k in keys}
    raise CodecError(f"type {type(value).__name__} cannot be encoded canonically")


def encode(value: Any) -> bytes:
    """Encode ``value`` canonically.

    Raises:
        CodecError: the value holds a type or number canonical msgpack does not allow.
    """
    try:
        return msgpack.packb(_canon(value, 0), use_bin_type=True)  # type: ignore[no-any-return]
    except UnicodeEncodeError as exc:  # lone surrogates in a str
        raise CodecError("string is not valid unicode") from exc


def decode(data: bytes, *, max_size: int = 1 << 20) -> Any:
    """Decode canonical msgpack bytes.

    Raises:
        CodecError: ``data`` is too large, malformed, has trailing bytes, holds a disallowed type,
            or is not in canonical form. It is the only exception this function raises.
    """
    if len(data) > max_size:
        raise CodecError(f"{len(data)} bytes exceeds the limit of {max_size}")
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            use_list=True,
        )
    except (ValueError, TypeError, msgpack.UnpackException, RecursionError) as exc:
        raise CodecError(f"malformed msgpack: {exc}") from exc
    if encode(value) != data:
        raise CodecError("not in canonical form")
    return value
