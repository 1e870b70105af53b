"""Runs the p2p node over an unlocked profile: the headless ``smd node`` and ``smd connect``.

The wiring of core and p2p without a UI: the store adapter, the stable listen port kept in the
encrypted settings, the one-node-per-data-dir lock, signals, and status lines.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import trio

from .core.errors import UserError
from .core.profile import Profile
from .replication import DEFAULT_HOPS, ProfileBlobSource, ProfileDirect, ProfileLogStore

if TYPE_CHECKING:
    from p2p.node import Node, NodeEvent
    from p2p.peerbook import PeerBook

logger = logging.getLogger(__name__)

LISTEN_PORT_KEY = "listen_port"
PEERBOOK_KEY = "peerbook"
SAVE_INTERVAL = 5.0
INVITE_TTL_HOURS = 72
MAX_INVITE_ADDRS = 8
LOCK_NAME = "node.lock"
SHUTDOWN_GRACE = 1.5


class NodeAlreadyRunning(UserError):
    """Another SMD node already serves this data directory."""


@contextmanager
def node_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's node lock (an advisory ``flock``, released on exit or crash).

    Raises:
        NodeAlreadyRunning: another process holds it.
    """
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise NodeAlreadyRunning(
                    f"another SMD node is already running on {data_dir}"
                ) from exc
            raise
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def listen_addrs(profile: Profile, override: list[str] | None) -> list[str]:
    """``override``, or all IPv4 interfaces on the stable port (see :func:`listen_port`)."""
    return override or [f"/ip4/0.0.0.0/tcp/{listen_port(profile)}"]


def listen_port(profile: Profile) -> int:
    """The stable listen port, chosen (a free one) and kept the first time it is needed."""
    stored = profile.store.get_meta(LISTEN_PORT_KEY)
    if stored is not None:
        return int(stored.decode())
    with socket.socket() as probe:
        probe.bind(("", 0))
        port = int(probe.getsockname()[1])
    profile.store.set_meta({LISTEN_PORT_KEY: str(port).encode()})
    return port


def interface_addrs(port: int) -> list[str]:
    """TCP multiaddrs of this machine's IPv4 interfaces, loopback last (what an invite lists)."""
    import ifaddr

    ips = [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str) and not ip.ip.startswith("169.254.")
    ]
    ips.sort(key=lambda ip: ip.startswith("127."))
    return [f"/ip4/{ip}/tcp/{port}" for ip in dict.fromkeys(ips)][:MAX_INVITE_ADDRS]


def make_invite_code(profile: Profile, *, ttl_hours: float, addrs: list[str] | None) -> str:
    """A signed invite to this device: identity, addresses, expiry."""
    from p2p.invite import make_invite

    from .core.store import now_ms

    return make_invite(
        profile.device_seed,
        profile.identity,
        addrs or interface_addrs(listen_port(profile)),
        int(ttl_hours * 3_600_000),
        now_ms(),
    )


def load_book(profile: Profile) -> PeerBook:
    """The address book kept (encrypted) in the store; a damaged one is replaced."""
    from p2p.peerbook import CorruptPeerBook, PeerBook

    data = profile.store.get_meta(PEERBOOK_KEY)
    if data is None:
        return PeerBook()
    try:
        return PeerBook.from_bytes(data)
    except CorruptPeerBook as exc:
        logger.warning("the address book was damaged and is reset: %s", exc)
        return PeerBook()


def save_book(profile: Profile, book: PeerBook) -> None:
    """Persist the address book inside the encrypted store."""
    profile.store.set_meta({PEERBOOK_KEY: book.to_bytes()})


async def keep_book_saved(profile: Profile, book: PeerBook) -> None:
    """Save the address book whenever it changed (checked every few seconds) and at exit."""
    saved = book.to_bytes()
    try:
        while True:
            await trio.sleep(SAVE_INTERVAL)
            current = book.to_bytes()
            if current != saved:
                await trio.to_thread.run_sync(save_book, profile, book)
                saved = current
    finally:
        with trio.CancelScope(shield=True):
            if book.to_bytes() != saved:
                await trio.to_thread.run_sync(save_book, profile, book)


async def fetch_missing_blobs(profile: Profile, node: Node, *, interval: float = 1.0) -> None:
    """Fetch the images and avatars our records reference but we lack, from connected peers.

    A blob no peer had is asked for again later, with a growing delay.
    """
    retry_at: dict[bytes, tuple[float, float]] = {}  # hash -> (when, current delay)
    while True:
        await trio.sleep(interval)
        if not any(state.connected for state in node.peers.values()):
            continue
        now = trio.current_time()
        missing = await trio.to_thread.run_sync(profile.store.missing_blobs, 256)
        wanted = [h for h, _size in missing if retry_at.get(h, (0.0, 0.0))[0] <= now][:64]
        if not wanted:
            continue
        found = await node.fetch_blobs(list(wanted))
        for digest in wanted:
            if digest in found:
                mime, data = found[digest]
                await trio.to_thread.run_sync(profile.store.put_blob, data, mime)
                retry_at.pop(digest, None)
            else:
                delay = min(300.0, max(2.0, retry_at.get(digest, (0.0, 1.0))[1] * 2))
                retry_at[digest] = (now + delay, delay)


def describe(event: NodeEvent) -> str | None:
    """A status line for an event worth printing (progress ticks are not)."""
    short = event.peer[-8:]
    if event.kind == "connected":
        return f"peer …{short} connected"
    if event.kind == "disconnected":
        return f"peer …{short} disconnected"
    if event.kind == "sync-done" and event.progress is not None:
        p = event.progress
        if p.counts.accepted or p.sent:
            return f"synced with …{short}: {p.counts.accepted} new records in, {p.sent} out" + (
                f", {p.counts.rejected} rejected" if p.counts.rejected else ""
            )
        return None
    if event.kind == "violation":
        return f"peer …{short} sent bad data: {event.detail}"
    if event.kind == "banned":
        return f"peer …{short} banned: {event.detail}"
    if event.kind in ("sync-failed", "dial-failed"):
        return f"{event.kind.replace('-', ' ')} with …{short}: {event.detail}"
    if event.kind == "direct-delivered":
        return f"direct messages to …{short}: {event.detail}"
    if event.kind == "direct-failed":
        return f"direct messages to …{short} failed: {event.detail}"
    return None


async def serve(
    profile: Profile,
    *,
    listen: list[str] | None,
    peers: list[str],
    out: IO[str],
    until: Callable[[Node], bool] | None = None,
    lan_discovery: bool = False,
    hops: int = DEFAULT_HOPS,
) -> None:
    """Run the node until SIGINT/SIGTERM (or until ``until(node)`` holds)."""
    from p2p.errors import P2PError
    from p2p.logging_setup import route_libp2p_logging
    from p2p.node import Node

    route_libp2p_logging()

    def emit(event: NodeEvent) -> None:
        line = describe(event)
        if line:
            print(line, file=out, flush=True)

    book = await trio.to_thread.run_sync(load_book, profile)
    logs = await trio.to_thread.run_sync(lambda: ProfileLogStore(profile, hops=hops))
    direct = ProfileDirect(profile)
    node = Node(
        seed=profile.device_seed,
        store=logs,
        inspector=logs,
        listen=await trio.to_thread.run_sync(listen_addrs, profile, listen),
        on_event=emit,
        book=book,
        blobs=ProfileBlobSource(profile),
        lan_discovery=lan_discovery,
        direct_inbox=direct,
        direct_outbox=direct,
    )
    async with trio.open_nursery() as nursery:
        nursery.start_soon(keep_book_saved, profile, book)
        nursery.start_soon(node.run)
        await node.ready.wait()
        nursery.start_soon(fetch_missing_blobs, profile, node)
        for addr in node.listen_addrs:
            print(f"listening on {addr}", file=out, flush=True)
        for target in peers:
            try:
                await node.connect(target)
            except P2PError as exc:
                print(f"could not connect to {target}: {exc}", file=sys.stderr, flush=True)
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            if until is None:
                async for _ in signals:
                    break
            else:
                while not until(node):
                    await trio.sleep(0.05)
        print("stopping", file=out, flush=True)
        with trio.move_on_after(SHUTDOWN_GRACE):
            nursery.cancel_scope.cancel()
