"""The store's schema, as an ordered list of migrations.

``PRAGMA user_version`` holds how many migrations ran. A migration is never edited once
released: add a new one. Tables below ``records``/``feeds`` are indexes derived from records and
can be rebuilt from them.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the first release.
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    -- One row per device feed we know (its certificate arrived and verified).
    CREATE TABLE feeds (
        device        BLOB PRIMARY KEY,
        identity      BLOB NOT NULL,
        name          TEXT NOT NULL,
        head_seq      INTEGER NOT NULL,
        head_id       BLOB NOT NULL,
        forked        INTEGER NOT NULL DEFAULT 0,
        revoked_after INTEGER
    );
    CREATE INDEX feeds_identity ON feeds (identity);
    -- Verified, chained records. raw is the record's bytes (content stripped once purged).
    CREATE TABLE records (
        id        BLOB PRIMARY KEY,
        device    BLOB NOT NULL,
        seq       INTEGER NOT NULL,
        identity  BLOB NOT NULL,
        ts        INTEGER NOT NULL,
        type      TEXT NOT NULL,
        raw       BLOB NOT NULL,
        UNIQUE (device, seq)
    );
    CREATE INDEX records_identity_type ON records (identity, type, ts);
    -- Signature-verified records waiting for their predecessor or their feed's certificate.
    CREATE TABLE pending (
        id          BLOB PRIMARY KEY,
        device      BLOB NOT NULL,
        seq         INTEGER NOT NULL,
        raw         BLOB NOT NULL,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX pending_device_seq ON pending (device, seq);
    -- Fork evidence: a second valid record for a (device, seq) we already hold.
    CREATE TABLE forks (
        id          BLOB PRIMARY KEY,
        device      BLOB NOT NULL,
        seq         INTEGER NOT NULL,
        raw         BLOB NOT NULL,
        detected_at INTEGER NOT NULL
    );
    CREATE INDEX forks_device ON forks (device, seq);
    -- Verified revocations, also those for devices whose feed has not arrived yet.
    CREATE TABLE revocations (
        device    BLOB NOT NULL,
        identity  BLOB NOT NULL,
        after_seq INTEGER NOT NULL,
        record_id BLOB NOT NULL,
        PRIMARY KEY (device, record_id)
    );
    CREATE TABLE blobs (
        hash BLOB PRIMARY KEY,
        size INTEGER NOT NULL,
        mime TEXT NOT NULL,
        data BLOB NOT NULL
    );
    -- Derived: posts (originals and edits), one row per smd/post/1 record.
    CREATE TABLE posts (
        id        BLOB PRIMARY KEY,
        identity  BLOB NOT NULL,
        device    BLOB NOT NULL,
        seq       INTEGER NOT NULL,
        ts        INTEGER NOT NULL,
        text      TEXT,
        reply_to  BLOB,
        edits     BLOB,
        tags      BLOB,
        images    BLOB,
        deleted   INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX posts_timeline ON posts (identity, ts DESC, id DESC) WHERE edits IS NULL;
    CREATE INDEX posts_edits ON posts (edits) WHERE edits IS NOT NULL;
    CREATE INDEX posts_reply_to ON posts (reply_to) WHERE reply_to IS NOT NULL;
    -- Derived: deletions, also those whose target has not arrived yet.
    -- Keyed by (target, identity): a stranger's tombstone must not shadow the author's own.
    CREATE TABLE tombstones (
        target    BLOB NOT NULL,
        identity  BLOB NOT NULL,
        record_id BLOB NOT NULL,
        PRIMARY KEY (target, identity)
    );
    -- Derived: latest follow / block state per (identity, kind, target).
    CREATE TABLE relations (
        identity  BLOB NOT NULL,
        kind      TEXT NOT NULL,
        target    BLOB NOT NULL,
        state     INTEGER NOT NULL,
        ts        INTEGER NOT NULL,
        record_id BLOB NOT NULL,
        PRIMARY KEY (identity, kind, target)
    );
    CREATE INDEX relations_target ON relations (kind, target, state);
    -- Derived: latest profile per identity.
    CREATE TABLE profiles (
        identity    BLOB PRIMARY KEY,
        name        TEXT NOT NULL,
        bio         TEXT NOT NULL,
        avatar      BLOB,
        avatar_mime TEXT,
        avatar_size INTEGER,
        ts          INTEGER NOT NULL,
        record_id   BLOB NOT NULL
    );
    """,
    # 2: blobs that records reference, so the node can fetch the ones we lack.
    """
    CREATE TABLE blob_refs (
        hash       BLOB PRIMARY KEY,
        mime       TEXT NOT NULL,
        size       INTEGER NOT NULL,
        first_seen INTEGER NOT NULL
    );
    """,
    # 3: the timeline reads the newest posts first without sorting all of them (1M records:
    # first page 1.37 s -> 1 ms, measured by bench/ui.py).
    """
    CREATE INDEX posts_recent ON posts (ts DESC, id DESC) WHERE edits IS NULL;
    """,
    # 4: the plugin platform. Plugins index the records of their types by catching up on
    # ``records`` in rowid order (records_type makes that a range scan per type); core purges
    # and revocations queue the ids plugins must forget; plugin_state keeps each plugin's
    # schema version, catch-up cursor and whether the user enabled it.
    """
    CREATE INDEX records_type ON records (type);
    CREATE TABLE forgotten (
        record_id BLOB PRIMARY KEY
    );
    CREATE TABLE plugin_state (
        name           TEXT PRIMARY KEY,
        enabled        INTEGER NOT NULL DEFAULT 1,
        schema_version INTEGER NOT NULL DEFAULT 0,
        cursor         INTEGER NOT NULL DEFAULT 0,
        clean          INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 5: direct messages between plugins (core/plugins/_direct.py). The outbox holds what our
    # plugins queued for a person until one of their devices answers; seq orders it (a rowid
    # alias, so no sqlite_sequence table appears). The inbox remembers, per sender, the id and
    # our reply of every message a plugin accepted, so a retried message gets the same reply
    # without reaching the plugin twice.
    """
    CREATE TABLE direct_outbox (
        seq          INTEGER PRIMARY KEY,
        id           BLOB NOT NULL UNIQUE,
        to_identity  BLOB NOT NULL,
        kind         TEXT NOT NULL,
        payload      BLOB NOT NULL,
        created      INTEGER NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        next_attempt INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX direct_outbox_to ON direct_outbox (to_identity, next_attempt);
    CREATE TABLE direct_inbox_seen (
        sender   BLOB NOT NULL,
        id       BLOB NOT NULL,
        kind     TEXT NOT NULL,
        reply    BLOB NOT NULL,
        received INTEGER NOT NULL,
        PRIMARY KEY (sender, id)
    );
    CREATE INDEX direct_inbox_seen_received ON direct_inbox_seen (received);
    """,
)
