"""The libp2p host: identity from the device seed, Noise + Yamux over TCP, nothing else.

py-libp2p's defaults are unsafe or surprising for this app, so every choice is explicit here:

* Security: Noise only. ``new_host()`` without ``sec_opt`` also offers ``/plaintext/2.0.0`` and
  SECIO, and a plaintext peer can claim any identity whose public key it knows.
* Muxer: Yamux only (the default also offers Mplex).
* Transport: TCP only; QUIC, WebSocket, mDNS and UPnP stay off.
* ``max_connections_per_peer=1``: the default of 3 adds a 250 ms happy-eyeballs wait to every
  dial.
* The auto-connector is stopped: it would redial every peerstore entry on a timer, and which
  peers to dial is the caller's policy, not the library's.
* Shutdown closes the host explicitly before leaving ``BasicHost.run()``: leaving ``run()``
  alone cancels the swarm without closing its connections, so the remote never sees the
  disconnect and the socket leaks until garbage collection.

The Ed25519 key derived from the 32-byte device seed is the host's libp2p identity, so the
base58 PeerID (``12D3KooW...``) inlines the device's public key: the PeerID a stream handler sees
in ``stream.muxed_conn.peer_id`` is the authenticated author key of the remote device.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Final

import base58
import multiaddr  # type: ignore[import-untyped]  # ships no py.typed
import trio
from libp2p import new_host
from libp2p.abc import IHost, INetStream
from libp2p.crypto.ed25519 import Ed25519PrivateKey
from libp2p.crypto.keys import KeyPair
from libp2p.crypto.x25519 import create_new_key_pair as create_x25519_key_pair
from libp2p.custom_types import TProtocol
from libp2p.network.config import ConnectionConfig
from libp2p.peer.id import ID
from libp2p.peer.peerinfo import PeerInfo
from libp2p.security.noise.exceptions import PeerIDMismatchesPubkey
from libp2p.security.noise.transport import PROTOCOL_ID as NOISE_PROTOCOL_ID
from libp2p.security.noise.transport import Transport as NoiseTransport
from libp2p.stream_muxer.yamux.yamux import PROTOCOL_ID as YAMUX_PROTOCOL_ID
from libp2p.stream_muxer.yamux.yamux import Yamux
from libp2p.transport.exceptions import SecurityUpgradeFailure

if TYPE_CHECKING:
    # libp2p depends on trio-typing, whose trio-stubs shadow trio's own annotations for mypy and
    # lack trio.TaskStatus.
    from trio_typing import TaskStatus

from p2p.errors import (
    DialError,
    InvalidAddressError,
    ListenError,
    StreamBrokenError,
    StreamOpenError,
)
from p2p.invite import peer_id_from_device

__all__ = [
    "DEFAULT_DIAL_TIMEOUT",
    "DEFAULT_LISTEN_ADDRS",
    "SEED_SIZE",
    "P2PHost",
    "StreamHandler",
    "build_host",
    "open_host",
    "peer_id_from_public_key",
    "peer_id_from_seed",
]

logger = logging.getLogger(__name__)

SEED_SIZE: Final = 32
"""Length in bytes of the Ed25519 seed that defines a device identity."""

DEFAULT_LISTEN_ADDRS: Final[tuple[str, ...]] = ("/ip4/0.0.0.0/tcp/0",)
"""Listen on every IPv4 interface, on a port the OS picks."""

DEFAULT_DIAL_TIMEOUT: Final = 10.0
"""Seconds one :meth:`P2PHost.connect` may take, TCP connect and handshakes included."""

_SHUTDOWN_TIMEOUT: Final = 5.0
# Closing a libp2p connection sleeps 100 ms per connection on purpose; this bounds a shutdown
# stuck on a peer that stopped reading without hanging the caller.

_SHA256_MULTIHASH_PREFIX: Final = bytes.fromhex("1220")

StreamHandler = Callable[[INetStream], Awaitable[None]]
"""An inbound stream handler. It owns the stream: it must close or reset it before returning."""


def peer_id_from_public_key(public_key: bytes) -> str:
    """Return the base58 libp2p PeerID (``12D3KooW...``) of a raw Ed25519 public key.

    Args:
        public_key: The 32-byte Ed25519 public key.

    Raises:
        ValueError: If ``public_key`` is not 32 bytes long.
    """
    return peer_id_from_device(public_key)


def peer_id_from_seed(seed: bytes) -> str:
    """Return the base58 PeerID a host built from ``seed`` has.

    Raises:
        ValueError: If ``seed`` is not :data:`SEED_SIZE` bytes long.
    """
    return peer_id_from_public_key(_key_pair_from_seed(seed).public_key.to_bytes())


def build_host(seed: bytes) -> IHost:
    """Create (but do not start) a py-libp2p host with the device identity from ``seed``.

    Noise is the only security transport, Yamux the only muxer, TCP the only transport;
    mDNS, UPnP and QUIC are off, and at most one connection is kept per peer. Most callers want
    :func:`open_host`, which also runs the host and shuts it down cleanly.

    Args:
        seed: The 32-byte Ed25519 seed of the device key.

    Raises:
        ValueError: If ``seed`` is not :data:`SEED_SIZE` bytes long.
    """
    key_pair = _key_pair_from_seed(seed)
    # The Noise static key is not the identity key: Noise signs it with the identity key during
    # the handshake, so a fresh one per process is fine (go-libp2p does the same).
    noise = NoiseTransport(key_pair, noise_privkey=create_x25519_key_pair().private_key)
    return new_host(
        key_pair=key_pair,
        sec_opt={NOISE_PROTOCOL_ID: noise},
        muxer_opt={TProtocol(YAMUX_PROTOCOL_ID): Yamux},
        enable_mDNS=False,
        enable_upnp=False,
        enable_quic=False,
        enable_websocket=False,
        enable_tcp=True,
        connection_config=ConnectionConfig(max_connections_per_peer=1),
    )


@asynccontextmanager
async def open_host(
    seed: bytes,
    listen_addrs: Sequence[str] | None = None,
    *,
    dial_timeout: float = DEFAULT_DIAL_TIMEOUT,
) -> AsyncIterator[P2PHost]:
    """Run a host listening on ``listen_addrs`` for the duration of the ``async with`` block.

    On exit, every connection is closed (peers see the disconnect at once) and the listeners
    are shut down, even if the block is being cancelled.

    Args:
        seed: The 32-byte Ed25519 seed of the device key.
        listen_addrs: Multiaddrs to listen on, e.g. ``"/ip4/127.0.0.1/tcp/0"``; defaults to
            :data:`DEFAULT_LISTEN_ADDRS`. Port 0 lets the OS pick a free port.
        dial_timeout: Seconds one :meth:`P2PHost.connect` may take before it fails.

    Yields:
        The running host.

    Raises:
        ValueError: If ``seed`` is not :data:`SEED_SIZE` bytes long.
        InvalidAddressError: If a listen address is not a valid multiaddr.
        ListenError: If the host could not listen on every requested address.
    """
    addrs = [_parse_multiaddr(text) for text in (listen_addrs or DEFAULT_LISTEN_ADDRS)]
    host = build_host(seed)
    stop = trio.Event()
    raised: BaseException | None = None
    own: BaseException | None = None
    try:
        async with trio.open_nursery() as nursery:
            try:
                await nursery.start(_serve, host, addrs, stop)
                yield P2PHost(host, dial_timeout=dial_timeout)
            except BaseException as exc:
                raised = exc
                raise
            finally:
                stop.set()
    except BaseExceptionGroup as group:
        # The nursery wraps whatever the block raised; hand the caller its own exception back.
        own = _sole_member(group, raised)
        if own is None:
            raise
    if own is not None:
        raise own  # outside the except block, so the group does not become its __context__


async def _serve(
    host: IHost,
    addrs: list[multiaddr.Multiaddr],
    stop: trio.Event,
    *,
    task_status: TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run ``host`` until ``stop`` is set, then close it; a task of its own, shielded.

    If the caller's cancellation reached libp2p's own tasks, they would unwind first, drop their
    connections from the swarm's table without closing the sockets, and leave host.close()
    nothing to close: the remote would never see the disconnect. So the caller's cancellation
    stops at this task's shield, and only ``stop`` ends it, after an orderly close().
    """
    raised: BaseException | None = None
    own: BaseException | None = None
    try:
        with trio.CancelScope(shield=True):
            async with host.run(addrs):
                try:
                    _check_listening(host, addrs)
                    await _stop_auto_connector(host)
                    task_status.started()
                    await stop.wait()
                except BaseException as exc:
                    raised = exc
                    raise
                finally:
                    # Explicitly: leaving BasicHost.run() alone cancels the swarm without
                    # closing its connections. Bounded: a peer that stopped reading must not
                    # hang the shutdown.
                    with trio.move_on_after(_SHUTDOWN_TIMEOUT) as scope:
                        await host.close()
                    if scope.cancelled_caught:
                        logger.warning("closing libp2p host took over %s s", _SHUTDOWN_TIMEOUT)
    except BaseExceptionGroup as group:
        # BasicHost.run() nests two nurseries: a ListenError would come out doubly wrapped.
        own = _sole_member(group, raised)
        if own is None:
            raise
    if own is not None:
        raise own


def _sole_member(
    group: BaseExceptionGroup[BaseException], raised: BaseException | None
) -> BaseException | None:
    """Return ``raised`` if it is all ``group`` holds, however deeply nurseries nested it."""
    if raised is None or group.split(lambda exc: exc is raised)[1] is not None:
        return None
    return raised


class P2PHost:
    """A running libp2p host, with peer ids and multiaddrs as plain text.

    Obtain one from :func:`open_host`; it is valid only inside that ``async with`` block. All
    methods must be called from the Trio run that runs the host.
    """

    def __init__(self, host: IHost, *, dial_timeout: float = DEFAULT_DIAL_TIMEOUT) -> None:
        """Wrap a running py-libp2p ``host``; see :func:`open_host`."""
        self._host = host
        self._dial_timeout = dial_timeout

    @property
    def libp2p_host(self) -> IHost:
        """The underlying py-libp2p host, for components that need the raw API (e.g. pubsub)."""
        return self._host

    @property
    def peer_id(self) -> str:
        """This host's base58 PeerID (``12D3KooW...``), which inlines the device public key."""
        return self._host.get_id().to_base58()

    @property
    def listen_addrs(self) -> list[str]:
        """The addresses this host listens on, each ending in ``/p2p/<peer id>``.

        Port 0 in a requested address is replaced by the port the OS picked. A wildcard address
        (``0.0.0.0``) stays a wildcard: it is dialable from this machine only.
        """
        return [str(addr) for addr in self._host.get_addrs()]

    def connected_peers(self) -> list[str]:
        """Return the base58 peer ids this host has an open connection to."""
        return [peer.to_base58() for peer in self._host.get_connected_peers()]

    def is_connected(self, peer_id: str) -> bool:
        """Return whether this host has an open connection to ``peer_id``."""
        return peer_id in self.connected_peers()

    async def connect(self, address: str) -> str:
        """Connect to the peer at ``address`` unless already connected, and return its peer id.

        The remote must prove, inside the Noise handshake, that it holds the key of the peer id
        in the address; otherwise the dial fails.

        Args:
            address: A multiaddr ending in ``/p2p/<peer id>``, e.g.
                ``"/ip4/192.0.2.7/tcp/4001/p2p/12D3KooW..."``.

        Returns:
            The base58 peer id of the connected peer.

        Raises:
            InvalidAddressError: If ``address`` is not a multiaddr ending in ``/p2p/<peer id>``,
                or names this host itself.
            DialError: If the connection could not be established within the dial timeout.
        """
        info = _parse_peer_address(address)
        peer_id = info.peer_id.to_base58()
        if info.peer_id == self._host.get_id():
            raise InvalidAddressError(f"{address!r} is this host's own address")
        if info.peer_id not in self._host.get_connected_peers():
            _dial_only(self._host, info)
        try:
            with trio.fail_after(self._dial_timeout):
                await self._host.connect(info)
        except trio.TooSlowError:
            raise DialError(peer_id, address, f"timed out after {self._dial_timeout:g} s") from None
        except Exception as exc:  # py-libp2p raises assorted types; all mean "dial failed"
            raise DialError(peer_id, address, _dial_failure_reason(exc)) from exc
        return peer_id

    async def disconnect(self, peer_id: str) -> None:
        """Close every connection to ``peer_id``; a no-op if there is none.

        Raises:
            InvalidAddressError: If ``peer_id`` is not a valid peer id.
        """
        await self._host.disconnect(_parse_peer_id(peer_id))

    async def new_stream(self, peer_id: str, protocol: str | Sequence[str]) -> INetStream:
        """Open a stream to ``peer_id`` speaking ``protocol``.

        Dials the peer first if it is not connected but its address is known (from an earlier
        :meth:`connect`). The caller owns the returned stream and must close or reset it.

        Args:
            peer_id: The remote's base58 peer id.
            protocol: A protocol id such as ``"/smd/sync/1"``, or several in order of
                preference; ``stream.get_protocol()`` tells which one was agreed.

        Raises:
            InvalidAddressError: If ``peer_id`` is not a valid peer id.
            StreamOpenError: If the peer cannot be reached or supports none of the protocols.
        """
        remote = _parse_peer_id(peer_id)
        names = [protocol] if isinstance(protocol, str) else list(protocol)
        protocols = [TProtocol(name) for name in names]
        if not protocols:
            raise ValueError("new_stream needs at least one protocol id")
        try:
            return await self._host.new_stream(remote, protocols)
        except Exception as exc:  # py-libp2p raises assorted types; all mean "no stream"
            wanted = ", ".join(protocols)
            raise StreamOpenError(f"could not open a {wanted} stream to {peer_id}") from exc

    def set_stream_handler(self, protocol: str, handler: StreamHandler) -> None:
        """Run ``handler`` for every inbound stream that negotiates ``protocol``.

        Each stream runs in its own task. The remote's authenticated peer id is
        ``stream.muxed_conn.peer_id``. An exception escaping the handler resets the stream (and
        is logged at ERROR, or at DEBUG for :class:`~p2p.errors.StreamBrokenError`): py-libp2p
        would otherwise tear down the whole connection.

        Args:
            protocol: The protocol id, e.g. ``"/smd/sync/1"``; replaces any earlier handler.
            handler: The coroutine function that serves one stream.
        """

        async def guarded(stream: INetStream) -> None:
            try:
                await handler(stream)
            except StreamBrokenError as exc:  # the remote's or the network's doing, not a bug
                logger.debug(
                    "%s stream from %s broke: %s", protocol, stream.muxed_conn.peer_id, exc
                )
                await _reset_quietly(stream)
            except Exception:
                logger.exception(
                    "handler for %s failed on a stream from %s; resetting the stream",
                    protocol,
                    stream.muxed_conn.peer_id,
                )
                await _reset_quietly(stream)

        self._host.set_stream_handler(TProtocol(protocol), guarded)

    def remove_stream_handler(self, protocol: str) -> None:
        """Stop accepting inbound streams for ``protocol``; later ones are refused."""
        self._host.remove_stream_handler(TProtocol(protocol))


def _key_pair_from_seed(seed: bytes) -> KeyPair:
    if len(seed) != SEED_SIZE:
        raise ValueError(f"an Ed25519 seed is {SEED_SIZE} bytes, got {len(seed)}")
    private_key = Ed25519PrivateKey.new(seed)
    return KeyPair(private_key, private_key.get_public_key())


def _parse_multiaddr(text: str) -> multiaddr.Multiaddr:
    try:
        return multiaddr.Multiaddr(text)
    except Exception as exc:  # the multiaddr package raises several unrelated types
        raise InvalidAddressError(f"{text!r} is not a valid multiaddr: {exc}") from exc


def _parse_peer_address(text: str) -> PeerInfo:
    addr = _parse_multiaddr(text)
    protocols = list(addr.protocols())
    if not protocols or protocols[-1].name != "p2p":
        raise InvalidAddressError(f"{text!r} does not end in /p2p/<peer id>")
    peer_id = _parse_peer_id(addr.value_for_protocol("p2p") or "")
    transport_addr = addr.decapsulate(multiaddr.Multiaddr(f"/p2p/{peer_id.to_base58()}"))
    if not list(transport_addr.protocols()):
        raise InvalidAddressError(f"{text!r} has a peer id but no transport address")
    return PeerInfo(peer_id, [transport_addr])


def _parse_peer_id(text: str) -> ID:
    # ID.from_base58 accepts any base58 text ("xyz" included): check the multihash ourselves.
    if len(text) > 60:  # base58 decoding is quadratic: refuse long junk before decoding
        raise InvalidAddressError(f"{text[:60]!r}... is not a libp2p peer id")
    try:
        raw = base58.b58decode(text)
    except ValueError as exc:
        raise InvalidAddressError(f"{text!r} is not a base58 peer id") from exc
    identity = raw[:1] == b"\x00" and len(raw) >= 2 and raw[1] == len(raw) - 2
    sha256 = raw[:2] == _SHA256_MULTIHASH_PREFIX and len(raw) == 34
    if not (identity or sha256):
        raise InvalidAddressError(f"{text!r} is not a libp2p peer id")
    return ID(raw)


def _check_listening(host: IHost, requested: list[multiaddr.Multiaddr]) -> None:
    # Swarm.listen() logs and returns False on failure, and BasicHost.run() ignores the result.
    listening = len(host.get_transport_addrs())
    if listening < len(requested):
        wanted = ", ".join(str(addr) for addr in requested)
        raise ListenError(f"could listen on only {listening} of: {wanted}")


async def _stop_auto_connector(host: IHost) -> None:
    # Swarm.run() starts the auto-connector before listen() returns (no checkpoint between
    # them), so stopping it here wins; it then neither polls nor reacts to disconnects.
    connector = getattr(host.get_network(), "auto_connector", None)
    if connector is not None:
        await connector.stop()


def _dial_only(host: IHost, info: PeerInfo) -> None:
    """Make the next dial of ``info.peer_id`` try exactly ``info``'s address, now."""
    # The swarm dials one TCP address per peer, picked from every address the peerstore holds
    # (kept for 120 s), so a stale address would be dialled instead of the one given.
    host.get_peerstore().clear_addrs(info.peer_id)
    # It also refuses to redial a peer for 60 s after a failed dial (a "negative cache"), even
    # at a corrected address. An explicit connect() is a fresh decision: let it try.
    cache = getattr(host.get_network(), "_negative_peer_cache", None)
    if cache is not None:
        cache.evict(str(info.peer_id))


def _dial_failure_reason(exc: BaseException) -> str:
    """Reduce py-libp2p's nested dial exceptions (five levels deep) to one plain reason."""
    chain = [exc]
    while len(chain) < 20:  # guards against cycles; real chains are about 7 long
        current = chain[-1]
        # libp2p's MultiError keeps its members in .errors, ExceptionGroup in .exceptions
        nested = getattr(current, "errors", None) or getattr(current, "exceptions", None)
        following = nested[0] if nested else current.__cause__
        if not isinstance(following, BaseException):
            break
        chain.append(following)
    leaf = chain[-1]
    if isinstance(leaf, PeerIDMismatchesPubkey):
        return "the remote proved a different peer id"
    if any(isinstance(link, SecurityUpgradeFailure) and "negotiate" in str(link) for link in chain):
        return "the remote does not offer Noise"
    if isinstance(leaf, ConnectionRefusedError):
        return "connection refused"
    if isinstance(leaf, OSError) and leaf.strerror:
        return leaf.strerror.lower()
    return str(leaf).strip() or type(leaf).__name__


async def _reset_quietly(stream: INetStream) -> None:
    try:
        await stream.reset()
    except Exception as exc:  # the connection may be gone already; nothing left to undo
        logger.debug("resetting a failed stream failed too: %s", exc)
