"""The trust graph and the ratings, as the engine holds them, plus each person's normalized
out-edges ("rows") for one scoring context.

Not thread-safe by itself: :class:`~plugins.ratings.core.engine.ReputationEngine` serialises
every access.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .inputs import DealEdge, FollowEdge, Identity, Rating, TrustEdge
from .params import GENERAL, ReputationParams


@dataclass(frozen=True, slots=True)
class Row:
    """One person's out-edges in one scoring context, each side normalized to sum 1.

    ``trust`` holds the positive edges (explicit trust, follows, deals; the strongest of the
    three per person), ``distrust`` the negative ones. Either may be empty.
    """

    trust: Mapping[Identity, float]
    distrust: Mapping[Identity, float]


EMPTY_ROW = Row({}, {})


@dataclass(frozen=True, slots=True)
class Change:
    """What an edit touched: the people whose out-edges changed, in which scoring contexts
    (``None``: all of them, because a general statement, follow or deal changed)."""

    sources: frozenset[Identity]
    context: str | None


NO_CHANGE = Change(frozenset(), None)


class TrustGraph:
    """Trust statements, follows and deals, with per-context row caches.

    Every mutator returns the :class:`Change` it made (``NO_CHANGE`` when the edit was a no-op),
    which the engine uses to invalidate only what depends on it.
    """

    def __init__(self, params: ReputationParams) -> None:
        self._params = params
        self._trust: dict[Identity, dict[Identity, dict[str, int]]] = {}
        self._follows: dict[Identity, set[Identity]] = {}
        self._deals: dict[bytes, DealEdge] = {}
        self._deal_count: dict[Identity, dict[Identity, int]] = {}
        self._in: dict[Identity, dict[Identity, int]] = {}
        """v -> u -> how many edge facts (statements, follow, deal pair) link u to v."""
        self._rows: dict[str, dict[Identity, Row]] = {}

    # -- edits -------------------------------------------------------------------------------

    def add_trust(self, edge: TrustEdge) -> Change:
        """Add or replace the statement of (truster, trustee, context)."""
        by_context = self._trust.setdefault(edge.truster, {}).setdefault(edge.trustee, {})
        old = by_context.get(edge.context)
        if old == edge.weight:
            return NO_CHANGE
        by_context[edge.context] = edge.weight
        if old is None:
            self._link(edge.truster, edge.trustee)
        return self._changed(edge.truster, context=edge.context)

    def remove_trust(self, truster: Identity, trustee: Identity, context: str) -> Change:
        """Drop the statement of (truster, trustee, context), if there is one."""
        by_context = self._trust.get(truster, {}).get(trustee)
        if by_context is None or context not in by_context:
            return NO_CHANGE
        del by_context[context]
        if not by_context:
            del self._trust[truster][trustee]
            if not self._trust[truster]:
                del self._trust[truster]
        self._unlink(truster, trustee)
        return self._changed(truster, context=context)

    def add_follow(self, edge: FollowEdge) -> Change:
        """Record that ``follower`` follows ``followee``."""
        followed = self._follows.setdefault(edge.follower, set())
        if edge.followee in followed:
            return NO_CHANGE
        followed.add(edge.followee)
        self._link(edge.follower, edge.followee)
        return self._changed(edge.follower)

    def remove_follow(self, follower: Identity, followee: Identity) -> Change:
        """Forget a follow, if known."""
        followed = self._follows.get(follower)
        if followed is None or followee not in followed:
            return NO_CHANGE
        followed.discard(followee)
        if not followed:
            del self._follows[follower]
        self._unlink(follower, followee)
        return self._changed(follower)

    def add_deal(self, deal: DealEdge) -> Change:
        """Add a completed deal (a no-op when its id is known)."""
        if deal.deal_id in self._deals:
            return NO_CHANGE
        self._deals[deal.deal_id] = deal
        for a, b in ((deal.party_a, deal.party_b), (deal.party_b, deal.party_a)):
            counts = self._deal_count.setdefault(a, {})
            counts[b] = counts.get(b, 0) + 1
            if counts[b] == 1:
                self._link(a, b)
        return self._changed(deal.party_a, deal.party_b)

    def remove_deal(self, deal_id: bytes) -> Change:
        """Forget a deal (e.g. its receipt was retracted)."""
        deal = self._deals.pop(deal_id, None)
        if deal is None:
            return NO_CHANGE
        for a, b in ((deal.party_a, deal.party_b), (deal.party_b, deal.party_a)):
            counts = self._deal_count[a]
            counts[b] -= 1
            if counts[b] == 0:
                del counts[b]
                self._unlink(a, b)
                if not counts:
                    del self._deal_count[a]
        return self._changed(deal.party_a, deal.party_b)

    # -- reading -----------------------------------------------------------------------------

    def row(self, person: Identity, context: str) -> Row:
        """``person``'s normalized out-edges when scoring for ``context`` (cached)."""
        rows = self._rows.setdefault(context, {})
        row = rows.get(person)
        if row is None:
            row = rows[person] = self._build_row(person, context)
        return row

    def drop_rows(self) -> None:
        """Forget every cached row."""
        self._rows.clear()

    def in_neighbours(self, person: Identity) -> Iterator[Identity]:
        """Everyone with some edge (of any kind, context or sign) to ``person``."""
        return iter(self._in.get(person, ()))

    @property
    def edge_count(self) -> int:
        """Edge facts held: statements, follows and deal pairs (each direction once)."""
        return sum(len(us) for us in self._in.values())

    @property
    def people(self) -> int:
        """People with at least one edge in or out."""
        return len(self._in.keys() | self._trust.keys() | self._follows.keys())

    # -- internals ---------------------------------------------------------------------------

    def _build_row(self, person: Identity, context: str) -> Row:
        p = self._params
        trust: dict[Identity, float] = {}
        distrust: dict[Identity, float] = {}
        for other, by_context in self._trust.get(person, {}).items():
            weight = by_context.get(context) if context != GENERAL else None
            if weight is None:
                weight = by_context.get(GENERAL)
            if weight is None:
                continue
            if weight < 0:
                distrust[other] = float(-weight)
            else:
                trust[other] = float(weight)
        # Explicit distrust overrides a follow or a deal; otherwise the strongest of the three
        # counts: one relationship seen three ways is still one relationship.
        for other in self._follows.get(person, ()):
            if other not in distrust:
                trust[other] = max(trust.get(other, 0.0), p.follow_weight)
        for other, deals in self._deal_count.get(person, {}).items():
            if other not in distrust:
                deal_weight = min(p.deal_edge_cap, p.deal_edge_weight * deals)
                trust[other] = max(trust.get(other, 0.0), deal_weight)
        if not trust and not distrust:
            return EMPTY_ROW
        return Row(_normalized(trust), _normalized(distrust))

    def _changed(self, *sources: Identity, context: str | None = None) -> Change:
        scope = None if context == GENERAL else context
        for ctx, rows in self._rows.items():
            if scope is None or ctx == scope:
                for source in sources:
                    rows.pop(source, None)
        return Change(frozenset(sources), scope)

    def _link(self, source: Identity, target: Identity) -> None:
        sources = self._in.setdefault(target, {})
        sources[source] = sources.get(source, 0) + 1

    def _unlink(self, source: Identity, target: Identity) -> None:
        sources = self._in[target]
        sources[source] -= 1
        if sources[source] == 0:
            del sources[source]
            if not sources:
                del self._in[target]


def _normalized(weights: dict[Identity, float]) -> dict[Identity, float]:
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()} if total > 0 else {}


class RatingBook:
    """Ratings by ratee, keyed by (rater, deal id)."""

    def __init__(self) -> None:
        self._by_ratee: dict[Identity, dict[tuple[Identity, bytes], Rating]] = {}
        self._ratee_of: dict[tuple[Identity, bytes], Identity] = {}

    def add(self, rating: Rating) -> frozenset[Identity]:
        """Add or replace a rating; returns the ratees whose scores changed."""
        key = (rating.rater, rating.deal_id)
        old_ratee = self._ratee_of.get(key)
        touched: set[Identity] = {rating.ratee}
        if old_ratee is not None:
            if self._by_ratee[old_ratee][key] == rating:
                return frozenset()
            self._drop(old_ratee, key)
            touched.add(old_ratee)
        self._by_ratee.setdefault(rating.ratee, {})[key] = rating
        self._ratee_of[key] = rating.ratee
        return frozenset(touched)

    def remove(self, rater: Identity, deal_id: bytes) -> frozenset[Identity]:
        """Remove the rating of ``deal_id`` by ``rater``; returns the touched ratees."""
        key = (rater, deal_id)
        ratee = self._ratee_of.get(key)
        if ratee is None:
            return frozenset()
        self._drop(ratee, key)
        return frozenset({ratee})

    def of(self, ratee: Identity) -> list[Rating]:
        """Every rating of ``ratee`` (a fresh list)."""
        return list(self._by_ratee.get(ratee, {}).values())

    def __len__(self) -> int:
        return len(self._ratee_of)

    def _drop(self, ratee: Identity, key: tuple[Identity, bytes]) -> None:
        ratings = self._by_ratee[ratee]
        del ratings[key]
        if not ratings:
            del self._by_ratee[ratee]
        del self._ratee_of[key]
