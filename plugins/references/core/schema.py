"""The plugin's tables, as ordered migrations (a released script is never edited).

Everything here is derived from records (``smd_reset_index`` empties it; the host rebuilds it):

* ``references_entries``: every version of every entry we hold, with its content; ``current``
  marks the latest version of each (author, slug) by (timestamp, id);
* ``references_fts``: an FTS5 index of the current versions only (rowid = the entry row's
  rowid), inside the encrypted database. ``secure-delete`` is on so a purged entry's words
  leave the index at once instead of lingering in old segments;
* ``references_endorsements``: every endorsement we hold, keyed by its record id. Which entry
  it follows is resolved when reading (through the target version's author and slug), so an
  endorsement that arrives before its entry, or of an older version, needs no bookkeeping.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the first release.
    """
    CREATE TABLE references_entries (
        rowid        INTEGER PRIMARY KEY,
        id           BLOB NOT NULL UNIQUE,
        author       BLOB NOT NULL,
        slug         TEXT NOT NULL,
        ts           INTEGER NOT NULL,
        current      INTEGER NOT NULL DEFAULT 0,
        title        TEXT NOT NULL,
        category_key TEXT NOT NULL,
        tags         TEXT NOT NULL,
        content      BLOB NOT NULL
    );
    CREATE INDEX references_entries_versions ON references_entries (author, slug, ts, id);
    CREATE INDEX references_entries_current ON references_entries (author, title)
        WHERE current = 1;
    CREATE VIRTUAL TABLE references_fts USING fts5 (
        title, note, tags, category, ids,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    );
    INSERT INTO references_fts (references_fts, rank) VALUES ('secure-delete', 1);
    CREATE TABLE references_endorsements (
        id       BLOB PRIMARY KEY,
        endorser BLOB NOT NULL,
        target   BLOB NOT NULL,
        ts       INTEGER NOT NULL,
        note     TEXT NOT NULL
    );
    CREATE INDEX references_endorsements_target ON references_endorsements (target);
    CREATE INDEX references_endorsements_endorser ON references_endorsements (endorser);
    """,
)
"""Scripts in order; the host records how many ran (``plugin_state.schema_version``)."""
