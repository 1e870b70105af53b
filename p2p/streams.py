"""Buffered reads and coalesced writes over a libp2p stream.

Every write to a py-libp2p stream costs a Yamux frame, a Noise encryption and a socket send, and
py-libp2p's own varint helpers read one byte per call: about 1.3k small records/s. Writing
~64 KiB chunks and reading whatever has arrived lifts that to 100k+ records/s.
:class:`BufferedStream` does exactly that and knows nothing about framing: feed what
:meth:`BufferedStream.read_some` returns to a sans-IO decoder, and hand encoded frames to
:meth:`BufferedStream.write`.

This module does not import libp2p (that costs seconds): it works on anything shaped like
:class:`RawStream`, which the tests use to run it over in-memory fakes.
"""

from __future__ import annotations

from functools import cache
from types import TracebackType
from typing import Final, Protocol, Self

import trio

from p2p.errors import StreamBrokenError, StreamClosedError

__all__ = [
    "DEFAULT_READ_SIZE",
    "DEFAULT_WRITE_CHUNK",
    "BufferedStream",
    "RawStream",
]

DEFAULT_WRITE_CHUNK: Final = 65_507
"""Bytes sent per underlying write.

65 507 = 65 535 (largest Noise message) - 16 (its AEAD tag) - 12 (Yamux frame header): one chunk
becomes exactly one Yamux frame in exactly one Noise message. A round 64 KiB chunk would be split
into a full Noise message plus a 29-byte one.
"""

DEFAULT_READ_SIZE: Final = 65_536
"""Bytes asked of the underlying stream per read when the caller asks for fewer."""


_RESET: Final = "the stream was reset, by the remote or by a lost connection, while {doing}"


class RawStream(Protocol):
    """The part of libp2p's ``INetStream`` that :class:`BufferedStream` uses."""

    async def read(self, n: int | None = None) -> bytes:
        """Return 1 to ``n`` bytes; at end of stream raise ``EOFError`` or return ``b""``."""
        ...

    async def write(self, data: bytes) -> None:
        """Send all of ``data``."""
        ...

    async def close(self) -> None:
        """Close the stream gracefully; the remote reads end of stream."""
        ...

    async def reset(self) -> None:
        """Abort the stream in both directions; the remote sees an error."""
        ...


class BufferedStream:
    """A byte stream over a libp2p stream that batches small writes and buffers reads.

    Writes accumulate until :data:`DEFAULT_WRITE_CHUNK` bytes are pending, then go out as full
    chunks; call :meth:`flush` when a message must leave now (before waiting for a reply, say).
    One task may read while another writes; two concurrent readers, or two concurrent writers,
    raise ``trio.BusyResourceError``.

    Used as an async context manager, a clean exit closes the stream (flushing first) and an
    exception resets it, so the remote never mistakes an aborted transfer for a complete one.

    Args:
        stream: The libp2p stream (``INetStream``) to wrap; this object takes ownership of it.
        write_chunk_size: Bytes per underlying write.
        read_size: Minimum bytes asked of the underlying stream per read.
    """

    def __init__(
        self,
        stream: RawStream,
        *,
        write_chunk_size: int = DEFAULT_WRITE_CHUNK,
        read_size: int = DEFAULT_READ_SIZE,
    ) -> None:
        if write_chunk_size < 1 or read_size < 1:
            raise ValueError("write_chunk_size and read_size must be positive")
        self._stream = stream
        self._chunk = write_chunk_size
        self._read_size = read_size
        self._rbuf = bytearray()
        self._wbuf = bytearray()
        self._eof = False
        self._eof_sent = False
        self._closed = False
        self._broken: str | None = None  # why writing is no longer possible
        self._reading = False
        self._writing = False

    @property
    def stream(self) -> RawStream:
        """The wrapped stream, e.g. to read ``stream.muxed_conn.peer_id`` from a libp2p one."""
        return self._stream

    @property
    def pending_write_bytes(self) -> int:
        """Bytes written but not yet sent to the underlying stream."""
        return len(self._wbuf)

    async def read_some(self, max_bytes: int = DEFAULT_READ_SIZE) -> bytes:
        """Return between 1 and ``max_bytes`` bytes, waiting until some arrive.

        Args:
            max_bytes: The most bytes to return; must be positive.

        Returns:
            The next bytes of the stream, or ``b""`` once the remote has closed its side (and on
            every call after that).

        Raises:
            StreamClosedError: If this side already closed or reset the stream.
            StreamBrokenError: If the remote reset the stream or the connection was lost.
            trio.BusyResourceError: If another task is reading at the same time.
        """
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        if self._closed:
            raise StreamClosedError("read from a stream this side already closed")
        if self._rbuf:
            return self._take(max_bytes)
        if self._eof:
            return b""
        if self._reading:
            raise trio.BusyResourceError("another task is already reading from this stream")
        self._reading = True
        try:
            data = await self._stream.read(max(max_bytes, self._read_size))
        except EOFError:  # libp2p's StreamEOF is an EOFError
            data = b""
        except _stream_failures() as exc:
            raise _broken(exc, "reading") from exc
        finally:
            self._reading = False
        if not data:
            if _reset_by_remote(self._stream):
                raise StreamBrokenError(_RESET.format(doing="reading"))
            self._eof = True
            return b""
        if len(data) <= max_bytes:
            return data
        self._rbuf += data
        return self._take(max_bytes)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queue ``data``; send it once a full chunk is pending (see :meth:`flush`).

        Raises:
            StreamClosedError: If this side already closed the stream or sent end of stream.
            StreamBrokenError: If the stream failed, now or during an earlier write.
            trio.BusyResourceError: If another task is writing at the same time.
        """
        self._check_writable()
        if self._writing:
            raise trio.BusyResourceError("another task is already writing to this stream")
        self._wbuf += data
        if len(self._wbuf) >= self._chunk:
            await self._send(flush_all=False)

    async def flush(self) -> None:
        """Send every pending byte now.

        Raises:
            StreamClosedError: If this side already closed the stream or sent end of stream.
            StreamBrokenError: If the stream failed, now or during an earlier write.
            trio.BusyResourceError: If another task is writing at the same time.
        """
        self._check_writable()
        if self._writing:
            raise trio.BusyResourceError("another task is already writing to this stream")
        await self._send(flush_all=True)

    async def send_eof(self) -> None:
        """Flush, then close this side for writing; the remote reads end of stream.

        Reading stays possible, for replies. Idempotent.

        Raises:
            StreamClosedError: If this side already closed the stream.
            StreamBrokenError: If the stream failed.
        """
        if self._eof_sent:
            return
        await self.flush()
        self._eof_sent = True
        # libp2p's NetStream has close_write(); a Yamux close() is a half-close too, so a stream
        # without close_write() still keeps its read side.
        close_write = getattr(self._stream, "close_write", None)
        try:
            if callable(close_write):
                await close_write()
            else:
                await self._stream.close()
        except _stream_failures() as exc:
            raise _broken(exc, "sending end of stream") from exc

    async def close(self) -> None:
        """Flush pending bytes and close the stream gracefully. Idempotent.

        If the flush fails, the stream is reset instead and the failure raised; after an earlier
        failed or cancelled write, the stream is reset (the remote must not take what it got
        for the whole message).

        Raises:
            StreamBrokenError: If pending bytes could not be sent.
            trio.BusyResourceError: If another task is writing at the same time.
        """
        if self._closed:
            return
        if self._writing:
            raise trio.BusyResourceError("another task is writing to this stream")
        if self._broken is not None:
            # a write was cut short: a graceful close would pass the truncated data off as whole
            await self.reset()
            return
        try:
            if not self._eof_sent:
                await self._send(flush_all=True)
        except BaseException:
            await self.reset()
            raise
        self._closed = True
        try:
            await self._stream.close()
        except _stream_failures() as exc:
            raise _broken(exc, "closing") from exc

    async def reset(self) -> None:
        """Abort the stream in both directions, dropping pending bytes. Idempotent.

        The remote sees an abort, not a clean end of stream (a :class:`BufferedStream` there
        raises :class:`~p2p.errors.StreamBrokenError`). Never raises on account of the stream:
        aborting something already broken is not an error.
        """
        self._closed = True
        self._broken = self._broken or "the stream was reset by this side"
        self._wbuf.clear()
        self._rbuf.clear()
        # Shielded: a reset is what cancellation cleanup calls, and it must reach the remote.
        with trio.CancelScope(shield=True):
            try:
                await self._stream.reset()
            except _stream_failures():
                pass  # the connection is gone, so the remote has already seen the stream die

    # trio.abc.Stream-style names, for drivers written against trio streams (p2p.interfaces).

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        """Same as :meth:`read_some`; ``None`` means :data:`DEFAULT_READ_SIZE`."""
        return await self.read_some(DEFAULT_READ_SIZE if max_bytes is None else max_bytes)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        """:meth:`write` then :meth:`flush`: ``data`` has left when this returns.

        Batch small messages yourself, or call :meth:`write` for them and :meth:`flush` once.
        """
        await self.write(data)
        await self.flush()

    async def aclose(self) -> None:
        """Same as :meth:`close`."""
        await self.close()

    async def __aenter__(self) -> Self:
        """Return this stream."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the stream after a clean exit; reset it after an exception."""
        if exc is None:
            await self.close()
        else:
            await self.reset()

    def _take(self, max_bytes: int) -> bytes:
        data = bytes(self._rbuf[:max_bytes])
        del self._rbuf[:max_bytes]  # O(1): bytearray deletes at the front by moving its start
        return data

    def _check_writable(self) -> None:
        if self._closed or self._eof_sent:
            raise StreamClosedError("write to a stream this side already closed")
        if self._broken is not None:
            raise StreamBrokenError(f"the stream can no longer be written: {self._broken}")

    async def _send(self, *, flush_all: bool) -> None:
        self._writing = True
        try:
            while len(self._wbuf) >= self._chunk or (flush_all and self._wbuf):
                chunk = bytes(self._wbuf[: self._chunk])
                del self._wbuf[: self._chunk]
                try:
                    await self._stream.write(chunk)
                except BaseException as exc:
                    # Part of the chunk may have gone out (Yamux sends in frames), so the byte
                    # stream is now in an unknown state, whether this was a failure or a cancel.
                    self._broken = f"a write was interrupted ({type(exc).__name__})"
                    if isinstance(exc, _stream_failures()):
                        raise _broken(exc, "writing") from exc
                    raise
        finally:
            self._writing = False


def _reset_by_remote(stream: RawStream) -> bool:
    # py-libp2p 0.8.1 drops a Yamux stream from its table when the remote resets it, so the next
    # read raises StreamEOF ("Stream closed"), the same as a clean end. Only the muxed stream's
    # flag tells an aborted transfer from a complete one.
    muxed = getattr(stream, "muxed_stream", None)
    return getattr(muxed, "reset_received", False) is True


@cache
def _stream_failures() -> tuple[type[Exception], ...]:
    """Exception types meaning "the stream failed", imported on the first failure only."""
    from libp2p.exceptions import BaseLibp2pError

    return (BaseLibp2pError, OSError, trio.BrokenResourceError, trio.ClosedResourceError)


def _broken(exc: BaseException, doing: str) -> StreamBrokenError:
    from libp2p.network.stream.exceptions import StreamReset
    from libp2p.stream_muxer.exceptions import MuxedStreamReset

    cause = exc.__cause__
    if isinstance(exc, StreamReset) and isinstance(cause, Exception):
        # NetStream.write() reports every Yamux error as a reset, flow-control timeouts included
        exc = cause
    if isinstance(exc, StreamReset | MuxedStreamReset):
        return StreamBrokenError(_RESET.format(doing=doing))
    detail = str(exc).strip() or type(exc).__name__
    return StreamBrokenError(f"the stream failed while {doing}: {detail}")
