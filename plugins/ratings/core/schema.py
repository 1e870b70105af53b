"""The Ratings plugin's tables, as ordered migrations (a released script is never edited).

Two kinds of table live here:

* **derived** from records (``smd_reset_index`` empties them; the host rebuilds them):
  ``ratings_deal_records`` (every receipt record a party published) and ``ratings_deals`` (one
  row per co-signed deal, keyed by deal id); ``ratings_rating_records`` (every rating record,
  sealed or revealed, with the status the binding rules gave it) and ``ratings_ratings`` (the
  rating that counts per (deal, rater): its sealed record and, once opened, its reveal);
  ``ratings_responses``, ``ratings_trust``, ``ratings_imports`` and ``ratings_witnesses`` (every
  record, resolved when reading: first response, latest statement, ...);
* **local** state that no record holds, never reset: ``ratings_offers`` (offers sent and
  received, their status, a receipt received by message that we still have to publish),
  ``ratings_secrets`` (the salt and body of my sealed ratings: secret until the reveal) and
  ``ratings_version`` (a counter the index hooks bump, so the reputation service knows when
  to rebuild its engine).

Rows are keyed by record id wherever a record is the source, so indexing is idempotent.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the first release.
    """
    CREATE TABLE ratings_deal_records (
        record_id BLOB PRIMARY KEY,
        deal_id   BLOB NOT NULL,
        author    BLOB NOT NULL,
        ts        INTEGER NOT NULL,
        receipt   BLOB NOT NULL
    );
    CREATE INDEX ratings_deal_records_deal ON ratings_deal_records (deal_id);
    CREATE TABLE ratings_deals (
        deal_id  BLOB PRIMARY KEY,
        offerer  BLOB NOT NULL,
        accepter BLOB NOT NULL,
        context  TEXT NOT NULL,
        what     TEXT NOT NULL,
        terms    BLOB NOT NULL,
        receipt  BLOB NOT NULL,
        ts       INTEGER NOT NULL
    );
    CREATE INDEX ratings_deals_offerer ON ratings_deals (offerer);
    CREATE INDEX ratings_deals_accepter ON ratings_deals (accepter);
    CREATE TABLE ratings_rating_records (
        record_id BLOB PRIMARY KEY,
        rater     BLOB NOT NULL,
        device    BLOB NOT NULL,
        seq       INTEGER NOT NULL,
        ts        INTEGER NOT NULL,
        deal_id   BLOB NOT NULL,
        ratee     BLOB NOT NULL,
        sealed    BLOB,
        opens     BLOB,
        salt      BLOB,
        rating    BLOB,
        vc        BLOB,
        status    TEXT NOT NULL DEFAULT 'waiting'
    );
    CREATE INDEX ratings_rating_records_deal ON ratings_rating_records (deal_id);
    CREATE TABLE ratings_ratings (
        deal_id   BLOB NOT NULL,
        rater     BLOB NOT NULL,
        ratee     BLOB NOT NULL,
        sealed_id BLOB NOT NULL,
        sealed_ts INTEGER NOT NULL,
        reveal_id BLOB,
        reveal_ts INTEGER,
        overall   INTEGER,
        rating    BLOB,
        vc        BLOB,
        PRIMARY KEY (deal_id, rater)
    );
    CREATE INDEX ratings_ratings_ratee ON ratings_ratings (ratee);
    CREATE INDEX ratings_ratings_reveal ON ratings_ratings (reveal_id);
    CREATE TABLE ratings_responses (
        record_id BLOB PRIMARY KEY,
        author    BLOB NOT NULL,
        device    BLOB NOT NULL,
        seq       INTEGER NOT NULL,
        ts        INTEGER NOT NULL,
        rating    BLOB NOT NULL,
        text      TEXT NOT NULL
    );
    CREATE INDEX ratings_responses_rating ON ratings_responses (rating);
    CREATE TABLE ratings_trust (
        record_id BLOB PRIMARY KEY,
        author    BLOB NOT NULL,
        device    BLOB NOT NULL,
        seq       INTEGER NOT NULL,
        ts        INTEGER NOT NULL,
        trustee   BLOB NOT NULL,
        context   TEXT NOT NULL,
        weight    INTEGER NOT NULL,
        note      TEXT NOT NULL
    );
    CREATE INDEX ratings_trust_key ON ratings_trust (author, trustee, context, ts);
    CREATE TABLE ratings_imports (
        record_id   BLOB PRIMARY KEY,
        subject     BLOB NOT NULL,
        ts          INTEGER NOT NULL,
        platform    TEXT NOT NULL,
        profile_url TEXT NOT NULL,
        content     BLOB NOT NULL
    );
    CREATE INDEX ratings_imports_subject ON ratings_imports (subject);
    CREATE TABLE ratings_witnesses (
        record_id BLOB PRIMARY KEY,
        author    BLOB NOT NULL,
        ts        INTEGER NOT NULL,
        import_id BLOB NOT NULL,
        subject   BLOB NOT NULL,
        content   BLOB NOT NULL
    );
    CREATE INDEX ratings_witnesses_import ON ratings_witnesses (import_id);
    CREATE TABLE ratings_offers (
        deal_id   BLOB PRIMARY KEY,
        direction TEXT NOT NULL,
        other     BLOB NOT NULL,
        offer     BLOB NOT NULL,
        status    TEXT NOT NULL,
        receipt   BLOB,
        published INTEGER NOT NULL DEFAULT 0,
        created   INTEGER NOT NULL,
        updated   INTEGER NOT NULL
    );
    CREATE TABLE ratings_secrets (
        deal_id    BLOB PRIMARY KEY,
        commitment BLOB NOT NULL,
        ratee     BLOB NOT NULL,
        salt      BLOB NOT NULL,
        rating    BLOB NOT NULL,
        created   INTEGER NOT NULL,
        reveal_id BLOB
    );
    CREATE TABLE ratings_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n  INTEGER NOT NULL
    );
    INSERT INTO ratings_version (id, n) VALUES (1, 0);
    """,
)
"""Scripts in order; the host records how many ran (``plugin_state.schema_version``)."""

DERIVED_TABLES: tuple[str, ...] = (
    "ratings_deal_records",
    "ratings_deals",
    "ratings_rating_records",
    "ratings_ratings",
    "ratings_responses",
    "ratings_trust",
    "ratings_imports",
    "ratings_witnesses",
)
"""What ``smd_reset_index`` empties (the local tables stay)."""
