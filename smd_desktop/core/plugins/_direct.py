"""Direct messages: small payloads a plugin sends to one person's devices, with a reply.

A plugin queues a message for an identity (:meth:`DirectMessages.send`); the node hands it to
the first device of that identity it meets (p2p ``/smd/direct/1.0.0``); the receiving SMD gives
it to the plugin that owns the kind's namespace (``smd_direct_message``), whose return value
travels back as the reply and reaches the sending plugin (``smd_direct_reply``). Nothing is
published in feeds.

Guarantees and their limits:

* **At least once, deduplicated.** The receiver remembers every accepted message id per sender
  with its reply (:data:`SEEN_TTL_MS`), so a retried message (the reply was lost on the way)
  gets the same reply without reaching the plugin again. A crash between a hook and the
  bookkeeping after it can still repeat a hook call: hooks are idempotent by message id.
* **One device.** A message goes to one device of the recipient (whichever answers first).
* **Only known devices.** The receiver accepts messages only from devices whose certificate it
  holds (it replicates the sender's feed), that are not revoked and whose identity it does not
  block; the sender keeps retrying a refused message, with a growing delay, until it is
  delivered or cancelled.

This module is the core half: no network. ``smd_desktop/direct_adapter.py`` connects it to the
node. Every method blocks (database): call it from a worker thread in the app.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NewType

from ..errors import UserError
from ..ids import KEY_SIZE, DeviceKey, IdentityKey
from ..store import Store, now_ms

if TYPE_CHECKING:
    from ..profile import Profile
    from ._host import PluginHost

__all__ = [
    "KIND_PATTERN",
    "MAX_DIRECT_PAYLOAD",
    "MAX_QUEUED_PER_PLUGIN",
    "MESSAGE_ID_SIZE",
    "DirectAnswer",
    "DirectMessage",
    "DirectMessages",
    "MessageId",
    "OutgoingMessage",
]

MessageId = NewType("MessageId", bytes)
"""16 random bytes naming one direct message (chosen by its sender)."""

MESSAGE_ID_SIZE: Final = 16
MAX_DIRECT_PAYLOAD: Final = 32 * 1024
"""Most bytes in a message's payload, and in a reply (the wire protocol's limit too)."""
MAX_REASON_CHARS: Final = 200
"""Most characters of a refusal's reason (it travels to the sender)."""
MAX_ERROR_CHARS: Final = 400
MAX_QUEUED_PER_PLUGIN: Final = 1000
"""Most messages one plugin may have waiting in the outbox."""
KIND_PATTERN: Final = re.compile(r"^([a-z][a-z0-9]{1,30})/[a-z][a-z0-9-]{0,30}$")
"""``<plugin name>/<name>``, e.g. ``ratings/offer``: the plugin named first handles it."""
SEEN_TTL_MS: Final = 90 * 24 * 3_600_000
"""How long a receiver remembers an accepted message (and its reply) against repeats."""
RETRY_BASE_MS: Final = 5_000
RETRY_MAX_MS: Final = 3_600_000
CLAIM_MS: Final = 120_000
"""How long a message handed to the node stays reserved for that attempt (longer than any
attempt takes); a message whose attempt never reported back is offered again afterwards."""
DUE_LIMIT: Final = 32
"""Most messages handed to the node for one device at once."""


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """A direct message received from another SMD (``smd_direct_message`` gets it)."""

    id: MessageId
    sender: IdentityKey
    """The person who sent it (the identity that certified ``device``)."""
    device: DeviceKey
    """The sender's device that delivered it (Noise-authenticated)."""
    kind: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message our plugin queued, waiting for a device of ``to`` to answer."""

    id: MessageId
    to: IdentityKey
    kind: str
    payload: bytes
    created: int
    """When it was queued (ms since the epoch)."""
    attempts: int
    """Failed attempts so far (refusals and lost links)."""
    last_error: str | None
    """Why the last attempt failed, in a sentence (the recipient's own words for a refusal)."""


@dataclass(frozen=True, slots=True)
class DirectAnswer:
    """What this SMD answers a received message: accepted with a reply, or refused and why.

    A refusal means the message was *not* handled; its sender tries again later.
    """

    accepted: bool
    reply: bytes = b""
    reason: str = ""

    @classmethod
    def refuse(cls, reason: str) -> DirectAnswer:
        """A refusal (the reason is cut to 200 characters: it travels to the sender)."""
        return cls(False, b"", reason[:MAX_REASON_CHARS])


def kind_owner(kind: str) -> str | None:
    """The plugin name a well-formed kind belongs to, else None."""
    match = KIND_PATTERN.fullmatch(kind) if isinstance(kind, str) else None
    return match.group(1) if match else None


def retry_delay_ms(attempts: int) -> int:
    """The wait after the ``attempts``-th refusal: 5 s doubling up to 1 h."""
    return int(min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** min(max(attempts - 1, 0), 20)))


class DirectMessages:
    """The direct-message outbox and inbox of one profile (``profile.plugins.direct``).

    Plugins use :meth:`send`, :meth:`pending` and :meth:`cancel`; the app's node adapter uses
    the rest. Thread-safe.
    """

    def __init__(self, host: PluginHost) -> None:
        self._host = host
        self._lock = threading.Lock()
        self._claims: dict[bytes, int] = {}  # message id -> claimed until (ms)
        self._handling: set[tuple[bytes, bytes]] = set()  # (sender, id) in a hook right now
        self._revision = 0

    def _store(self) -> Store:
        return self._host._require_store()

    # -- what plugins call -------------------------------------------------------------------

    def send(self, to: IdentityKey, kind: str, payload: bytes) -> MessageId:
        """Queue ``payload`` for the person ``to``; the node delivers it when one of their
        devices is online, and the reply reaches this plugin's ``smd_direct_reply``.

        Args:
            to: The recipient's identity (32 bytes). Our own identity reaches our other
                devices.
            kind: ``<plugin name>/<name>`` (``[a-z][a-z0-9-]{0,30}`` after the slash): the
                sending plugin's own namespace; the same plugin handles it at the recipient.
            payload: At most :data:`MAX_DIRECT_PAYLOAD` bytes, opaque to SMD. It is not signed
                by SMD beyond the channel: sign inside it what a third party must verify.

        Returns:
            The message id (16 bytes): :meth:`pending` and the reply hook name it.

        Raises:
            ValueError: ``to`` is not a 32-byte key, ``kind`` is malformed, or ``payload`` is
                not bytes (a bug in the calling plugin).
            UserError: the payload is too large, the kind's plugin is not active, or it has
                :data:`MAX_QUEUED_PER_PLUGIN` messages waiting already.
        """
        if not isinstance(to, bytes) or len(to) != KEY_SIZE:
            raise ValueError(f"a recipient is a {KEY_SIZE}-byte identity key")
        owner = kind_owner(kind)
        if owner is None:
            raise ValueError(f"a direct message kind is <plugin>/<name>, not {kind!r}")
        if not isinstance(payload, bytes):
            raise ValueError("a direct message payload is bytes")
        if len(payload) > MAX_DIRECT_PAYLOAD:
            raise UserError(
                f"a direct message holds at most {MAX_DIRECT_PAYLOAD} bytes, not {len(payload)}"
            )
        self._host.require_active(owner)
        message_id = MessageId(os.urandom(MESSAGE_ID_SIZE))
        with self._store().writing() as conn:
            (queued,) = conn.execute(
                "SELECT count(*) FROM direct_outbox WHERE substr(kind, 1, ?) = ?",
                (len(owner) + 1, owner + "/"),
            ).fetchone()
            if queued >= MAX_QUEUED_PER_PLUGIN:
                raise UserError(
                    f"the plugin {owner} already has {queued} direct messages waiting; "
                    "cancel some first"
                )
            conn.execute(
                "INSERT INTO direct_outbox (id, to_identity, kind, payload, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (message_id, to, kind, payload, now_ms()),
            )
        with self._lock:
            self._revision += 1
        return message_id

    def pending(
        self, to: IdentityKey | None = None, *, plugin: str | None = None
    ) -> list[OutgoingMessage]:
        """Messages still waiting for a reply, oldest first: all, those for ``to``, and/or
        those of one ``plugin``'s namespace."""
        where: list[str] = []
        args: list[object] = []
        if to is not None:
            where.append("to_identity = ?")
            args.append(bytes(to))
        if plugin is not None:
            where.append("substr(kind, 1, ?) = ?")
            args += [len(plugin) + 1, plugin + "/"]
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
        with self._store().reading() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [_outgoing(row) for row in rows]

    def cancel(self, message_id: MessageId) -> bool:
        """Drop a waiting message; whether it was still waiting.

        A message already on its way may still be delivered; its reply is then dropped
        (``smd_direct_reply`` is not called for a cancelled message).
        """
        with self._store().writing() as conn:
            gone = conn.execute("DELETE FROM direct_outbox WHERE id = ?", (message_id,)).rowcount
        with self._lock:
            self._claims.pop(message_id, None)
        return bool(gone)

    # -- what the node adapter calls: sending ------------------------------------------------

    def revision(self) -> int:
        """A number that changes when messages may have been queued (here or by another
        process on the same database): the node then tries its connected peers."""
        with self._store().reading() as conn:
            (data_version,) = conn.execute("PRAGMA data_version").fetchone()
        with self._lock:
            return self._revision * 1_000_003 + int(data_version)

    def claim(self, device: DeviceKey) -> list[OutgoingMessage]:
        """Messages due for the identity of ``device``, reserved for one delivery attempt.

        Only messages whose plugin is active, whose retry delay has passed and that no other
        attempt holds. A device with no known certificate, or revoked, gets none. Report each
        one back with :meth:`deliver_reply` or :meth:`record_failure`.
        """
        store = self._store()
        identity = _identity_of_live_device(store, device)
        if identity is None:
            return []
        now = now_ms()
        with store.reading() as conn:
            rows = conn.execute(
                _SELECT + " WHERE to_identity = ? AND next_attempt <= ? ORDER BY seq",
                (identity, now),
            ).fetchall()
        claimed: list[OutgoingMessage] = []
        with self._lock:
            for row in rows:
                message = _outgoing(row)
                owner = kind_owner(message.kind)
                if owner is None or not self._host.is_active(owner):
                    continue
                if self._claims.get(message.id, 0) > now:
                    continue
                self._claims[message.id] = now + CLAIM_MS
                claimed.append(message)
                if len(claimed) == DUE_LIMIT:
                    break
        return claimed

    def deliver_reply(self, profile: Profile, message_id: MessageId, reply: bytes) -> bool:
        """A device of the recipient accepted the message and replied: hand the reply to the
        sending plugin's ``smd_direct_reply``, then forget the message.

        If the plugin is not active or its hook raises (the plugin is then turned off), the
        message stays queued with the reason: the recipient remembers its reply, so a later
        attempt brings the same reply again. Returns whether the plugin took the reply.
        """
        store = self._store()
        with self._lock:
            self._claims.pop(message_id, None)
        with store.reading() as conn:
            row = conn.execute(_SELECT + " WHERE id = ?", (message_id,)).fetchone()
        if row is None:  # cancelled meanwhile, or a second device answered too
            return False
        message = _outgoing(row)
        owner = kind_owner(message.kind) or ""
        if not self._host.is_active(owner):
            self.record_failure(message_id, f"the plugin {owner} was not active for the reply")
            return False
        ok, _ = self._host._call_isolated(
            owner,
            "smd_direct_reply",
            "handling a direct message reply",
            profile=profile,
            message=message,
            reply=bytes(reply),
        )
        if not ok:
            self.record_failure(message_id, f"the plugin {owner} failed on the reply")
            return False
        with store.writing() as conn:
            conn.execute("DELETE FROM direct_outbox WHERE id = ?", (message_id,))
        return True

    def record_failure(self, message_id: MessageId, reason: str, *, backoff: bool = True) -> None:
        """Count a failed attempt and keep its reason; ``backoff`` delays the next attempt
        (5 s doubling up to 1 h), otherwise the next chance (a connection) retries it."""
        store = self._store()
        with self._lock:
            self._claims.pop(message_id, None)
        with store.writing() as conn:
            row = conn.execute(
                "SELECT attempts FROM direct_outbox WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return
            attempts = int(row[0]) + 1
            next_attempt = now_ms() + retry_delay_ms(attempts) if backoff else 0
            conn.execute(
                "UPDATE direct_outbox SET attempts = ?, last_error = ?, next_attempt = ? "
                "WHERE id = ?",
                (attempts, reason[:MAX_ERROR_CHARS], next_attempt, message_id),
            )

    # -- what the node adapter calls: receiving ----------------------------------------------

    def receive(
        self,
        profile: Profile,
        device: DeviceKey,
        message_id: MessageId,
        kind: str,
        payload: bytes,
    ) -> DirectAnswer:
        """Hand a message that ``device`` delivered to the plugin owning ``kind``.

        Refused (with a reason the sender sees) when the device has no certificate here, is
        revoked, belongs to someone we block, or no active plugin takes the kind; when the
        plugin's hook raises, the plugin is turned off and the message refused. A message
        accepted before is answered with the reply remembered then, without the hook.
        """
        if (
            len(message_id) != MESSAGE_ID_SIZE
            or kind_owner(kind) is None
            or len(payload) > MAX_DIRECT_PAYLOAD
        ):
            return DirectAnswer.refuse("malformed direct message")
        store = self._store()
        with store.reading() as conn:
            row = conn.execute(
                "SELECT identity, revoked_after FROM feeds WHERE device = ?", (device,)
            ).fetchone()
        if row is None:
            return DirectAnswer.refuse(
                "the recipient holds no certificate for your device (it does not replicate "
                "your feed yet)"
            )
        if row[1] is not None:
            return DirectAnswer.refuse("your device is revoked")
        sender = IdentityKey(bytes(row[0]))
        if sender in store.related(profile.identity, "block"):
            return DirectAnswer.refuse("the recipient does not accept messages from you")
        owner = kind_owner(kind) or ""
        key = (bytes(sender), bytes(message_id))
        with self._lock:
            if key in self._handling:
                return DirectAnswer.refuse("this message is being handled; try again later")
            self._handling.add(key)
        try:
            with store.reading() as conn:
                seen = conn.execute(
                    "SELECT reply FROM direct_inbox_seen WHERE sender = ? AND id = ?", key
                ).fetchone()
            if seen is not None:
                return DirectAnswer(True, bytes(seen[0]))
            if not self._host.is_active(owner):
                return DirectAnswer.refuse(f"no active plugin here takes {kind} messages")
            if not self._host._implements(owner, "smd_direct_message"):
                return DirectAnswer.refuse(f"the plugin {owner} here takes no direct messages")
            message = DirectMessage(message_id, sender, device, kind, bytes(payload))
            ok, result = self._host._call_isolated(
                owner,
                "smd_direct_message",
                "handling a direct message",
                profile=profile,
                message=message,
            )
            if not ok:
                return DirectAnswer.refuse(f"the plugin {owner} failed on this message")
            reply = b"" if result is None else result
            if not isinstance(reply, bytes) or len(reply) > MAX_DIRECT_PAYLOAD:
                self._host.report_failure(
                    owner,
                    f"smd_direct_message must return bytes of at most {MAX_DIRECT_PAYLOAD}, "
                    f"not {type(reply).__name__}"
                    + (f" of {len(reply)}" if isinstance(reply, bytes) else ""),
                )
                return DirectAnswer.refuse(f"the plugin {owner} failed on this message")
            now = now_ms()
            with store.writing() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO direct_inbox_seen (sender, id, kind, reply, received) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (*key, kind, reply, now),
                )
                conn.execute(
                    "DELETE FROM direct_inbox_seen WHERE received < ?", (now - SEEN_TTL_MS,)
                )
            return DirectAnswer(True, reply)
        finally:
            with self._lock:
                self._handling.discard(key)


_SELECT: Final = (
    "SELECT id, to_identity, kind, payload, created, attempts, last_error FROM direct_outbox"
)


def _outgoing(row: Sequence[Any]) -> OutgoingMessage:
    id_, to, kind, payload, created, attempts, last_error = row
    return OutgoingMessage(
        id=MessageId(bytes(id_)),
        to=IdentityKey(bytes(to)),
        kind=str(kind),
        payload=bytes(payload),
        created=int(created),
        attempts=int(attempts),
        last_error=None if last_error is None else str(last_error),
    )


def _identity_of_live_device(store: Store, device: DeviceKey) -> IdentityKey | None:
    """The identity that certified ``device`` (from the feeds we hold), unless the device is
    unknown or revoked."""
    with store.reading() as conn:
        row = conn.execute(
            "SELECT identity, revoked_after FROM feeds WHERE device = ?", (device,)
        ).fetchone()
    if row is None or row[1] is not None:
        return None
    return IdentityKey(bytes(row[0]))
