"""Ingest: verified records in, chained and indexed records (or fork evidence) out.

The pure part (decode, verify, validate) runs before any lock is taken; :func:`ingest_verified`
runs inside one write transaction. The rules are in docs/PROTOCOL.md, "Feed rules and ingest".
"""

from __future__ import annotations

import concurrent.futures
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..content import Validator, validate_record
from ..errors import InvalidRecord
from ..identity import validate_cert
from ..ids import DeviceKey, IdentityKey, RecordId
from ..records import SignedRecord, decode_record, parse_record
from .db import Connection
from .index import index_record, is_tombstoned, revocation_limit

MAX_PENDING_PER_DEVICE = 100_000


class Outcome(enum.Enum):
    """What happened to one incoming record."""

    ACCEPTED = "accepted"
    """Stored, chained and indexed (or content filled in for a record we held without it)."""
    DUPLICATE = "duplicate"
    """We already had exactly this record."""
    PENDING = "pending"
    """Signature checked; waits for its predecessor or its feed's certificate. Not shown."""
    FORK = "fork"
    """A second valid record for a (device, seq) we hold: kept as evidence, author marked."""
    REJECTED = "rejected"
    """Invalid: never stored, shown or forwarded."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    """The outcome for one record; ``record_id`` is None when the bytes did not even parse."""

    record_id: RecordId | None
    outcome: Outcome
    reason: str = ""
    author: DeviceKey | None = field(default=None, compare=False)
    """The signing device, when the record verified (informative: not compared)."""


def check(raw: bytes, validators: Mapping[str, Validator] | None = None) -> SignedRecord:
    """Decode, verify and validate one record without touching the store.

    Raises:
        InvalidRecord: the record is invalid; the sender's fault.
    """
    record = decode_record(raw)
    validate_record(record, validators)
    return record


_VERIFY_THREADS = 2
_PARALLEL_FROM = 64
_pool: concurrent.futures.ThreadPoolExecutor | None = None


def _check_or_error(
    raw: bytes, validators: Mapping[str, Validator] | None
) -> SignedRecord | InvalidRecord:
    try:
        return check(raw, validators)
    except InvalidRecord as exc:
        return exc


def check_many(
    raws: Sequence[bytes], validators: Mapping[str, Validator] | None = None
) -> list[SignedRecord | InvalidRecord]:
    """:func:`check` for many records, in input order; the error where one is invalid.

    Large batches are split over two threads: libsodium releases the GIL while it verifies
    (measured 1.8x on two cores).
    """
    global _pool  # noqa: PLW0603 - one lazily created pool per process
    if len(raws) < _PARALLEL_FROM:
        return [_check_or_error(r, validators) for r in raws]
    if _pool is None:
        _pool = concurrent.futures.ThreadPoolExecutor(_VERIFY_THREADS, "smd-verify")
    step = -(-len(raws) // _VERIFY_THREADS)
    chunks = [raws[i : i + step] for i in range(0, len(raws), step)]
    parts = _pool.map(lambda chunk: [_check_or_error(r, validators) for r in chunk], chunks)
    return [item for part in parts for item in part]


def ingest_verified(
    conn: Connection, record: SignedRecord, now: int, *, drain: bool = True
) -> IngestResult:
    """Store one checked record (see :func:`check`) inside the caller's transaction.

    With ``drain=False`` the caller promises to call :func:`drain_pending` for the record's
    device before the transaction ends (once per device per batch is cheaper).
    """
    outcome, reason = _place(conn, record, now)
    if drain and outcome is Outcome.ACCEPTED:
        drain_pending(conn, [record.author], now)
    return IngestResult(record.id, outcome, reason, record.author)


def drain_pending(conn: Connection, devices: Iterable[bytes], now: int) -> None:
    """Append the waiting records of ``devices`` that their new heads unblocked."""
    for device in devices:
        if conn.execute("SELECT 1 FROM pending WHERE device = ? LIMIT 1", (device,)).fetchone():
            _drain_pending(conn, device, now)


def _place(conn: Connection, record: SignedRecord, now: int) -> tuple[Outcome, str]:
    device, seq = record.author, record.seq
    feed = conn.execute(
        "SELECT identity, head_seq, head_id, revoked_after FROM feeds WHERE device = ?",
        (device,),
    ).fetchone()
    if feed is None:  # no record of this device is stored yet
        if seq != 1:
            _keep_pending(conn, record, now)
            return Outcome.PENDING, "waiting for the device certificate"
        return _start_feed(conn, record)
    identity, head_seq, head_id, revoked_after = feed
    # Rows exist only up to the head (records are appended at head + 1), so only a record at
    # or below the head can meet one: the common next-in-feed case skips that lookup.
    if seq <= head_seq:
        existing = conn.execute(
            "SELECT id, raw FROM records WHERE device = ? AND seq = ?", (device, seq)
        ).fetchone()
        if existing is None:  # below the head but no row: only after a revocation
            return Outcome.REJECTED, "the device was revoked"
        if existing[0] != record.id:
            _keep_fork_evidence(conn, record, now)
            return Outcome.FORK, "another record holds this seq"
        return _maybe_fill_content(conn, record, existing[1], IdentityKey(identity))
    if revoked_after is not None and seq > revoked_after:
        return Outcome.REJECTED, "the device was revoked"
    if seq > head_seq + 1:
        _keep_pending(conn, record, now)
        return Outcome.PENDING, f"waiting for seq {head_seq + 1}"
    if record.header.prev != head_id:
        _keep_fork_evidence(conn, record, now)
        return Outcome.FORK, "prev does not match the stored previous record"
    _insert(conn, record, IdentityKey(identity))
    conn.execute(
        "UPDATE feeds SET head_seq = ?, head_id = ? WHERE device = ?", (seq, record.id, device)
    )
    return Outcome.ACCEPTED, ""


def _start_feed(conn: Connection, record: SignedRecord) -> tuple[Outcome, str]:
    assert record.content is not None  # validate_record: a certificate is never withheld
    cert = validate_cert(record.content)
    limit = revocation_limit(conn, cert.device, cert.identity)
    if limit == 0:
        return Outcome.REJECTED, "the device was revoked"
    conn.execute(
        "INSERT INTO feeds (device, identity, name, head_seq, head_id, revoked_after) "
        "VALUES (?, ?, ?, 1, ?, ?)",
        (cert.device, cert.identity, cert.name, record.id, limit),
    )
    _insert(conn, record, cert.identity)
    return Outcome.ACCEPTED, ""


def _insert(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    conn.execute(
        "INSERT INTO records (id, device, seq, identity, ts, type, raw) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            record.author,
            record.seq,
            identity,
            record.header.timestamp,
            record.type,
            record.raw,
        ),
    )
    index_record(conn, record, identity)


def _maybe_fill_content(
    conn: Connection, record: SignedRecord, stored_raw: bytes, identity: IdentityKey
) -> tuple[Outcome, str]:
    """A record we hold without content arrives with it: keep it, unless it was deleted."""
    if record.content is None or parse_record(stored_raw).content is not None:
        return Outcome.DUPLICATE, ""
    if is_tombstoned(conn, record.id, identity):
        return Outcome.DUPLICATE, "deleted by its author"
    conn.execute("UPDATE records SET raw = ? WHERE id = ?", (record.raw, record.id))
    index_record(conn, record, identity)
    # Plugins passed this row while it had no content: let their catch-up read it again.
    conn.execute(
        "UPDATE plugin_state SET cursor = min(cursor, (SELECT rowid - 1 FROM records"
        " WHERE id = ?))",
        (record.id,),
    )
    return Outcome.ACCEPTED, "content filled in"


def _keep_pending(conn: Connection, record: SignedRecord, now: int) -> None:
    (count,) = conn.execute(
        "SELECT count(*) FROM pending WHERE device = ?", (record.author,)
    ).fetchone()
    if count >= MAX_PENDING_PER_DEVICE:
        # Bounded: drop the farthest-ahead record, which sync will offer again later.
        conn.execute(
            "DELETE FROM pending WHERE id = (SELECT id FROM pending WHERE device = ? "
            "ORDER BY seq DESC LIMIT 1)",
            (record.author,),
        )
    conn.execute(
        "INSERT OR IGNORE INTO pending (id, device, seq, raw, received_at) VALUES (?, ?, ?, ?, ?)",
        (record.id, record.author, record.seq, record.raw, now),
    )


def _keep_fork_evidence(conn: Connection, record: SignedRecord, now: int) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO forks (id, device, seq, raw, detected_at) VALUES (?, ?, ?, ?, ?)",
        (record.id, record.author, record.seq, record.raw, now),
    )
    conn.execute("UPDATE feeds SET forked = 1 WHERE device = ?", (record.author,))


def _drain_pending(conn: Connection, device: bytes, now: int) -> None:
    """Append the waiting records the feed's new head unblocked, in seq order."""
    while True:
        feed = conn.execute("SELECT head_seq FROM feeds WHERE device = ?", (device,)).fetchone()
        if feed is None:  # still waiting for its certificate
            return
        (head_seq,) = feed
        rows = conn.execute(
            "SELECT id, raw FROM pending WHERE device = ? AND seq <= ? ORDER BY seq",
            (device, head_seq + 1),
        ).fetchall()
        if not rows:
            return
        for record_id, raw in rows:
            conn.execute("DELETE FROM pending WHERE id = ?", (record_id,))
            # Verified when it arrived; our own encrypted store is trusted.
            _place(conn, parse_record(raw), now)


__all__ = [
    "MAX_PENDING_PER_DEVICE",
    "IngestResult",
    "Outcome",
    "check",
    "check_many",
    "drain_pending",
    "ingest_verified",
]
