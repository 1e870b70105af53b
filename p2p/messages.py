"""The message shape every SMD stream protocol shares: a msgpack array ``[kind, *args]``.

Sans-IO sessions turn a frame's payload into ``(kind, args)`` here and keep their own rules
(allowed kinds per state, the ``error`` message, argument checks).
"""

from __future__ import annotations

from typing import Any

import msgpack


class MalformedMessage(Exception):
    """A frame that is not a msgpack array starting with its kind (the remote's fault)."""


def unpack_message(frame: bytes, **limits: int) -> tuple[str, list[Any]]:
    """``(kind, args)`` of one frame; ``limits`` are extra msgpack limits (e.g. ``max_map_len``).

    Raises:
        MalformedMessage: undecodable msgpack, or not ``[str, ...]``; the text says which.
    """
    try:
        message = msgpack.unpackb(frame, raw=False, strict_map_key=True, use_list=True, **limits)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise MalformedMessage(f"malformed message: {str(exc) or type(exc).__name__}") from exc
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        raise MalformedMessage("a message is an array starting with its kind")
    return message[0], message[1:]
