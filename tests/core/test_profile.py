"""The core facade: identity and devices, posting, editing, deleting (with purging), the
social graph, profiles and images, as a user of :class:`Profile` sees them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smd_desktop.core import content as ct
from smd_desktop.core.errors import InvalidRecord, NotFound, SmdError, UserError
from smd_desktop.core.identity import DeviceCert, InvalidPhrase, RootKey, validate_cert
from smd_desktop.core.ids import (
    BlobHash,
    IdentityKey,
    RecordId,
    blake2b256,
    did_key,
    identity_text,
    peer_id_text,
)
from smd_desktop.core.kdf import StoreHeader
from smd_desktop.core.profile import Image, Profile
from smd_desktop.core.records import parse_record
from smd_desktop.core.store import (
    DB_NAME,
    HEADER_NAME,
    BlobRef,
    DeviceView,
    Outcome,
    ProfileView,
    Store,
    profile_exists,
)
from smd_desktop.core.testing import FAST_KDF, FeedWriter, copy_records, make_profile

PASSPHRASE = "correct horse battery staple"  # make_profile's default
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR tiny avatar"
GIF = b"GIF89a" + b"\x01\x00\x01\x00 tiny gif"


@pytest.fixture
def alice(tmp_path: Path) -> Iterator[Profile]:
    profile = make_profile(tmp_path / "alice", "Alice")
    yield profile
    profile.close()


@pytest.fixture
def carol(tmp_path: Path) -> Iterator[Profile]:
    """A second identity, to read and follow others."""
    profile = make_profile(tmp_path / "carol", "Carol")
    yield profile
    profile.close()


def texts(profile: Profile) -> list[str]:
    return [p.text for p in profile.timeline(limit=1000)]


def feed_of(profile: Profile) -> list[bytes]:
    """This device's own feed, in order."""
    return profile.store.read_range(profile.device_key, 1, 1_000_000)


def posts_row(store: Store, record_id: RecordId) -> tuple[Any, ...] | None:
    """White-box: (text, deleted) of the derived posts row, which no public view shows once
    a post is deleted."""
    with store._read() as conn:
        row = conn.execute("SELECT text, deleted FROM posts WHERE id = ?", (record_id,)).fetchone()
    return None if row is None else tuple(row)


SQLCIPHER_PAGE_SIZE = 4096
SQLCIPHER_RESERVE = 80  # per page: a 16-byte IV, then a 64-byte HMAC-SHA512
SQLCIPHER_SALT_SIZE = 16


def decrypted_pages(data_dir: Path, passphrase: str) -> bytes:
    """Every page of a closed profile's database, decrypted.

    Reading pages rather than rows also sees free pages and stale bytes inside pages: what a
    thief who learns the passphrase could recover. SQLCipher 4 with a raw key encrypts each
    page's first 4016 bytes with AES-256-CBC under the key itself; page 1 starts with the salt.
    """
    ciphers = pytest.importorskip("cryptography.hazmat.primitives.ciphers")
    key = StoreHeader.read(data_dir / HEADER_NAME).derive_key(passphrase)
    data = (data_dir / DB_NAME).read_bytes()
    assert not (data_dir / f"{DB_NAME}-wal").exists(), "close the profile first"
    assert len(data) % SQLCIPHER_PAGE_SIZE == 0
    pages: list[bytes] = []
    for offset in range(0, len(data), SQLCIPHER_PAGE_SIZE):
        page = data[offset : offset + SQLCIPHER_PAGE_SIZE]
        body_end = SQLCIPHER_PAGE_SIZE - SQLCIPHER_RESERVE
        iv = page[body_end : body_end + 16]
        start = SQLCIPHER_SALT_SIZE if offset == 0 else 0
        decryptor = ciphers.Cipher(ciphers.algorithms.AES(key), ciphers.modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(page[start:body_end]) + decryptor.finalize())
    # Page 1's header after the salt: page size 4096, then the fixed payload fractions.
    assert pages[0][:2] == b"\x10\x00"
    assert pages[0][5:8] == b"\x40\x20\x20"
    return b"".join(pages)


# -- who we are -----------------------------------------------------------------------------


def test_a_new_profile_has_its_ids_one_device_and_starts_with_its_cert(tmp_path: Path) -> None:
    profile = Profile.create(
        tmp_path / "p", PASSPHRASE, name="Alice", device_name="test laptop", kdf=FAST_KDF
    )

    assert identity_text(profile.identity).startswith("z6Mk")
    assert did_key(profile.identity) == "did:key:" + identity_text(profile.identity)
    assert did_key(profile.identity).startswith("did:key:z6Mk")
    assert peer_id_text(profile.device_key).startswith("12D3KooW")
    assert profile.identity == profile.root.public
    assert profile.devices() == [
        DeviceView(profile.device_key, profile.identity, "test laptop", 2, False, None)
    ]
    first, second = (parse_record(raw) for raw in feed_of(profile))
    assert (first.seq, first.type, first.header.prev) == (1, ct.CERT, None)
    assert first.content is not None
    cert = validate_cert(first.content)
    assert cert == DeviceCert(profile.identity, profile.device_key, "test laptop", cert.issued)
    assert (second.seq, second.type, second.content) == (2, ct.PROFILE, {"name": "Alice"})
    assert profile.my_profile() == ProfileView(profile.identity, "Alice", "", None)
    profile.close()


def test_a_profile_created_without_a_name_has_only_its_cert(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "p", name=None)

    assert [parse_record(raw).type for raw in feed_of(profile)] == [ct.CERT]
    assert profile.my_profile() is None
    with pytest.raises(UserError, match=r"^a profile needs a name$"):
        profile.set_profile(bio="no name yet")
    profile.close()


def test_restore_from_the_phrase_is_the_same_identity_on_a_new_device(
    tmp_path: Path, alice: Profile
) -> None:
    alice.post("written on the first device")

    restored = Profile.restore(
        tmp_path / "restored", "other passphrase", alice.root.phrase(), kdf=FAST_KDF
    )

    assert restored.identity == alice.identity
    assert restored.root == alice.root
    assert restored.device_key != alice.device_key
    assert restored.store.heads() == {restored.device_key: 1}
    (cert_raw,) = feed_of(restored)
    cert_record = parse_record(cert_raw)
    assert (cert_record.seq, cert_record.type) == (1, ct.CERT)
    assert cert_record.content is not None
    assert validate_cert(cert_record.content).device == restored.device_key
    assert texts(restored) == []  # old posts arrive by sync, not from the phrase
    restored.close()


@pytest.mark.parametrize(
    "phrase",
    [
        " ".join(["abandon"] * 24),  # 24 words, bad checksum
        " ".join(["abandon"] * 11 + ["about"]),  # valid, but 12 words
        " ".join(["abandon"] * 23 + ["notaword"]),
        "",
    ],
)
def test_an_invalid_phrase_raises_and_creates_no_files(tmp_path: Path, phrase: str) -> None:
    target = tmp_path / "restored"

    with pytest.raises(InvalidPhrase, match=r"^not a valid 24-word recovery phrase$"):
        Profile.restore(target, PASSPHRASE, phrase, kdf=FAST_KDF)

    assert not target.exists()


def test_a_create_that_fails_leaves_no_half_made_profile(tmp_path: Path) -> None:
    target = tmp_path / "p"

    with pytest.raises(SmdError):
        Profile.create(target, PASSPHRASE, name="x" * (ct.MAX_NAME_CHARS + 1), kdf=FAST_KDF)

    assert not profile_exists(target)
    make_profile(target, name="a shorter name").close()


# -- several devices ------------------------------------------------------------------------


def test_a_follower_sees_the_posts_of_both_devices_of_an_identity(
    tmp_path: Path, alice: Profile, carol: Profile
) -> None:
    phone = Profile.restore(tmp_path / "phone", PASSPHRASE, alice.root.phrase(), kdf=FAST_KDF)
    laptop_post = alice.post("from the laptop")
    phone_post = phone.post("from the phone")
    carol.follow(alice.identity)

    results = copy_records(alice.store, carol.store) + copy_records(phone.store, carol.store)

    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    # Two machines may stamp the same millisecond: compare without relying on the order.
    assert sorted(
        (p.text, p.id, p.identity, p.device, p.author_name) for p in carol.timeline()
    ) == [
        ("from the laptop", laptop_post.id, alice.identity, alice.device_key, "Alice"),
        ("from the phone", phone_post.id, alice.identity, phone.device_key, "Alice"),
    ]
    assert {d.device for d in carol.store.devices(alice.identity)} == {
        alice.device_key,
        phone.device_key,
    }
    phone.close()


def test_revoking_itself_twice_or_a_never_synced_device(tmp_path: Path, alice: Profile) -> None:
    phone = Profile.restore(tmp_path / "phone", PASSPHRASE, alice.root.phrase(), kdf=FAST_KDF)

    with pytest.raises(UserError, match=r"^this device cannot revoke itself"):
        phone.revoke_device(phone.device_key)

    copy_records(alice.store, phone.store)
    phone.revoke_device(alice.device_key)
    (revoked,) = [d for d in phone.devices() if d.device == alice.device_key]
    assert revoked.revoked_after == 2
    with pytest.raises(UserError, match=r"^that device is already revoked$"):
        phone.revoke_device(alice.device_key)

    # A lost machine whose feed never reached the phone is revoked from its very first record.
    lost = FeedWriter(alice.root)
    phone.revoke_device(lost.device)
    (result,) = phone.store.ingest([lost.cert().raw])
    assert result.outcome is Outcome.REJECTED
    assert result.reason == "the device was revoked"
    phone.close()


# -- the timeline ---------------------------------------------------------------------------


def test_timeline_is_newest_first_and_pages_without_overlap_or_gaps(alice: Profile) -> None:
    posted = [alice.post(f"post {n}").id for n in range(25)]

    pages: list[list[RecordId]] = []
    before: tuple[int, bytes] | None = None
    while page := alice.timeline(limit=10, before=before):
        pages.append([p.id for p in page])
        before = (page[-1].timestamp, page[-1].id)

    assert [len(p) for p in pages] == [10, 10, 5]
    assert [rid for page in pages for rid in page] == posted[::-1]
    assert [p.id for p in alice.timeline(limit=100)] == posted[::-1]


def test_timeline_pages_through_posts_with_equal_timestamps(tmp_path: Path) -> None:
    root = RootKey.generate()
    # Two devices whose clocks tick in step: every timestamp is shared by two posts.
    laptop, phone = FeedWriter(root), FeedWriter(root)
    for writer in (laptop, phone):
        writer.cert()
        for n in range(5):
            writer.append(ct.POST, {"text": f"post {n}"})
    store = Store.create(tmp_path / "s", PASSPHRASE, FAST_KDF)
    store.ingest([r.raw for r in laptop.records + phone.records])
    everything = store.timeline(root.public, limit=100)
    assert len({p.timestamp for p in everything}) == 5

    seen: list[RecordId] = []
    before: tuple[int, bytes] | None = None
    while page := store.timeline(root.public, limit=3, before=before):
        seen.extend(p.id for p in page)
        before = (page[-1].timestamp, page[-1].id)

    assert seen == [p.id for p in everything]
    assert len(set(seen)) == 10
    assert [(p.timestamp, p.id) for p in everything] == sorted(
        ((p.timestamp, p.id) for p in everything), reverse=True
    )
    store.close()


# -- editing --------------------------------------------------------------------------------


def test_an_edit_shows_the_new_text_under_the_original_id(alice: Profile) -> None:
    original = alice.post("frist post", tags=["Hello"])
    alice.post("another post")

    alice.edit(original.id, "first post")
    alice.edit(original.id, "first post!")

    timeline = alice.timeline()
    assert [(p.text, p.edited) for p in timeline] == [
        ("another post", False),
        ("first post!", True),
    ]
    edited = timeline[1]
    assert edited.id == original.id
    assert edited.timestamp == original.header.timestamp
    assert edited.tags == ("hello",)
    assert alice.store.post(original.id) == edited


def test_editing_someone_elses_post_raises_user_error(alice: Profile, carol: Profile) -> None:
    theirs = alice.post("not yours to edit")
    copy_records(alice.store, carol.store)

    with pytest.raises(UserError, match=r"^you can only change your own posts$"):
        carol.edit(theirs.id, "vandalized")
    with pytest.raises(UserError, match=r"^you can only change your own posts$"):
        carol.delete(theirs.id)
    with pytest.raises(NotFound):
        carol.edit(RecordId(b"\x01" * 32), "no such post")

    assert carol.store.heads()[carol.device_key] == 2  # nothing published


def test_an_edit_by_another_identity_does_not_change_the_post(
    alice: Profile, carol: Profile
) -> None:
    theirs = alice.post("the real text")
    carol.publish(ct.POST, {"text": "forged edit", "edits": theirs.id})
    carol.follow(alice.identity)
    copy_records(alice.store, carol.store)

    assert [(p.text, p.edited) for p in carol.timeline() if p.id == theirs.id] == [
        ("the real text", False)
    ]


# -- deleting -------------------------------------------------------------------------------


def test_delete_removes_the_post_and_purges_its_text_everywhere(tmp_path: Path) -> None:
    data_dir = tmp_path / "p"
    profile = make_profile(data_dir)
    marker = "marker-" + RootKey.generate().seed.hex()
    doomed = profile.post(f"delete me {marker}", tags=["gone"])
    edit = profile.edit(doomed.id, f"edited {marker}")
    profile.post("keep me")
    profile.close()
    assert marker.encode() in decrypted_pages(data_dir, PASSPHRASE)  # the probe sees text

    profile = Profile.open(data_dir, PASSPHRASE)
    profile.delete(doomed.id)

    assert texts(profile) == ["keep me"]
    assert profile.store.post(doomed.id) is None
    stored = profile.store.record(doomed.id)
    assert stored is not None
    assert parse_record(stored).content is None
    assert posts_row(profile.store, doomed.id) == (None, 1)
    # The edit goes with the post it edits.
    stored_edit = profile.store.record(edit.id)
    assert stored_edit is not None
    assert parse_record(stored_edit).content is None
    assert posts_row(profile.store, edit.id) == (None, 1)
    with pytest.raises(NotFound):
        profile.delete(doomed.id)
    profile.close()

    plain_marker = marker.encode()
    assert [p.name for p in data_dir.iterdir() if plain_marker in p.read_bytes()] == []
    assert plain_marker not in decrypted_pages(data_dir, PASSPHRASE)


def test_a_tombstone_that_arrives_before_its_post_hides_and_purges_it(
    tmp_path: Path, alice: Profile
) -> None:
    phone = Profile.restore(tmp_path / "phone", PASSPHRASE, alice.root.phrase(), kdf=FAST_KDF)
    marker = "marker-" + RootKey.generate().seed.hex()
    doomed = alice.post(f"regretted {marker}")
    alice.post("still here")
    copy_records(alice.store, phone.store)
    phone.delete(doomed.id)  # the phone deletes a post of the laptop
    reader_dir = tmp_path / "reader"
    reader = make_profile(reader_dir, "Reader")
    reader.follow(alice.identity)

    phone_feed = reader.store.ingest(feed_of(phone))
    assert {r.outcome for r in phone_feed} == {Outcome.ACCEPTED}
    laptop_feed = reader.store.ingest(feed_of(alice))
    assert {r.outcome for r in laptop_feed} == {Outcome.ACCEPTED}

    assert texts(reader) == ["still here"]
    assert reader.store.post(doomed.id) is None
    stored = reader.store.record(doomed.id)
    assert stored is not None
    assert parse_record(stored).content is None
    assert posts_row(reader.store, doomed.id) == (None, 1)
    reader.close()
    assert marker.encode() not in decrypted_pages(reader_dir, PASSPHRASE)
    phone.close()


def test_a_deletion_by_another_identity_is_ignored(alice: Profile, carol: Profile) -> None:
    target = alice.post("you cannot delete this")
    carol.publish(ct.DELETE, {"target": target.id})  # bypasses the facade's own-post check
    carol.follow(alice.identity)

    copy_records(alice.store, carol.store)

    assert texts(carol) == ["you cannot delete this"]
    assert carol.store.record(target.id) == target.raw


def test_a_strangers_tombstone_does_not_block_the_authors_deletion(
    alice: Profile, carol: Profile, tmp_path: Path
) -> None:
    target = alice.post("I will regret this")
    carol.publish(ct.DELETE, {"target": target.id})
    reader = make_profile(tmp_path / "reader", "Reader")
    reader.follow(alice.identity)
    reader.store.ingest(feed_of(carol))
    copy_records(alice.store, reader.store)
    assert texts(reader) == ["I will regret this"]

    alice.delete(target.id)
    copy_records(alice.store, reader.store)

    assert texts(reader) == []
    stored = reader.store.record(target.id)
    assert stored is not None
    assert parse_record(stored).content is None
    reader.close()


# -- follow and block -----------------------------------------------------------------------


def test_following_controls_the_timeline(alice: Profile, carol: Profile) -> None:
    alice.post("from alice")
    carol.post("from carol")
    copy_records(alice.store, carol.store)
    assert texts(carol) == ["from carol"]

    carol.follow(alice.identity)
    assert sorted(texts(carol)) == ["from alice", "from carol"]
    assert carol.following() == [alice.identity]

    carol.follow(alice.identity, False)
    assert texts(carol) == ["from carol"]
    assert carol.following() == []

    carol.follow(alice.identity)
    assert sorted(texts(carol)) == ["from alice", "from carol"]
    assert carol.store.followers(alice.identity) == [carol.identity]


def test_blocking_hides_a_followed_identity_until_unblocked(alice: Profile, carol: Profile) -> None:
    alice.post("from alice")
    copy_records(alice.store, carol.store)
    carol.follow(alice.identity)

    carol.block(alice.identity)
    assert texts(carol) == []
    assert carol.blocked() == [alice.identity]
    assert carol.following() == [alice.identity]

    carol.block(alice.identity, False)
    assert texts(carol) == ["from alice"]
    assert carol.blocked() == []


def test_following_or_blocking_yourself_is_refused(alice: Profile) -> None:
    with pytest.raises(UserError, match=r"^you cannot follow yourself$"):
        alice.follow(alice.identity)
    with pytest.raises(UserError, match=r"^you cannot block yourself$"):
        alice.block(alice.identity)


@pytest.mark.parametrize("arrival", ["newest last", "newest first"])
def test_the_latest_follow_block_profile_and_edit_win_whatever_the_arrival_order(
    tmp_path: Path, arrival: str
) -> None:
    root, target = RootKey.generate(), IdentityKey(RootKey.generate().public)
    # Two devices of one identity; every record of ``late`` is newer than any of ``early``.
    early, late = FeedWriter(root), FeedWriter(root, clock=1_800_000_000_000)
    early.cert()
    early.append(ct.FOLLOW, {"target": target, "following": True})
    early.append(ct.BLOCK, {"target": target, "blocked": False})
    early.append(ct.PROFILE, {"name": "Old name"})
    original = early.append(ct.POST, {"text": "original"})
    early.append(ct.POST, {"text": "early edit", "edits": original.id})
    late.cert()
    late.append(ct.FOLLOW, {"target": target, "following": False})
    late.append(ct.BLOCK, {"target": target, "blocked": True})
    late.append(ct.PROFILE, {"name": "New name"})
    late.append(ct.POST, {"text": "late edit", "edits": original.id})
    feeds = [early.records, late.records]
    if arrival == "newest first":
        feeds.reverse()
    store = Store.create(tmp_path / "s", PASSPHRASE, FAST_KDF)

    for feed in feeds:
        store.ingest([r.raw for r in feed])

    assert store.related(root.public, "follow") == []
    assert store.related(root.public, "block") == [target]
    assert store.profile(root.public) == ProfileView(root.public, "New name", "", None)
    view = store.post(original.id)
    assert view is not None
    assert (view.text, view.edited, view.author_name) == ("late edit", True, "New name")
    store.close()


# -- profile and images ---------------------------------------------------------------------


def test_set_profile_keeps_the_fields_not_given(alice: Profile) -> None:
    avatar = Image.from_bytes(PNG)
    avatar_ref = BlobRef(BlobHash(blake2b256(PNG)), "image/png", len(PNG))

    alice.set_profile(name="Alice L.", bio="likes tests", avatar=avatar)
    assert alice.my_profile() == ProfileView(alice.identity, "Alice L.", "likes tests", avatar_ref)

    alice.set_profile(bio="likes more tests")
    assert alice.my_profile() == ProfileView(
        alice.identity, "Alice L.", "likes more tests", avatar_ref
    )

    alice.set_profile(name="Al")
    assert alice.my_profile() == ProfileView(alice.identity, "Al", "likes more tests", avatar_ref)
    assert alice.blob(avatar_ref.hash) == (PNG, "image/png")


def test_a_follower_sees_the_latest_profile(alice: Profile, carol: Profile) -> None:
    alice.set_profile(name="Alice L.", bio="v2")
    alice.post("hi")
    carol.follow(alice.identity)

    copy_records(alice.store, carol.store)

    assert carol.store.profile(alice.identity) == ProfileView(
        alice.identity, "Alice L.", "v2", None
    )
    assert [p.author_name for p in carol.timeline()] == ["Alice L."]


def test_a_follower_sees_the_avatar_size_the_profile_record_states(
    alice: Profile, carol: Profile
) -> None:
    alice.set_profile(avatar=Image.from_bytes(PNG))

    copy_records(alice.store, carol.store)  # records only: blobs travel separately

    assert carol.blob(BlobHash(blake2b256(PNG))) is None
    assert carol.store.profile(alice.identity) == ProfileView(
        alice.identity, "Alice", "", BlobRef(BlobHash(blake2b256(PNG)), "image/png", len(PNG))
    )


def test_another_device_can_edit_the_profile_before_the_avatar_blob_arrives(
    tmp_path: Path, alice: Profile
) -> None:
    alice.set_profile(avatar=Image.from_bytes(PNG))
    phone = Profile.restore(tmp_path / "phone", PASSPHRASE, alice.root.phrase(), kdf=FAST_KDF)
    copy_records(alice.store, phone.store)

    try:
        phone.set_profile(bio="written on the phone")
        assert phone.my_profile() == ProfileView(
            alice.identity,
            "Alice",
            "written on the phone",
            BlobRef(BlobHash(blake2b256(PNG)), "image/png", len(PNG)),
        )
    finally:
        phone.close()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
        (GIF, "image/gif"),
        (b"GIF87a old gif", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
def test_image_from_bytes_recognizes_the_image_formats(data: bytes, mime: str) -> None:
    assert Image.from_bytes(data) == Image(data, mime)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an image at all", r"^unsupported image format \(use PNG, JPEG, GIF or WebP\)$"),
        (b"%PDF-1.7", r"^unsupported image format"),
        (b"", r"^the image file is empty$"),
        (PNG + b"\x00" * ct.MAX_BLOB_SIZE, r"^images are limited to 8 MiB$"),
    ],
)
def test_image_from_bytes_rejects_what_it_cannot_show(data: bytes, message: str) -> None:
    with pytest.raises(UserError, match=message):
        Image.from_bytes(data)


# -- posting --------------------------------------------------------------------------------


def test_a_reply_points_to_its_parent(alice: Profile) -> None:
    question = alice.post("question?")

    answer = alice.post("answer", reply_to=question.id)

    view = alice.store.post(answer.id)
    assert view is not None
    assert view.reply_to == question.id
    assert [p.reply_to for p in alice.timeline()] == [question.id, None]
    with pytest.raises(NotFound):
        alice.post("to nothing", reply_to=RecordId(b"\x02" * 32))


def test_tags_are_lower_cased_without_hash_and_deduplicated(alice: Profile) -> None:
    record = alice.post("tagged", tags=["Python", "#Rust", "PYTHON", "p2p"])

    assert record.content is not None
    assert record.content["tags"] == ["python", "rust", "p2p"]
    assert alice.timeline()[0].tags == ("python", "rust", "p2p")


def test_images_are_stored_as_blobs_and_referenced_by_the_post(alice: Profile) -> None:
    images = [Image.from_bytes(PNG), Image.from_bytes(GIF)]

    record = alice.post("", images=images)

    (view,) = alice.timeline()
    assert view.id == record.id
    assert view.text == ""
    assert view.images == (
        BlobRef(BlobHash(blake2b256(PNG)), "image/png", len(PNG)),
        BlobRef(BlobHash(blake2b256(GIF)), "image/gif", len(GIF)),
    )
    assert [alice.blob(ref.hash) for ref in view.images] == [
        (PNG, "image/png"),
        (GIF, "image/gif"),
    ]
    assert sorted(alice.store.blob_hashes()) == sorted(ref.hash for ref in view.images)


def test_a_post_without_text_or_image_is_invalid(alice: Profile) -> None:
    with pytest.raises(InvalidRecord, match=r"^a post needs text or an image$"):
        alice.post("   ")

    assert texts(alice) == []
