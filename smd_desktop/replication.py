"""The core seen as p2p's interfaces: device feeds grouped by identity, blobs, mailboxes.

Which identities a node replicates: its own, the ones it follows, and (``hops=2``, the
default) the ones those follow, minus the ones it blocks. It serves any feed it holds to a peer
that wants it, so posts travel through mutual friends while their author is offline.

Direct messages (:class:`ProfileDirect`): p2p knows device keys and opaque payloads; the core
(``profile.plugins.direct``) knows who owns a device (the feeds we hold), which plugin takes a
kind, and the outbox. The adapter only translates; the rules live in
``smd_desktop/core/plugins/_direct.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from p2p.interfaces import DirectAnswer, IngestCounts, OutgoingDirect

from .core.content import CERT
from .core.errors import InvalidRecord
from .core.identity import validate_cert
from .core.ids import BlobHash, DeviceKey, IdentityKey, blake2b256
from .core.plugins import MessageId
from .core.profile import Profile
from .core.records import parse_record
from .core.store import IngestResult, Outcome
from .core.store.ingest import check

DEFAULT_HOPS = 2


class ProfileLogStore:
    """Implements ``p2p.interfaces.LogStore`` and ``RecordInspector`` over a :class:`Profile`.

    Construct it off the GUI thread: it reads which identity each known device belongs to, and
    keeps that map in memory so gossip validation never waits for the database.
    """

    def __init__(
        self,
        profile: Profile,
        *,
        hops: int = DEFAULT_HOPS,
        on_ingest: Callable[[list[IngestResult]], None] | None = None,
    ) -> None:
        self.profile = profile
        self.hops = hops
        self._on_ingest = on_ingest
        self._identity_of: dict[bytes, bytes] = {
            d.device: d.identity for d in profile.store.devices()
        }

    def wanted_groups(self) -> set[bytes]:
        """Own identity, followed identities up to ``hops`` away, minus blocked ones."""
        store, me = self.profile.store, self.profile.identity
        blocked = set(store.related(me, "block"))
        wanted: set[bytes] = {me}
        frontier: set[IdentityKey] = {me}
        for _ in range(self.hops):
            following = {t for who in frontier for t in store.related(who, "follow")}
            frontier = {t for t in following if t not in wanted and t not in blocked}
            wanted |= frontier
        return wanted

    def heads(self, groups: Collection[bytes]) -> dict[bytes, int]:
        """Heads of the device feeds of ``groups`` (revoked feeds stop at their limit)."""
        wanted = set(groups)
        return {
            d.device: d.head_seq
            for d in self.profile.store.devices()
            if d.identity in wanted and d.head_seq > 0
        }

    def group_of(self, log: bytes) -> bytes | None:
        """The identity a device feed belongs to."""
        return self.profile.store.identity_of(DeviceKey(log))

    def read_range(self, log: bytes, start: int, limit: int) -> list[bytes]:
        """Records of a device feed from ``start`` on."""
        return self.profile.store.read_range(DeviceKey(log), start, limit)

    def ingest(self, records: Sequence[bytes]) -> IngestCounts:
        """Verify and store; committed when this returns."""
        results = self.profile.store.ingest(records)
        for result in results:
            author = result.author
            if result.outcome is Outcome.ACCEPTED and author and author not in self._identity_of:
                identity = self.profile.store.identity_of(author)
                if identity is not None:
                    self._identity_of[author] = identity
        if self._on_ingest is not None:
            self._on_ingest(results)
        tally = dict.fromkeys(Outcome, 0)
        for result in results:
            tally[result.outcome] += 1
        return IngestCounts(
            accepted=tally[Outcome.ACCEPTED],
            duplicate=tally[Outcome.DUPLICATE],
            pending=tally[Outcome.PENDING],
            fork=tally[Outcome.FORK],
            rejected=tally[Outcome.REJECTED],
        )

    # -- RecordInspector: gossip's first-hop check (pure CPU, no database) ----------------

    def record_id(self, record: bytes) -> bytes:
        """The record id, or a hash of the bytes for junk (so junk is deduplicated too)."""
        try:
            return parse_record(record).id
        except InvalidRecord:
            return blake2b256(b"not-a-record:" + record)

    def acceptable(self, group: bytes, record: bytes) -> bool:
        """Authentic and valid, and authored by a device of ``group`` (or a device we do not
        know yet, which waits as pending until sync brings its certificate)."""
        try:
            checked = check(record, self.profile.store.validators)
        except InvalidRecord:
            return False
        if checked.type == CERT and checked.content is not None:
            return bool(validate_cert(checked.content).identity == group)
        known = self._identity_of.get(checked.author)
        return known is None or known == group


class ProfileBlobSource:
    """Implements ``p2p.blob_driver.BlobSource``: serves the blobs this profile holds."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    def get_blob(self, digest: bytes, /) -> tuple[str, bytes] | None:
        """(mime, bytes) of a blob we hold."""
        found = self.profile.store.get_blob(BlobHash(digest))
        return None if found is None else (found[1], found[0])


class ProfileDirect:
    """Implements ``DirectInbox`` and ``DirectOutbox`` over a :class:`Profile`.

    Every method blocks (database, plugin hooks): the node calls them in a worker thread.

    Args:
        profile: The unlocked profile whose plugins send and receive.
        on_change: Called (in the worker thread) after a plugin took a message or a reply,
            e.g. to refresh the UI.
    """

    def __init__(self, profile: Profile, *, on_change: Callable[[], None] | None = None) -> None:
        self.profile = profile
        self._direct = profile.plugins.direct
        self._on_change = on_change

    # -- DirectInbox ---------------------------------------------------------------------------

    def handle(self, device: bytes, message_id: bytes, kind: str, payload: bytes) -> DirectAnswer:
        """Hand a delivered message to the plugin owning ``kind`` (see ``DirectMessages.receive``
        for when it is refused)."""
        answer = self._direct.receive(
            self.profile, DeviceKey(device), MessageId(message_id), kind, payload
        )
        if answer.accepted and self._on_change is not None:
            self._on_change()
        return DirectAnswer(answer.accepted, answer.reply, answer.reason)

    # -- DirectOutbox --------------------------------------------------------------------------

    def revision(self) -> int:
        """Changes when messages may have been queued."""
        return self._direct.revision()

    def due(self, device: bytes) -> list[OutgoingDirect]:
        """Messages for the person owning ``device`` (none if we hold no certificate for it)."""
        return [
            OutgoingDirect(m.id, m.kind, m.payload) for m in self._direct.claim(DeviceKey(device))
        ]

    def delivered(self, message_id: bytes, device: bytes, reply: bytes) -> None:
        """Hand the reply to the sending plugin; the message leaves the outbox."""
        taken = self._direct.deliver_reply(self.profile, MessageId(message_id), reply)
        if taken and self._on_change is not None:
            self._on_change()

    def failed(self, message_id: bytes, device: bytes, reason: str, *, refused: bool) -> None:
        """Count the attempt; a refusal delays the next one."""
        self._direct.record_failure(MessageId(message_id), reason, backoff=refused)
