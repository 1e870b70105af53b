"""What every protocol driver does at the end of a stream: tell the peer why, then close."""

from __future__ import annotations

import contextlib
from typing import Final

import trio

from .errors import StreamBrokenError, StreamClosedError
from .interfaces import ByteStream

CLOSE_ERRORS: Final = (
    trio.BrokenResourceError,
    trio.ClosedResourceError,
    ConnectionError,
    StreamBrokenError,
    StreamClosedError,
)
"""What a dead link raises from ``send_all``/``receive_some``/``aclose``."""


async def tell(stream: ByteStream, error_frame: bytes) -> None:
    """Best effort, within 1 s: send the frame that tells the peer why we end the stream."""
    with trio.move_on_after(1), contextlib.suppress(*CLOSE_ERRORS):
        await stream.send_all(error_frame)


async def close_quietly(stream: ByteStream) -> None:
    """Close ``stream`` within 2 s, even while the caller is being cancelled."""
    with trio.CancelScope(shield=True), trio.move_on_after(2), contextlib.suppress(*CLOSE_ERRORS):
        await stream.aclose()
