"""Reading the plugin's tables back as rows the facade turns into views (views.py).

Read only; every function takes the connection of ``store.reading()``. Rules resolved here,
at read time, because they depend on what else has arrived:

* the response to a rating is the ratee's first in feed order (a deleted one is forgotten, so
  the next one counts);
* a trust statement in force is the latest per (author, trustee, context) by timestamp, then
  seq, then record id;
* a witness counts for an import it names with the import's subject and profile URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smd_desktop.core import canonical
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import Connection

from .deals import DealTerms, decode_terms


@dataclass(frozen=True, slots=True)
class RatingRow:
    """One counted rating of a deal (sealed, or revealed when ``reveal_id`` is set)."""

    deal_id: bytes
    rater: IdentityKey
    ratee: IdentityKey
    sealed_id: RecordId
    sealed_ts: int
    reveal_id: RecordId | None
    reveal_ts: int | None
    rating: dict[str, Any] | None
    vc: dict[str, Any] | None
    context: str
    what: str
    other_reveal_ts: int | None
    """When the other party's rating of the same deal was revealed, if it was."""
    response: tuple[str, int] | None


_RATING_SELECT = (
    "SELECT r.deal_id, r.rater, r.ratee, r.sealed_id, r.sealed_ts, r.reveal_id, r.reveal_ts, "
    "r.rating, r.vc, d.context, d.what, "
    "(SELECT o.reveal_ts FROM ratings_ratings AS o WHERE o.deal_id = r.deal_id "
    "AND o.rater = r.ratee) "
    "FROM ratings_ratings AS r JOIN ratings_deals AS d ON d.deal_id = r.deal_id"
)


def ratings(conn: Connection, where: str, params: Sequence[Any]) -> list[RatingRow]:
    """Counted ratings matching ``where`` (over ``r``, ``ratings_ratings``), newest first."""
    rows = conn.execute(
        f"{_RATING_SELECT} WHERE {where} ORDER BY r.sealed_ts DESC, r.sealed_id DESC", params
    ).fetchall()
    found = []
    for row in rows:
        reveal_id = None if row[5] is None else RecordId(bytes(row[5]))
        response = None
        if reveal_id is not None:
            answer = conn.execute(
                "SELECT text, ts FROM ratings_responses WHERE rating = ? AND author = ? "
                "ORDER BY ts, device, seq LIMIT 1",
                (reveal_id, row[2]),
            ).fetchone()
            response = None if answer is None else (str(answer[0]), int(answer[1]))
        found.append(
            RatingRow(
                deal_id=bytes(row[0]),
                rater=IdentityKey(bytes(row[1])),
                ratee=IdentityKey(bytes(row[2])),
                sealed_id=RecordId(bytes(row[3])),
                sealed_ts=int(row[4]),
                reveal_id=reveal_id,
                reveal_ts=None if row[6] is None else int(row[6]),
                rating=None if row[7] is None else canonical.decode(bytes(row[7])),
                vc=None if row[8] is None else canonical.decode(bytes(row[8])),
                context=str(row[9]),
                what=str(row[10]),
                other_reveal_ts=None if row[11] is None else int(row[11]),
                response=response,
            )
        )
    return found


def response_by(conn: Connection, rating_id: bytes, author: bytes) -> bool:
    """Whether ``author`` has responded to the rating ``rating_id``."""
    row = conn.execute(
        "SELECT 1 FROM ratings_responses WHERE rating = ? AND author = ? LIMIT 1",
        (rating_id, author),
    ).fetchone()
    return row is not None


@dataclass(frozen=True, slots=True)
class DealRow:
    """What we know of one deal I am a party of: an offer, a receipt, or both."""

    deal_id: bytes
    terms: DealTerms
    indexed: bool
    """A party's receipt is indexed: co-signed for everyone."""
    offer_status: str | None
    """The local offer's status (``offered``, ``received``, ``declined``, ``accepted``)."""
    receipt: dict[str, Any] | None
    """The co-signed receipt, when we hold one (indexed, or received by message)."""


def my_deals(conn: Connection, me: bytes) -> list[DealRow]:
    """Every deal I offered, was offered, or am a party of by a receipt."""
    found: dict[bytes, DealRow] = {}
    for deal, terms, receipt in conn.execute(
        "SELECT deal_id, terms, receipt FROM ratings_deals WHERE offerer = ? OR accepter = ?",
        (me, me),
    ):
        found[bytes(deal)] = DealRow(
            bytes(deal), decode_terms(bytes(terms)), True, None, canonical.decode(bytes(receipt))
        )
    for deal, offer, status, receipt in conn.execute(
        "SELECT deal_id, offer, status, receipt FROM ratings_offers"
    ):
        key = bytes(deal)
        known = found.get(key)
        if known is not None:
            found[key] = DealRow(key, known.terms, True, str(status), known.receipt)
            continue
        terms = decode_terms(canonical.decode(bytes(offer))["terms"])
        found[key] = DealRow(
            key,
            terms,
            False,
            str(status),
            None if receipt is None else canonical.decode(bytes(receipt)),
        )
    return sorted(found.values(), key=lambda d: (-d.terms.offered, d.deal_id))


@dataclass(frozen=True, slots=True)
class TrustRow:
    """A trust statement in force."""

    record_id: RecordId
    author: IdentityKey
    trustee: IdentityKey
    weight: int
    context: str
    note: str
    ts: int


def trust_in_force(
    conn: Connection, *, author: bytes | None = None, trustee: bytes | None = None
) -> list[TrustRow]:
    """The latest statement per (author, trustee, context), optionally of one author or about
    one trustee; newest first."""
    where, params = [], []
    if author is not None:
        where.append("author = ?")
        params.append(author)
    if trustee is not None:
        where.append("trustee = ?")
        params.append(trustee)
    filtered = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        "SELECT record_id, author, trustee, weight, context, note, ts FROM ("
        "SELECT *, row_number() OVER (PARTITION BY author, trustee, context "
        "ORDER BY ts DESC, seq DESC, record_id DESC) AS n "
        f"FROM ratings_trust {filtered}) WHERE n = 1 ORDER BY ts DESC, record_id",
        params,
    ).fetchall()
    return [
        TrustRow(
            RecordId(bytes(r[0])),
            IdentityKey(bytes(r[1])),
            IdentityKey(bytes(r[2])),
            int(r[3]),
            str(r[4]),
            str(r[5]),
            int(r[6]),
        )
        for r in rows
    ]


def my_trust_records(conn: Connection, me: bytes, trustee: bytes, context: str) -> list[RecordId]:
    """Every statement of mine about ``trustee`` in ``context``, oldest first."""
    return [
        RecordId(bytes(r[0]))
        for r in conn.execute(
            "SELECT record_id FROM ratings_trust WHERE author = ? AND trustee = ? AND context = ?"
            " ORDER BY ts, seq",
            (me, trustee, context),
        )
    ]


@dataclass(frozen=True, slots=True)
class ImportRow:
    """An indexed import with the witness records that name it."""

    record_id: RecordId
    subject: IdentityKey
    ts: int
    content: dict[str, Any]
    witnesses: tuple[tuple[IdentityKey, dict[str, Any]], ...]
    """(author, content) of every witness record naming the import and its subject (the
    assurance rules decide which count)."""


def imports(
    conn: Connection, subject: bytes | None = None, *, record_id: bytes | None = None
) -> list[ImportRow]:
    """Imports (of one subject, one by id, or all), newest first, with their token
    witnesses."""
    where: list[str] = []
    params: list[bytes] = []
    for column, value in (("subject", subject), ("record_id", record_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    filtered = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"SELECT record_id, subject, ts, content FROM ratings_imports {filtered} "
        "ORDER BY ts DESC, record_id",
        params,
    ).fetchall()
    found = []
    for found_id, who, ts, content in rows:
        witnesses = [
            (IdentityKey(bytes(author)), canonical.decode(bytes(raw)))
            for author, raw in conn.execute(
                "SELECT author, content FROM ratings_witnesses WHERE import_id = ? "
                "AND subject = ? ORDER BY ts, record_id",
                (found_id, who),
            )
        ]
        found.append(
            ImportRow(
                RecordId(bytes(found_id)),
                IdentityKey(bytes(who)),
                int(ts),
                canonical.decode(bytes(content)),
                tuple(witnesses),
            )
        )
    return found


def import_row(conn: Connection, record_id: bytes) -> ImportRow | None:
    """One indexed import by id."""
    found = imports(conn, record_id=record_id)
    return found[0] if found else None
