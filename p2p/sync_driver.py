"""Runs one sync session over a byte stream (the Trio side of :mod:`p2p.sync_protocol`).

Reading, ingesting and sending run as three tasks so the receiver never stops reading while it
verifies and stores (yamux resets a stream whose reader stalls for 5 s): the reader hands
batches to the ingester through a small bounded channel, which is also the back-pressure.
Everything that blocks (store reads, verification, SQLite writes) runs in a worker thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import trio

from .errors import P2PError, StreamBrokenError, StreamClosedError
from .interfaces import ByteStream, IngestCounts, LogStore
from .stream_util import close_quietly, tell
from .sync_protocol import (
    Done,
    Plan,
    Ready,
    Records,
    RemoteAborted,
    RemoteProtocolError,
    SyncSession,
    plan_transfers,
)

READ_CHUNK = 65_536
RECORDS_PER_READ = 1000
FLUSH_BYTES = 256 * 1024
INGEST_QUEUE = 16
INGEST_BATCH = 2048
IDLE_TIMEOUT = 30.0
LINK_ERRORS = (
    trio.BrokenResourceError,
    trio.ClosedResourceError,
    StreamBrokenError,
    StreamClosedError,
    ConnectionError,
    EOFError,
    trio.TooSlowError,
)


class SyncFailed(P2PError):
    """A sync session ended early. ``remote_fault`` says whether the peer broke the protocol
    (count it against the peer) or the link/timeout/our side did (just retry later)."""

    def __init__(self, message: str, *, remote_fault: bool) -> None:
        super().__init__(message)
        self.remote_fault = remote_fault


@dataclass
class SyncProgress:
    """Live numbers of one session, updated as it runs."""

    expected: int | None = None
    """Records the remote announced (None until its plan arrives)."""
    received: int = 0
    sent: int = 0
    to_send: int = 0
    counts: IngestCounts = field(default_factory=IngestCounts)
    remote_wants: frozenset[bytes] = frozenset()
    """The groups the remote replicates (from its hello)."""


type ProgressCallback = Callable[[SyncProgress], None]


async def run_sync(
    stream: ByteStream,
    store: LogStore,
    *,
    on_progress: ProgressCallback | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
) -> SyncProgress:
    """Run one full sync over ``stream`` and close it; returns the final numbers.

    Raises:
        SyncFailed: the session did not finish (see ``remote_fault``).
    """
    session = SyncSession()
    progress = SyncProgress()
    report = on_progress or (lambda _p: None)
    try:
        await _run(stream, store, session, progress, report, idle_timeout)
    except RemoteProtocolError as exc:
        await _abort(stream, session, str(exc))
        raise SyncFailed(f"peer broke the sync protocol: {exc}", remote_fault=True) from exc
    except RemoteAborted as exc:
        raise SyncFailed(f"peer ended the sync: {exc}", remote_fault=False) from exc
    except trio.TooSlowError as exc:
        raise SyncFailed("sync stalled: no data for too long", remote_fault=False) from exc
    except LINK_ERRORS as exc:
        raise SyncFailed(f"connection lost during sync: {exc}", remote_fault=False) from exc
    finally:
        await close_quietly(stream)  # also when cancelled from outside
    return progress


async def _run(
    stream: ByteStream,
    store: LogStore,
    session: SyncSession,
    progress: SyncProgress,
    report: ProgressCallback,
    idle_timeout: float,
) -> None:
    wants = await trio.to_thread.run_sync(store.wanted_groups)
    my_heads = await trio.to_thread.run_sync(store.heads, wants)
    remote_ready: list[Ready] = []
    ready_event = trio.Event()
    batches_in, batches_out = trio.open_memory_channel[tuple[bytes, ...]](INGEST_QUEUE)

    # A dead link ends reading and sending, but what already arrived is still verified and
    # stored: the next session resumes from there.
    link_failure: list[BaseException] = []
    read_scope, send_scope = trio.CancelScope(), trio.CancelScope()

    async def read_loop() -> None:
        with read_scope:
            async with batches_in:
                try:
                    await _read_events(batches_in)
                except LINK_ERRORS as exc:
                    link_failure.append(exc)
                    send_scope.cancel()

    async def _read_events(batches: trio.MemorySendChannel[tuple[bytes, ...]]) -> None:
        while True:
            with trio.fail_after(idle_timeout):
                data = await stream.receive_some(READ_CHUNK)
            if not data:
                raise EOFError("the peer closed the stream before it was done")
            session.receive_data(data)
            while (event := session.next_event()) is not None:
                if isinstance(event, Ready):
                    remote_ready.append(event)
                    progress.remote_wants = event.wants
                    ready_event.set()
                elif isinstance(event, Plan):
                    progress.expected = event.count
                    report(progress)
                elif isinstance(event, Records):
                    await batches.send(event.records)
                elif isinstance(event, Done):
                    return

    async def ingest_loop() -> None:
        async with batches_out:
            async for first in batches_out:
                # Coalesce what is already queued: larger transactions ingest faster.
                batch = list(first)
                while len(batch) < INGEST_BATCH:
                    try:
                        batch.extend(batches_out.receive_nowait())
                    except (trio.WouldBlock, trio.EndOfChannel):
                        break
                counts = await trio.to_thread.run_sync(store.ingest, batch)
                progress.received += len(batch)
                progress.counts = progress.counts + counts
                report(progress)

    async def send_loop() -> None:
        with send_scope:
            try:
                await stream.send_all(session.send_hello(wants, my_heads))
                await ready_event.wait()
                await _send_all_they_lack(stream, store, session, remote_ready[0], progress, report)
            except LINK_ERRORS as exc:
                link_failure.append(exc)
                read_scope.cancel()

    try:
        async with trio.open_nursery() as nursery:
            # Read before writing anything: both sides send at once, and a stream without
            # buffering would otherwise deadlock on the two hellos.
            nursery.start_soon(read_loop)
            nursery.start_soon(ingest_loop)
            nursery.start_soon(send_loop)
    except BaseExceptionGroup as group:
        raise _first_cause(group) from None
    if link_failure:
        raise link_failure[0]


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The exception that ended the session's tasks (a protocol error wins over the link
    errors it caused). A cancellation from outside is passed on untouched."""
    leaves: list[BaseException] = []

    def walk(g: BaseExceptionGroup[BaseException]) -> None:
        for e in g.exceptions:
            walk(e) if isinstance(e, BaseExceptionGroup) else leaves.append(e)

    walk(group)
    if any(isinstance(e, trio.Cancelled) for e in leaves) or not leaves:
        return group
    for kind in (RemoteProtocolError, RemoteAborted):
        for e in leaves:
            if isinstance(e, kind):
                return e
    return leaves[0]


async def _send_all_they_lack(
    stream: ByteStream,
    store: LogStore,
    session: SyncSession,
    remote: Ready,
    progress: SyncProgress,
    report: ProgressCallback,
) -> None:
    local = await trio.to_thread.run_sync(store.heads, remote.wants)
    transfers = plan_transfers(local, remote)
    progress.to_send = sum(t.count for t in transfers)
    pending = bytearray(session.send_plan(progress.to_send))
    for transfer in transfers:
        seq = transfer.start
        for _ in range(math.ceil(transfer.count / RECORDS_PER_READ)):
            limit = min(RECORDS_PER_READ, transfer.end - seq + 1)
            raws = await trio.to_thread.run_sync(store.read_range, transfer.log, seq, limit)
            if not raws:
                break  # the log shrank (a revocation arrived meanwhile): send what there is
            pending += session.send_records(raws)
            seq += len(raws)
            progress.sent += len(raws)
            if len(pending) >= FLUSH_BYTES:
                await stream.send_all(bytes(pending))
                pending.clear()
                report(progress)
    pending += session.send_done()
    await stream.send_all(bytes(pending))
    report(progress)


async def _abort(stream: ByteStream, session: SyncSession, why: str) -> None:
    """Tell the remote why we end the session (the caller closes the stream)."""
    await tell(stream, session.send_error(why))
