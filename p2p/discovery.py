"""LAN discovery over mDNS: announce this device and hear about others on the local network.

The wire format is the libp2p mDNS spec (``discovery/mdns.md``): a DNS-SD service of type
``_p2p._udp.local.`` with a random instance name, whose TXT record holds one
``dnsaddr=<multiaddr>/p2p/<peer id>`` string per address, so other libp2p implementations
should see us and we them (only tested between SMD hosts). Only Ed25519 peers with TCP
addresses are reported: SMD dials nothing else.

Why zeroconf directly and not py-libp2p's ``MDNSDiscovery``:

* it reports peers through ``libp2p.discovery.events.peerDiscovery``, a module-global emitter:
  every host in the process (tests run several) would hear every other host's discoveries;
* it binds every interface (no way to restrict it to 127.0.0.1), finds "our" IP by connecting a
  UDP socket to 8.8.8.8, and writes non-standard ``dnsaddr2``, ``dnsaddr3`` ... TXT keys;
* it resolves services with ``time.sleep`` retries on zeroconf's thread and starts a Trio
  *system* task, whose failure would crash the whole run.

Threads: zeroconf runs an asyncio loop in a thread of its own, and the service browser another
thread that calls our handler. The handler validates what it heard and hops into Trio with the
Trio token (``run_sync_soon``), guarded against the run having ended; the peers are then handed
to the caller's callback from a normal Trio task, so an exception there propagates like any
other. Stopping cancels the browser and closes zeroconf, which joins both threads: after
:meth:`LanDiscovery.run` returns no zeroconf thread is left (Trio's own idle worker threads,
used to call blocking zeroconf methods, linger for a few seconds as Trio always lets them).

Discovery only reports what it heard: anyone on the LAN can announce any peer id at any address.
The dial authenticates the peer id (Noise), so the worst a liar achieves is a failed dial.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import trio
from zeroconf import (
    InterfaceChoice,
    ServiceBrowser,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
)

from .errors import InvalidAddressError, P2PError
from .invite import check_transport_addr, device_from_peer_id

if TYPE_CHECKING:
    # trio-typing's stubs shadow trio's own annotations for mypy and lack trio.TaskStatus.
    from trio_typing import TaskStatus

__all__ = [
    "MAX_ADVERTISED_ADDRS",
    "MAX_PENDING",
    "RESOLVE_TIMEOUT_MS",
    "SERVICE_TYPE",
    "DiscoveredPeer",
    "DiscoveryError",
    "LanDiscovery",
    "advertised_addrs",
    "decode_txt",
    "encode_txt",
]

logger = logging.getLogger(__name__)

SERVICE_TYPE: Final = "_p2p._udp.local."
"""The DNS-SD service type of the libp2p mDNS spec."""
MAX_ADVERTISED_ADDRS: Final = 8
"""Most addresses announced, and most reported per discovered peer (the peer book keeps 8)."""
RESOLVE_TIMEOUT_MS: Final = 2000
"""How long the browser thread waits for a service's TXT and address records it lacks.

Announcements carry them, so this is only spent on a peer that announced only part of its
records; stopping discovery waits for one such wait at most.
"""
MAX_PENDING: Final = 64
"""Discoveries queued for the callback; more are dropped (a LAN flooding announcements)."""

_TXT_KEY: Final = b"dnsaddr"
_MAX_TXT_STRING: Final = 255  # DNS character-string limit
_INSTANCE_BYTES: Final = 16  # 32 hex characters: the spec asks for a random 32-63 char label


class DiscoveryError(P2PError):
    """mDNS could not be started (the local environment's fault).

    The requested interface does not exist or has no multicast, or the mDNS socket could not be
    opened. Discovery stays off; dialing by address and invite still works.
    """


@dataclass(frozen=True, slots=True)
class DiscoveredPeer:
    """A device announced on the LAN: its peer id and the TCP addresses it announced."""

    peer: str
    """The Ed25519 PeerID text (``12D3KooW...``); never this device's own."""
    addrs: tuple[str, ...]
    """1 to :data:`MAX_ADVERTISED_ADDRS` canonical TCP multiaddrs without ``/p2p``, as announced."""


# -- TXT records (pure) ---------------------------------------------------------------------


def encode_txt(peer_id: str, addrs: Sequence[str]) -> bytes:
    """The raw TXT record announcing ``addrs`` of ``peer_id``: one ``dnsaddr=`` string each.

    Args:
        peer_id: This device's PeerID text.
        addrs: Transport multiaddrs without ``/p2p`` (see :func:`advertised_addrs`).

    Raises:
        ValueError: an address makes a TXT string longer than 255 bytes.
    """
    out = bytearray()
    for addr in addrs:
        entry = _TXT_KEY + b"=" + f"{addr}/p2p/{peer_id}".encode("ascii")
        if len(entry) > _MAX_TXT_STRING:
            raise ValueError(f"TXT string for {addr!r} exceeds {_MAX_TXT_STRING} bytes")
        out.append(len(entry))
        out += entry
    return bytes(out)


def decode_txt(text: bytes) -> DiscoveredPeer | None:
    """The peer a raw TXT record announces, or None if it announces no usable one.

    Reads every ``dnsaddr=<addr>/p2p/<peer id>`` string (keys are case-insensitive; py-libp2p's
    ``dnsaddr2``, ``dnsaddr3`` ... are read too). The first string naming an Ed25519 PeerID fixes
    the peer; strings naming another peer, non-TCP addresses (QUIC, relays) and malformed
    strings are skipped. Never raises, whatever the bytes.
    """
    peer: str | None = None
    addrs: dict[str, None] = {}  # an ordered set
    offset = 0
    while offset < len(text) and len(addrs) < MAX_ADVERTISED_ADDRS:
        length = text[offset]
        string = text[offset + 1 : offset + 1 + length]
        offset += 1 + length
        key, sep, value = string.partition(b"=")
        if not sep or not key.lower().startswith(_TXT_KEY):
            continue
        found = _parse_dnsaddr(value)
        if found is None:
            continue
        candidate, addr = found
        if peer is None:
            peer = candidate
        if candidate == peer:
            addrs[addr] = None
    if peer is None or not addrs:
        return None
    return DiscoveredPeer(peer, tuple(addrs))


def _parse_dnsaddr(value: bytes) -> tuple[str, str] | None:
    """``(peer id, canonical TCP address)`` of one ``dnsaddr`` value, or None."""
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        return None
    transport, sep, peer = text.rpartition("/p2p/")
    if not sep:
        return None
    try:
        device_from_peer_id(peer)
        return peer, check_transport_addr(transport)
    except InvalidAddressError:
        return None


# -- what to announce (pure, apart from reading interface addresses) ------------------------


def advertised_addrs(
    peer_id: str, listen_addrs: Sequence[str], interfaces: Sequence[str] | None = None
) -> list[str]:
    """The addresses to announce for a host listening on ``listen_addrs``.

    A ``/p2p/<peer id>`` suffix is dropped. A wildcard (``/ip4/0.0.0.0``, ``/ip6/::``) becomes one
    address per interface: the ``interfaces`` given, or else every IPv4 interface address of
    this machine except loopback and link-local ones (loopback only if there is nothing else).
    Listen addresses nobody can dial (not TCP, port 0) are left out; at most
    :data:`MAX_ADVERTISED_ADDRS` remain, in order, without repeats.

    Args:
        peer_id: This device's PeerID text.
        listen_addrs: What the host listens on (:attr:`p2p.host.P2PHost.listen_addrs`).
        interfaces: The IP addresses mDNS runs on, or None for every interface.

    Raises:
        InvalidAddressError: an address ends in another peer's ``/p2p/<peer id>``, or
            ``interfaces`` holds something that is not an IP address.
    """
    local_ips: list[str] | None = None
    out: dict[str, None] = {}
    for listen in listen_addrs:
        transport, sep, owner = listen.rpartition("/p2p/")
        if not sep:
            transport = listen
        elif owner != peer_id:
            raise InvalidAddressError(f"{listen!r} is not an address of {peer_id}")
        parts = transport.split("/")
        if len(parts) == 5 and parts[1] in {"ip4", "ip6"} and _is_unspecified(parts[2]):
            if local_ips is None:
                local_ips = _interface_ips(interfaces)
            version = 4 if parts[1] == "ip4" else 6
            candidates = [
                f"/ip{version}/{ip}/tcp/{parts[4]}"
                for ip in local_ips
                if ipaddress.ip_address(ip).version == version
            ]
        else:
            candidates = [transport]
        for candidate in candidates:
            try:
                out[check_transport_addr(candidate)] = None
            except InvalidAddressError:
                logger.debug("not announcing %r: nobody can dial it", candidate)
    return list(out)[:MAX_ADVERTISED_ADDRS]


def _is_unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _interface_ips(interfaces: Sequence[str] | None) -> list[str]:
    if interfaces is not None:
        return [_check_ip(ip) for ip in interfaces]
    import ifaddr

    found = [
        ip.ip
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str)  # IPv4; ifaddr gives IPv6 as a tuple
    ]
    usable = [ip for ip in found if not ipaddress.ip_address(ip).is_link_local]
    remote = [ip for ip in usable if not ipaddress.ip_address(ip).is_loopback]
    return list(dict.fromkeys(remote or usable))


def _check_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError as exc:
        raise InvalidAddressError(f"{text!r} is not an interface IP address") from exc


# -- the service ----------------------------------------------------------------------------


class LanDiscovery:
    """Announces this device over mDNS and reports the devices it hears of.

    Run it in a nursery: ``await nursery.start(discovery.run)`` returns once announcing and
    browsing have started; cancel the nursery, or call :meth:`stop`, to end it. A discovery
    runs once.

    ``on_peer`` is called in the Trio run that runs :meth:`run`, from its task, once for every
    announcement heard (a peer re-announcing, or announcing new addresses, is reported again).
    It must not block; an exception it raises ends :meth:`run` with that exception. This
    device's own announcements are never reported.

    Args:
        peer_id: This device's PeerID text.
        listen_addrs: What the host listens on; see :func:`advertised_addrs` for what is
            announced.
        on_peer: Called with every peer heard of.
        interfaces: IP addresses of the interfaces mDNS runs on (e.g. ``["127.0.0.1"]``), or
            None for every IPv4 interface.
        service_type: The DNS-SD service type; the libp2p one unless a test wants isolation.

    Raises:
        InvalidAddressError: ``peer_id`` is not an Ed25519 PeerID, a listen address belongs to
            another peer, or an interface is not an IP address.
        ValueError: no listen address can be announced.
    """

    def __init__(
        self,
        peer_id: str,
        listen_addrs: Sequence[str],
        on_peer: Callable[[DiscoveredPeer], None],
        *,
        interfaces: Sequence[str] | None = None,
        service_type: str = SERVICE_TYPE,
    ) -> None:
        device_from_peer_id(peer_id)
        self._peer_id = peer_id
        self._interfaces = None if interfaces is None else [_check_ip(ip) for ip in interfaces]
        self._addrs = advertised_addrs(peer_id, listen_addrs, self._interfaces)
        if not self._addrs:
            raise ValueError(f"none of {list(listen_addrs)!r} can be announced")
        self._on_peer = on_peer
        self._service_type = service_type
        label = secrets.token_hex(_INSTANCE_BYTES)
        self._service_name = f"{label}.{service_type}"
        self._server = f"{label}.local."
        self._text = encode_txt(peer_id, self._addrs)
        self._started = False
        self._closing = False  # read by zeroconf's threads: set once, never cleared
        self._scope = trio.CancelScope()
        self._token: trio.lowlevel.TrioToken | None = None
        self._send: trio.MemorySendChannel[DiscoveredPeer] | None = None
        self._zeroconf: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._registration: concurrent.futures.Future[None] | None = None

    @property
    def advertised_addrs(self) -> tuple[str, ...]:
        """The TCP addresses announced (without ``/p2p``)."""
        return tuple(self._addrs)

    @property
    def service_name(self) -> str:
        """This device's DNS-SD instance name (random per run)."""
        return self._service_name

    async def run(self, *, task_status: TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Announce and browse until cancelled or :meth:`stop` is called, then shut down.

        Reports ``started`` once zeroconf listens and the browser runs; the announcement itself
        (probing, then three announcements) completes in the background over ~2 s. On exit,
        even by cancellation, the service is withdrawn (a goodbye packet) and zeroconf closed.

        Raises:
            DiscoveryError: mDNS could not be started (before ``started``).
            RuntimeError: this discovery already ran.
        """
        if self._started:
            raise RuntimeError("a LanDiscovery runs once")
        self._started = True
        self._token = trio.lowlevel.current_trio_token()
        send, receive = trio.open_memory_channel[DiscoveredPeer](MAX_PENDING)
        self._send = send
        try:
            with self._scope:
                await trio.to_thread.run_sync(self._start_zeroconf)
                task_status.started()
                async with receive:
                    async for found in receive:
                        self._on_peer(found)
        finally:
            self._closing = True
            send.close()
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(self._stop_zeroconf)

    def stop(self) -> None:
        """Make :meth:`run` shut down and return. Idempotent; call it from the Trio run."""
        self._scope.cancel()

    # -- zeroconf side (worker and zeroconf threads) --------------------------------------

    def _start_zeroconf(self) -> None:
        """Open zeroconf, start browsing and schedule the announcement. Blocking."""
        interfaces = InterfaceChoice.All if self._interfaces is None else list(self._interfaces)
        try:
            zeroconf = Zeroconf(interfaces=interfaces)
        except OSError as exc:
            where = "every interface" if self._interfaces is None else ", ".join(self._interfaces)
            raise DiscoveryError(f"could not start mDNS on {where}: {exc}") from exc
        self._zeroconf = zeroconf
        info = ServiceInfo(
            self._service_type,
            self._service_name,
            port=int(self._addrs[0].rsplit("/", 1)[1]),
            properties=self._text,
            server=self._server,
            addresses=self._address_records(),
        )
        self._browser = ServiceBrowser(zeroconf, self._service_type, handlers=[self._on_change])
        # Announcing probes the name first (~2 s in all): done on zeroconf's loop, not waited on.
        assert zeroconf.loop is not None  # set once the constructor returns
        registration = asyncio.run_coroutine_threadsafe(_register(zeroconf, info), zeroconf.loop)
        registration.add_done_callback(self._registered)
        self._registration = registration

    def _address_records(self) -> list[bytes]:
        """A/AAAA records of the announced addresses (zeroconf needs at least one)."""
        hosts = [addr.split("/")[2] for addr in self._addrs if addr.startswith(("/ip4/", "/ip6/"))]
        if not hosts:  # DNS names only: point at the interfaces instead
            hosts = _interface_ips(self._interfaces)
        return [ipaddress.ip_address(host).packed for host in dict.fromkeys(hosts)]

    def _registered(self, future: concurrent.futures.Future[None]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            logger.warning("announcing %s over mDNS failed: %r", self._peer_id, error)

    def _stop_zeroconf(self) -> None:
        """Withdraw the service and close zeroconf, joining its threads. Blocking."""
        if self._registration is not None:
            self._registration.cancel()
        if self._browser is not None:
            # Joins the browser thread: waits for a resolve in progress (RESOLVE_TIMEOUT_MS).
            self._browser.cancel()
        if self._zeroconf is not None:
            # Sends the goodbye for a service already announced, then joins the loop thread.
            self._zeroconf.close()

    def _on_change(
        self,
        zeroconf: Zeroconf,
        service_type: str,
        name: str,
        state_change: ServiceStateChange,
    ) -> None:
        """Browser thread: resolve an added or updated service and hand it to Trio."""
        if self._closing or state_change is ServiceStateChange.Removed:
            return
        if name == self._service_name:
            return
        try:
            info = zeroconf.get_service_info(service_type, name, timeout=RESOLVE_TIMEOUT_MS)
        except Exception as exc:
            # Raised on this thread it would end the browser silently: no more discoveries.
            logger.debug("could not resolve mDNS service %r: %r", name, exc)
            return
        if info is None:
            return
        found = decode_txt(info.text)
        if found is None or found.peer == self._peer_id:
            return
        token = self._token
        assert token is not None  # set before zeroconf starts
        try:
            token.run_sync_soon(self._enqueue, found)
        except trio.RunFinishedError:
            return  # the Trio run is over; nobody is left to tell

    # -- Trio side ------------------------------------------------------------------------

    def _enqueue(self, found: DiscoveredPeer) -> None:
        """In the Trio run, outside any task: must not raise (it would crash the run)."""
        if self._closing or self._send is None:
            return
        try:
            self._send.send_nowait(found)
        except trio.WouldBlock:
            logger.debug("dropped mDNS discovery of %s: the callback is behind", found.peer)
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            logger.debug("dropped mDNS discovery of %s: discovery is stopping", found.peer)


async def _register(zeroconf: Zeroconf, info: ServiceInfo) -> None:
    """On zeroconf's loop: probe the name, then announce the service three times."""
    broadcast = await zeroconf.async_register_service(info)
    await broadcast
