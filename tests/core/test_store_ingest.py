"""Ingest: out-of-order records wait, forks are kept as evidence, invalid records never land,
revocations cut a feed (also retroactively), and withheld content can be filled in later."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nacl.signing
import pytest

from smd_desktop.core import canonical
from smd_desktop.core.content import BLOCK, CERT, DELETE, FOLLOW, POST, PROFILE, REVOKE
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import DeviceKey, IdentityKey
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import (
    SIGNING_DOMAIN,
    SignedRecord,
    parse_record,
    without_content,
)
from smd_desktop.core.store import DeviceView, ForkView, IngestResult, Outcome, Store
from smd_desktop.core.testing import FAST_KDF, FeedWriter, copy_records, make_profile

PASSPHRASE = "ingest tests"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store, as a third party that receives feeds from elsewhere."""
    s = Store.create(tmp_path / "store", PASSPHRASE, FAST_KDF)
    yield s
    s.close()


def ingest_one(store: Store, record: SignedRecord) -> IngestResult:
    """Ingest one record on its own, so the test decides the arrival order."""
    (result,) = store.ingest([record.raw])
    return result


def post(writer: FeedWriter, text: str) -> SignedRecord:
    return writer.append(POST, {"text": text})


def shown(store: Store, identity: IdentityKey) -> list[str]:
    """Texts in ``identity``'s own timeline, newest first."""
    return [p.text for p in store.timeline(identity, limit=1000)]


def device_view(store: Store, device: DeviceKey) -> DeviceView:
    (view,) = [d for d in store.devices() if d.device == device]
    return view


def outcomes(results: list[IngestResult]) -> list[Outcome]:
    return [r.outcome for r in results]


@pytest.fixture
def writer() -> FeedWriter:
    """A device of a fresh identity, with its certificate written."""
    w = FeedWriter(RootKey.generate())
    w.cert()
    return w


# -- order ----------------------------------------------------------------------------------


def test_records_in_reverse_order_wait_for_the_cert_then_all_chain(
    store: Store, writer: FeedWriter
) -> None:
    cert = writer.records[0]
    posts = [post(writer, f"post {seq}") for seq in range(2, 6)]
    identity = writer.root.public

    for record in reversed(posts):
        result = ingest_one(store, record)
        assert result == IngestResult(
            record.id, Outcome.PENDING, "waiting for the device certificate"
        )
        assert shown(store, identity) == []
        assert store.count_records() == 0
        assert store.heads() == {}
    assert store.count_pending() == 4

    assert ingest_one(store, cert) == IngestResult(cert.id, Outcome.ACCEPTED)

    assert store.count_pending() == 0
    assert store.heads() == {writer.device: 5}
    assert store.count_records(identity) == 5
    assert shown(store, identity) == ["post 5", "post 4", "post 3", "post 2"]


def test_records_after_a_gap_wait_for_the_missing_one(store: Store, writer: FeedWriter) -> None:
    cert = writer.records[0]
    r2, r3, r4 = (post(writer, f"post {seq}") for seq in (2, 3, 4))
    assert ingest_one(store, cert).outcome is Outcome.ACCEPTED

    assert ingest_one(store, r4) == IngestResult(r4.id, Outcome.PENDING, "waiting for seq 2")
    assert ingest_one(store, r3) == IngestResult(r3.id, Outcome.PENDING, "waiting for seq 2")
    assert shown(store, writer.root.public) == []
    assert store.heads() == {writer.device: 1}

    assert ingest_one(store, r2) == IngestResult(r2.id, Outcome.ACCEPTED)

    assert store.count_pending() == 0
    assert store.heads() == {writer.device: 4}
    assert shown(store, writer.root.public) == ["post 4", "post 3", "post 2"]


def test_a_shuffled_batch_is_chained_in_seq_order(store: Store, writer: FeedWriter) -> None:
    for seq in range(2, 8):
        post(writer, f"post {seq}")
    shuffled = [writer.records[i].raw for i in (4, 0, 6, 2, 1, 5, 3)]

    results = store.ingest(shuffled)

    assert outcomes(results) == [Outcome.ACCEPTED] * 7
    assert {r.record_id for r in results} == {r.id for r in writer.records}
    assert store.count_pending() == 0
    assert store.heads() == {writer.device: 7}


# -- forks ----------------------------------------------------------------------------------


def test_two_records_at_one_seq_are_a_fork_and_both_are_kept(
    store: Store, writer: FeedWriter
) -> None:
    cert = writer.records[0]
    kept = post(writer, "kept")
    evidence = writer.sign_at(2, cert.id, POST, {"text": "evidence"})
    assert outcomes(store.ingest([cert.raw, kept.raw])) == [Outcome.ACCEPTED, Outcome.ACCEPTED]

    result = ingest_one(store, evidence)

    assert result == IngestResult(evidence.id, Outcome.FORK, "another record holds this seq")
    assert store.forks() == [ForkView(writer.device, writer.root.public, 2, kept.id, evidence.id)]
    assert device_view(store, writer.device).forked is True
    assert store.record(kept.id) == kept.raw
    assert store.heads() == {writer.device: 2}
    assert shown(store, writer.root.public) == ["kept"]


def test_a_fork_delivered_before_the_cert_keeps_one_and_records_the_other(
    store: Store, writer: FeedWriter
) -> None:
    cert = writer.records[0]
    first = post(writer, "one side")
    second = writer.sign_at(2, cert.id, POST, {"text": "other side"})
    assert outcomes([ingest_one(store, first), ingest_one(store, second)]) == [
        Outcome.PENDING,
        Outcome.PENDING,
    ]

    assert ingest_one(store, cert).outcome is Outcome.ACCEPTED

    (fork,) = store.forks()
    assert fork.seq == 2
    assert fork.kept is not None
    assert fork.kept != fork.evidence
    assert {fork.kept, fork.evidence} == {first.id, second.id}
    assert store.count_pending() == 0
    assert device_view(store, writer.device).forked is True
    assert store.count_records() == 2


def test_a_record_whose_prev_is_not_the_head_is_a_fork(store: Store, writer: FeedWriter) -> None:
    cert = writer.records[0]
    r2 = post(writer, "second")
    off_chain = writer.sign_at(3, cert.id, POST, {"text": "links past the head"})
    assert outcomes(store.ingest([cert.raw, r2.raw])) == [Outcome.ACCEPTED, Outcome.ACCEPTED]

    result = ingest_one(store, off_chain)

    assert result == IngestResult(
        off_chain.id, Outcome.FORK, "prev does not match the stored previous record"
    )
    assert store.forks() == [ForkView(writer.device, writer.root.public, 3, None, off_chain.id)]
    assert device_view(store, writer.device).forked is True
    assert store.heads() == {writer.device: 2}
    # The honest seq 3 still chains; the evidence now stands against it.
    honest = post(writer, "third")
    assert ingest_one(store, honest) == IngestResult(honest.id, Outcome.ACCEPTED)
    assert store.forks() == [
        ForkView(writer.device, writer.root.public, 3, honest.id, off_chain.id)
    ]
    assert shown(store, writer.root.public) == ["third", "second"]


# -- invalid and repeated records -----------------------------------------------------------


def test_the_same_record_twice_is_a_duplicate(store: Store, writer: FeedWriter) -> None:
    r2 = post(writer, "once")
    store.ingest([r.raw for r in writer.records])

    assert set(store.ingest([r2.raw, writer.records[0].raw])) == {
        IngestResult(writer.records[0].id, Outcome.DUPLICATE),
        IngestResult(r2.id, Outcome.DUPLICATE),
    }
    assert store.count_records() == 2
    assert shown(store, writer.root.public) == ["once"]


def test_a_record_signed_by_another_key_is_rejected_and_not_stored(
    store: Store, writer: FeedWriter
) -> None:
    signature, header, content_bytes = canonical.decode(writer.records[0].raw)
    assert len(signature) == 64
    impostor = nacl.signing.SigningKey.generate()
    forged = canonical.encode(
        [impostor.sign(SIGNING_DOMAIN + header).signature, header, content_bytes]
    )

    assert store.ingest([forged]) == [
        IngestResult(writer.records[0].id, Outcome.REJECTED, "bad signature")
    ]
    assert store.count_records() == 0
    assert store.count_pending() == 0
    assert store.heads() == {}


def test_every_single_bit_flip_of_a_record_is_rejected(store: Store, writer: FeedWriter) -> None:
    record = post(writer, "tamper with me")
    assert ingest_one(store, writer.records[0]).outcome is Outcome.ACCEPTED
    flipped = [
        bytes(b ^ (1 << bit) if i == index else b for i, b in enumerate(record.raw))
        for index in range(len(record.raw))
        for bit in range(8)
    ]

    results = store.ingest(flipped)

    assert len(results) == 8 * len(record.raw)
    assert {r.outcome for r in results} == {Outcome.REJECTED}
    assert all(r.reason for r in results)
    assert store.count_records() == 1
    assert store.count_pending() == 0
    assert store.record(record.id) is None


def test_a_flipped_signature_bit_is_rejected_as_a_bad_signature(
    store: Store, writer: FeedWriter
) -> None:
    raw = bytearray(writer.records[0].raw)
    raw[10] ^= 0x01  # raw[3:67] is the signature (array marker, bin8 marker, length)

    assert store.ingest([bytes(raw)]) == [
        IngestResult(writer.records[0].id, Outcome.REJECTED, "bad signature")
    ]
    assert store.count_records() == 0


@pytest.mark.parametrize("seq", [1, 2])
def test_the_cert_rule_rejects_a_non_cert_at_seq_one_and_a_cert_elsewhere(
    store: Store, seq: int
) -> None:
    w = FeedWriter(RootKey.generate())
    if seq == 1:
        bad = w.sign_at(1, None, POST, {"text": "I am not a certificate"})
    else:
        cert = w.cert()
        assert ingest_one(store, cert).outcome is Outcome.ACCEPTED
        bad = w.sign_at(2, cert.id, CERT, w.root.certify(w.device, name="again", issued=1))

    assert ingest_one(store, bad) == IngestResult(
        bad.id, Outcome.REJECTED, "seq 1, and only seq 1, is the device certificate"
    )
    assert store.record(bad.id) is None
    assert store.count_pending() == 0


def test_a_withheld_cert_is_rejected(store: Store, writer: FeedWriter) -> None:
    cert = writer.records[0]

    assert ingest_one(store, without_content(cert)) == IngestResult(
        cert.id, Outcome.REJECTED, "a certificate cannot be withheld"
    )
    assert store.devices() == []


def test_a_cert_naming_another_device_is_rejected(store: Store) -> None:
    w = FeedWriter(RootKey.generate())
    other = DeviceKey(bytes(nacl.signing.SigningKey.generate().verify_key))
    cert = w.sign_at(1, None, CERT, w.root.certify(other, name="someone else", issued=1))

    assert ingest_one(store, cert) == IngestResult(
        cert.id, Outcome.REJECTED, "the certificate is for another device"
    )
    assert store.heads() == {}
    assert store.devices() == []


def test_a_cert_not_signed_by_the_identity_it_names_is_rejected(store: Store) -> None:
    victim, attacker = RootKey.generate(), RootKey.generate()
    w = FeedWriter(attacker)
    claimed = victim.certify(w.device, name="mallory", issued=1)["cert"]
    signed = attacker.certify(w.device, name="mallory", issued=1)["sig"]
    cert = w.sign_at(1, None, CERT, {"cert": claimed, "sig": signed})

    assert ingest_one(store, cert) == IngestResult(
        cert.id, Outcome.REJECTED, "cert is not signed by its identity"
    )
    assert store.devices() == []


# -- revocation -----------------------------------------------------------------------------


def revoke(by: FeedWriter, device: DeviceKey, after_seq: int) -> SignedRecord:
    return by.append(
        REVOKE, by.root.revoke(device, after_seq=after_seq, issued=by.clock, reason="lost laptop")
    )


def test_a_revocation_removes_what_the_device_published_after_it(store: Store) -> None:
    root, stranger = RootKey.generate(), RootKey.generate()
    laptop, phone = FeedWriter(root), FeedWriter(root)
    laptop.cert()
    laptop.append(PROFILE, {"name": "Before"})
    post(laptop, "kept post")  # seq 3: the revocation keeps up to here
    post(laptop, "post after revocation")
    laptop.append(PROFILE, {"name": "After"})
    laptop.append(FOLLOW, {"target": stranger.public, "following": True})
    phone.cert()
    revoke(phone, laptop.device, after_seq=3)
    assert outcomes(store.ingest([r.raw for r in laptop.records])) == [Outcome.ACCEPTED] * 6
    assert shown(store, root.public) == ["post after revocation", "kept post"]
    profile = store.profile(root.public)
    assert profile is not None
    assert profile.name == "After"
    assert store.related(root.public, "follow") == [stranger.public]

    assert outcomes(store.ingest([r.raw for r in phone.records])) == [
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
    ]

    assert shown(store, root.public) == ["kept post"]
    assert [store.record(r.id) for r in laptop.records[3:]] == [None, None, None]
    assert [store.record(r.id) for r in laptop.records[:3]] == [r.raw for r in laptop.records[:3]]
    profile = store.profile(root.public)
    assert profile is not None
    assert profile.name == "Before"
    assert store.related(root.public, "follow") == []
    assert store.heads() == {laptop.device: 3, phone.device: 2}
    assert device_view(store, laptop.device).revoked_after == 3
    assert device_view(store, phone.device).revoked_after is None
    assert store.count_records(root.public) == 5
    assert store.identity_records(root.public) == sorted(
        [r.raw for r in laptop.records[:3]] + [r.raw for r in phone.records],
        key=lambda raw: (parse_record(raw).author, parse_record(raw).seq),
    )
    # Later records of the revoked device, and the removed ones sent again, stay out.
    late = post(laptop, "still posting")
    assert ingest_one(store, late) == IngestResult(
        late.id, Outcome.REJECTED, "the device was revoked"
    )
    again = store.ingest([r.raw for r in laptop.records[3:6]])
    assert outcomes(again) == [Outcome.REJECTED] * 3
    assert {r.reason for r in again} == {"the device was revoked"}
    assert shown(store, root.public) == ["kept post"]


def test_the_lowest_after_seq_of_several_revocations_wins(store: Store) -> None:
    root = RootKey.generate()
    laptop, phone = FeedWriter(root), FeedWriter(root)
    laptop.cert()
    for text in ("one", "two", "three", "four"):
        post(laptop, text)
    phone.cert()
    revoke(phone, laptop.device, after_seq=4)
    revoke(phone, laptop.device, after_seq=2)
    revoke(phone, laptop.device, after_seq=3)
    store.ingest([r.raw for r in laptop.records])

    assert outcomes(store.ingest([r.raw for r in phone.records])) == [Outcome.ACCEPTED] * 4

    assert device_view(store, laptop.device).revoked_after == 2
    assert store.heads()[laptop.device] == 2
    assert shown(store, root.public) == ["one"]


def test_a_revocation_that_arrives_first_stops_the_feed_at_after_seq(store: Store) -> None:
    root = RootKey.generate()
    laptop, phone = FeedWriter(root), FeedWriter(root)
    laptop.cert()
    for text in ("one", "two", "three", "four"):
        post(laptop, text)
    phone.cert()
    revoke(phone, laptop.device, after_seq=3)
    assert outcomes(store.ingest([r.raw for r in phone.records])) == [
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
    ]

    results = store.ingest([r.raw for r in laptop.records])

    assert outcomes(results) == [Outcome.ACCEPTED] * 3 + [Outcome.REJECTED] * 2
    assert {r.reason for r in results[3:]} == {"the device was revoked"}
    assert shown(store, root.public) == ["two", "one"]
    assert store.heads()[laptop.device] == 3


def test_a_revocation_from_seq_zero_rejects_the_cert_itself(store: Store) -> None:
    root = RootKey.generate()
    stolen, phone = FeedWriter(root), FeedWriter(root)
    stolen.cert()
    post(stolen, "hello")
    phone.cert()
    revoke(phone, stolen.device, after_seq=0)
    store.ingest([r.raw for r in phone.records])

    results = store.ingest([r.raw for r in stolen.records])

    assert results[0] == IngestResult(
        stolen.records[0].id, Outcome.REJECTED, "the device was revoked"
    )
    # Never chained. (Today it waits as PENDING for a cert that can never land.)
    assert results[1].outcome in {Outcome.PENDING, Outcome.REJECTED}
    assert store.record(stolen.records[1].id) is None
    assert [d.device for d in store.devices()] == [phone.device]
    assert shown(store, root.public) == []


def test_a_revocation_drops_pending_records_past_after_seq(store: Store) -> None:
    root = RootKey.generate()
    laptop, phone = FeedWriter(root), FeedWriter(root)
    laptop.cert()
    for text in ("one", "two", "three"):
        post(laptop, text)
    store.ingest([laptop.records[0].raw, laptop.records[1].raw, laptop.records[3].raw])
    assert store.count_pending() == 1
    phone.cert()
    revoke(phone, laptop.device, after_seq=2)

    store.ingest([r.raw for r in phone.records])

    assert store.count_pending() == 0
    assert ingest_one(store, laptop.records[2]).outcome is Outcome.REJECTED
    assert shown(store, root.public) == ["one"]


def test_a_revocation_signed_by_another_identity_does_not_cut_the_feed(store: Store) -> None:
    root, attacker = RootKey.generate(), RootKey.generate()
    victim = FeedWriter(root)
    victim.cert()
    post(victim, "mine")
    attacker_device = FeedWriter(attacker)
    attacker_device.cert()
    # A valid revocation, but by the attacker's identity, for the victim's device.
    revoke(attacker_device, victim.device, after_seq=0)
    store.ingest([r.raw for r in victim.records])

    assert (
        outcomes(store.ingest([r.raw for r in attacker_device.records])) == [Outcome.ACCEPTED] * 2
    )

    assert device_view(store, victim.device).revoked_after is None
    assert shown(store, root.public) == ["mine"]


def test_a_device_revoked_through_profiles_loses_its_later_posts_at_a_third_store(
    tmp_path: Path,
) -> None:
    laptop = make_profile(tmp_path / "laptop")
    phone = Profile.restore(tmp_path / "phone", PASSPHRASE, laptop.root.phrase(), kdf=FAST_KDF)
    reader = make_profile(tmp_path / "reader", name="Reader")
    reader.follow(laptop.identity)
    laptop.post("before the revocation")
    copy_records(laptop.store, phone.store)
    phone.revoke_device(laptop.device_key, reason="stolen")
    laptop.post("after the revocation")  # the thief does not know yet
    assert set(outcomes(copy_records(laptop.store, reader.store))) == {Outcome.ACCEPTED}
    assert [p.text for p in reader.timeline()] == ["after the revocation", "before the revocation"]

    copy_records(phone.store, reader.store)

    assert [p.text for p in reader.timeline()] == ["before the revocation"]
    revoked = device_view(reader.store, laptop.device_key)
    assert revoked.revoked_after == 3  # cert, profile, first post
    for profile in (laptop, phone, reader):
        profile.close()


# -- withheld content -----------------------------------------------------------------------


def test_a_record_without_content_chains_and_its_content_can_be_filled_in(
    store: Store, writer: FeedWriter
) -> None:
    full = post(writer, "withheld, then delivered")
    stripped = without_content(full)
    assert ingest_one(store, writer.records[0]).outcome is Outcome.ACCEPTED

    assert ingest_one(store, stripped) == IngestResult(full.id, Outcome.ACCEPTED)
    assert shown(store, writer.root.public) == []
    assert store.post(full.id) is None
    stored = store.record(full.id)
    assert stored is not None
    assert parse_record(stored).content is None
    assert store.heads() == {writer.device: 2}

    assert ingest_one(store, full) == IngestResult(full.id, Outcome.ACCEPTED, "content filled in")

    assert shown(store, writer.root.public) == ["withheld, then delivered"]
    assert store.record(full.id) == full.raw
    assert ingest_one(store, full) == IngestResult(full.id, Outcome.DUPLICATE)
    assert ingest_one(store, stripped) == IngestResult(full.id, Outcome.DUPLICATE)
    assert store.record(full.id) == full.raw


def test_content_of_a_deleted_record_is_not_filled_in(store: Store, writer: FeedWriter) -> None:
    full = post(writer, "deleted before it arrived")
    delete = writer.append(DELETE, {"target": full.id})
    results = store.ingest([writer.records[0].raw, without_content(full).raw, delete.raw])
    assert outcomes(results) == [Outcome.ACCEPTED] * 3

    assert ingest_one(store, full) == IngestResult(
        full.id, Outcome.DUPLICATE, "deleted by its author"
    )

    stored = store.record(full.id)
    assert stored is not None
    assert parse_record(stored).content is None
    assert shown(store, writer.root.public) == []


# -- replication queries --------------------------------------------------------------------


def test_heads_read_range_and_counts_describe_what_is_chained(store: Store) -> None:
    alice, bob = FeedWriter(RootKey.generate()), FeedWriter(RootKey.generate())
    alice.cert()
    for text in ("a2", "a3", "a4"):
        post(alice, text)
    a5 = post(alice, "a5")
    bob.cert()
    bob.append(BLOCK, {"target": alice.root.public, "blocked": True})
    store.ingest([r.raw for r in alice.records[:4]] + [r.raw for r in bob.records])
    assert ingest_one(store, a5).outcome is Outcome.ACCEPTED
    gap = alice.sign_at(7, a5.id, POST, {"text": "a7"})  # seq 6 never arrives
    assert ingest_one(store, gap).outcome is Outcome.PENDING

    assert store.heads() == {alice.device: 5, bob.device: 2}
    assert store.head(alice.device) == (5, a5.id)
    assert store.head(DeviceKey(b"\x00" * 32)) is None
    assert store.read_range(alice.device, 1, 100) == [r.raw for r in alice.records]
    assert store.read_range(alice.device, 2, 2) == [r.raw for r in alice.records[1:3]]
    assert store.read_range(alice.device, 6, 100) == []
    assert store.read_range(DeviceKey(b"\x00" * 32), 1, 100) == []
    assert store.count_records() == 7
    assert store.count_records(alice.root.public) == 5
    assert store.count_records(bob.root.public) == 2
    assert store.count_records(IdentityKey(b"\x00" * 32)) == 0
    assert store.count_pending() == 1
    assert store.identity_of(alice.device) == alice.root.public
    assert store.record_identity(a5.id) == alice.root.public
    assert store.related(bob.root.public, "block") == [alice.root.public]


def test_results_come_back_in_input_order_with_ids_where_the_bytes_parse(
    store: Store, writer: FeedWriter
) -> None:
    second = post(writer, "second")
    third = post(writer, "third")
    garbage = b"\x00not a record"

    results = store.ingest([third.raw, garbage, second.raw, writer.records[0].raw])

    assert [(r.record_id, r.outcome) for r in results] == [
        (third.id, Outcome.ACCEPTED),
        (None, Outcome.REJECTED),
        (second.id, Outcome.ACCEPTED),
        (writer.records[0].id, Outcome.ACCEPTED),
    ]
