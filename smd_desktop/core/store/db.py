"""Opening, creating and re-keying the encrypted SQLCipher database.

Files in a data directory: ``smd.db`` (+ SQLite's ``-wal``/``-shm``, all encrypted) and
``smd.header.json`` (salt and Argon2id costs, no secret). While a passphrase change runs, the
new header waits as ``smd.header.json.next``; whichever header opens the database wins, so a
crash at any point leaves a profile that one of the two passphrases opens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3

from ..errors import NoProfile, ProfileExists, StoreError, WrongPassphrase
from ..kdf import KdfParams, StoreHeader
from .schema import MIGRATIONS

DB_NAME = "smd.db"
HEADER_NAME = "smd.header.json"
NEXT_HEADER_NAME = "smd.header.json.next"

type Connection = sqlcipher3.Connection
DatabaseError = sqlcipher3.DatabaseError


def profile_exists(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds a profile (its header and database)."""
    return (data_dir / HEADER_NAME).exists() and (data_dir / DB_NAME).exists()


def _key_pragma(key: bytes) -> str:
    return f"\"x'{key.hex()}'\""


def _connect(path: Path, key: bytes) -> Connection | None:
    """Connect with ``key``; None if the key does not open the file. Writes nothing."""
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # no stderr noise on a wrong key
        conn.execute(f"PRAGMA key = {_key_pragma(key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        return None
    return conn


def _configure(conn: Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a transaction that returned is on disk before we acknowledge what it holds.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA temp_store = MEMORY")  # no temp files at all
    conn.execute("PRAGMA secure_delete = ON")  # purged text does not linger in free pages
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    # Measured (bench/ingest.py, 1M records): a 64 MiB page cache and rarer checkpoints keep a
    # 1000-record batch from spilling and checkpointing mid-commit (+21% ingest).
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA wal_autocheckpoint = 10000")


def migrate(conn: Connection) -> None:
    """Run the migrations the database has not seen yet, each in its own transaction."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        raise StoreError(
            f"this profile was written by a newer SMD (schema {version}); please upgrade"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(conn):
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolls back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def create_database(data_dir: Path, passphrase: str, params: KdfParams) -> Connection:
    """Create the encrypted database and its header in ``data_dir``.

    Raises:
        ProfileExists: ``data_dir`` already holds a profile.
    """
    if profile_exists(data_dir) or (data_dir / DB_NAME).exists():
        raise ProfileExists(f"a profile already exists in {data_dir}")
    data_dir.mkdir(parents=True, exist_ok=True)
    header = StoreHeader.new(params)
    key = header.derive_key(passphrase)
    header.write(data_dir / HEADER_NAME)
    conn = _connect(data_dir / DB_NAME, key)
    if conn is None:  # pragma: no cover - a fresh file always opens
        raise StoreError("could not create the database")
    _configure(conn)
    migrate(conn)
    return conn


def remove_database(data_dir: Path) -> None:
    """Delete a profile's files (used only to undo a creation that failed half-way)."""
    for name in (DB_NAME, HEADER_NAME, NEXT_HEADER_NAME):
        for suffix in ("", "-wal", "-shm", ".tmp"):
            (data_dir / (name + suffix)).unlink(missing_ok=True)


def open_database(data_dir: Path, passphrase: str) -> Connection:
    """Open the profile in ``data_dir`` with ``passphrase``.

    Raises:
        NoProfile: there is no profile in ``data_dir``.
        WrongPassphrase: the passphrase does not open it; no file was changed.
    """
    if not profile_exists(data_dir):
        raise NoProfile(f"no profile in {data_dir} (run 'smd init' or 'smd restore' first)")
    current, upcoming = data_dir / HEADER_NAME, data_dir / NEXT_HEADER_NAME
    candidates = [current] + ([upcoming] if upcoming.exists() else [])
    for header_path in candidates:
        conn = _connect(data_dir / DB_NAME, StoreHeader.read(header_path).derive_key(passphrase))
        if conn is None:
            continue
        # Finish (or forget) a passphrase change a crash interrupted.
        if header_path == upcoming:
            os.replace(upcoming, current)
        elif upcoming.exists():
            upcoming.unlink()
        _configure(conn)
        migrate(conn)
        return conn
    raise WrongPassphrase()


def rekey(conn: Connection, data_dir: Path, new_passphrase: str, params: KdfParams) -> None:
    """Re-encrypt the database under a new passphrase; atomic against crashes (see module doc)."""
    header = StoreHeader.new(params)
    key = header.derive_key(new_passphrase)
    header.write(data_dir / NEXT_HEADER_NAME)
    conn.execute(f"PRAGMA rekey = {_key_pragma(key)}")
    os.replace(data_dir / NEXT_HEADER_NAME, data_dir / HEADER_NAME)
