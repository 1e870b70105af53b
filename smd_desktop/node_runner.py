"""Runs the p2p node over an unlocked profile: the headless ``smd node`` and ``smd connect``.

The wiring of core and p2p without a UI: the store adapter, the stable listen port kept in the
encrypted settings, the one-node-per-data-dir lock, signals, and status lines.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import trio

from .core.errors import UserError
from .core.profile import Profile
from .replication import ProfileLogStore

if TYPE_CHECKING:
    from p2p.node import Node, NodeEvent

LISTEN_PORT_KEY = "listen_port"
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
    """``override``, or all IPv4 interfaces on the port chosen at first run (0 = pick one)."""
    if override:
        return override
    port = profile.store.get_meta(LISTEN_PORT_KEY)
    return [f"/ip4/0.0.0.0/tcp/{int(port.decode()) if port else 0}"]


def remember_listen_port(profile: Profile, addrs: list[str]) -> None:
    """Keep the port the OS picked on first run, so invites stay valid across restarts."""
    if profile.store.get_meta(LISTEN_PORT_KEY) is not None:
        return
    for addr in addrs:
        parts = addr.split("/")
        if "tcp" in parts:
            port = parts[parts.index("tcp") + 1]
            profile.store.set_meta({LISTEN_PORT_KEY: port.encode()})
            return


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
    if event.kind in ("sync-failed", "dial-failed"):
        return f"{event.kind.replace('-', ' ')} with …{short}: {event.detail}"
    return None


async def serve(
    profile: Profile,
    *,
    listen: list[str] | None,
    peers: list[str],
    out: IO[str],
    until: Callable[[Node], bool] | None = None,
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

    node = Node(
        seed=profile.device_seed,
        store=ProfileLogStore(profile),
        listen=listen_addrs(profile, listen),
        on_event=emit,
    )
    async with trio.open_nursery() as nursery:
        nursery.start_soon(node.run)
        await node.ready.wait()
        await trio.to_thread.run_sync(remember_listen_port, profile, node.listen_addrs)
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
