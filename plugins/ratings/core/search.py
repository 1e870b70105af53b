"""The search provider: revealed ratings whose text or deal matches every word typed.

Plain case-folded substring matching in Python over the revealed ratings (a profile holds
thousands, not millions); no FTS syntax reaches SQLite. A hit is a rating (``kind`` ``rating``,
the reveal record's id, authored by the rater); it scores 1.0 when every word is in the
rating's own text and less when some are only in what the deal exchanged. Filters: ``ratee``
(an identity id) keeps ratings of that person; any other filter finds nothing here.
"""

from __future__ import annotations

from smd_desktop.core import canonical
from smd_desktop.core.errors import MalformedId
from smd_desktop.core.ids import IdentityKey, RecordId, parse_identity
from smd_desktop.core.plugins import Connection, SearchHit, SearchQuery

PLUGIN = "ratings"
HIT_KIND = "rating"
FILTERS = frozenset({"ratee"})
SNIPPET_CHARS = 200


def search_hook(conn: Connection, query: SearchQuery) -> list[SearchHit]:
    """Hits for ``query``, best first, at most ``query.limit``."""
    words = query.text.casefold().split()
    if not words or set(query.filters) - FILTERS:
        return []
    ratee: bytes | None = None
    if "ratee" in query.filters:
        try:
            ratee = parse_identity(query.filters["ratee"])
        except MalformedId:
            return []
    hits: list[SearchHit] = []
    for reveal_id, rater, rated, raw, what, context in conn.execute(
        "SELECT r.reveal_id, r.rater, r.ratee, r.rating, d.what, d.context "
        "FROM ratings_ratings AS r JOIN ratings_deals AS d ON d.deal_id = r.deal_id "
        "WHERE r.reveal_id IS NOT NULL ORDER BY r.sealed_ts DESC"
    ):
        author = IdentityKey(bytes(rater))
        if author in query.hidden_authors or (query.author is not None and author != query.author):
            continue
        if ratee is not None and bytes(rated) != ratee:
            continue
        body = canonical.decode(bytes(raw))
        text = str(body.get("text", ""))
        own, deal = text.casefold(), f"{what} {context}".casefold()
        if not all(w in own or w in deal for w in words):
            continue
        in_text = sum(1 for w in words if w in own)
        hits.append(
            SearchHit(
                plugin=PLUGIN,
                kind=HIT_KIND,
                record_id=RecordId(bytes(reveal_id)),
                author=author,
                title=f"{body['overall']}/5 for {what}",
                snippet=text[:SNIPPET_CHARS],
                score=0.5 + 0.5 * in_text / len(words),
            )
        )
    hits.sort(key=lambda h: -h.score)
    return hits[: query.limit]
