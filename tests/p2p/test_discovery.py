"""LAN discovery: the TXT format, what is announced, and real mDNS between hosts on 127.0.0.1.

The mDNS tests restrict zeroconf to 127.0.0.1. Linux delivers multicast on loopback even when
``lo`` lacks the MULTICAST flag (as in this sandbox), once a socket joins the group on
127.0.0.1; if a probe datagram does not come back, the fixture tries ``ip link set lo multicast
on`` (root only) and otherwise skips with the reason.

Other processes on the machine may announce ``_p2p._udp.local.`` too, so every assertion is
about the peer ids of this test's own hosts.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import AsyncIterator

import pytest
import trio
from hypothesis import given
from hypothesis import strategies as st
from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf

from p2p.discovery import (
    MAX_ADVERTISED_ADDRS,
    SERVICE_TYPE,
    DiscoveredPeer,
    DiscoveryError,
    LanDiscovery,
    advertised_addrs,
    decode_txt,
    encode_txt,
)
from p2p.errors import InvalidAddressError
from p2p.host import P2PHost, open_host, peer_id_from_seed

LOOPBACK_ONLY = ["127.0.0.1"]
DISCOVERY_TIMEOUT = 10.0
PEER_A = peer_id_from_seed(bytes(32))
PEER_B = peer_id_from_seed(bytes([1]) * 32)


# -- environment ----------------------------------------------------------------------------


def _loopback_multicast_works(timeout: float = 1.0) -> bool:
    """Whether a multicast datagram sent on 127.0.0.1 comes back to a member socket."""
    group = "224.0.0.251"
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        try:
            receiver.bind(("", 0))
            membership = socket.inet_aton(group) + socket.inet_aton("127.0.0.1")
            receiver.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
            loopback = socket.inet_aton("127.0.0.1")
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, loopback)
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            sender.sendto(b"smd-probe", (group, receiver.getsockname()[1]))
            receiver.settimeout(timeout)
            data, _ = receiver.recvfrom(64)
        except OSError:
            return False
        return data == b"smd-probe"


@pytest.fixture(scope="module")
def loopback_multicast() -> None:
    """Skip unless multicast works on 127.0.0.1 (enabling it on ``lo`` if we may)."""
    if _loopback_multicast_works():
        return
    ip = shutil.which("ip")
    if os.geteuid() == 0 and ip is not None:
        subprocess.run([ip, "link", "set", "lo", "multicast", "on"], check=False, timeout=5)
        if _loopback_multicast_works():
            return
    pytest.skip(
        "multicast on 127.0.0.1 does not loop back here, and `ip link set lo multicast on` "
        "was not possible or did not help (needs root and the ip tool)"
    )


class Heard:
    """An ``on_peer`` callback that records what it heard and lets a test wait for a peer."""

    def __init__(self) -> None:
        self.peers: dict[str, DiscoveredPeer] = {}
        self.calls = 0
        self._changed = trio.Event()

    def __call__(self, found: DiscoveredPeer) -> None:
        self.peers[found.peer] = found
        self.calls += 1
        self._changed.set()
        self._changed = trio.Event()

    async def wait_for(self, peer: str) -> DiscoveredPeer:
        while peer not in self.peers:
            await self._changed.wait()
        return self.peers[peer]


def transport(host: P2PHost) -> str:
    """The host's one listen address without ``/p2p``."""
    (addr,) = host.listen_addrs
    return addr.rsplit("/p2p/", 1)[0]


@pytest.fixture
async def third() -> AsyncIterator[P2PHost]:
    """A third host on loopback, which never runs discovery."""
    async with open_host(os.urandom(32), ["/ip4/127.0.0.1/tcp/0"], dial_timeout=5.0) as host:
        yield host


def zeroconf_threads() -> set[threading.Thread]:
    """Live threads except Trio's worker threads (Trio keeps idle ones for a while)."""
    return {t for t in threading.enumerate() if not t.name.startswith("Trio thread")}


# -- TXT records ----------------------------------------------------------------------------


def test_txt_record_round_trips() -> None:
    addrs = ["/ip4/192.168.1.20/tcp/4001", "/ip6/fd00::2/tcp/4001", "/dns4/box.local/tcp/9"]
    text = encode_txt(PEER_A, addrs)
    assert decode_txt(text) == DiscoveredPeer(PEER_A, tuple(addrs))


def test_txt_record_uses_one_dnsaddr_string_per_address() -> None:
    text = encode_txt(PEER_A, ["/ip4/10.0.0.1/tcp/1"])
    expected = f"dnsaddr=/ip4/10.0.0.1/tcp/1/p2p/{PEER_A}".encode()
    assert text == bytes([len(expected)]) + expected


def test_txt_decoding_keeps_the_first_peer_and_its_tcp_addresses_only() -> None:
    strings = [
        b"dnsaddr=/ip4/10.0.0.1/udp/4001/quic-v1/p2p/" + PEER_A.encode(),  # not TCP
        b"DNSADDR=/ip4/10.0.0.1/tcp/4001/p2p/" + PEER_A.encode(),  # keys are case-insensitive
        b"dnsaddr=/ip4/10.0.0.2/tcp/4001/p2p/" + PEER_B.encode(),  # another peer
        b"dnsaddr2=/ip4/10.0.0.3/tcp/4001/p2p/" + PEER_A.encode(),  # py-libp2p's extra keys
        b"dnsaddr=/ip4/10.0.0.4/tcp/4001",  # no peer id
        b"dnsaddr=/ip4/10.0.0.5/tcp/4001/p2p/QmNotAnEd25519PeerId",
        b"id=" + PEER_B.encode(),
        b"dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/" + PEER_A.encode(),  # repeated
    ]
    text = b"".join(bytes([len(s)]) + s for s in strings)
    assert decode_txt(text) == DiscoveredPeer(
        PEER_A, ("/ip4/10.0.0.1/tcp/4001", "/ip4/10.0.0.3/tcp/4001")
    )


def test_txt_decoding_reports_at_most_eight_addresses() -> None:
    text = encode_txt(PEER_A, [f"/ip4/10.0.0.1/tcp/{port}" for port in range(1, 20)])
    found = decode_txt(text)
    assert found is not None
    assert len(found.addrs) == MAX_ADVERTISED_ADDRS


def test_txt_without_a_usable_address_announces_nobody() -> None:
    assert decode_txt(b"") is None
    assert decode_txt(b"\x05hello") is None


@given(st.binary(max_size=600))
def test_arbitrary_txt_bytes_never_raise(text: bytes) -> None:
    found = decode_txt(text)
    assert found is None or 1 <= len(found.addrs) <= MAX_ADVERTISED_ADDRS


# -- what is announced ----------------------------------------------------------------------


def test_wildcard_listen_address_becomes_one_address_per_interface() -> None:
    listen = ["/ip4/0.0.0.0/tcp/4001/p2p/" + PEER_A, "/ip4/127.0.0.1/tcp/4002"]
    assert advertised_addrs(PEER_A, listen, ["192.168.1.20", "10.0.0.7", "fd00::2"]) == [
        "/ip4/192.168.1.20/tcp/4001",
        "/ip4/10.0.0.7/tcp/4001",
        "/ip4/127.0.0.1/tcp/4002",
    ]


def test_wildcard_without_interfaces_uses_this_machines_ipv4_addresses() -> None:
    addrs = advertised_addrs(PEER_A, ["/ip4/0.0.0.0/tcp/4001"])
    assert addrs
    assert all(a.startswith("/ip4/") and a.endswith("/tcp/4001") for a in addrs)
    assert "/ip4/0.0.0.0/tcp/4001" not in addrs


def test_undialable_listen_addresses_are_not_announced() -> None:
    listen = ["/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/4001/quic-v1", "/ip4/127.0.0.1/tcp/5"]
    assert advertised_addrs(PEER_A, listen, LOOPBACK_ONLY) == ["/ip4/127.0.0.1/tcp/5"]


def test_another_peers_address_is_refused() -> None:
    with pytest.raises(InvalidAddressError, match=r"is not an address of"):
        advertised_addrs(PEER_A, ["/ip4/127.0.0.1/tcp/5/p2p/" + PEER_B])


def test_discovery_needs_something_to_announce() -> None:
    with pytest.raises(ValueError, match=r"can be announced$"):
        LanDiscovery(PEER_A, ["/ip4/127.0.0.1/tcp/0"], lambda _: None, interfaces=LOOPBACK_ONLY)


# -- mDNS on loopback -----------------------------------------------------------------------


@pytest.mark.usefixtures("loopback_multicast")
async def test_two_hosts_on_loopback_discover_each_other(
    listener: P2PHost, dialer: P2PHost
) -> None:
    heard_by_listener, heard_by_dialer = Heard(), Heard()
    async with trio.open_nursery() as nursery:
        for host, heard in ((listener, heard_by_listener), (dialer, heard_by_dialer)):
            lan = LanDiscovery(host.peer_id, host.listen_addrs, heard, interfaces=LOOPBACK_ONLY)
            await nursery.start(lan.run)
        with trio.fail_after(DISCOVERY_TIMEOUT):
            found_dialer = await heard_by_listener.wait_for(dialer.peer_id)
            found_listener = await heard_by_dialer.wait_for(listener.peer_id)
        nursery.cancel_scope.cancel()

    assert found_dialer == DiscoveredPeer(dialer.peer_id, (transport(dialer),))
    assert found_listener == DiscoveredPeer(listener.peer_id, (transport(listener),))
    assert listener.peer_id not in heard_by_listener.peers  # its own announcement
    assert dialer.peer_id not in heard_by_dialer.peers
    # what was heard is enough to connect
    address = f"{found_listener.addrs[0]}/p2p/{found_listener.peer}"
    assert await dialer.connect(address) == listener.peer_id


@pytest.mark.usefixtures("loopback_multicast")
async def test_host_with_discovery_disabled_is_not_found(
    listener: P2PHost, dialer: P2PHost, third: P2PHost
) -> None:
    heard = Heard()
    async with trio.open_nursery() as nursery:
        await nursery.start(
            LanDiscovery(
                listener.peer_id, listener.listen_addrs, heard, interfaces=LOOPBACK_ONLY
            ).run
        )
        await nursery.start(
            LanDiscovery(dialer.peer_id, dialer.listen_addrs, Heard(), interfaces=LOOPBACK_ONLY).run
        )
        with trio.fail_after(DISCOVERY_TIMEOUT):
            await heard.wait_for(dialer.peer_id)  # discovery works, announcements are flowing
        nursery.cancel_scope.cancel()
    assert third.peer_id not in heard.peers


@pytest.mark.usefixtures("loopback_multicast")
async def test_stop_during_the_announcement_leaves_no_zeroconf_thread(listener: P2PHost) -> None:
    before = zeroconf_threads()
    lan = LanDiscovery(
        listener.peer_id, listener.listen_addrs, lambda _: None, interfaces=LOOPBACK_ONLY
    )
    with trio.fail_after(DISCOVERY_TIMEOUT):
        async with trio.open_nursery() as nursery:
            await nursery.start(lan.run)
            assert len(zeroconf_threads() - before) == 2  # zeroconf's loop and the browser
            lan.stop()
    assert zeroconf_threads() == before
    lan.stop()  # idempotent
    with pytest.raises(RuntimeError, match=r"^a LanDiscovery runs once$"):
        await lan.run()


@pytest.mark.usefixtures("loopback_multicast")
async def test_stop_after_the_announcement_withdraws_the_service(
    listener: P2PHost, dialer: P2PHost
) -> None:
    heard = Heard()
    announced = LanDiscovery(
        listener.peer_id, listener.listen_addrs, lambda _: None, interfaces=LOOPBACK_ONLY
    )
    removed = threading.Event()

    def watch(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if name == announced.service_name and state_change is ServiceStateChange.Removed:
            removed.set()

    before = zeroconf_threads()
    observer = Zeroconf(interfaces=LOOPBACK_ONLY)
    try:
        browser = ServiceBrowser(observer, SERVICE_TYPE, handlers=[watch])
        with trio.fail_after(DISCOVERY_TIMEOUT):
            async with trio.open_nursery() as nursery:
                await nursery.start(announced.run)
                await nursery.start(
                    LanDiscovery(
                        dialer.peer_id, dialer.listen_addrs, heard, interfaces=LOOPBACK_ONLY
                    ).run
                )
                await heard.wait_for(listener.peer_id)  # fully announced
                announced.stop()
                # the goodbye (TTL 0) reaches the observer
                assert await trio.to_thread.run_sync(removed.wait, DISCOVERY_TIMEOUT)
                nursery.cancel_scope.cancel()
        browser.cancel()
    finally:
        await trio.to_thread.run_sync(observer.close)
    assert zeroconf_threads() == before


@pytest.mark.usefixtures("loopback_multicast")
async def test_a_failing_callback_ends_discovery_with_its_error(
    listener: P2PHost, dialer: P2PHost
) -> None:
    def explode(found: DiscoveredPeer) -> None:
        if found.peer == dialer.peer_id:
            raise LookupError("callback failed")

    before = zeroconf_threads()
    with (
        trio.fail_after(DISCOVERY_TIMEOUT),
        pytest.RaisesGroup(pytest.RaisesExc(LookupError, match=r"^callback failed$")),
    ):
        async with trio.open_nursery() as nursery:
            failing = LanDiscovery(
                listener.peer_id, listener.listen_addrs, explode, interfaces=LOOPBACK_ONLY
            )
            await nursery.start(failing.run)
            other = LanDiscovery(
                dialer.peer_id, dialer.listen_addrs, lambda _: None, interfaces=LOOPBACK_ONLY
            )
            await nursery.start(other.run)
    assert zeroconf_threads() == before


async def test_missing_interface_fails_with_discovery_error(listener: P2PHost) -> None:
    lan = LanDiscovery(
        listener.peer_id, listener.listen_addrs, lambda _: None, interfaces=["192.0.2.254"]
    )
    async with trio.open_nursery() as nursery:
        with pytest.raises(DiscoveryError, match=r"^could not start mDNS on 192\.0\.2\.254: "):
            await nursery.start(lan.run)
