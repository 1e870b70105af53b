"""The peer book: where known devices listen, when to dial them again, and whom to shun.

Pure logic, no I/O and no clock: every method takes ``now`` in milliseconds since the Unix
epoch, and jitter comes from an injected ``random``. The app keeps the bytes of
:meth:`PeerBook.to_bytes` (encrypted) in its store and hands them back to
:meth:`PeerBook.from_bytes` at start-up.

Per peer (an Ed25519 PeerID text) the book keeps:

* up to :data:`MAX_ADDRS_PER_PEER` TCP addresses, each with when it was last seen and when a
  connection through it last succeeded;
* up to :data:`MAX_GROUPS_PER_PEER` groups the peer was seen serving, for peer exchange;
* the dial backoff: after the n-th failure in a row the next dial waits
  ``min(BASE_BACKOFF_MS * 2**(n-1), MAX_BACKOFF_MS)``, less up to :data:`JITTER` of it;
* strikes and a ban: :data:`MAX_STRIKES` protocol violations within
  :data:`STRIKE_WINDOW_MS` ban the peer for :data:`BAN_MS`.

First-hand knowledge (what this device saw) outranks hearsay (what a friend told us in a peer
exchange): hearsay never evicts a first-hand address or a peer we once connected to, and never
touches backoff, strikes or success times. At most :data:`MAX_PEERS` peers are kept; when full,
the peer with the least first-hand evidence (oldest success, then oldest sighting) goes first.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import msgpack

from .errors import InvalidAddressError, P2PError
from .invite import MAX_ADDR_LEN, check_transport_addr, device_from_peer_id, peer_id_from_device

__all__ = [
    "BAN_MS",
    "BASE_BACKOFF_MS",
    "JITTER",
    "MAX_ADDRS_PER_PEER",
    "MAX_BACKOFF_MS",
    "MAX_EXCHANGE_ENTRIES",
    "MAX_GROUPS_PER_PEER",
    "MAX_PEERS",
    "MAX_STRIKES",
    "STRIKE_WINDOW_MS",
    "CorruptPeerBook",
    "ExchangeEntry",
    "MergeResult",
    "PeerBook",
    "PeerEntry",
]

MAX_PEERS: Final = 1000
MAX_ADDRS_PER_PEER: Final = 8
MAX_GROUPS_PER_PEER: Final = 32
BASE_BACKOFF_MS: Final = 1_000
MAX_BACKOFF_MS: Final = 300_000
JITTER: Final = 0.25
"""Each backoff delay is shortened by up to this fraction, so peers do not redial in step."""
MAX_STRIKES: Final = 3
STRIKE_WINDOW_MS: Final = 3_600_000
BAN_MS: Final = 1_800_000
MAX_EXCHANGE_ENTRIES: Final = 64
"""Most entries :meth:`PeerBook.export_for` gives and :meth:`PeerBook.merge_exchange` reads."""
GROUP_SIZE: Final = 32
FORMAT_VERSION: Final = 1

_MAX_BACKOFF_EXPONENT: Final = 20  # 2**20 s is far past the cap; keeps the shift small
_MAX_TIME: Final = 2**63 - 1
_RECORD_FIELDS: Final = 11


class CorruptPeerBook(P2PError, ValueError):
    """Bytes given to :meth:`PeerBook.from_bytes` are not a peer book this version wrote.

    The store's fault (damaged or foreign data) or a newer app's format; retrying with the
    same bytes fails the same way. Starting from an empty book loses nothing but addresses.
    """


@dataclass(frozen=True, slots=True)
class ExchangeEntry:
    """One peer in a peer exchange: what a friend says about a device serving some groups."""

    peer: str
    """The device's Ed25519 PeerID text."""
    addrs: tuple[str, ...]
    """TCP multiaddrs without ``/p2p``, best first."""
    groups: tuple[bytes, ...]
    """Groups (32 bytes each) the device was seen serving."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What :meth:`PeerBook.merge_exchange` did with a batch of entries."""

    new_peers: int = 0
    """Peers the book did not know before."""
    new_addrs: int = 0
    """Addresses added, on new and known peers."""
    rejected: int = 0
    """Malformed entries, plus entries beyond :data:`MAX_EXCHANGE_ENTRIES`: the sender's fault."""


@dataclass(frozen=True, slots=True)
class PeerEntry:
    """A snapshot of what the book knows about one peer."""

    peer: str
    addrs: tuple[str, ...]
    """Best first: the latest successful, then first-hand, then latest seen."""
    groups: frozenset[bytes]
    failures: int
    """Failed dials in a row since the last success."""
    next_retry: int
    """No dial before this time (ms)."""
    banned_until: int
    """No dial, and no inbound stream served, before this time (ms)."""
    last_success: int
    """Last successful connection (ms), 0 if never."""
    last_seen: int
    """Last first-hand sighting (ms), 0 if only heard of in a peer exchange."""


@dataclass(slots=True)
class _Addr:
    seen: int
    verified: int = 0  # last successful connection through this address
    heard: bool = False  # known only from a peer exchange

    def rank(self) -> tuple[int, bool, int]:
        return (self.verified, not self.heard, self.seen)


@dataclass(slots=True)
class _Peer:
    addrs: dict[str, _Addr] = field(default_factory=dict)
    groups: dict[bytes, int] = field(default_factory=dict)  # group -> last seen serving
    failures: int = 0
    next_retry: int = 0
    strikes: int = 0
    strikes_since: int = 0
    banned_until: int = 0
    last_success: int = 0
    last_seen: int = 0
    heard: int = 0  # last time a peer exchange mentioned it

    def rank(self) -> tuple[int, int, int]:
        return (self.last_success, self.last_seen, self.heard)

    def best_addrs(self) -> list[str]:
        return sorted(self.addrs, key=lambda addr: self.addrs[addr].rank(), reverse=True)


class PeerBook:
    """Known peers, their addresses, dial backoff and bans. Not thread-safe.

    Args:
        random: Returns a float in ``[0, 1)`` for backoff jitter; inject a constant in tests.
    """

    def __init__(self, random: Callable[[], float] = _random.random) -> None:
        self._random = random
        self._peers: dict[str, _Peer] = {}

    def __len__(self) -> int:
        return len(self._peers)

    def __contains__(self, peer: object) -> bool:
        return peer in self._peers

    # -- first-hand observations -----------------------------------------------------------

    def record_address(self, peer: str, addr: str, now: int) -> str:
        """Note that ``peer`` listens at ``addr`` (seen now); return the canonical address.

        When the peer already has :data:`MAX_ADDRS_PER_PEER` addresses, the worst goes (never
        verified and oldest first).

        Raises:
            InvalidAddressError: ``peer`` is not an Ed25519 PeerID or ``addr`` is not a TCP
                multiaddr without ``/p2p`` (:func:`p2p.invite.check_transport_addr`).
        """
        canonical = check_transport_addr(addr)
        entry = self._first_hand(peer, now)
        known = entry.addrs.get(canonical)
        if known is None:
            _evict_addrs(entry, MAX_ADDRS_PER_PEER - 1)
            entry.addrs[canonical] = _Addr(seen=now)
        else:
            known.seen = max(known.seen, now)
            known.heard = False
        return canonical

    def record_serving(self, peer: str, groups: Iterable[bytes], now: int) -> None:
        """Note that ``peer`` serves ``groups`` (it said so in a sync hello, say).

        Raises:
            InvalidAddressError: ``peer`` is not an Ed25519 PeerID.
            ValueError: a group is not 32 bytes.
        """
        checked = list(groups)
        if any(len(group) != GROUP_SIZE for group in checked):
            raise ValueError(f"a group id is {GROUP_SIZE} bytes")
        entry = self._first_hand(peer, now)
        for group in checked:
            entry.groups[group] = now
        if len(entry.groups) > MAX_GROUPS_PER_PEER:
            keep = sorted(entry.groups.items(), key=lambda item: item[1], reverse=True)
            entry.groups = dict(keep[:MAX_GROUPS_PER_PEER])

    def record_success(self, peer: str, now: int, addr: str | None = None) -> None:
        """A connection to (or from) ``peer`` proved useful: reset its backoff.

        Call it once the connection did real work (a sync hello arrived), not on the bare TCP
        connect, or a peer that accepts and then hangs up would be redialled in a hot loop. Even
        so, the next dial waits :data:`BASE_BACKOFF_MS`.

        Args:
            peer: The remote's PeerID text.
            now: The current time (ms).
            addr: The address we dialled, if we dialled; it is recorded and marked verified.

        Raises:
            InvalidAddressError: ``peer`` or ``addr`` is malformed.
        """
        if addr is not None:
            addr = self.record_address(peer, addr, now)
        entry = self._first_hand(peer, now)
        entry.failures = 0
        entry.next_retry = now + BASE_BACKOFF_MS
        entry.last_success = now
        if addr is not None:
            entry.addrs[addr].verified = now

    def record_failure(self, peer: str, now: int) -> int:
        """A dial to ``peer`` failed: back off. Returns the time (ms) of the next allowed dial.

        Raises:
            InvalidAddressError: ``peer`` is not an Ed25519 PeerID.
        """
        entry = self._entry(peer, now)
        entry.failures += 1
        exponent = min(entry.failures - 1, _MAX_BACKOFF_EXPONENT)
        delay = min(BASE_BACKOFF_MS << exponent, MAX_BACKOFF_MS)
        jitter = min(max(self._random(), 0.0), 1.0)
        entry.next_retry = now + delay - int(delay * JITTER * jitter)
        return entry.next_retry

    def record_violation(self, peer: str, now: int) -> bool:
        """``peer`` broke a protocol (sent junk): count a strike. Returns whether it is banned.

        :data:`MAX_STRIKES` strikes within :data:`STRIKE_WINDOW_MS` of the first ban the peer
        until ``now + BAN_MS``; the strikes then start over.

        Raises:
            InvalidAddressError: ``peer`` is not an Ed25519 PeerID.
        """
        entry = self._first_hand(peer, now)
        if now - entry.strikes_since >= STRIKE_WINDOW_MS:
            entry.strikes, entry.strikes_since = 0, now
        entry.strikes += 1
        if entry.strikes >= MAX_STRIKES:
            entry.banned_until = max(entry.banned_until, now + BAN_MS)
            entry.strikes = 0
        return entry.banned_until > now

    def forget(self, peer: str) -> None:
        """Drop everything known about ``peer`` (no error if unknown)."""
        self._peers.pop(peer, None)

    # -- queries ---------------------------------------------------------------------------

    def is_banned(self, peer: str, now: int) -> bool:
        """Whether ``peer`` is banned at ``now``: do not dial it or serve its streams."""
        entry = self._peers.get(peer)
        return entry is not None and entry.banned_until > now

    def due_for_dial(
        self, now: int, *, exclude: Collection[str] = (), limit: int | None = None
    ) -> list[str]:
        """Peers worth dialling now, most promising first.

        A peer is due when it has an address, is not banned and its backoff has passed.
        ``exclude`` (typically the peers already connected) is left out.
        """
        due = [
            (entry.rank(), peer)
            for peer, entry in self._peers.items()
            if entry.addrs
            and entry.next_retry <= now
            and entry.banned_until <= now
            and peer not in exclude
        ]
        due.sort(reverse=True)
        return [peer for _, peer in due[:limit]]

    def addresses(self, peer: str) -> list[str]:
        """The known addresses of ``peer``, best first (empty if unknown)."""
        entry = self._peers.get(peer)
        return entry.best_addrs() if entry is not None else []

    def peers_serving(self, group: bytes) -> list[str]:
        """Peers seen serving ``group``, most promising first."""
        found = [(e.rank(), p) for p, e in self._peers.items() if group in e.groups]
        found.sort(reverse=True)
        return [peer for _, peer in found]

    def entry(self, peer: str) -> PeerEntry | None:
        """A snapshot of what the book knows about ``peer``, or None."""
        e = self._peers.get(peer)
        if e is None:
            return None
        return PeerEntry(
            peer,
            tuple(e.best_addrs()),
            frozenset(e.groups),
            e.failures,
            e.next_retry,
            e.banned_until,
            e.last_success,
            e.last_seen,
        )

    # -- peer exchange ---------------------------------------------------------------------

    def export_for(
        self, groups: Collection[bytes], now: int, *, exclude: Collection[str] = ()
    ) -> list[ExchangeEntry]:
        """What to tell a friend about peers serving any of ``groups``.

        Only first-hand knowledge is shared: peers we connected to at least once, not banned,
        with the addresses we saw ourselves (never what another friend told us), latest success
        first, at most :data:`MAX_EXCHANGE_ENTRIES`. Pass the friend itself in ``exclude``.
        """
        wanted = set(groups)
        chosen = sorted(
            (
                (entry.last_success, peer)
                for peer, entry in self._peers.items()
                if entry.last_success > 0
                and entry.banned_until <= now
                and peer not in exclude
                and not wanted.isdisjoint(entry.groups)
            ),
            reverse=True,
        )
        out = []
        for _, peer in chosen:
            entry = self._peers[peer]
            addrs = tuple(a for a in entry.best_addrs() if not entry.addrs[a].heard)
            if addrs:
                shared = tuple(sorted(wanted.intersection(entry.groups)))
                out.append(ExchangeEntry(peer, addrs, shared))
            if len(out) == MAX_EXCHANGE_ENTRIES:
                break
        return out

    def merge_exchange(
        self, entries: Iterable[ExchangeEntry], now: int, *, skip: Collection[str] = ()
    ) -> MergeResult:
        """Add what a friend told us, as hearsay, after validating every field.

        A malformed entry (bad PeerID, address or group, too many of them, or no address) is
        rejected whole; entries past :data:`MAX_EXCHANGE_ENTRIES` are rejected unread. Hearsay
        fills free address and group slots only, adds a new peer only when the book has room or
        another hearsay-only peer can go, and never changes backoff, bans or success times.
        ``skip`` holds peers never to add (this device itself).
        """
        new_peers = new_addrs = rejected = 0
        for index, item in enumerate(entries):
            if index >= MAX_EXCHANGE_ENTRIES:
                rejected += 1
                continue
            checked = _check_exchange_entry(item)
            if checked is None:
                rejected += 1
                continue
            peer, addrs, groups = checked
            if peer in skip:
                continue
            entry = self._peers.get(peer)
            if entry is None:
                entry = self._admit(peer, hearsay=True)
                if entry is None:
                    continue
                new_peers += 1
            entry.heard = max(entry.heard, now)
            for addr in addrs:
                if addr not in entry.addrs and len(entry.addrs) < MAX_ADDRS_PER_PEER:
                    entry.addrs[addr] = _Addr(seen=now, heard=True)
                    new_addrs += 1
            for group in groups:
                if group not in entry.groups and len(entry.groups) < MAX_GROUPS_PER_PEER:
                    entry.groups[group] = now
        return MergeResult(new_peers, new_addrs, rejected)

    # -- persistence -----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The whole book as msgpack, for the app to keep (encrypted) in its store."""
        records = [
            [
                device_from_peer_id(peer),
                [[addr, a.seen, a.verified, a.heard] for addr, a in e.addrs.items()],
                [[group, seen] for group, seen in e.groups.items()],
                e.failures,
                e.next_retry,
                e.strikes,
                e.strikes_since,
                e.banned_until,
                e.last_success,
                e.last_seen,
                e.heard,
            ]
            for peer, e in self._peers.items()
        ]
        packed: bytes = msgpack.packb([FORMAT_VERSION, records], use_bin_type=True)
        return packed

    @classmethod
    def from_bytes(cls, data: bytes, random: Callable[[], float] = _random.random) -> PeerBook:
        """Rebuild a book from :meth:`to_bytes` output, checking every field.

        Raises:
            CorruptPeerBook: ``data`` is not a peer book of this format within the bounds.
        """
        try:
            top = msgpack.unpackb(
                data,
                raw=False,
                use_list=True,
                strict_map_key=True,
                max_bin_len=GROUP_SIZE,
                max_str_len=4 * MAX_ADDR_LEN,  # UTF-8 of a DNS name
                max_array_len=MAX_PEERS,
                max_map_len=0,
                max_ext_len=0,
            )
        except (ValueError, msgpack.UnpackException) as exc:
            raise CorruptPeerBook(f"peer book is not valid msgpack: {exc}") from exc
        if not (isinstance(top, list) and len(top) == 2 and isinstance(top[1], list)):
            raise CorruptPeerBook("peer book is not a [version, records] array")
        if top[0] != FORMAT_VERSION or type(top[0]) is not int:
            raise CorruptPeerBook(f"peer book format {top[0]!r} is not {FORMAT_VERSION}")
        book = cls(random)
        for index, record in enumerate(top[1]):
            try:
                peer, entry = _decode_record(record)
            except (ValueError, TypeError) as exc:  # InvalidAddressError is a ValueError
                raise CorruptPeerBook(f"peer book record {index} is invalid: {exc}") from exc
            if peer in book._peers:
                raise CorruptPeerBook(f"peer book record {index} repeats peer {peer}")
            book._peers[peer] = entry
        return book

    # -- internals -------------------------------------------------------------------------

    def _entry(self, peer: str, now: int) -> _Peer:
        """The peer's entry, created (as first-hand, seen now) if unknown."""
        entry = self._peers.get(peer)
        if entry is None:
            device_from_peer_id(peer)  # validate before admitting
            entry = self._admit(peer, hearsay=False)
            assert entry is not None  # first-hand admission always finds room
            entry.last_seen = now
        return entry

    def _first_hand(self, peer: str, now: int) -> _Peer:
        entry = self._entry(peer, now)
        entry.last_seen = max(entry.last_seen, now)
        return entry

    def _admit(self, peer: str, *, hearsay: bool) -> _Peer | None:
        if len(self._peers) >= MAX_PEERS:
            victim = min(self._peers, key=lambda p: (self._peers[p].rank(), p))
            worst = self._peers[victim]
            if hearsay and (worst.last_success or worst.last_seen):
                return None
            del self._peers[victim]
        entry = self._peers[peer] = _Peer()
        return entry


def _evict_addrs(entry: _Peer, keep: int) -> None:
    while len(entry.addrs) > keep:
        worst = min(entry.addrs, key=lambda addr: (entry.addrs[addr].rank(), addr))
        del entry.addrs[worst]


def _check_exchange_entry(item: object) -> tuple[str, list[str], list[bytes]] | None:
    """The validated, canonical fields of an exchange entry, or None when any is malformed."""
    if not isinstance(item, ExchangeEntry):
        return None
    peer, addrs, groups = item.peer, item.addrs, item.groups
    if not (
        isinstance(peer, str)
        and isinstance(addrs, tuple | list)
        and 0 < len(addrs) <= MAX_ADDRS_PER_PEER
        and isinstance(groups, tuple | list)
        and len(groups) <= MAX_GROUPS_PER_PEER
        and all(isinstance(g, bytes) and len(g) == GROUP_SIZE for g in groups)
        and all(isinstance(a, str) for a in addrs)
    ):
        return None
    try:
        device_from_peer_id(peer)
        canonical = [check_transport_addr(addr) for addr in addrs]
    except InvalidAddressError:
        return None
    return peer, list(dict.fromkeys(canonical)), list(groups)


def _time(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= _MAX_TIME:
        raise ValueError(f"{value!r} is not a time in ms")
    return value


def _decode_record(record: Any) -> tuple[str, _Peer]:
    if not (isinstance(record, list) and len(record) == _RECORD_FIELDS):
        raise ValueError(f"not a {_RECORD_FIELDS}-field array")
    device, addrs, groups, *numbers = record
    if not isinstance(device, bytes) or not isinstance(addrs, list):
        raise ValueError("bad device key or address list")
    peer = peer_id_from_device(device)
    if len(addrs) > MAX_ADDRS_PER_PEER or not isinstance(groups, list):
        raise ValueError("too many addresses or bad group list")
    if len(groups) > MAX_GROUPS_PER_PEER:
        raise ValueError("too many groups")
    failures, next_retry, strikes, strikes_since, banned_until, success, seen, heard = (
        _time(n) for n in numbers
    )
    entry = _Peer(
        failures=failures,
        next_retry=next_retry,
        strikes=strikes,
        strikes_since=strikes_since,
        banned_until=banned_until,
        last_success=success,
        last_seen=seen,
        heard=heard,
    )
    for item in addrs:
        if not (isinstance(item, list) and len(item) == 4):
            raise ValueError("an address is not an [addr, seen, verified, heard] array")
        addr, addr_seen, verified, addr_heard = item
        if not isinstance(addr, str) or check_transport_addr(addr) != addr:
            raise ValueError(f"address {addr!r} is not canonical")
        if type(addr_heard) is not bool or addr in entry.addrs:
            raise ValueError(f"address {addr!r} is repeated or has a bad flag")
        entry.addrs[addr] = _Addr(_time(addr_seen), _time(verified), addr_heard)
    for item in groups:
        if not (isinstance(item, list) and len(item) == 2):
            raise ValueError("a group is not a [group, seen] array")
        group, group_seen = item
        if not isinstance(group, bytes) or len(group) != GROUP_SIZE or group in entry.groups:
            raise ValueError("bad or repeated group")
        entry.groups[group] = _time(group_seen)
    return peer, entry
