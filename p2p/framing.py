"""Length-prefixed frames, sans-IO.

A frame is a 4-byte big-endian unsigned length followed by that many payload bytes. The decoder
is fed bytes as they arrive and hands out whole payloads; it refuses a frame whose announced
length exceeds its limit *before* buffering it, so a peer cannot make us allocate more than
``max_frame + 4`` bytes per stream.
"""

from __future__ import annotations

import struct

HEADER = struct.Struct(">I")
DEFAULT_MAX_FRAME = 1 << 20


class FrameTooLarge(Exception):
    """The remote announced a frame larger than we accept (the remote's fault)."""


def encode_frame(payload: bytes) -> bytes:
    """One frame holding ``payload``."""
    return HEADER.pack(len(payload)) + payload


class FrameDecoder:
    """Turns a byte stream into frame payloads.

    Rule: after :class:`FrameTooLarge` the decoder is unusable; end the stream.
    """

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._failed = False

    @property
    def buffered(self) -> int:
        """Bytes received but not yet handed out as a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return every payload they completed, in order.

        Raises:
            FrameTooLarge: a frame header announces more than ``max_frame`` bytes.
        """
        if self._failed:
            raise FrameTooLarge("the stream already sent an oversized frame")
        self._buffer += data
        frames: list[bytes] = []
        offset = 0
        buf = self._buffer
        while len(buf) - offset >= HEADER.size:
            (length,) = HEADER.unpack_from(buf, offset)
            if length > self.max_frame:
                self._failed = True
                raise FrameTooLarge(f"frame of {length} bytes exceeds {self.max_frame}")
            end = offset + HEADER.size + length
            if end > len(buf):
                break
            frames.append(bytes(buf[offset + HEADER.size : end]))
            offset = end
        if offset:
            del buf[:offset]
        return frames
