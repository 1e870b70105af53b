"""Offers on their way: the local ``ratings_offers`` table (never published, never reset).

An offer I send is ``offered`` until the other side answers; one I receive is ``received``
until I answer. Accepting makes it ``accepted`` (the co-signed receipt is kept in the row until
my copy of it is published); either side may decline (``declined``), which publishes nothing.
Whether it expired is computed when reading (``terms.expires``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from smd_desktop.core import canonical
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.plugins import Connection

from .deals import Offer, parse_offer

type Direction = Literal["out", "in"]
OFFERED: Final = "offered"
RECEIVED: Final = "received"
ACCEPTED: Final = "accepted"
DECLINED: Final = "declined"


@dataclass(frozen=True, slots=True)
class OfferRow:
    """One offer I sent or received."""

    offer: Offer
    direction: Direction
    other: IdentityKey
    status: str
    receipt: dict[str, Any] | None
    created: int


def save(
    conn: Connection, offer: Offer, direction: Direction, other: bytes, status: str, now: int
) -> bool:
    """Keep a new offer; False when we already hold it (its status stays as it was)."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO ratings_offers (deal_id, direction, other, offer, status, "
        "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (offer.deal_id, direction, other, offer.encode(), status, now, now),
    )
    return bool(cursor.rowcount == 1)


def get(conn: Connection, deal_id: bytes) -> OfferRow | None:
    """The offer of ``deal_id``, if we hold one."""
    row = conn.execute(
        "SELECT offer, direction, other, status, receipt, created FROM ratings_offers "
        "WHERE deal_id = ?",
        (deal_id,),
    ).fetchone()
    if row is None:
        return None
    return OfferRow(
        parse_offer(bytes(row[0])),
        "out" if row[1] == "out" else "in",
        IdentityKey(bytes(row[2])),
        str(row[3]),
        None if row[4] is None else canonical.decode(bytes(row[4])),
        int(row[5]),
    )


def set_status(
    conn: Connection,
    deal_id: bytes,
    status: str,
    now: int,
    receipt: dict[str, Any] | None = None,
) -> None:
    """Move an offer to ``status`` (keeping a co-signed receipt with it when given)."""
    if receipt is None:
        conn.execute(
            "UPDATE ratings_offers SET status = ?, updated = ? WHERE deal_id = ?",
            (status, now, deal_id),
        )
    else:
        conn.execute(
            "UPDATE ratings_offers SET status = ?, receipt = ?, updated = ? WHERE deal_id = ?",
            (status, canonical.encode(receipt), now, deal_id),
        )


def unpublished_receipts(conn: Connection, me: bytes) -> list[tuple[bytes, dict[str, Any]]]:
    """(deal id, receipt) of co-signed receipts I hold but have not published: received by
    message, with no copy of mine indexed either (from another device of mine)."""
    return [
        (bytes(deal), canonical.decode(bytes(receipt)))
        for deal, receipt in conn.execute(
            "SELECT o.deal_id, o.receipt FROM ratings_offers AS o WHERE o.receipt IS NOT NULL "
            "AND o.published = 0 AND NOT EXISTS (SELECT 1 FROM ratings_deal_records AS r "
            "WHERE r.deal_id = o.deal_id AND r.author = ?) ORDER BY o.updated",
            (me,),
        )
    ]


def mark_published(conn: Connection, deal_id: bytes) -> None:
    """My copy of the deal's receipt is published (never publish it twice)."""
    conn.execute("UPDATE ratings_offers SET published = 1 WHERE deal_id = ?", (deal_id,))
