"""The node: a host, the sync protocol on every connection, and the policy of when to sync.

Policy (docs/PROTOCOL.md, "Sync protocol"):

* the side that dials starts a sync right after connecting (and after every reconnect);
* whenever the local heads change (our own new records, even from another process writing the
  same store, or records a peer brought) or the set of wanted groups changes, every connected
  peer is synced again: that is how new records spread hop by hop, even without gossip;
* a periodic sync with each connected peer catches anything missed;
* one sync at a time per peer; requests made while one runs coalesce into one more run;
* peers in the address book (:class:`p2p.peerbook.PeerBook`) that are not connected are
  dialed when their backoff allows; a peer that keeps breaking the protocol is banned and
  disconnected;
* direct messages (with a :class:`p2p.interfaces.DirectOutbox`) are tried on a peer when it
  connects, after each sync with it (it may have brought the peer's certificate), when the
  outbox's revision changes, and every ``resync_interval``; one attempt at a time per peer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import nacl.signing
import trio
from libp2p.abc import INetStream

from .blob_driver import BlobFetchFailed, BlobSource, fetch_blobs, serve_blobs
from .blob_protocol import DEFAULT_MAX_BLOB_SIZE, MAX_HASHES_PER_REQUEST
from .blob_protocol import PROTOCOL_ID as BLOB_PROTOCOL
from .direct_driver import DirectSendFailed, DirectServeFailed, send_direct, serve_direct
from .direct_protocol import PROTOCOL_ID as DIRECT_PROTOCOL
from .direct_protocol import MessageReceived, check_message
from .discovery import DiscoveredPeer, DiscoveryError, LanDiscovery
from .errors import DialError, P2PError
from .gossip import Gossip
from .host import P2PHost, open_host
from .interfaces import (
    DirectAnswer,
    DirectInbox,
    DirectOutbox,
    LogStore,
    OutgoingDirect,
    RecordInspector,
)
from .invite import device_from_peer_id, parse_target
from .peer_exchange import PROTOCOL_ID as PX_PROTOCOL
from .peer_exchange import PeerExchangeFailed, exchange_peers, serve_peer_exchange
from .peerbook import MAX_GROUPS_PER_PEER, ExchangeEntry, PeerBook
from .streams import BufferedStream
from .sync_driver import SyncFailed, SyncProgress, run_sync
from .sync_protocol import PROTOCOL_ID as SYNC_PROTOCOL

logger = logging.getLogger(__name__)

LAN_SERVICE_TYPE = "_smd._udp.local."
"""SMD's own mDNS service, so other libp2p daemons on the LAN are not dialed for nothing."""
POLL_INTERVAL = 0.25
RESYNC_INTERVAL = 30.0


def now_ms() -> int:
    """Wall-clock milliseconds, the peer book's time base."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class NodeEvent:
    """Something a user may want to see: ``kind`` is one of ``connected``, ``disconnected``,
    ``sync-progress``, ``sync-done``, ``sync-failed``, ``dial-failed``, ``violation``
    (the peer broke a protocol or sent a wrong blob), ``banned``, ``direct-delivered``
    (``detail`` says how many messages the peer answered), ``direct-failed``."""

    kind: str
    peer: str
    detail: str = ""
    progress: SyncProgress | None = None


@dataclass
class PeerState:
    """What the node knows about one peer in this run (addresses live in the peer book)."""

    connected: bool = False
    syncing: bool = False
    sync_again: bool = False
    last_sync: SyncProgress | None = None
    delivering: bool = False
    deliver_again: bool = False


class Node:
    """Runs one SMD node: ``nursery.start_soon(node.run)``, then ``await node.ready.wait()``."""

    def __init__(
        self,
        *,
        seed: bytes,
        store: LogStore,
        listen: list[str] | None = None,
        on_event: Callable[[NodeEvent], None] | None = None,
        poll_interval: float = POLL_INTERVAL,
        resync_interval: float = RESYNC_INTERVAL,
        book: PeerBook | None = None,
        blobs: BlobSource | None = None,
        lan_discovery: bool = False,
        lan_interfaces: list[str] | None = None,
        inspector: RecordInspector | None = None,
        direct_inbox: DirectInbox | None = None,
        direct_outbox: DirectOutbox | None = None,
    ) -> None:
        self._seed = seed
        self.store = store
        self._listen = listen
        self._emit = on_event or (lambda _e: None)
        self._poll_interval = poll_interval
        self._resync_interval = resync_interval
        self.peers: dict[str, PeerState] = {}
        self.book = book if book is not None else PeerBook()
        """Where peers listen, backoff and bans; the app persists it."""
        self._dialing: set[str] = set()
        self._blobs = blobs
        self._lan_discovery = lan_discovery
        self._lan_interfaces = lan_interfaces
        self._inspector = inspector
        self._inbox = direct_inbox
        self._outbox = direct_outbox
        self.gossip: Gossip | None = None
        """The gossip fast path (only with an ``inspector``; sync works without it)."""
        self._last_dial_error: dict[str, P2PError] = {}
        self._host: P2PHost | None = None
        self._nursery: trio.Nursery | None = None
        self._own_log = bytes(nacl.signing.SigningKey(seed).verify_key)
        self.ready = trio.Event()
        """Set once the node listens (``listen_addrs`` and ``connect`` work from then on)."""

    @property
    def host(self) -> P2PHost:
        """The running host (only while :meth:`run` runs)."""
        if self._host is None:
            raise RuntimeError("the node is not running")
        return self._host

    @property
    def peer_id(self) -> str:
        """This node's PeerID text."""
        return self.host.peer_id

    @property
    def listen_addrs(self) -> list[str]:
        """Full multiaddrs (with ``/p2p/<peer id>``) the node listens on."""
        return self.host.listen_addrs

    async def run(self) -> None:
        """Run until cancelled; sets :attr:`ready` once listening."""
        async with open_host(self._seed, self._listen) as host:
            self._host = host
            try:
                async with trio.open_nursery() as nursery:
                    self._nursery = nursery
                    await self._start(host, nursery)
                    self.ready.set()
                    await trio.sleep_forever()
            finally:
                self._nursery = None  # handlers still finishing must not start new tasks

    async def _start(self, host: P2PHost, nursery: trio.Nursery) -> None:
        """Register the protocols and start the background tasks."""
        host.set_stream_handler(SYNC_PROTOCOL, self._serve_sync)
        if self._blobs is not None:
            host.set_stream_handler(BLOB_PROTOCOL, self._serve_blobs)
        host.set_stream_handler(PX_PROTOCOL, self._serve_px)
        if self._inbox is not None:
            host.set_stream_handler(DIRECT_PROTOCOL, self._serve_direct)
        nursery.start_soon(self._watch_store)
        nursery.start_soon(self._watch_connections)
        if self._outbox is not None:
            nursery.start_soon(self._watch_outbox)
        if self._inspector is not None:
            self.gossip = Gossip(
                host,
                validate=self._inspector.acceptable,
                message_id=self._inspector.record_id,
                on_record=self._on_gossip,
            )
            await nursery.start(self.gossip.run)
        if self._lan_discovery:
            await self._start_lan_discovery(host, nursery)

    # -- connections -----------------------------------------------------------------------

    async def connect(self, target: str) -> str:
        """Dial an invite code or a multiaddr ending in ``/p2p/<peer id>``, remember where the
        peer listens, and sync with it. Returns the peer id.

        Raises:
            InvalidAddressError: the target is malformed (``InvalidInvite`` for a bad code).
            ExpiredInvite: the invite code has expired.
            DialError: no address of the peer answered and authenticated.
        """
        dial = parse_target(target, now_ms())
        for addr in dial.addrs:
            self.book.record_address(dial.peer_id, addr, now_ms())
        if not dial.addrs:
            raise DialError(dial.peer_id, "", "the invite carries no address")
        if await self._dial(dial.peer_id):
            return dial.peer_id
        raise self._last_dial_error.get(dial.peer_id) or DialError(dial.peer_id, "", "no answer")

    async def _dial(self, peer: str) -> bool:
        """Try the peer's known addresses in turn; book the outcome."""
        self._dialing.add(peer)
        try:
            for addr in self.book.addresses(peer):
                try:
                    connected = await self.host.connect(f"{addr}/p2p/{peer}")
                except P2PError as exc:
                    self._last_dial_error[peer] = exc
                    continue
                self.book.record_success(connected, now_ms(), addr)
                self._mark_connected(connected)
                self.request_sync(connected)
                if self._nursery is not None:
                    self._nursery.start_soon(self._exchange_peers, connected)
                return True
            self.book.record_failure(peer, now_ms())
            error = self._last_dial_error.get(peer)
            self._emit(NodeEvent("dial-failed", peer, str(error) if error else "no address"))
            return False
        finally:
            self._dialing.discard(peer)

    def _mark_connected(self, peer: str) -> None:
        state = self.peers.setdefault(peer, PeerState())
        if not state.connected:
            state.connected = True
            self._emit(NodeEvent("connected", peer))
            self.request_delivery(peer)

    async def _watch_connections(self) -> None:
        """Notice connects and drops; dial book peers whose backoff has passed."""
        while True:
            live = set(self.host.connected_peers())
            for peer in live:
                self._mark_connected(peer)
            for peer, state in self.peers.items():
                if state.connected and peer not in live:
                    state.connected = False
                    self._emit(NodeEvent("disconnected", peer))
            assert self._nursery is not None
            for peer in self.book.due_for_dial(now_ms(), exclude=live | self._dialing):
                self._dialing.add(peer)
                self._nursery.start_soon(self._dial, peer)
            await trio.sleep(self._poll_interval)

    async def _punish(self, peer: str, why: str) -> None:
        """Count a protocol violation; disconnect a peer that earned a ban."""
        self._emit(NodeEvent("violation", peer, why))
        if self.book.record_violation(peer, now_ms()):
            self._emit(NodeEvent("banned", peer, "kept breaking the protocol"))
            with trio.move_on_after(2):
                await self.host.disconnect(peer)

    # -- sync ------------------------------------------------------------------------------

    def request_sync(self, peer: str) -> None:
        """Sync with ``peer`` soon; coalesces with a sync already running."""
        state = self.peers.setdefault(peer, PeerState())
        if state.syncing:
            state.sync_again = True
            return
        if self._nursery is None:  # stopping
            return
        state.syncing = True
        self._nursery.start_soon(self._sync_loop, peer)

    def request_sync_all(self) -> None:
        """Sync with every connected peer soon."""
        for peer, state in self.peers.items():
            if state.connected:
                self.request_sync(peer)

    async def _sync_loop(self, peer: str) -> None:
        state = self.peers[peer]
        try:
            while True:
                state.sync_again = False
                await self._sync_once(peer)
                if not state.sync_again:
                    return
        finally:
            state.syncing = False

    async def _sync_once(self, peer: str) -> None:
        try:
            raw = await self.host.new_stream(peer, SYNC_PROTOCOL)
        except P2PError as exc:
            self._emit(NodeEvent("sync-failed", peer, str(exc)))
            return
        await self._run_session(peer, raw)

    async def _serve_sync(self, raw: INetStream) -> None:
        peer = raw.muxed_conn.peer_id.to_base58()
        if self.book.is_banned(peer, now_ms()):
            await raw.reset()
            return
        self._mark_connected(peer)
        state = self.peers[peer]
        # While the peer's session runs, our own requests wait for it (two sessions at once
        # would send everything twice); one that came in meanwhile runs afterwards.
        owned = not state.syncing
        state.syncing = True
        try:
            await self._run_session(peer, raw)
        finally:
            if owned:
                state.syncing = False
                if state.sync_again:
                    self.request_sync(peer)

    async def _run_session(self, peer: str, raw: INetStream) -> None:
        def progress(p: SyncProgress) -> None:
            self._emit(NodeEvent("sync-progress", peer, progress=p))

        try:
            result = await run_sync(BufferedStream(raw), self.store, on_progress=progress)
        except SyncFailed as exc:
            self._emit(NodeEvent("sync-failed", peer, str(exc)))
            if exc.remote_fault:
                await self._punish(peer, str(exc))
            return
        self.peers.setdefault(peer, PeerState()).last_sync = result
        if result.counts.accepted:  # perhaps the peer's certificate: its messages may be due
            self.request_delivery(peer)
        if result.remote_wants:  # what the peer replicates, for peer exchange
            groups = sorted(result.remote_wants)[:MAX_GROUPS_PER_PEER]
            self.book.record_serving(peer, groups, now_ms())
        self._emit(
            NodeEvent("sync-done", peer, f"received {result.received}, sent {result.sent}", result)
        )

    # -- discovery and peer exchange ---------------------------------------------------------

    async def _start_lan_discovery(self, host: P2PHost, nursery: trio.Nursery) -> None:
        """Announce on the LAN and put what we hear in the book (the dial loop dials it)."""
        lan = LanDiscovery(
            host.peer_id,
            host.listen_addrs,
            self._on_lan_peer,
            interfaces=self._lan_interfaces,
            service_type=LAN_SERVICE_TYPE,
        )
        try:
            await nursery.start(lan.run)
        except DiscoveryError as exc:  # no multicast here: run without LAN discovery
            logger.warning("LAN discovery is off: %s", exc)

    def _on_lan_peer(self, found: DiscoveredPeer) -> None:
        now = now_ms()
        if self.book.is_banned(found.peer, now):
            return
        for addr in found.addrs:
            self.book.record_address(found.peer, addr, now)

    async def _exchange_peers(self, peer: str) -> None:
        """Ask a peer we just connected to who else serves our groups; book it as hearsay."""
        wants = await trio.to_thread.run_sync(self.store.wanted_groups)
        try:
            raw = await self.host.new_stream(peer, PX_PROTOCOL)
            entries = await exchange_peers(BufferedStream(raw), sorted(wants))
        except PeerExchangeFailed as exc:
            if exc.remote_fault:
                await self._punish(peer, str(exc))
            return
        except P2PError as exc:
            logger.debug("peer exchange with %s failed: %s", peer, exc)
            return
        self.book.merge_exchange(entries, now_ms(), skip={self.peer_id})

    async def _serve_px(self, raw: INetStream) -> None:
        peer = raw.muxed_conn.peer_id.to_base58()
        state = self.peers.get(peer)
        # Where friends listen is told only to peers that completed a sync with us.
        if self.book.is_banned(peer, now_ms()) or state is None or state.last_sync is None:
            await raw.reset()
            return

        def answer(groups: list[bytes]) -> list[ExchangeEntry]:
            return self.book.export_for(groups, now_ms(), exclude={peer})

        try:
            await serve_peer_exchange(BufferedStream(raw), answer)
        except PeerExchangeFailed as exc:
            if exc.remote_fault:
                await self._punish(peer, str(exc))
        except P2PError as exc:  # a LocalProtocolError: our bug, never the peer's
            logger.error("serving peer exchange to %s failed: %s", peer, exc)

    # -- blobs -----------------------------------------------------------------------------

    async def _serve_blobs(self, raw: INetStream) -> None:
        peer = raw.muxed_conn.peer_id.to_base58()
        if self._blobs is None or self.book.is_banned(peer, now_ms()):
            await raw.reset()
            return
        try:
            await serve_blobs(BufferedStream(raw), self._blobs)
        except P2PError as exc:
            logger.debug("serving blobs to %s failed: %s", peer, exc)

    async def fetch_blobs(
        self, hashes: list[bytes], *, max_blob_size: int = DEFAULT_MAX_BLOB_SIZE
    ) -> dict[bytes, tuple[str, bytes]]:
        """Fetch blobs by hash from connected peers (each checked against its hash).

        Peers are asked in turn until every blob is found or no peer is left; a peer that
        sends a wrong blob counts a violation. Returns what was found.
        """
        found: dict[bytes, tuple[str, bytes]] = {}
        remaining = list(dict.fromkeys(hashes))
        for peer in [p for p, s in self.peers.items() if s.connected]:
            if not remaining:
                break
            for start in range(0, len(remaining), MAX_HASHES_PER_REQUEST):
                batch = remaining[start : start + MAX_HASHES_PER_REQUEST]
                try:
                    raw = await self.host.new_stream(peer, BLOB_PROTOCOL)
                    got = await fetch_blobs(BufferedStream(raw), batch, max_blob_size=max_blob_size)
                except BlobFetchFailed as exc:
                    got = exc.received
                    if exc.remote_fault:
                        await self._punish(peer, str(exc))
                except P2PError:
                    got = {}
                found.update(got)
            remaining = [h for h in remaining if h not in found]
        return found

    async def _on_gossip(self, group: bytes, record: bytes, publisher: str) -> None:
        """A validated record from gossip: store it; a gap behind it asks for a sync."""
        counts = await trio.to_thread.run_sync(self.store.ingest, [record])
        if counts.pending:
            state = self.peers.get(publisher)
            if state is not None and state.connected:
                self.request_sync(publisher)
            else:
                self.request_sync_all()

    async def _publish_own(self, since: int, head: int) -> None:
        """Gossip the records our own device feed gained (also those another process wrote)."""
        assert self.gossip is not None
        own = self._own_log
        group = await trio.to_thread.run_sync(self.store.group_of, own)
        if group is None:
            return
        raws = await trio.to_thread.run_sync(self.store.read_range, own, since + 1, head - since)
        for raw in raws:
            await self.gossip.publish(group, raw)

    async def _watch_store(self) -> None:
        """Sync everyone when our heads or wants change; resync now and then regardless.

        With gossip, subscribe to the wanted groups and publish our own new records first.
        """
        last: tuple[set[bytes], dict[bytes, int]] | None = None
        last_full = trio.current_time()
        own = self._own_log
        while True:
            wants = await trio.to_thread.run_sync(self.store.wanted_groups)
            heads = await trio.to_thread.run_sync(self.store.heads, wants)
            if self.gossip is not None:
                self.gossip.set_groups(wants)
                before = last[1].get(own, 0) if last is not None else heads.get(own, 0)
                if heads.get(own, 0) > before:
                    await self._publish_own(before, heads[own])
            now = trio.current_time()
            if (last is not None and (wants, heads) != last) or (
                now - last_full >= self._resync_interval
            ):
                last_full = now
                self.request_sync_all()
            last = (wants, heads)
            await trio.sleep(self._poll_interval)

    # -- direct messages ---------------------------------------------------------------------

    def request_delivery(self, peer: str) -> None:
        """Try the outbox on ``peer`` soon; coalesces with an attempt already running."""
        if self._outbox is None or self._nursery is None:
            return
        state = self.peers.setdefault(peer, PeerState())
        if state.delivering:
            state.deliver_again = True
            return
        state.delivering = True
        self._nursery.start_soon(self._delivery_loop, peer)

    def request_delivery_all(self) -> None:
        """Try the outbox on every connected peer soon."""
        for peer, state in list(self.peers.items()):
            if state.connected:
                self.request_delivery(peer)

    async def _delivery_loop(self, peer: str) -> None:
        state = self.peers[peer]
        try:
            while True:
                state.deliver_again = False
                await self._deliver_once(peer)
                if not state.deliver_again:
                    return
        finally:
            state.delivering = False

    async def _deliver_once(self, peer: str) -> None:
        """One attempt: what the outbox has due for ``peer``, over one stream."""
        outbox = self._outbox
        assert outbox is not None
        try:
            device = device_from_peer_id(peer)
        except P2PError:  # not an Ed25519 peer: not an SMD device
            return
        due = await trio.to_thread.run_sync(outbox.due, device)
        # What the protocol cannot carry is refused here, before anything leaves.
        refused = {m.id: why for m in due if (why := check_message(m.id, m.kind, m.payload))}
        sendable = [m for m in due if m.id not in refused]
        answered: dict[bytes, DirectAnswer] = {}
        failure = ""
        try:
            if sendable:
                raw = await self.host.new_stream(peer, DIRECT_PROTOCOL)
                answered = await send_direct(BufferedStream(raw), sendable)
        except DirectSendFailed as exc:
            answered, failure = exc.answered, str(exc)
            if exc.remote_fault:
                await self._punish(peer, failure)
        except P2PError as exc:  # no stream: gone, or an SMD without direct messages
            failure = str(exc)
        finally:
            if due:
                with trio.CancelScope(shield=True):
                    await trio.to_thread.run_sync(
                        _report_attempt, outbox, device, due, refused, answered, failure
                    )
        if answered:
            self._emit(NodeEvent("direct-delivered", peer, f"{len(answered)} answered"))
        if failure:
            self._emit(NodeEvent("direct-failed", peer, failure))
        elif answered:  # more may be due than one attempt takes: ask again
            self.peers[peer].deliver_again = True

    async def _serve_direct(self, raw: INetStream) -> None:
        peer = raw.muxed_conn.peer_id.to_base58()
        inbox = self._inbox
        if inbox is None or self.book.is_banned(peer, now_ms()):
            await raw.reset()
            return
        try:
            device = device_from_peer_id(peer)
        except P2PError:
            await raw.reset()
            return
        self._mark_connected(peer)

        async def handle(message: MessageReceived) -> DirectAnswer:
            return await trio.to_thread.run_sync(
                inbox.handle, device, message.id, message.kind, message.payload
            )

        try:
            await serve_direct(BufferedStream(raw), handle)
        except DirectServeFailed as exc:
            if exc.remote_fault:
                await self._punish(peer, str(exc))

    async def _watch_outbox(self) -> None:
        """Try connected peers when messages were queued, and every ``resync_interval``."""
        outbox = self._outbox
        assert outbox is not None
        last: int | None = None
        last_full = trio.current_time()
        while True:
            revision = await trio.to_thread.run_sync(outbox.revision)
            now = trio.current_time()
            if (last is not None and revision != last) or now - last_full >= self._resync_interval:
                last_full = now
                self.request_delivery_all()
            last = revision
            await trio.sleep(self._poll_interval)


def _report_attempt(
    outbox: DirectOutbox,
    device: bytes,
    due: list[OutgoingDirect],
    refused: dict[bytes, str],
    answered: dict[bytes, DirectAnswer],
    failure: str,
) -> None:
    """Tell the outbox how every message of an attempt fared (in a worker thread)."""
    for message in due:
        answer = answered.get(message.id)
        if message.id in refused:
            outbox.failed(message.id, device, refused[message.id], refused=True)
        elif answer is None:
            why = failure or "the attempt was interrupted"
            outbox.failed(message.id, device, why, refused=False)
        elif answer.accepted:
            outbox.delivered(message.id, device, answer.reply)
        else:
            outbox.failed(message.id, device, answer.reason, refused=True)
