"""Fetches and serves blobs over a byte stream (the Trio side of :mod:`p2p.blob_protocol`).

The protocol is strict request/response, so each side runs as one task without deadlock: the
client sends a request only when the previous one is fully answered, so the server is reading
whenever the client writes, and the client reads while the server writes. Memory stays bounded:
the server loads one blob and sends it chunk by chunk; the client holds one blob in progress
(plus the finished ones it returns). Lookups in the blob source run in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

import trio

from .blob_protocol import (
    DEFAULT_MAX_BLOB_SIZE,
    HASH_SIZE,
    MAX_HASHES_PER_REQUEST,
    BlobClientSession,
    BlobReceived,
    BlobServerSession,
    ClientDone,
    RemoteAborted,
    RemoteProtocolError,
    Requested,
    WrongBlob,
    blob_hash,
    is_valid_mime,
)
from .errors import P2PError, StreamBrokenError, StreamClosedError
from .interfaces import ByteStream
from .stream_util import close_quietly, tell

__all__ = [
    "IDLE_TIMEOUT",
    "BlobFetchFailed",
    "BlobServeFailed",
    "BlobSource",
    "ServeStats",
    "fetch_blobs",
    "serve_blobs",
]

logger = logging.getLogger(__name__)

READ_SIZE: Final = 65_536
FLUSH_BYTES: Final = 64 * 1024
IDLE_TIMEOUT: Final = 30.0
"""Seconds without progress (no byte received, or a send stuck) before a session is given up."""
LINK_ERRORS: Final = (
    trio.BrokenResourceError,
    trio.ClosedResourceError,
    ConnectionError,
    EOFError,
    StreamBrokenError,
    StreamClosedError,
)
type Blobs = dict[bytes, tuple[str, bytes]]


class BlobSource(Protocol):
    """Where a server finds the blobs it serves. Blocks: the driver calls it in a worker thread."""

    def get_blob(self, digest: bytes, /) -> tuple[str, bytes] | None:
        """``(mime, data)`` of the blob whose BLAKE2b-256 is ``digest``, if held."""
        ...


class BlobFetchFailed(P2PError):
    """A fetch ended early.

    ``remote_fault`` says whether the peer broke the protocol or sent a wrong blob (fetch the
    rest elsewhere and count it against the peer) or the link, a timeout or the peer's explicit
    refusal ended it (just retry later, here or elsewhere).

    Attributes:
        remote_fault: Whether the peer is to blame.
        received: The blobs verified before the failure; they are good, keep them.
    """

    def __init__(self, message: str, *, remote_fault: bool, received: Blobs | None = None) -> None:
        super().__init__(message)
        self.remote_fault = remote_fault
        self.received: Blobs = received if received is not None else {}


class BlobServeFailed(P2PError):
    """Serving a client ended early; ``remote_fault`` is True when the client broke the
    protocol (count it against the peer), False for a lost link, a timeout or an ``error``."""

    def __init__(self, message: str, *, remote_fault: bool) -> None:
        super().__init__(message)
        self.remote_fault = remote_fault


@dataclass
class ServeStats:
    """What one served stream moved."""

    requests: int = 0
    sent: int = 0
    """Blobs sent."""
    missing: int = 0
    """Hashes answered ``missing``."""
    bytes_sent: int = 0
    """Blob bytes sent (without framing)."""


# -- client ---------------------------------------------------------------------------------


async def fetch_blobs(
    stream: ByteStream,
    hashes: Iterable[bytes],
    *,
    max_blob_size: int = DEFAULT_MAX_BLOB_SIZE,
    idle_timeout: float = IDLE_TIMEOUT,
) -> dict[bytes, tuple[str, bytes]]:
    """Fetch blobs by hash over ``stream``, then close it.

    Every returned blob's bytes hash to its key and are at most ``max_blob_size`` long. A hash
    the peer does not hold (or holds only larger than ``max_blob_size``) is absent from the
    result. The stream is closed in every case.

    Args:
        stream: A fresh ``/smd/blob/1.0.0`` stream; this call owns it.
        hashes: 32-byte BLAKE2b-256 hashes; repeats are asked once.
        max_blob_size: The largest blob accepted.
        idle_timeout: Seconds the peer may go without sending a byte while it owes answers
            (and a send may stay blocked) before the fetch fails.

    Returns:
        ``{hash: (mime, data)}`` of every blob the peer sent.

    Raises:
        ValueError: a hash is not 32 bytes (nothing is sent then).
        BlobFetchFailed: the fetch did not finish (see ``remote_fault`` and ``received``).
    """
    wanted = list(dict.fromkeys(hashes))
    if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in wanted):
        raise ValueError(f"a blob hash is {HASH_SIZE} bytes")
    session = BlobClientSession(max_blob_size)
    found: Blobs = {}
    try:
        for start in range(0, len(wanted), MAX_HASHES_PER_REQUEST):
            request = session.send_request(wanted[start : start + MAX_HASHES_PER_REQUEST])
            await _send(stream, request, idle_timeout)
            await _collect_answers(stream, session, found, idle_timeout)
        await _send(stream, session.send_done(), idle_timeout)
    except WrongBlob as exc:
        await tell(stream, session.send_error(str(exc)))
        raise BlobFetchFailed(str(exc), remote_fault=True, received=found) from exc
    except RemoteProtocolError as exc:
        await tell(stream, session.send_error(str(exc)))
        message = f"peer broke the blob protocol: {exc}"
        raise BlobFetchFailed(message, remote_fault=True, received=found) from exc
    except RemoteAborted as exc:
        message = f"peer ended the blob session: {exc}"
        raise BlobFetchFailed(message, remote_fault=False, received=found) from exc
    except trio.TooSlowError as exc:
        message = f"blob fetch stalled: no progress for {idle_timeout:g} s"
        raise BlobFetchFailed(message, remote_fault=False, received=found) from exc
    except LINK_ERRORS as exc:
        message = f"connection lost during blob fetch: {exc}"
        raise BlobFetchFailed(message, remote_fault=False, received=found) from exc
    finally:
        await close_quietly(stream)
    return found


async def _collect_answers(
    stream: ByteStream, session: BlobClientSession, found: Blobs, idle_timeout: float
) -> None:
    """Read until every hash of the current request is answered; add the blobs to ``found``."""
    while not session.idle:
        with trio.fail_after(idle_timeout):
            data = await stream.receive_some(READ_SIZE)
        if not data:
            raise EOFError("the peer closed the stream before answering every hash")
        session.receive_data(data)
        # Drain every complete frame: one the peer sends after its last answer is an error.
        while (event := session.next_event()) is not None:
            if isinstance(event, BlobReceived):
                found[event.hash] = (event.mime, event.data)


# -- server ---------------------------------------------------------------------------------


async def serve_blobs(
    stream: ByteStream, source: BlobSource, *, idle_timeout: float = IDLE_TIMEOUT
) -> ServeStats:
    """Answer a client's requests from ``source`` until it is done, then close ``stream``.

    A blob whose bytes do not hash to the requested hash (a damaged store), whose MIME type the
    protocol cannot carry, or that is larger than the client accepts is answered ``missing``:
    we never send a blob the client would reject. A client that closes the stream between
    requests instead of sending ``done`` ends the session normally too.

    Args:
        stream: An inbound ``/smd/blob/1.0.0`` stream; this call owns it.
        source: The blobs to serve; called in a worker thread.
        idle_timeout: Seconds the client may stay silent, or leave a send blocked, before the
            session is given up.

    Raises:
        BlobServeFailed: the session did not finish (see ``remote_fault``).
    """
    session = BlobServerSession()
    stats = ServeStats()
    try:
        while isinstance(request := await _next_request(stream, session, idle_timeout), Requested):
            stats.requests += 1
            await _answer(stream, session, source, request, stats, idle_timeout)
    except RemoteProtocolError as exc:
        await tell(stream, session.send_error(str(exc)))
        raise BlobServeFailed(f"peer broke the blob protocol: {exc}", remote_fault=True) from exc
    except RemoteAborted as exc:
        raise BlobServeFailed(f"peer ended the blob session: {exc}", remote_fault=False) from exc
    except trio.TooSlowError as exc:
        message = f"blob session stalled: no progress for {idle_timeout:g} s"
        raise BlobServeFailed(message, remote_fault=False) from exc
    except LINK_ERRORS as exc:
        message = f"connection lost while serving blobs: {exc}"
        raise BlobServeFailed(message, remote_fault=False) from exc
    finally:
        await close_quietly(stream)
    return stats


async def _next_request(
    stream: ByteStream, session: BlobServerSession, idle_timeout: float
) -> Requested | ClientDone | None:
    """The client's next request, or ClientDone / None (it closed the stream between requests)."""
    while (event := session.next_event()) is None:
        with trio.fail_after(idle_timeout):
            data = await stream.receive_some(READ_SIZE)
        if not data:
            if session.buffered:
                raise EOFError("the peer closed the stream in the middle of a message")
            return None
        session.receive_data(data)
    return event


async def _answer(
    stream: ByteStream,
    session: BlobServerSession,
    source: BlobSource,
    request: Requested,
    stats: ServeStats,
    idle_timeout: float,
) -> None:
    # Small answers are coalesced: a libp2p stream pays a frame and an encryption per send.
    pending = bytearray()
    for digest in request.hashes:
        found = await trio.to_thread.run_sync(_load, source, digest, request.max_size)
        if found is None:
            pending += session.send_missing(digest)
            stats.missing += 1
            continue
        mime, data = found
        for frame in session.send_blob(digest, mime, data):
            pending += frame
            if len(pending) >= FLUSH_BYTES:
                await _send(stream, bytes(pending), idle_timeout)
                pending.clear()
        stats.sent += 1
        stats.bytes_sent += len(data)
    if pending:
        await _send(stream, bytes(pending), idle_timeout)


def _load(source: BlobSource, digest: bytes, max_size: int) -> tuple[str, bytes] | None:
    """The blob to send for ``digest``, or None to answer missing. Runs in a worker thread."""
    found = source.get_blob(digest)
    if found is None:
        return None
    mime, data = found
    if len(data) > max_size:
        return None
    if not is_valid_mime(mime):
        logger.warning("not serving blob %s: unusable MIME type %.120r", digest.hex(), mime)
        return None
    if blob_hash(data) != digest:
        logger.warning("not serving blob %s: its stored bytes hash otherwise", digest.hex())
        return None
    return found


# -- both -----------------------------------------------------------------------------------


async def _send(stream: ByteStream, data: bytes, idle_timeout: float) -> None:
    with trio.fail_after(idle_timeout):
        await stream.send_all(data)
