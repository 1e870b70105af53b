"""The SQLCipher-backed store: one connection, one lock, blocking calls.

Every method blocks (SQLCipher I/O, Argon2id on open): the app calls it from a worker thread,
never from the GUI thread. The object is thread-safe: calls are serialized by a lock, and the
CPU-heavy part of ingest (decode, verify) runs before the lock is taken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..content import Validator
from ..errors import InvalidRecord, StoreError
from ..ids import BlobHash, DeviceKey, IdentityKey, RecordId, blake2b256
from ..kdf import KdfParams
from ..records import SignedRecord, parse_record
from . import db, queries
from .ingest import IngestResult, Outcome, check_many, drain_pending, ingest_verified


def now_ms() -> int:
    """Wall-clock time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


class Store:
    """An unlocked profile database. Create with :meth:`create` or :meth:`open`."""

    def __init__(self, conn: db.Connection, data_dir: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.data_dir = data_dir
        self.validators: dict[str, Validator] = {}
        """Validators of plugin-owned content types (the core's always apply to core types)."""
        self.after_ingest: Callable[[db.Connection], None] = _clear_forgotten
        """Runs at the end of every ingest transaction (the plugin host indexes there)."""

    @classmethod
    def create(cls, data_dir: Path, passphrase: str, params: KdfParams) -> Store:
        """Create a new, empty encrypted store (raises ProfileExists if one is there)."""
        return cls(db.create_database(data_dir, passphrase, params), data_dir)

    @classmethod
    def open(cls, data_dir: Path, passphrase: str) -> Store:
        """Unlock an existing store (raises NoProfile or WrongPassphrase)."""
        return cls(db.open_database(data_dir, passphrase), data_dir)

    def close(self) -> None:
        """Checkpoint the WAL and close. The store is unusable afterwards."""
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[db.Connection]:
        with self._lock:
            try:
                with db.transaction(self._conn) as conn:
                    yield conn
            except db.DatabaseError as exc:
                raise StoreError(f"database write failed: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[db.Connection]:
        with self._lock:
            try:
                yield self._conn
            except db.DatabaseError as exc:
                raise StoreError(f"database read failed: {exc}") from exc

    @contextmanager
    def reading(self) -> Iterator[db.Connection]:
        """The connection, for a plugin's short read queries (holds the store lock).

        Rule: read only, and keep it short: every other store call waits meanwhile.
        """
        with self._read() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[db.Connection]:
        """One write transaction, for a plugin's own tables (never ``records`` or ``feeds``).

        Rolls back when the block raises.
        """
        with self._write() as conn:
            yield conn

    # -- settings and secrets (inside the encrypted database) -------------------------------

    def get_meta(self, key: str) -> bytes | None:
        """A value from the encrypted ``meta`` table."""
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def set_meta(self, items: dict[str, bytes]) -> None:
        """Set several ``meta`` values in one transaction."""
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(items.items())
            )

    def change_passphrase(self, new_passphrase: str, params: KdfParams) -> None:
        """Re-key the database under ``new_passphrase`` (atomic, see ``db.rekey``)."""
        with self._lock:
            db.rekey(self._conn, self.data_dir, new_passphrase, params)

    # -- replication: what p2p needs ---------------------------------------------------------

    def ingest(self, raws: Iterable[bytes]) -> list[IngestResult]:
        """Verify and store records from anywhere (peers, backups, our own signer).

        Decoding and signature checks run first, outside the lock; the valid records are then
        stored in one transaction, per feed in seq order. When this returns, every ACCEPTED,
        PENDING and FORK record is committed to disk.

        Returns one result per input, in input order.
        """
        raws = list(raws)
        results: list[IngestResult | None] = []
        valid: list[tuple[int, SignedRecord]] = []
        for i, checked in enumerate(check_many(raws, self.validators)):
            if isinstance(checked, InvalidRecord):
                reason = str(checked)
                results.append(IngestResult(_id_if_parseable(raws[i]), Outcome.REJECTED, reason))
            else:
                valid.append((i, checked))
                results.append(None)
        valid.sort(key=lambda item: (item[1].author, item[1].seq))
        now = now_ms()
        with self._write() as conn:
            for i, record in valid:
                results[i] = ingest_verified(conn, record, now, drain=False)
            drain_pending(conn, dict.fromkeys(r.author for _, r in valid), now)
            self.after_ingest(conn)
        return [r for r in results if r is not None]

    def heads(self) -> dict[DeviceKey, int]:
        """Latest chained seq of every device feed we hold."""
        with self._read() as conn:
            rows = conn.execute("SELECT device, head_seq FROM feeds").fetchall()
        return {DeviceKey(bytes(d)): s for d, s in rows}

    def head(self, device: DeviceKey) -> tuple[int, RecordId] | None:
        """(seq, id) of a feed's latest record, or None if the feed is unknown or empty."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT head_seq, head_id FROM feeds WHERE device = ?", (device,)
            ).fetchone()
        if row is None or row[0] == 0:
            return None
        return row[0], RecordId(bytes(row[1]))

    def read_range(self, device: DeviceKey, start_seq: int, limit: int) -> list[bytes]:
        """Up to ``limit`` record bytes of a feed from ``start_seq`` on, in seq order."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT raw FROM records WHERE device = ? AND seq >= ? ORDER BY seq LIMIT ?",
                (device, start_seq, limit),
            ).fetchall()
        return [bytes(r[0]) for r in rows]

    def identity_of(self, device: DeviceKey) -> IdentityKey | None:
        """The identity that certified ``device``, if its feed is known."""
        with self._read() as conn:
            row = conn.execute("SELECT identity FROM feeds WHERE device = ?", (device,)).fetchone()
        return None if row is None else IdentityKey(bytes(row[0]))

    def record(self, record_id: RecordId) -> bytes | None:
        """A stored record's bytes by id."""
        with self._read() as conn:
            row = conn.execute("SELECT raw FROM records WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def record_identity(self, record_id: RecordId) -> IdentityKey | None:
        """The identity whose device feed holds ``record_id``."""
        with self._read() as conn:
            row = conn.execute("SELECT identity FROM records WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else IdentityKey(bytes(row[0]))

    def count_records(self, identity: IdentityKey | None = None) -> int:
        """How many chained records we hold (of one identity, or in all)."""
        with self._read() as conn:
            if identity is None:
                (n,) = conn.execute("SELECT count(*) FROM records").fetchone()
            else:
                (n,) = conn.execute(
                    "SELECT count(*) FROM records WHERE identity = ?", (identity,)
                ).fetchone()
        return int(n)

    def count_pending(self) -> int:
        """How many verified records wait for a predecessor or a certificate."""
        with self._read() as conn:
            (n,) = conn.execute("SELECT count(*) FROM pending").fetchone()
        return int(n)

    def identity_records(self, identity: IdentityKey) -> list[bytes]:
        """Every chained record of every device feed of ``identity``, feed by feed in order."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT raw FROM records WHERE identity = ? ORDER BY device, seq", (identity,)
            ).fetchall()
        return [bytes(r[0]) for r in rows]

    # -- blobs -----------------------------------------------------------------------------

    def put_blob(self, data: bytes, mime: str) -> BlobHash:
        """Store bytes content-addressed (BLAKE2b-256) inside the encrypted database."""
        digest = BlobHash(blake2b256(data))
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO blobs (hash, size, mime, data) VALUES (?, ?, ?, ?)",
                (digest, len(data), mime, data),
            )
        return digest

    def get_blob(self, digest: BlobHash) -> tuple[bytes, str] | None:
        """(bytes, mime) of a blob, if we hold it."""
        with self._read() as conn:
            row = conn.execute("SELECT data, mime FROM blobs WHERE hash = ?", (digest,)).fetchone()
        return None if row is None else (bytes(row[0]), row[1])

    def missing_blobs(self, limit: int = 64) -> list[tuple[BlobHash, int]]:
        """(hash, size) of blobs our records reference but we do not hold, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT hash, size FROM blob_refs WHERE hash NOT IN (SELECT hash FROM blobs) "
                "ORDER BY first_seen LIMIT ?",
                (limit,),
            ).fetchall()
        return [(BlobHash(bytes(h)), int(s)) for h, s in rows]

    def blob_hashes(self) -> list[BlobHash]:
        """Hashes of every blob we hold."""
        with self._read() as conn:
            return [BlobHash(bytes(r[0])) for r in conn.execute("SELECT hash FROM blobs")]

    # -- social views ----------------------------------------------------------------------

    def timeline(
        self, viewer: IdentityKey, *, limit: int = 50, before: tuple[int, bytes] | None = None
    ) -> list[queries.PostView]:
        """See :func:`queries.timeline`."""
        with self._read() as conn:
            return queries.timeline(conn, viewer, limit=limit, before=before)

    def author_posts(
        self, author: IdentityKey, *, limit: int = 50, before: tuple[int, bytes] | None = None
    ) -> list[queries.PostView]:
        """See :func:`queries.author_posts`."""
        with self._read() as conn:
            return queries.author_posts(conn, author, limit=limit, before=before)

    def post(self, record_id: RecordId) -> queries.PostView | None:
        """See :func:`queries.post`."""
        with self._read() as conn:
            return queries.post(conn, record_id)

    def profile(self, identity: IdentityKey) -> queries.ProfileView | None:
        """See :func:`queries.profile`."""
        with self._read() as conn:
            return queries.profile(conn, identity)

    def related(self, identity: IdentityKey, kind: str) -> list[IdentityKey]:
        """See :func:`queries.related`."""
        with self._read() as conn:
            return queries.related(conn, identity, kind)

    def followers(self, identity: IdentityKey) -> list[IdentityKey]:
        """See :func:`queries.followers`."""
        with self._read() as conn:
            return queries.followers(conn, identity)

    def suggestions(self, viewer: IdentityKey) -> list[queries.SuggestionView]:
        """See :func:`queries.suggestions`."""
        with self._read() as conn:
            return queries.suggestions(conn, viewer)

    def profile_names(self, identities: Sequence[IdentityKey]) -> dict[IdentityKey, str]:
        """See :func:`queries.profile_names`."""
        with self._read() as conn:
            return queries.profile_names(conn, identities)

    def replies_to(
        self, author: IdentityKey, *, since: int = 0, limit: int = 50
    ) -> list[queries.PostView]:
        """See :func:`queries.replies_to`."""
        with self._read() as conn:
            return queries.replies_to(conn, author, since, limit)

    def followers_since(self, identity: IdentityKey, since: int) -> list[IdentityKey]:
        """See :func:`queries.followers_since`."""
        with self._read() as conn:
            return queries.followers_since(conn, identity, since)

    def devices(self, identity: IdentityKey | None = None) -> list[queries.DeviceView]:
        """See :func:`queries.devices`."""
        with self._read() as conn:
            return queries.devices(conn, identity)

    def forks(self) -> list[queries.ForkView]:
        """See :func:`queries.forks`."""
        with self._read() as conn:
            return queries.forks(conn)


def _clear_forgotten(conn: db.Connection) -> None:
    # Without plugins nobody needs the ids of purged records.
    conn.execute("DELETE FROM forgotten")


def _id_if_parseable(raw: bytes) -> RecordId | None:
    try:
        return parse_record(raw).id
    except InvalidRecord:
        return None


def ingest_or_raise(store: Store, raws: Sequence[bytes]) -> list[IngestResult]:
    """Ingest records we produced ourselves; any rejection is a bug on our side."""
    results = store.ingest(raws)
    for result in results:
        if result.outcome is Outcome.REJECTED:
            raise StoreError(f"own record rejected: {result.reason}")
    return results
