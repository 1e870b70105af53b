"""The py-libp2p 0.8.1 internals the gossip layer adapts (see :mod:`p2p.gossip`).

Each adaptation says which library internal it reaches and why; they are kept apart so that a
library upgrade touches this file only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, cast

import trio
from libp2p.abc import IHost, INetStream, INotifee, ISubscriptionAPI
from libp2p.peer.id import ID
from libp2p.pubsub import pubsub as _libp2p_pubsub
from libp2p.pubsub.gossipsub import GossipSub
from libp2p.pubsub.pb import rpc_pb2
from libp2p.pubsub.pubsub import Pubsub
from libp2p.pubsub.rpc_queue import PriorityQueue, RpcQueue

logger = logging.getLogger("p2p.gossip")

_READ_AHEAD: Final = 65536
"""Bytes one read of a peer's pubsub stream may take (see _ReadAhead)."""


# -- py-libp2p adaptations ---------------------------------------------------------------------


class _PeerQueues(dict[ID, RpcQueue]):
    """``Pubsub.peer_queues`` that enlarges each per-peer queue the moment Pubsub stores it.

    ``Pubsub._handle_new_peer`` creates ``RpcQueue()`` with its default size of 32 and no knob,
    stores it here, and only then starts the peer's sending task: nothing can be pushed in
    between, so resizing on insertion is exact. It is scoped to our Pubsub instance (a patched
    module would change every Pubsub in the process) and needs no copy of the 80-line method.
    """

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self._max_size = max_size

    def __setitem__(self, peer_id: ID, queue: RpcQueue) -> None:
        bounded = getattr(queue, "_queue", None)
        if not isinstance(bounded, PriorityQueue):
            # Pinned to libp2p 0.8.1; fail loudly rather than silently keep 32 slots.
            raise RuntimeError("py-libp2p's RpcQueue changed: cannot enlarge peer queues")
        bounded.max_size = self._max_size
        super().__setitem__(peer_id, queue)


_channel_size_users = 0
_library_channel_size = _libp2p_pubsub.SUBSCRIPTION_CHANNEL_SIZE


@contextmanager
def _subscription_channel_size(size: int) -> Iterator[None]:
    """Make ``Pubsub.subscribe()`` create its channel with ``size`` slots.

    ``subscribe()`` reads the module global ``SUBSCRIPTION_CHANNEL_SIZE`` once, before its first
    checkpoint, so a value set just before the call is the one it uses. Overlapping calls (other
    tasks subscribing while ours awaits the announcement) are counted, and the library's value
    comes back when the last one ends; a foreign Pubsub subscribing in that window at most gets
    a larger buffer.
    """
    global _channel_size_users  # noqa: PLW0603  # the library's knob is a module global
    _channel_size_users += 1
    _libp2p_pubsub.SUBSCRIPTION_CHANNEL_SIZE = size
    try:
        yield
    finally:
        _channel_size_users -= 1
        if _channel_size_users == 0:
            _libp2p_pubsub.SUBSCRIPTION_CHANNEL_SIZE = _library_channel_size


class _SmdPubsub(Pubsub):
    """Pubsub with larger queues, symmetric peer registration and streams we can close."""

    def __init__(
        self,
        host: IHost,
        router: GossipSub,
        *,
        peer_queue_size: int,
        subscription_buffer: int,
        strict_signing: bool,
        msg_id_constructor: Callable[[rpc_pb2.Message], bytes],
        seen_ttl: int,
    ) -> None:
        super().__init__(
            host,
            router,
            strict_signing=strict_signing,
            msg_id_constructor=msg_id_constructor,
            seen_ttl=seen_ttl,
        )
        self.peer_queues = _PeerQueues(peer_queue_size)
        self._subscription_buffer = subscription_buffer
        self._inbound: dict[INetStream, trio.CancelScope] = {}
        self._closing = False
        self._registering: set[ID] = set()

    async def subscribe(self, topic_id: str) -> ISubscriptionAPI:
        with _subscription_channel_size(self._subscription_buffer):
            return await super().subscribe(topic_id)

    async def stream_handler(self, stream: INetStream) -> None:
        if self._closing:
            await _reset_quietly(stream)
            return
        # Pubsub only opens its own stream to a peer when the *connection* opens. If the peer
        # started pubsub later (or we did), its stream to us is the first sign: open ours back,
        # or we would read the peer but never write to it.
        peer_id = stream.muxed_conn.peer_id
        if peer_id not in self.peers and self.manager.is_running:
            self.manager.run_task(self.ensure_peer_stream, peer_id)
        # This runs in a host task, not under the Pubsub service: stop_reading() must be able to
        # end it before the service stops (see there).
        scope = self._inbound[stream] = trio.CancelScope()
        try:
            with scope:
                await super().stream_handler(cast(INetStream, _ReadAhead(stream)))
        finally:
            if not self._closing:
                del self._inbound[stream]
        if self._closing:
            return  # reset_streams() resets it
        # The peer closed or reset its stream: its pubsub stopped (or the connection is going).
        # Pubsub's read loop just returns, keeping the peer's subscriptions and our stream to it
        # until a write happens to fail; forget the peer now. (If it is still connected, Pubsub
        # keeps trying to reopen our stream, which succeeds if its gossip comes back.)
        still_reading = any(s.muxed_conn.peer_id == peer_id for s in self._inbound)
        if self.manager.is_running and not still_reading:
            self._handle_dead_peer(peer_id)

    def stop_reading(self) -> None:
        """Stop reading the peers' streams; call before stopping the service.

        Pubsub's read loops run in host tasks and hand each message to a new service task. Were
        one still reading while the service stops, that hand-off would hit the service's closed
        nursery and the RuntimeError would crash the host's swarm.
        """
        self._closing = True
        for scope in self._inbound.values():
            scope.cancel()

    async def _handle_new_peer(self, peer_id: ID) -> None:
        # Registration awaits a stream open before it records the peer, so two concurrent
        # registrations (the "connected" notification and stream_handler above) would open two
        # streams and orphan one. One at a time per peer; the other caller's retry loop goes on.
        if peer_id in self._registering:
            return
        self._registering.add(peer_id)
        try:
            await super()._handle_new_peer(peer_id)
        finally:
            self._registering.discard(peer_id)

    async def reset_streams(self) -> None:
        """Reset every pubsub stream, ours and the peers'; call after the service stopped."""
        streams = [*self.peers.values(), *self._inbound]
        self.peers.clear()
        self._inbound.clear()
        for stream in streams:
            await _reset_quietly(stream)


async def _reset_quietly(stream: INetStream) -> None:
    try:
        await stream.reset()
    except Exception as exc:  # the connection may be gone already; nothing left to undo
        logger.debug("resetting a pubsub stream failed: %s", exc)


class _ReadAhead:
    """A pubsub stream whose reads come from 64 KiB read-ahead instead of one call per byte.

    Pubsub reads each RPC's varint length one byte per ``read()``, and every read of a py-libp2p
    stream takes a lock, walks the Yamux buffer and considers a window update: serving those
    reads from a local buffer cut the CPU of a 5-node run by about a quarter. Pubsub is this
    stream's only reader, so reading ahead across RPC boundaries loses nothing. Everything else
    (``muxed_conn``, ``reset()``, ...) is the wrapped stream's.
    """

    def __init__(self, stream: INetStream) -> None:
        self._stream = stream
        self._buffer = bytearray()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    async def read(self, n: int | None = None) -> bytes:
        if not self._buffer:
            data = await self._stream.read(_READ_AHEAD)
            if not data:
                return data
            self._buffer += data
        size = len(self._buffer) if n is None or n < 0 else n
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        return chunk


def _detach(host: IHost, router: GossipSub, notifees: list[INotifee]) -> None:
    """Unregister what Pubsub registered on the host, so a stopped Pubsub gets no more work."""
    for protocol in router.get_protocols():
        host.remove_stream_handler(protocol)
    network = host.get_network()
    remove = getattr(network, "remove_notifee", None)
    if remove is not None:
        for notifee in notifees:
            remove(notifee)
