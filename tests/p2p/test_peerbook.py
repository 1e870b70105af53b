"""The peer book: backoff, bans, bounds, peer exchange and its serialised form."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2p.errors import InvalidAddressError
from p2p.invite import peer_id_from_device
from p2p.peerbook import (
    BAN_MS,
    BASE_BACKOFF_MS,
    MAX_ADDRS_PER_PEER,
    MAX_EXCHANGE_ENTRIES,
    MAX_GROUPS_PER_PEER,
    MAX_PEERS,
    STRIKE_WINDOW_MS,
    CorruptPeerBook,
    ExchangeEntry,
    MergeResult,
    PeerBook,
    PeerEntry,
)

NOW = 1_750_000_000_000
G1, G2, G3 = b"1" * 32, b"2" * 32, b"3" * 32


def peer(n: int) -> str:
    return peer_id_from_device(n.to_bytes(32, "big"))


def addr(n: int) -> str:
    return f"/ip4/10.0.{n // 250}.{n % 250 + 1}/tcp/4001"


P1, P2, P3, FRIEND = peer(1), peer(2), peer(3), peer(99)


def test_backoff_doubles_from_one_second_to_five_minutes_without_jitter() -> None:
    book = PeerBook(random=lambda: 0.0)
    delays = [book.record_failure(P1, NOW) - NOW for _ in range(12)]
    assert delays == [
        1_000,
        2_000,
        4_000,
        8_000,
        16_000,
        32_000,
        64_000,
        128_000,
        256_000,
        300_000,
        300_000,
        300_000,
    ]
    entry = book.entry(P1)
    assert entry is not None
    assert (entry.failures, entry.next_retry) == (12, NOW + 300_000)


def test_jitter_shortens_each_delay_by_up_to_a_quarter() -> None:
    half = PeerBook(random=lambda: 0.5)
    assert [half.record_failure(P1, NOW) - NOW for _ in range(4)] == [875, 1750, 3500, 7000]
    almost_one = PeerBook(random=lambda: 0.999999)
    assert almost_one.record_failure(P1, NOW) - NOW == 751
    for _ in range(40):
        last = almost_one.record_failure(P1, NOW) - NOW
    assert last == 225_001  # never past five minutes, never under three quarters of it


def test_a_success_resets_the_backoff() -> None:
    book = PeerBook(random=lambda: 0.0)
    book.record_address(P1, addr(1), NOW)
    for _ in range(5):
        book.record_failure(P1, NOW)
    book.record_success(P1, NOW + 10, addr(1))
    assert book.entry(P1) == PeerEntry(
        P1, (addr(1),), frozenset(), 0, NOW + 10 + BASE_BACKOFF_MS, 0, NOW + 10, NOW + 10
    )
    assert book.record_failure(P1, NOW + 20) == NOW + 20 + 1_000


def test_due_for_dial_honours_backoff_bans_exclusions_and_limit() -> None:
    book = PeerBook(random=lambda: 0.0)
    for n in (1, 2, 3):
        book.record_address(peer(n), addr(n), NOW + n)
    book.record_serving(peer(4), [G1], NOW)  # no address: never due
    assert book.due_for_dial(NOW + 10) == [P3, P2, P1]  # latest seen first
    book.record_success(P1, NOW + 20)
    assert book.due_for_dial(NOW + 20) == [P3, P2]
    assert book.due_for_dial(NOW + 20 + BASE_BACKOFF_MS) == [P1, P3, P2]  # success ranks first
    book.record_failure(P2, NOW + 100)
    assert book.due_for_dial(NOW + 1_099) == [P1, P3]
    assert book.due_for_dial(NOW + 1_100) == [P1, P3, P2]
    assert book.due_for_dial(NOW + 1_100, exclude={P1}, limit=1) == [P3]
    for _ in range(3):
        book.record_violation(P3, NOW + 2_000)
    assert book.due_for_dial(NOW + 2_000) == [P1, P2]
    assert book.due_for_dial(NOW + 2_000 + BAN_MS) == [P1, P3, P2]


def test_three_violations_ban_a_peer_for_thirty_minutes() -> None:
    book = PeerBook()
    assert book.record_violation(P1, NOW) is False
    assert book.record_violation(P1, NOW + 1) is False
    assert book.is_banned(P1, NOW + 1) is False
    assert book.record_violation(P1, NOW + 2) is True
    assert book.is_banned(P1, NOW + 2 + BAN_MS - 1) is True
    assert book.is_banned(P1, NOW + 2 + BAN_MS) is False
    entry = book.entry(P1)
    assert entry is not None and entry.banned_until == NOW + 2 + BAN_MS
    # strikes start over after a ban
    assert book.record_violation(P1, NOW + 2 + BAN_MS) is False
    assert book.is_banned(P2, NOW) is False  # unknown peers are not banned


def test_strikes_older_than_the_window_are_forgotten() -> None:
    book = PeerBook()
    book.record_violation(P1, NOW)
    book.record_violation(P1, NOW + 1)
    assert book.record_violation(P1, NOW + STRIKE_WINDOW_MS) is False
    assert book.record_violation(P1, NOW + STRIKE_WINDOW_MS + 1) is False
    assert book.record_violation(P1, NOW + STRIKE_WINDOW_MS + 2) is True


def test_a_peer_keeps_at_most_eight_addresses_dropping_unverified_oldest_first() -> None:
    book = PeerBook()
    book.record_success(P1, NOW, addr(0))  # verified, and the oldest
    for n in range(1, MAX_ADDRS_PER_PEER + 3):
        book.record_address(P1, addr(n), NOW + n)
    kept = book.addresses(P1)
    assert len(kept) == MAX_ADDRS_PER_PEER
    assert kept[0] == addr(0)
    assert kept[1:] == [addr(n) for n in range(MAX_ADDRS_PER_PEER + 2, 3, -1)]


def test_record_address_returns_the_canonical_form_and_refuses_junk() -> None:
    book = PeerBook()
    assert book.record_address(P1, "/ip4/10.0.0.1/tcp/04001/", NOW) == "/ip4/10.0.0.1/tcp/4001"
    assert book.record_address(P1, "/ip4/10.0.0.1/tcp/4001", NOW) == "/ip4/10.0.0.1/tcp/4001"
    assert book.addresses(P1) == ["/ip4/10.0.0.1/tcp/4001"]
    with pytest.raises(InvalidAddressError, match=r"does not end|is not /ip4"):
        book.record_address(P1, f"/ip4/10.0.0.1/tcp/4001/p2p/{P1}", NOW)
    with pytest.raises(InvalidAddressError, match=r"is not the PeerID of an Ed25519 device key$"):
        book.record_address("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", addr(1), NOW)
    with pytest.raises(InvalidAddressError, match=r"is not a base58 PeerID$"):
        book.record_failure("not-a-peer", NOW)
    assert len(book) == 1
    assert book.addresses(P2) == []


def test_the_book_keeps_at_most_1000_peers_evicting_the_least_known() -> None:
    book = PeerBook()
    book.record_success(peer(0), NOW - 10)  # oldest sighting, but we once connected
    for n in range(1, MAX_PEERS + 5):
        book.record_serving(peer(n), [G1], NOW + n)
    assert len(book) == MAX_PEERS
    assert peer(0) in book
    assert all(peer(n) not in book for n in range(1, 6))
    assert all(peer(n) in book for n in range(6, MAX_PEERS + 5))


def test_groups_are_bounded_and_peers_serving_ranks_them() -> None:
    book = PeerBook()
    book.record_serving(P1, [G1, G2], NOW)
    book.record_serving(P2, [G2], NOW + 5)
    assert book.peers_serving(G2) == [P2, P1]
    assert book.peers_serving(G1) == [P1]
    assert book.peers_serving(G3) == []
    many = [bytes([n]) * 32 for n in range(MAX_GROUPS_PER_PEER + 3)]
    for i, group in enumerate(many):
        book.record_serving(P3, [group], NOW + i)
    entry = book.entry(P3)
    assert entry is not None and entry.groups == frozenset(many[3:])
    with pytest.raises(ValueError, match=r"^a group id is 32 bytes$"):
        book.record_serving(P3, [b"short"], NOW)


def test_forget_drops_a_peer() -> None:
    book = PeerBook()
    book.record_address(P1, addr(1), NOW)
    book.forget(P1)
    book.forget(P2)
    assert (len(book), book.entry(P1)) == (0, None)


# -- peer exchange -------------------------------------------------------------------------


def test_export_shares_only_first_hand_connected_unbanned_peers_of_the_groups() -> None:
    book = PeerBook()
    book.record_success(P1, NOW + 1, addr(1))
    book.record_serving(P1, [G1, G2], NOW)
    book.record_success(P2, NOW + 2, addr(2))
    book.record_serving(P2, [G1], NOW)
    book.record_address(P3, addr(3), NOW)  # never connected
    book.record_serving(P3, [G1], NOW)
    book.record_success(FRIEND, NOW, addr(99))
    book.record_serving(FRIEND, [G1], NOW)
    book.merge_exchange([ExchangeEntry(P1, (addr(50),), ())], NOW)  # hearsay address
    assert book.export_for([G1, G3], NOW, exclude={FRIEND}) == [
        ExchangeEntry(P2, (addr(2),), (G1,)),
        ExchangeEntry(P1, (addr(1),), (G1,)),
    ]
    assert book.export_for([G3], NOW) == []
    for _ in range(3):
        book.record_violation(P2, NOW)
    assert [e.peer for e in book.export_for([G1], NOW, exclude={FRIEND})] == [P1]


def test_export_is_bounded() -> None:
    book = PeerBook()
    for n in range(MAX_EXCHANGE_ENTRIES + 10):
        book.record_success(peer(n), NOW + n, addr(n))
        book.record_serving(peer(n), [G1], NOW)
    exported = book.export_for([G1], NOW + 1000)
    assert len(exported) == MAX_EXCHANGE_ENTRIES
    assert exported[0].peer == peer(MAX_EXCHANGE_ENTRIES + 9)


def test_merge_adds_hearsay_without_touching_first_hand_data() -> None:
    book = PeerBook(random=lambda: 0.0)
    book.record_success(P1, NOW, addr(1))
    book.record_failure(P1, NOW + 1)
    before = book.entry(P1)
    result = book.merge_exchange(
        [
            ExchangeEntry(P1, (addr(1), addr(2)), (G1,)),
            ExchangeEntry(P2, (addr(3), "/ip4/10.0.0.9/tcp/04001"), (G1, G2)),
        ],
        NOW + 5,
    )
    assert result == MergeResult(new_peers=1, new_addrs=3, rejected=0)
    after = book.entry(P1)
    assert before is not None and after is not None
    assert after.addrs == (addr(1), addr(2))
    assert (after.failures, after.next_retry, after.last_success, after.last_seen) == (
        before.failures,
        before.next_retry,
        before.last_success,
        before.last_seen,
    )
    assert book.entry(P2) == PeerEntry(
        P2, (addr(3), "/ip4/10.0.0.9/tcp/4001"), frozenset({G1, G2}), 0, 0, 0, 0, 0
    )
    assert book.due_for_dial(NOW + 5) == [P2]  # hearsay peers are still dialled
    assert book.export_for([G1], NOW + 5) == [ExchangeEntry(P1, (addr(1),), (G1,))]


def test_merge_never_evicts_first_hand_addresses() -> None:
    book = PeerBook()
    for n in range(MAX_ADDRS_PER_PEER):
        book.record_address(P1, addr(n), NOW)
    result = book.merge_exchange([ExchangeEntry(P1, (addr(100),), ())], NOW + 1)
    assert result == MergeResult(0, 0, 0)
    assert addr(100) not in book.addresses(P1)


def test_merge_never_evicts_first_hand_peers_from_a_full_book() -> None:
    book = PeerBook()
    for n in range(MAX_PEERS):
        book.record_serving(peer(n), [G1], NOW)
    result = book.merge_exchange([ExchangeEntry(peer(5000), (addr(1),), (G1,))], NOW + 1)
    assert result == MergeResult(0, 0, 0)
    assert peer(5000) not in book and len(book) == MAX_PEERS
    # first-hand news still gets in, pushing out the least known peer
    book.record_address(peer(5001), addr(1), NOW + 2)
    assert peer(5001) in book and len(book) == MAX_PEERS


def test_merge_replaces_old_hearsay_when_the_book_is_full() -> None:
    book = PeerBook()
    book.merge_exchange([ExchangeEntry(peer(5000), (addr(1),), ())], NOW)
    for n in range(MAX_PEERS - 1):
        book.record_serving(peer(n), [G1], NOW)
    result = book.merge_exchange([ExchangeEntry(peer(5001), (addr(2),), ())], NOW + 1)
    assert result == MergeResult(1, 1, 0)
    assert peer(5000) not in book and peer(5001) in book


@pytest.mark.parametrize(
    "entry",
    [
        ExchangeEntry("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", (addr(1),), ()),
        ExchangeEntry(P1, (), ()),
        ExchangeEntry(P1, ("/ip4/0.0.0.0/tcp/1",), ()),
        ExchangeEntry(P1, (f"{addr(1)}/p2p/{P1}",), ()),
        ExchangeEntry(P1, tuple(addr(n) for n in range(MAX_ADDRS_PER_PEER + 1)), ()),
        ExchangeEntry(P1, (addr(1),), (b"short",)),
        ExchangeEntry(P1, (addr(1),), (G1,) * (MAX_GROUPS_PER_PEER + 1)),
        ExchangeEntry(P1, (1,), ()),  # type: ignore[arg-type]
        ExchangeEntry(b"peer", (addr(1),), ()),  # type: ignore[arg-type]
        "not an entry",
    ],
)
def test_merge_rejects_malformed_entries_whole(entry: ExchangeEntry) -> None:
    book = PeerBook()
    assert book.merge_exchange([entry], NOW) == MergeResult(0, 0, 1)
    assert len(book) == 0


def test_merge_reads_a_bounded_number_of_entries_and_skips_this_device() -> None:
    book = PeerBook()
    entries = [ExchangeEntry(peer(n), (addr(n),), ()) for n in range(MAX_EXCHANGE_ENTRIES + 6)]
    result = book.merge_exchange(entries, NOW, skip={peer(0)})
    assert result == MergeResult(MAX_EXCHANGE_ENTRIES - 1, MAX_EXCHANGE_ENTRIES - 1, 6)
    assert peer(0) not in book


# -- serialisation -------------------------------------------------------------------------


def busy_book() -> PeerBook:
    book = PeerBook(random=lambda: 0.0)
    book.record_success(P1, NOW, addr(1))
    book.record_address(P1, "/dns4/smd.example.org/tcp/443", NOW + 1)
    book.record_serving(P1, [G1, G2], NOW)
    book.record_failure(P2, NOW)
    book.record_address(P2, "/ip6/2001:db8::1/tcp/4001", NOW)
    book.record_violation(P2, NOW + 3)
    for _ in range(3):
        book.record_violation(P3, NOW)
    book.merge_exchange([ExchangeEntry(FRIEND, (addr(9),), (G3,))], NOW + 7)
    return book


def snapshot(book: PeerBook) -> list[PeerEntry | None]:
    return [book.entry(p) for p in (P1, P2, P3, FRIEND)]


def test_the_book_round_trips_through_bytes() -> None:
    book = busy_book()
    data = book.to_bytes()
    again = PeerBook.from_bytes(data, random=lambda: 0.0)
    assert snapshot(again) == snapshot(book)
    assert again.to_bytes() == data
    # the strike count survives: one more violation within the window bans P2
    assert again.record_violation(P2, NOW + 4) is False
    assert again.record_violation(P2, NOW + 5) is True
    assert PeerBook.from_bytes(PeerBook().to_bytes()).to_bytes() == PeerBook().to_bytes()


def test_a_full_book_round_trips_within_bounds() -> None:
    book = PeerBook()
    for n in range(MAX_PEERS + 3):
        for a in range(MAX_ADDRS_PER_PEER + 1):
            book.record_address(
                peer(n), f"/ip4/10.{a}.{n // 250}.{n % 250 + 1}/tcp/1", NOW + 10 * n + a
            )
    data = book.to_bytes()
    again = PeerBook.from_bytes(data)
    assert len(again) == MAX_PEERS
    assert [peer(n) in again for n in range(4)] == [False, False, False, True]
    assert {len(again.addresses(peer(n))) for n in range(3, MAX_PEERS + 3)} == {8}
    assert again.to_bytes() == data


def pack(obj: object) -> bytes:
    return bytes(msgpack.packb(obj, use_bin_type=True))


def record(**change: object) -> list[object]:
    fields: dict[str, object] = {
        "device": b"\x01" * 32,
        "addrs": [[addr(1), NOW, 0, False]],
        "groups": [[G1, NOW]],
        "numbers": [0, 0, 0, 0, 0, 0, NOW, 0],
    }
    fields.update(change)
    numbers = fields.pop("numbers")
    assert isinstance(numbers, list)
    return [*fields.values(), *numbers]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^peer book is not valid msgpack"),
        (b"\xc1", r"^peer book is not valid msgpack"),
        (pack([1, []]) + b"\x00", r"^peer book is not valid msgpack"),
        (pack({"v": 1}), r"^peer book is not valid msgpack"),  # maps are never allowed
        (pack([1]), r"^peer book is not a \[version, records\] array$"),
        (pack([2, []]), r"^peer book format 2 is not 1$"),
        (pack([True, []]), r"^peer book format True is not 1$"),
        (pack([1, [[]]]), r"^peer book record 0 is invalid: not a 11-field array$"),
        (pack([1, [record(device=b"x")]]), r"^peer book record 0 is invalid: an Ed25519"),
        (pack([1, [record(addrs=[["/ip4/1.2.3.4/tcp/01", 0, 0, False]])]]), r"not canonical"),
        (pack([1, [record(addrs=[[addr(1), 0, 0, 1]])]]), r"has a bad flag$"),
        (pack([1, [record(addrs=[[addr(1), 0, 0, False]] * 2)]]), r"is repeated"),
        (pack([1, [record(addrs=[addr(1)])]]), r"is not an \[addr, seen, verified, heard\]"),
        (pack([1, [record(addrs=[[addr(n), 0, 0, False] for n in range(9)])]]), r"too many"),
        (pack([1, [record(groups=[[b"x", 0]])]]), r"bad or repeated group$"),
        (pack([1, [record(groups=[b"ab"])]]), r"a group is not a \[group, seen\] array$"),
        (pack([1, [record(numbers=[0, 0, 0, 0, 0, 0, -1, 0])]]), r"-1 is not a time in ms$"),
        (pack([1, [record(numbers=[0, 0, 0, 0, 0, 0, False, 0])]]), r"False is not a time"),
        (pack([1, [record(), record()]]), r"^peer book record 1 repeats peer 12D3KooW"),
        (pack([1, [record()] * (MAX_PEERS + 1)]), r"^peer book is not valid msgpack.*max_array"),
    ],
)
def test_from_bytes_refuses_anything_it_did_not_write(data: bytes, message: str) -> None:
    with pytest.raises(CorruptPeerBook, match=message):
        PeerBook.from_bytes(data)


MSGPACK_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.binary(max_size=40)
    | st.text(max_size=40)
    | st.sampled_from([addr(1), b"\x01" * 32, G1, NOW]),
    lambda children: st.lists(children, max_size=4),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400)
    | MSGPACK_VALUES.map(pack)
    | st.lists(MSGPACK_VALUES, max_size=3).map(lambda records: pack([1, records]))
    | st.lists(MSGPACK_VALUES, min_size=11, max_size=11).map(lambda r: pack([1, [r]]))
)
def test_from_bytes_on_arbitrary_bytes_raises_only_corrupt_peer_book(data: bytes) -> None:
    with contextlib.suppress(CorruptPeerBook):
        PeerBook.from_bytes(data)


OPS = st.lists(
    st.tuples(
        st.sampled_from(["address", "success", "failure", "violation", "serving", "merge"]),
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=0, max_value=10_000_000),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_any_history_round_trips_through_bytes(ops: list[tuple[str, int, int, int]]) -> None:
    book = PeerBook(random=lambda: 0.3)
    for op, p, a, t in ops:
        now = NOW + t
        if op == "address":
            book.record_address(peer(p), addr(a), now)
        elif op == "success":
            book.record_success(peer(p), now, addr(a) if a % 2 else None)
        elif op == "failure":
            book.record_failure(peer(p), now)
        elif op == "violation":
            book.record_violation(peer(p), now)
        elif op == "serving":
            book.record_serving(peer(p), [bytes([a]) * 32], now)
        else:
            book.merge_exchange([ExchangeEntry(peer(p), (addr(a),), (bytes([a]) * 32,))], now)
    again = PeerBook.from_bytes(book.to_bytes(), random=lambda: 0.3)
    everyone = [peer(n) for n in range(13)]
    assert [again.entry(p) for p in everyone] == [book.entry(p) for p in everyone]
    assert again.to_bytes() == book.to_bytes()
    assert all(len(book.addresses(p)) <= MAX_ADDRS_PER_PEER for p in everyone)
