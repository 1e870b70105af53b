"""Gossip: the best-effort fast path for new records, over py-libp2p GossipSub.

The sync protocol guarantees that every record eventually arrives; gossip only makes new records
arrive *quickly*. Each group (an identity, named by its 32-byte key) is one topic,
``/smd/g/1/<hex key>``. p2p knows bytes, not records, so the app passes in three callables:

* ``validate(group, record) -> bool`` runs at the first hop, before a record is forwarded or
  delivered: a rejected record goes no further than the peer that rejected it;
* ``message_id(record) -> bytes`` is the GossipSub message id, so the same record published by
  two peers (or twice) is forwarded and delivered once;
* ``on_record(group, record, from_peer)`` receives every accepted record from other peers.

py-libp2p 0.8.1's GossipSub loses messages with its defaults (measured, see
``/work/shared/notes/py-libp2p-0.8.1.md``), so every knob is set on purpose here:

* ``/meshsub/1.1.0`` only: 1.2 sends an IDONTWANT for every message, which costs 2-4x.
* Heartbeat every 1 s (default 120 s), adaptive gossip off (it stretched a 1 s heartbeat to
  30 s in a small mesh), spam protection off (it rate-limits *our own* publishes to 10/s/topic).
* Every subscription's channel holds :attr:`GossipConfig.subscription_buffer` messages (default
  32; a full channel drops), and each is drained by its own task straight into ``on_record``.
* Every per-peer outbound queue holds :attr:`GossipConfig.peer_queue_size` RPCs (default 32; a
  full queue drops), and :meth:`Gossip.publish` waits while any peer queue is deeper than
  :attr:`GossipConfig.backpressure_high_water`, so a burst of our own publishes cannot overflow
  it and relayed messages keep room.
* Pubsub signing stays strict: every message is signed by its publisher's host key and bad
  signatures are dropped before validation, so ``from_peer`` is authenticated.
* Peer streams are read through a 64 KiB read-ahead: Pubsub reads each length prefix one byte
  per ``read()``, and each costs a lock, a Yamux buffer walk and a window-update check.
* A peer whose pubsub stream reaches us first (it started gossip after connecting) gets ours in
  return; Pubsub alone only opens streams when a connection opens.
* Shutdown stops the read loops before the service (a message handed to a stopping service
  crashes the host's swarm), resets our pubsub streams so peers notice at once, and stops the
  seen-cache sweeper thread (Pubsub never does).

How each py-libp2p internal is reached is explained in :mod:`p2p._pubsub` (``_PeerQueues``,
``_subscription_channel_size``, ``_SmdPubsub``, ``_ReadAhead``).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import trio
from libp2p.abc import ISubscriptionAPI
from libp2p.peer.id import ID
from libp2p.pubsub.gossipsub import PROTOCOL_ID_V11, GossipSub
from libp2p.pubsub.pb import rpc_pb2
from libp2p.tools.anyio_service import background_trio_service

from p2p.host import P2PHost

from ._pubsub import _detach, _SmdPubsub

if TYPE_CHECKING:
    # trio-typing's stubs shadow trio's own annotations for mypy and lack trio.TaskStatus.
    from trio_typing import TaskStatus

__all__ = [
    "GROUP_SIZE",
    "TOPIC_PREFIX",
    "Gossip",
    "GossipConfig",
    "GossipStats",
    "MessageIdFn",
    "RecordHandler",
    "RecordValidator",
    "group_of_topic",
    "open_gossip",
    "topic_of_group",
]

logger = logging.getLogger(__name__)

GROUP_SIZE: Final = 32
"""Length in bytes of a group key (the identity's Ed25519 public key)."""

TOPIC_PREFIX: Final = "/smd/g/1/"
"""Topic of a group: this prefix followed by the group key in lowercase hex."""

RecordValidator = Callable[[bytes, bytes], bool]
"""``validate(group, record)``: True accepts (deliver and forward), False rejects for good.

Called in the Trio thread for every record a peer sends, before it goes anywhere: keep it to
pure CPU work (an Ed25519 verify is ~80 us). Rule: it must not block, and a record it rejects
must stay rejected (the verdict is cached by message id).
"""

MessageIdFn = Callable[[bytes], bytes]
"""``message_id(record)``: the record's id, e.g. a hash of its exact bytes.

Rule: it must commit to every byte ``validate`` looks at. Peers forward and deliver a message id
once, and remember a rejected id for minutes, so an invalid copy of a record sharing a valid
record's id would shadow it. It may raise on junk (that record gets a hash of its bytes instead).
"""

RecordHandler = Callable[[bytes, bytes, str], Awaitable[None] | None]
"""``on_record(group, record, from_peer)``: an accepted record from another peer.

``from_peer`` is the base58 PeerID that published the record (authenticated by its pubsub
signature), not necessarily the neighbour that forwarded it. May be a plain function or a
coroutine function. Rule: return quickly (hand the record to a worker); while it runs, that
group's deliveries wait, and past :attr:`GossipConfig.subscription_buffer` they are dropped.
"""

_SHUTDOWN_TIMEOUT: Final = 2.0
# Resetting our streams is one Yamux frame each; a peer that stopped reading must not hang us.
_BACKPRESSURE_POLL: Final = 0.002
# How often a waiting publish() re-checks the peer queues (RpcQueue offers no "drained" event).
_FALLBACK_ID_PREFIX: Final = b"\x00smd-gossip-fallback\x00"
# Prefixes the id of a message the app's message_id() could not (or must not) handle, so it can
# never equal an id the app computes for a real record.


@dataclass(frozen=True, slots=True)
class GossipConfig:
    """Tuning of the GossipSub router and of our queues; the defaults are the measured ones."""

    max_record_size: int = 64 * 1024 + 1024
    """Largest record accepted, in bytes (64 KiB of content plus record overhead). Bigger
    records are rejected before ``validate`` runs; :meth:`Gossip.publish` refuses them."""

    heartbeat_interval: int = 1
    """Seconds between GossipSub heartbeats (mesh repair and IHAVE gossip). Whole seconds:
    py-libp2p types it as ``int``."""

    degree: int = 6
    """Target mesh degree D (go-libp2p's default). In a group of up to D_low + 1 devices every
    peer is a mesh peer, so messages take one hop."""

    degree_low: int = 4
    """Mesh degree below which the heartbeat (or a new subscription) grafts more peers."""

    degree_high: int = 12
    """Mesh degree above which the heartbeat prunes peers."""

    subscription_buffer: int = 4096
    """Messages each subscription channel holds before py-libp2p drops (its default: 32)."""

    peer_queue_size: int = 4096
    """RPCs each per-peer outbound queue holds before py-libp2p drops (its default: 32)."""

    backpressure_high_water: int = 256
    """:meth:`Gossip.publish` waits while any peer queue holds at least this many RPCs."""

    backpressure_timeout: float = 2.0
    """Longest :meth:`Gossip.publish` waits for room, in seconds; then it publishes anyway (a
    peer that stopped reading must not stall us; sync covers what it misses)."""

    seen_ttl: int = 120
    """Seconds a message id is remembered (a copy arriving later is dropped as a duplicate)."""

    def __post_init__(self) -> None:
        if not 0 < self.degree_low <= self.degree <= self.degree_high:
            raise ValueError("need 0 < degree_low <= degree <= degree_high")
        if not 0 < self.backpressure_high_water < self.peer_queue_size:
            raise ValueError("need 0 < backpressure_high_water < peer_queue_size")
        positive = (
            self.max_record_size,
            self.heartbeat_interval,
            self.subscription_buffer,
            self.seen_ttl,
        )
        if min(positive) <= 0 or self.backpressure_timeout < 0:
            raise ValueError("sizes, intervals and the seen TTL must be positive")


@dataclass(frozen=True, slots=True)
class GossipStats:
    """Counters since the gossip started; a snapshot."""

    published: int = 0
    """Records :meth:`Gossip.publish` handed to peers."""
    duplicates: int = 0
    """Records :meth:`Gossip.publish` skipped because their id was already seen."""
    delivered: int = 0
    """Records from other peers handed to ``on_record``."""
    rejected: int = 0
    """Records from peers refused: too big, malformed, or ``validate`` said False (or raised).
    A rejected record seen again is dropped from a cache without counting again."""
    congested: int = 0
    """Publishes that gave up waiting for a peer queue to drain (see
    :attr:`GossipConfig.backpressure_timeout`)."""


def topic_of_group(group: bytes) -> str:
    """Return the GossipSub topic of ``group``.

    Raises:
        ValueError: If ``group`` is not :data:`GROUP_SIZE` bytes long.
    """
    if len(group) != GROUP_SIZE:
        raise ValueError(f"a group key is {GROUP_SIZE} bytes, got {len(group)}")
    return TOPIC_PREFIX + group.hex()


def group_of_topic(topic: str) -> bytes | None:
    """Return the group a topic name stands for, or None if it is not a group topic."""
    if not topic.startswith(TOPIC_PREFIX):
        return None
    text = topic[len(TOPIC_PREFIX) :]
    if len(text) != 2 * GROUP_SIZE or text != text.lower():
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


class Gossip:
    """Best-effort publish/subscribe of records, one topic per group, on a running host.

    Run it with ``await nursery.start(gossip.run)`` (or ``nursery.start_soon(gossip.run)`` and
    ``await gossip.ready.wait()``), or use :func:`open_gossip`. Cancel :meth:`run` to stop it.
    Every method must be called from the Trio run that runs the host.

    The subscriptions follow :meth:`subscribe`, :meth:`unsubscribe` and :meth:`set_groups`,
    which only record what is wanted and return at once; a task applies the change (also when
    called before :meth:`run`). :meth:`wait_groups_applied` waits for it.
    """

    def __init__(
        self,
        host: P2PHost,
        *,
        validate: RecordValidator,
        message_id: MessageIdFn,
        on_record: RecordHandler,
        config: GossipConfig | None = None,
    ) -> None:
        """Prepare gossip on ``host``; nothing happens until :meth:`run`.

        Args:
            host: The running host (from :func:`p2p.host.open_host`).
            validate: See :data:`RecordValidator`.
            message_id: See :data:`MessageIdFn`.
            on_record: See :data:`RecordHandler`.
            config: Tuning; the defaults are the measured ones.
        """
        self._host = host
        self._validate = validate
        self._message_id = message_id
        self._on_record = on_record
        self._config = config or GossipConfig()
        self._my_id = host.libp2p_host.get_id()
        self._pubsub: _SmdPubsub | None = None
        self._started = False
        self._wanted: set[bytes] = set()
        self._active: dict[bytes, trio.CancelScope] = {}
        self._wanted_version = 0
        self._applied_version = 0
        self._wanted_changed = trio.Event()
        self._round_done = trio.Event()
        self._published = 0
        self._duplicates = 0
        self._delivered = 0
        self._rejected = 0
        self._congested = 0
        self.ready = trio.Event()
        """Set once :meth:`run` has started GossipSub: :meth:`publish` works from then on."""

    # -- state -----------------------------------------------------------------------------

    @property
    def stats(self) -> GossipStats:
        """A snapshot of the counters."""
        return GossipStats(
            published=self._published,
            duplicates=self._duplicates,
            delivered=self._delivered,
            rejected=self._rejected,
            congested=self._congested,
        )

    @property
    def groups(self) -> frozenset[bytes]:
        """The groups wanted (subscribed, or about to be)."""
        return frozenset(self._wanted)

    def topic_peers(self, group: bytes) -> set[str]:
        """Return the peers (base58 PeerIDs) known to be subscribed to ``group``'s topic."""
        pubsub = self._pubsub
        if pubsub is None:
            return set()
        peers = pubsub.peer_topics.get(topic_of_group(group), set())
        return {peer.to_base58() for peer in peers}

    def mesh_peers(self, group: bytes) -> set[str]:
        """Return the peers we forward ``group``'s records to directly (its GossipSub mesh)."""
        pubsub = self._pubsub
        if pubsub is None or not isinstance(pubsub.router, GossipSub):
            return set()
        peers = pubsub.router.mesh.get(topic_of_group(group), set())
        return {peer.to_base58() for peer in peers}

    def peer_queue_depths(self) -> dict[str, int]:
        """Return how many outbound RPCs wait for each peer (a diagnostic)."""
        pubsub = self._pubsub
        if pubsub is None:
            return {}
        return {peer.to_base58(): len(queue) for peer, queue in pubsub.peer_queues.items()}

    # -- subscriptions ---------------------------------------------------------------------

    def subscribe(self, group: bytes) -> None:
        """Receive (and help forward) ``group``'s records; a no-op if already subscribed.

        Raises:
            ValueError: If ``group`` is not :data:`GROUP_SIZE` bytes long.
        """
        topic_of_group(group)
        if group not in self._wanted:
            self._wanted.add(group)
            self._wanted_did_change()

    def unsubscribe(self, group: bytes) -> None:
        """Stop receiving ``group``'s records; a no-op if not subscribed.

        Records of ``group`` already received but not yet handed to ``on_record`` are dropped.
        """
        if group in self._wanted:
            self._wanted.discard(group)
            self._wanted_did_change()

    def set_groups(self, groups: Iterable[bytes]) -> None:
        """Subscribe to exactly ``groups``: join the new ones, leave the others.

        Raises:
            ValueError: If a group is not :data:`GROUP_SIZE` bytes long (nothing changes then).
        """
        wanted = set(groups)
        for group in wanted:
            topic_of_group(group)
        if wanted != self._wanted:
            self._wanted = wanted
            self._wanted_did_change()

    async def wait_groups_applied(self) -> None:
        """Wait until the subscriptions match the wanted groups.

        By then each change has been announced to the connected peers (queued for sending).
        Waits for :meth:`run` if it has not started yet.
        """
        while self._applied_version != self._wanted_version:
            await self._round_done.wait()

    def _wanted_did_change(self) -> None:
        self._wanted_version += 1
        self._wanted_changed.set()

    async def _apply_groups(self, pubsub: _SmdPubsub, nursery: trio.Nursery) -> None:
        """Keep the subscriptions in line with the wanted groups, one change at a time."""
        while True:
            await self._wanted_changed.wait()
            self._wanted_changed = trio.Event()
            version = self._wanted_version
            for group in sorted(self._active.keys() - self._wanted):
                await self._leave(pubsub, group)
            for group in sorted(self._wanted - self._active.keys()):
                await self._join(pubsub, nursery, group)
            self._applied_version = version
            self._round_done.set()
            self._round_done = trio.Event()

    async def _join(self, pubsub: _SmdPubsub, nursery: trio.Nursery, group: bytes) -> None:
        topic = topic_of_group(group)
        # Both before subscribe() announces the topic: from then on peers may send its messages,
        # and the validator rejects those of groups not active.
        scope = self._active[group] = trio.CancelScope()
        pubsub.set_topic_validator(topic, self._topic_validator(group), is_async_validator=False)
        subscription = await pubsub.subscribe(topic)
        nursery.start_soon(self._drain, group, subscription, scope)

    async def _leave(self, pubsub: _SmdPubsub, group: bytes) -> None:
        self._active.pop(group).cancel()
        # The topic validator stays: it now rejects everything (the group is no longer active).
        # Removing it would let a message already on its way through push_msg() pass with no
        # validator at all and be forwarded unchecked.
        await pubsub.unsubscribe(topic_of_group(group))

    async def _drain(
        self, group: bytes, subscription: ISubscriptionAPI, scope: trio.CancelScope
    ) -> None:
        """Hand every message of one subscription to on_record, in arrival order."""
        with scope:
            my_id = self._my_id.to_bytes()
            async for message in subscription:
                if group not in self._active:
                    return
                if message.from_id == my_id:
                    continue  # Pubsub hands our own publishes to our own subscription too
                self._delivered += 1
                try:
                    result = self._on_record(group, message.data, ID(message.from_id).to_base58())
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    # The app's handler failing must not end gossip for the group: log it loudly
                    # and keep delivering (the sync protocol will offer the record again).
                    logger.exception("on_record failed for a record of group %s", group.hex())

    # -- validation ------------------------------------------------------------------------

    def _topic_validator(self, group: bytes) -> Callable[[ID, rpc_pb2.Message], bool]:
        def validate(forwarder: ID, message: rpc_pb2.Message) -> bool:
            if forwarder == self._my_id:
                return True  # publish() runs our own records through here too: the app made them
            if group not in self._active:
                return False  # left the group while this message was on its way
            if len(message.data) > self._config.max_record_size or len(message.topicIDs) != 1:
                # One topic per record: a message naming several topics would be delivered and
                # forwarded under each, validated only once.
                self._rejected += 1
                return False
            try:
                accepted = bool(self._validate(group, message.data))
            except Exception:
                # An exception escaping a validator would crash py-libp2p's whole Pubsub service.
                logger.exception("validate() raised on a record of group %s", group.hex())
                accepted = False
            if not accepted:
                self._rejected += 1
            return accepted

        return validate

    def _pubsub_message_id(self, message: rpc_pb2.Message) -> bytes:
        """Pubsub's msg_id_constructor: the app's record id, from the message's data."""
        return self._record_id(message.data)

    def _record_id(self, data: bytes) -> bytes:
        if len(data) <= self._config.max_record_size:
            try:
                return self._message_id(data)
            except Exception as exc:
                # Junk (the validator will reject it); it still needs an id for the caches. An
                # exception escaping here would crash py-libp2p's whole Pubsub service.
                logger.debug("message_id() failed (%s); using a hash of the bytes", exc)
        return _FALLBACK_ID_PREFIX + hashlib.blake2b(data, digest_size=32).digest()

    # -- publishing ------------------------------------------------------------------------

    async def publish(self, group: bytes, record: bytes) -> bool:
        """Send ``record`` to the peers of ``group``, best effort.

        Need not be subscribed to ``group`` (then it goes to a few of its peers). Waits while a
        peer's outbound queue is deep (see :attr:`GossipConfig.backpressure_high_water`). The
        record is not validated here, and not handed back to our own ``on_record``.

        Returns:
            True if the record went out; False if its message id was seen already (received
            from a peer, or published before), in which case nothing is sent.

        Raises:
            ValueError: If ``group`` is not :data:`GROUP_SIZE` bytes long, or ``record`` is
                larger than :attr:`GossipConfig.max_record_size`.
            RuntimeError: If the gossip is not running.
        """
        topic = topic_of_group(group)
        if len(record) > self._config.max_record_size:
            raise ValueError(
                f"a record is at most {self._config.max_record_size} bytes, got {len(record)}"
            )
        pubsub = self._running_pubsub()
        await self._wait_for_room(pubsub)
        pubsub = self._running_pubsub()  # it may have stopped while we waited
        if pubsub.seen_messages.has(self._record_id(record)):
            self._duplicates += 1
            return False
        await pubsub.publish(topic, record)
        self._published += 1
        return True

    def _running_pubsub(self) -> _SmdPubsub:
        if self._pubsub is None:
            raise RuntimeError("gossip is not running")
        return self._pubsub

    async def _wait_for_room(self, pubsub: _SmdPubsub) -> None:
        high_water = self._config.backpressure_high_water
        queues = pubsub.peer_queues
        if all(len(queue) < high_water for queue in queues.values()):
            return
        with trio.move_on_after(self._config.backpressure_timeout):
            while any(len(queue) >= high_water for queue in queues.values()):
                await trio.sleep(_BACKPRESSURE_POLL)
            return
        self._congested += 1
        logger.debug("a peer queue stayed over %d RPCs; publishing anyway", high_water)

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run GossipSub until cancelled; sets :attr:`ready` (and ``task_status``) once running.

        On the way out, the subscriptions end, our pubsub streams are reset (peers notice at
        once), the pubsub protocols are unregistered from the host, and Pubsub's seen-cache
        thread is stopped. The host keeps running.

        Raises:
            RuntimeError: If this gossip has run before (make a new one).
        """
        if self._started:
            raise RuntimeError("a Gossip runs once; make a new one")
        self._started = True
        config = self._config
        libp2p_host = self._host.libp2p_host
        router = GossipSub(
            protocols=[PROTOCOL_ID_V11],
            degree=config.degree,
            degree_low=config.degree_low,
            degree_high=config.degree_high,
            heartbeat_interval=config.heartbeat_interval,
            adaptive_gossip_enabled=False,
            spam_protection_enabled=False,
        )
        network = libp2p_host.get_network()
        notifees_before = list(getattr(network, "notifees", ()))
        pubsub = _SmdPubsub(
            libp2p_host,
            router,
            peer_queue_size=config.peer_queue_size,
            subscription_buffer=config.subscription_buffer,
            strict_signing=True,
            msg_id_constructor=self._pubsub_message_id,
            seen_ttl=config.seen_ttl,
        )
        # Pubsub registers a network notifee it never removes; find it to remove it on exit.
        own_notifees = [n for n in getattr(network, "notifees", ()) if n not in notifees_before]
        try:
            async with background_trio_service(pubsub), background_trio_service(router):
                try:
                    await pubsub.wait_until_ready()
                    async with trio.open_nursery() as nursery:
                        self._pubsub = pubsub
                        # Pubsub learns of peers from "connected" notifications only: register
                        # the peers that were connected before it existed.
                        for peer in libp2p_host.get_connected_peers():
                            nursery.start_soon(pubsub.ensure_peer_stream, peer)
                        nursery.start_soon(self._apply_groups, pubsub, nursery)
                        self.ready.set()
                        task_status.started()
                        await trio.sleep_forever()
                finally:
                    # While the services still run: take no new peers or streams, and stop the
                    # read loops, which would otherwise hand messages to a stopping service.
                    self._pubsub = None
                    self._active.clear()
                    _detach(libp2p_host, router, own_notifees)
                    pubsub.stop_reading()
        finally:
            _detach(libp2p_host, router, own_notifees)  # idempotent; for a failed start
            with trio.CancelScope(shield=True):
                with trio.move_on_after(_SHUTDOWN_TIMEOUT) as scope:
                    await pubsub.reset_streams()
                if scope.cancelled_caught:
                    logger.warning("resetting pubsub streams took over %s s", _SHUTDOWN_TIMEOUT)
                # Pubsub starts this sweeper thread in its constructor and never stops it.
                pubsub.seen_messages.stop()


@asynccontextmanager
async def open_gossip(
    host: P2PHost,
    *,
    validate: RecordValidator,
    message_id: MessageIdFn,
    on_record: RecordHandler,
    groups: Iterable[bytes] = (),
    config: GossipConfig | None = None,
) -> AsyncIterator[Gossip]:
    """Run a :class:`Gossip` on ``host`` for the duration of the ``async with`` block.

    ``groups`` are subscribed before the block starts (:meth:`Gossip.wait_groups_applied` has
    returned). Arguments are those of :class:`Gossip`.

    Raises:
        ValueError: If a group is not :data:`GROUP_SIZE` bytes long.
    """
    gossip = Gossip(
        host, validate=validate, message_id=message_id, on_record=on_record, config=config
    )
    gossip.set_groups(groups)
    raised: BaseException | None = None
    own: BaseException | None = None
    try:
        async with trio.open_nursery() as nursery:
            try:
                await nursery.start(gossip.run)
                await gossip.wait_groups_applied()
                yield gossip
            except BaseException as exc:
                raised = exc
                raise
            finally:
                nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        # The nursery wraps whatever the block raised; hand the caller its own exception back.
        if raised is None or group.split(lambda exc: exc is raised)[1] is not None:
            raise
        own = raised
    if own is not None:
        raise own  # outside the except block, so the group does not become its __context__
