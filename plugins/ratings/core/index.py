"""Indexing: records of the plugin's types in, rows of its tables out (see schema.py).

Every function runs inside a transaction the host owns and is idempotent: raw rows are keyed by
record id (``INSERT OR IGNORE``), and what depends on several records (which rating of a deal
counts, whether a reveal opens it) is recomputed per deal by :func:`resolve_deal` from the raw
rows, so arrival order does not matter: a rating that arrives before its deal waits, and counts
once the deal is indexed.

Rules that need the store (docs/RATINGS.md, "Index rules"):

* a deal receipt counts only when its author is one of the two parties, and not when either
  signing device was revoked before the offer was made; both parties' copies are one deal;
* a sealed rating counts when its author is a party of a known deal and its ratee the other
  party; one per (rater, deal), the first in feed order (timestamp, device, seq); later ones are
  marked ``duplicate``;
* a reveal counts when it opens the sealed rating that counts, by the same rater, with the same
  ratee, and its salt and body match the commitment; anything else is ignored and logged;
* trust statements about oneself and witnesses by the import's subject are ignored.

Every hook bumps ``ratings_version`` so the reputation service rebuilds its engine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from smd_desktop.core import canonical
from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.identity import validate_cert
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import Connection
from smd_desktop.core.records import SignedRecord

from .deals import DealTerms, deal_id, decode_terms
from .imports import check_import_author
from .params import GENERAL
from .records import DEAL, IMPORT, RATING, RESPONSE, TRUST, WITNESS, seal, validate_rating_body
from .schema import DERIVED_TABLES

log = logging.getLogger("smd.plugins.ratings")

COUNTED = "counted"
"""Status of a rating record that counts (sealed, or the reveal that opens it)."""
STATUSES = ("waiting", COUNTED, "duplicate", "not-party", "bad-reveal")
"""``waiting``: its deal is not known (yet); ``not-party``: the rater or the ratee is not the
deal's party; ``bad-reveal``: the reveal does not open the rater's counted sealed rating."""

_RAW_TABLES = (
    "ratings_rating_records",
    "ratings_responses",
    "ratings_trust",
    "ratings_imports",
    "ratings_witnesses",
)


def bump_version(conn: Connection) -> None:
    """Tell the reputation service that the plugin's data changed."""
    conn.execute("UPDATE ratings_version SET n = n + 1 WHERE id = 1")


def data_version(conn: Connection) -> int:
    """The counter :func:`bump_version` moves."""
    row = conn.execute("SELECT n FROM ratings_version WHERE id = 1").fetchone()
    return 0 if row is None else int(row[0])


def index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    """Store one validated record of the plugin's types (its content is present)."""
    content = record.content
    assert content is not None  # the host only hands records with content
    handler = _HANDLERS.get(record.type)
    if handler is not None:
        handler(conn, record, identity, content)
        bump_version(conn)


def _index_deal(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    terms = decode_terms(content["terms"])
    if identity not in (terms.offerer, terms.accepter):
        log.info("ratings: deal receipt %s is not by a party: ignored", record.id.hex())
        return
    if _revoked_before_offer(conn, content, terms):
        log.info("ratings: deal receipt %s signed by a revoked device: ignored", record.id.hex())
        return
    deal = deal_id(content["terms"])
    receipt = canonical.encode(content)
    conn.execute(
        "INSERT OR IGNORE INTO ratings_deal_records (record_id, deal_id, author, ts, receipt) "
        "VALUES (?, ?, ?, ?, ?)",
        (record.id, deal, identity, record.header.timestamp, receipt),
    )
    _refresh_deal(conn, deal)


def _revoked_before_offer(conn: Connection, content: dict[str, Any], terms: DealTerms) -> bool:
    for part in ("offer", "accept"):
        device = validate_cert(content[part]["cert"]).device
        row = conn.execute(
            "SELECT min(r.ts) FROM revocations AS v JOIN records AS r ON r.id = v.record_id "
            "WHERE v.device = ?",
            (device,),
        ).fetchone()
        if row is not None and row[0] is not None and int(row[0]) <= terms.offered:
            return True
    return False


def _refresh_deal(conn: Connection, deal: bytes) -> None:
    """(Re)build the deal's row from its earliest remaining receipt record, then its ratings."""
    row = conn.execute(
        "SELECT receipt, ts FROM ratings_deal_records WHERE deal_id = ? "
        "ORDER BY ts, record_id LIMIT 1",
        (deal,),
    ).fetchone()
    if row is None:
        conn.execute("DELETE FROM ratings_deals WHERE deal_id = ?", (deal,))
    else:
        receipt = canonical.decode(bytes(row[0]))
        terms = decode_terms(receipt["terms"])
        conn.execute(
            "INSERT OR REPLACE INTO ratings_deals (deal_id, offerer, accepter, context, what, "
            "terms, receipt, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                deal,
                terms.offerer,
                terms.accepter,
                terms.context,
                terms.what,
                receipt["terms"],
                bytes(row[0]),
                int(row[1]),
            ),
        )
    resolve_deal(conn, deal)


def _index_rating(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    revealed = "opens" in content
    conn.execute(
        "INSERT OR IGNORE INTO ratings_rating_records (record_id, rater, device, seq, ts, "
        "deal_id, ratee, sealed, opens, salt, rating, vc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)",
        (
            record.id,
            identity,
            record.author,
            record.seq,
            record.header.timestamp,
            content["deal"],
            content["ratee"],
            content.get("sealed"),
            content.get("opens"),
            content.get("salt"),
            canonical.encode(content["rating"]) if revealed else None,
            canonical.encode(content["vc"]) if "vc" in content else None,
        ),
    )
    resolve_deal(conn, content["deal"])


def resolve_deal(conn: Connection, deal: bytes) -> None:
    """Recompute which ratings of ``deal`` count and which reveals open them (idempotent)."""
    row = conn.execute(
        "SELECT offerer, accepter FROM ratings_deals WHERE deal_id = ?", (deal,)
    ).fetchone()
    conn.execute("DELETE FROM ratings_ratings WHERE deal_id = ?", (deal,))
    records = conn.execute(
        "SELECT record_id, rater, ts, ratee, sealed, opens, salt, rating, vc, status "
        "FROM ratings_rating_records WHERE deal_id = ? ORDER BY ts, device, seq",
        (deal,),
    ).fetchall()
    if row is None:
        for r in records:
            _set_status(conn, r, "waiting")
        return
    parties = {bytes(row[0]): bytes(row[1]), bytes(row[1]): bytes(row[0])}
    counted: dict[bytes, tuple[bytes, bytes, int]] = {}  # rater -> (sealed id, commitment, ts)
    for r in (r for r in records if r[4] is not None):
        rater, ratee = bytes(r[1]), bytes(r[3])
        if parties.get(rater) != ratee:
            _set_status(conn, r, "not-party")
        elif rater in counted:
            _set_status(conn, r, "duplicate")
        else:
            counted[rater] = (bytes(r[0]), bytes(r[4]), int(r[2]))
            _set_status(conn, r, COUNTED)
            conn.execute(
                "INSERT INTO ratings_ratings (deal_id, rater, ratee, sealed_id, sealed_ts) "
                "VALUES (?, ?, ?, ?, ?)",
                (deal, rater, ratee, r[0], r[2]),
            )
    opened: set[bytes] = set()
    for r in (r for r in records if r[5] is not None):
        rater, ratee = bytes(r[1]), bytes(r[3])
        target = counted.get(rater)
        if parties.get(rater) != ratee:
            _set_status(conn, r, "not-party")
        elif target is None or bytes(r[5]) != target[0] or not _opens(deal, r, target[1]):
            _set_status(conn, r, "bad-reveal")
        elif rater in opened:
            _set_status(conn, r, "duplicate")
        else:
            opened.add(rater)
            _set_status(conn, r, COUNTED)
            body = canonical.decode(bytes(r[7]))
            conn.execute(
                "UPDATE ratings_ratings SET reveal_id = ?, reveal_ts = ?, overall = ?, "
                "rating = ?, vc = ? WHERE deal_id = ? AND rater = ?",
                (r[0], r[2], body["overall"], r[7], r[8], deal, rater),
            )


def _opens(deal: bytes, row: Sequence[Any], commitment: bytes) -> bool:
    try:
        body = validate_rating_body(canonical.decode(bytes(row[7])))
    except InvalidRecord:  # pragma: no cover - validated before indexing
        return False
    return seal(deal, bytes(row[3]), bytes(row[6]), body) == commitment


def _set_status(conn: Connection, row: Sequence[Any], status: str) -> None:
    if row[9] == status:
        return
    if status in ("bad-reveal", "not-party", "duplicate"):
        log.info("ratings: rating record %s ignored (%s)", bytes(row[0]).hex(), status)
    conn.execute(
        "UPDATE ratings_rating_records SET status = ? WHERE record_id = ?", (status, row[0])
    )


def _index_response(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO ratings_responses (record_id, author, device, seq, ts, rating, "
        "text) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            record.author,
            record.seq,
            record.header.timestamp,
            content["rating"],
            content["text"],
        ),
    )


def _index_trust(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    if content["trustee"] == identity:
        log.info("ratings: trust statement %s about its author: ignored", record.id.hex())
        return
    conn.execute(
        "INSERT OR IGNORE INTO ratings_trust (record_id, author, device, seq, ts, trustee, "
        "context, weight, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            record.author,
            record.seq,
            record.header.timestamp,
            content["trustee"],
            content.get("context", GENERAL),
            content["weight"],
            content.get("note", ""),
        ),
    )


def _index_import(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    try:
        check_import_author(content, identity)
    except InvalidRecord as exc:
        log.info("ratings: import %s ignored: %s", record.id.hex(), exc)
        return
    conn.execute(
        "INSERT OR IGNORE INTO ratings_imports (record_id, subject, ts, platform, profile_url, "
        "content) VALUES (?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            record.header.timestamp,
            content["platform"],
            content["profile_url"],
            canonical.encode(content),
        ),
    )


def _index_witness(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    if content["subject"] == identity:
        log.info("ratings: witness %s by the subject: ignored", record.id.hex())
        return
    conn.execute(
        "INSERT OR IGNORE INTO ratings_witnesses (record_id, author, ts, import_id, subject, "
        "content) VALUES (?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            record.header.timestamp,
            content["import"],
            content["subject"],
            canonical.encode(content),
        ),
    )


_HANDLERS = {
    DEAL: _index_deal,
    RATING: _index_rating,
    RESPONSE: _index_response,
    TRUST: _index_trust,
    IMPORT: _index_import,
    WITNESS: _index_witness,
}


def forget_records(conn: Connection, record_ids: Sequence[RecordId]) -> None:
    """Drop the rows of purged or revoked records; the deals they touched are resolved again
    (a deal whose every receipt went is gone, and its ratings wait again)."""
    before = conn.total_changes
    deals: set[bytes] = set()
    for record_id in record_ids:
        row = conn.execute(
            "SELECT deal_id FROM ratings_deal_records WHERE record_id = ?", (record_id,)
        ).fetchone()
        if row is not None:
            conn.execute("DELETE FROM ratings_deal_records WHERE record_id = ?", (record_id,))
            deals.add(bytes(row[0]))
        row = conn.execute(
            "SELECT deal_id FROM ratings_rating_records WHERE record_id = ?", (record_id,)
        ).fetchone()
        if row is not None:
            deals.add(bytes(row[0]))
        for table in _RAW_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE record_id = ?", (record_id,))
    for deal in sorted(deals):
        _refresh_deal(conn, deal)
    if conn.total_changes != before:  # most forgotten ids are other plugins' or the core's
        bump_version(conn)


def reset_index(conn: Connection) -> None:
    """Empty every derived table (the local ones stay; the host re-indexes all records)."""
    for table in DERIVED_TABLES:
        conn.execute(f"DELETE FROM {table}")
    bump_version(conn)
