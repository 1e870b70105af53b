"""The core facade: one unlocked profile (identity + this device + the store).

The CLI and the desktop UI do everything through this class. Every method blocks (database,
Argon2id): call it from a worker thread in the app.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.signing

from . import content as ct
from .errors import InvalidRecord, NotFound, StoreError, UserError
from .identity import MAX_DEVICE_NAME, RootKey
from .ids import BlobHash, DeviceKey, IdentityKey, RecordId
from .kdf import KdfParams
from .plugins import PluginHost, SearchHit, SearchQuery
from .records import SignedRecord, parse_record, sign_record
from .store import DeviceView, PostView, ProfileView, Store, now_ms
from .store.db import remove_database
from .store.store import ingest_or_raise

ROOT_SEED = "root_seed"
DEVICE_SEED = "device_seed"


@dataclass(frozen=True, slots=True)
class Activity:
    """What happened since a moment: for the unread count and notifications."""

    new_posts: int
    """Posts by others in the timeline (up to the window asked for)."""
    latest_author: str | None
    replies: tuple[PostView, ...]
    """Others' replies to our posts, newest first."""
    new_followers: tuple[IdentityKey, ...]


@dataclass(frozen=True, slots=True)
class Image:
    """Image bytes with their MIME type, to attach or to use as an avatar."""

    data: bytes
    mime: str

    @classmethod
    def from_bytes(cls, data: bytes) -> Image:
        """Recognize PNG, JPEG, GIF or WebP by its magic bytes.

        Raises:
            UserError: not one of those formats, empty, or larger than the blob limit.
        """
        if not data:
            raise UserError("the image file is empty")
        if len(data) > ct.MAX_BLOB_SIZE:
            raise UserError(f"images are limited to {ct.MAX_BLOB_SIZE // (1024 * 1024)} MiB")
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return cls(data, "image/png")
        if data.startswith(b"\xff\xd8\xff"):
            return cls(data, "image/jpeg")
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return cls(data, "image/gif")
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return cls(data, "image/webp")
        raise UserError("unsupported image format (use PNG, JPEG, GIF or WebP)")


def default_device_name() -> str:
    """This machine's host name, cut to the certificate's limit."""
    return (socket.gethostname() or "device")[:64]


_PLUGIN_DOMAIN = re.compile(rb"smd-[a-z][a-z0-9]{1,30}/[a-z0-9-]{1,64}/[1-9][0-9]{0,3}\x00")


class Profile:
    """An unlocked profile. Build with :meth:`create`, :meth:`restore` or :meth:`open`."""

    def __init__(
        self,
        store: Store,
        root: RootKey,
        device: nacl.signing.SigningKey,
        plugins: PluginHost | None = None,
    ) -> None:
        self.store = store
        self.root = root
        self._device = device
        self._publish_lock = threading.Lock()
        self.plugins = plugins or PluginHost()
        """The plugins bound to this profile's store (none when built without a host)."""
        self.plugins.attach(store)

    # -- life cycle ----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        data_dir: Path,
        passphrase: str,
        *,
        name: str | None,
        root: RootKey | None = None,
        device_name: str | None = None,
        kdf: KdfParams | None = None,
        plugins: PluginHost | None = None,
    ) -> Profile:
        """A new store holding ``root`` (or a new identity) and a new device of it.

        The device's first record is its certificate; a profile record follows when ``name``
        is given.
        """
        device_name = device_name or default_device_name()
        if len(device_name) > MAX_DEVICE_NAME:
            raise UserError(f"a device name has at most {MAX_DEVICE_NAME} characters")
        if name is not None:
            try:
                ct.validate_profile({"name": name})
            except InvalidRecord as exc:
                raise UserError(str(exc)) from exc
        store = Store.create(data_dir, passphrase, kdf or KdfParams.moderate())
        try:
            root = root or RootKey.generate()
            device = nacl.signing.SigningKey.generate()
            store.set_meta({ROOT_SEED: root.seed, DEVICE_SEED: bytes(device)})
            profile = cls(store, root, device, plugins)
            profile.publish(
                ct.CERT,
                root.certify(profile.device_key, name=device_name, issued=now_ms()),
            )
            if name is not None:
                profile.set_profile(name=name)
        except BaseException:
            # Leave nothing half-made behind: a retry must not meet "profile exists".
            store.close()
            remove_database(data_dir)
            raise
        return profile

    @classmethod
    def restore(
        cls,
        data_dir: Path,
        passphrase: str,
        phrase: str,
        *,
        name: str | None = None,
        kdf: KdfParams | None = None,
        plugins: PluginHost | None = None,
    ) -> Profile:
        """The identity of a recovery phrase, as a *new* device (never an old feed)."""
        root = RootKey.from_phrase(phrase)  # check the phrase before creating files
        return cls.create(data_dir, passphrase, name=name, root=root, kdf=kdf, plugins=plugins)

    @classmethod
    def open(cls, data_dir: Path, passphrase: str, *, plugins: PluginHost | None = None) -> Profile:
        """Unlock the profile in ``data_dir`` (raises NoProfile or WrongPassphrase)."""
        store = Store.open(data_dir, passphrase)
        root_seed, device_seed = store.get_meta(ROOT_SEED), store.get_meta(DEVICE_SEED)
        if root_seed is None or device_seed is None:
            store.close()
            raise StoreError("the profile is missing its keys")
        try:
            return cls(store, RootKey(root_seed), nacl.signing.SigningKey(device_seed), plugins)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def change_passphrase(self, new_passphrase: str, kdf: KdfParams | None = None) -> None:
        """Re-key the database under a new passphrase."""
        self.store.change_passphrase(new_passphrase, kdf or KdfParams.moderate())

    # -- who we are ------------------------------------------------------------------------

    @property
    def identity(self) -> IdentityKey:
        """This profile's identity key."""
        return self.root.public

    @property
    def device_key(self) -> DeviceKey:
        """This device's key (the author of its feed; the libp2p host key)."""
        return DeviceKey(bytes(self._device.verify_key))

    @property
    def device_seed(self) -> bytes:
        """This device's private seed, for building the libp2p host. Keep it in memory only."""
        return bytes(self._device)

    def device_certificate(self) -> dict[str, Any]:
        """The content of this device's certificate (``smd/cert/1``, our feed's first record):
        embed it next to a detached signature so others can check it offline."""
        first = parse_record(self.store.read_range(self.device_key, 1, 1)[0])
        assert first.content is not None  # a certificate is never purged
        return first.content

    def sign_detached(self, domain: bytes, message: bytes) -> bytes:
        """This device's Ed25519 signature of ``domain + message`` (for plugins, e.g. the two
        signatures of a deal).

        Rule: ``domain`` is ``b"smd-<plugin>/<purpose>/<version>\0"``; the shape keeps such
        signatures apart from record and certificate signatures.

        Raises:
            ValueError: the domain has another shape.
        """
        if not _PLUGIN_DOMAIN.fullmatch(domain):
            raise ValueError(f"signature domain {domain!r} is not smd-<plugin>/<purpose>/<n>\\0")
        return bytes(self._device.sign(domain + message).signature)

    def devices(self) -> list[DeviceView]:
        """This identity's device feeds that we know of."""
        return self.store.devices(self.identity)

    def is_revoked(self) -> bool:
        """Whether another device of this identity revoked this one."""
        return any(
            d.device == self.device_key and d.revoked_after is not None for d in self.devices()
        )

    def my_profile(self) -> ProfileView | None:
        """Our latest profile record, if any."""
        return self.store.profile(self.identity)

    # -- publishing ------------------------------------------------------------------------

    def publish(self, type_: str, content: dict[str, Any]) -> SignedRecord:
        """Sign ``content`` as the next record of this device's feed and store it.

        Raises:
            InvalidRecord: the content breaks its type's rules.
        """
        with self._publish_lock:
            if self.is_revoked():
                raise UserError(
                    "this device was revoked by another of your devices; it can no longer publish"
                )
            head = self.store.head(self.device_key)
            timestamp = now_ms()
            prev: RecordId | None = None
            seq = 1
            if head is not None:
                seq, prev = head[0] + 1, head[1]
                last = parse_record(self.store.read_range(self.device_key, head[0], 1)[0])
                # Keep our own feed's clock monotonic: "latest wins" rules compare timestamps.
                timestamp = max(timestamp, last.header.timestamp + 1)
            record = sign_record(
                self._device, seq=seq, prev=prev, timestamp=timestamp, type=type_, content=content
            )
            # Checked here although ingest checks again: this is what raises InvalidRecord (the
            # caller's content) before anything is stored, where ingest could only report a
            # rejection. The repeat costs ~1.5 us of a ~1 ms publish; ingest's signature check
            # (~55 us) is the one that matters and must stay for records from peers.
            ct.validate_record(record, self.store.validators)
            ingest_or_raise(self.store, [record.raw])
            return record

    def _blob_ref(self, image: Image) -> dict[str, Any]:
        digest = self.store.put_blob(image.data, image.mime)
        return {"hash": digest, "mime": image.mime, "size": len(image.data)}

    def set_profile(
        self, *, name: str | None = None, bio: str | None = None, avatar: Image | None = None
    ) -> SignedRecord:
        """Publish a profile; fields not given keep their current values."""
        current = self.my_profile()
        new: dict[str, Any] = {}
        new_name = name if name is not None else (current.name if current else None)
        if not new_name:
            raise UserError("a profile needs a name")
        new["name"] = new_name
        new_bio = bio if bio is not None else (current.bio if current else "")
        if new_bio:
            new["bio"] = new_bio
        if avatar is not None:
            new["avatar"] = self._blob_ref(avatar)
        elif current is not None and current.avatar is not None:
            ref = current.avatar
            new["avatar"] = {"hash": ref.hash, "mime": ref.mime, "size": ref.size}
        return self.publish(ct.PROFILE, new)

    def post(
        self,
        text: str,
        *,
        reply_to: RecordId | None = None,
        tags: Sequence[str] = (),
        images: Sequence[Image] = (),
    ) -> SignedRecord:
        """Publish a post (tags are lower-cased; images are stored as blobs)."""
        c: dict[str, Any] = {"text": text}
        if reply_to is not None:
            if self.store.record(reply_to) is None:
                raise NotFound(f"no post {reply_to.hex()} to reply to")
            c["reply_to"] = reply_to
        if tags:
            c["tags"] = list(dict.fromkeys(t.lower().lstrip("#") for t in tags))
        if images:
            c["images"] = [self._blob_ref(i) for i in images]
        return self.publish(ct.POST, c)

    def _own_post(self, record_id: RecordId) -> PostView:
        view = self.store.post(record_id)
        if view is None:
            raise NotFound(f"no post {record_id.hex()}")
        if view.identity != self.identity:
            raise UserError("you can only change your own posts")
        return view

    def edit(self, record_id: RecordId, text: str) -> SignedRecord:
        """Publish a new version of one of our posts (tags, images and reply kept)."""
        view = self._own_post(record_id)
        c: dict[str, Any] = {"text": text, "edits": view.id}
        if view.reply_to is not None:
            c["reply_to"] = view.reply_to
        if view.tags:
            c["tags"] = list(view.tags)
        if view.images:
            c["images"] = [{"hash": i.hash, "mime": i.mime, "size": i.size} for i in view.images]
        return self.publish(ct.POST, c)

    def delete(self, record_id: RecordId) -> SignedRecord:
        """Publish a tombstone for one of our posts; its text is purged locally at once."""
        self._own_post(record_id)
        return self.publish(ct.DELETE, {"target": record_id})

    def retract(self, record_id: RecordId) -> SignedRecord:
        """Publish a tombstone for one of our own records of any type but certificates and
        revocations (plugins use it); its content is purged here at once, and wherever the
        tombstone travels."""
        raw = self.store.record(record_id)
        if raw is None:
            raise NotFound(f"no record {record_id.hex()}")
        if self.store.record_identity(record_id) != self.identity:
            raise UserError("you can only delete your own records")
        if parse_record(raw).type in (ct.CERT, ct.REVOKE, ct.DELETE):
            raise UserError("certificates, revocations and deletions cannot be deleted")
        return self.publish(ct.DELETE, {"target": record_id})

    def follow(self, identity: IdentityKey, following: bool = True) -> SignedRecord:
        """Follow (or unfollow) an identity."""
        if identity == self.identity:
            raise UserError("you cannot follow yourself")
        return self.publish(ct.FOLLOW, {"target": identity, "following": following})

    def block(self, identity: IdentityKey, blocked: bool = True) -> SignedRecord:
        """Block (or unblock) an identity: their posts leave the timeline."""
        if identity == self.identity:
            raise UserError("you cannot block yourself")
        return self.publish(ct.BLOCK, {"target": identity, "blocked": blocked})

    def revoke_device(self, device: DeviceKey, reason: str = "") -> SignedRecord:
        """Revoke one of this identity's other devices from its current head on.

        A device whose feed never reached us (a lost machine that never synced) is revoked
        entirely: all its records, past and future, become invalid.
        """
        if device == self.device_key:
            raise UserError("this device cannot revoke itself; revoke it from another device")
        owner = self.store.identity_of(device)
        if owner is not None and owner != self.identity:
            raise UserError("that device belongs to another identity")
        known = {d.device: d for d in self.devices()}
        if device in known and known[device].revoked_after is not None:
            raise UserError("that device is already revoked")
        after = known[device].head_seq if device in known else 0
        return self.publish(
            ct.REVOKE, self.root.revoke(device, after_seq=after, issued=now_ms(), reason=reason)
        )

    # -- reading ---------------------------------------------------------------------------

    def timeline(
        self, *, limit: int = 50, before: tuple[int, bytes] | None = None
    ) -> list[PostView]:
        """Posts of self and followed identities, newest first."""
        return self.store.timeline(self.identity, limit=limit, before=before)

    def activity_since(self, since: int, *, window: int = 200) -> Activity:
        """New posts by others, replies to us and new followers after ``since`` (ms).

        Timestamps are what authors claimed; a clock far ahead can look new for long.
        """
        posts = [
            p
            for p in self.timeline(limit=window)
            if p.timestamp > since and p.identity != self.identity
        ]
        return Activity(
            new_posts=len(posts),
            latest_author=posts[0].author_name if posts else None,
            replies=tuple(self.store.replies_to(self.identity, since=since, limit=20)),
            new_followers=tuple(self.store.followers_since(self.identity, since)),
        )

    def following(self) -> list[IdentityKey]:
        """Identities we follow."""
        return self.store.related(self.identity, "follow")

    def blocked(self) -> list[IdentityKey]:
        """Identities we block."""
        return self.store.related(self.identity, "block")

    def search(self, text: str, *, limit: int = 50, **filters: str) -> list[SearchHit]:
        """Search every active plugin's data (e.g. all reference directories we hold),
        leaving out the people we blocked."""
        hidden = frozenset(self.blocked())
        return self.plugins.search(SearchQuery(text, filters, limit=limit, hidden_authors=hidden))

    def blob(self, digest: BlobHash) -> tuple[bytes, str] | None:
        """A stored blob."""
        return self.store.get_blob(digest)
