"""The reputation engine: holds the trust graph and the ratings, answers "how does the viewer
see this person?", caches, and invalidates only what an edit can change.

Caches and their invalidation:

* rows (a person's normalized out-edges per scoring context): an edit of ``u``'s edges drops
  ``u``'s row, in the edit's context only when it is a context statement, else in all;
* walks (one per viewer and context, ``MAX_CACHED_WALKS`` kept, least recently used dropped): an
  edit of ``u``'s edges drops the walks whose H-step ball contains ``u`` (a person outside the
  ball cannot change the walk: the walk never reaches them, nor do they shape a bridge or spend
  distrust), in the contexts the edit touches;
* scores (per viewer, context and target): dropped with their walk, and a rating edit drops
  only the rated person's scores.

Thread rule: one lock serialises every public method, so the indexing thread may add edges
while a worker thread scores; results are frozen values that any thread (the GUI's included)
may read. A cold score holds the lock for the whole computation (about 0.2 s at 10k people and
100k edges, see bench/reputation.py): call the engine from worker threads, never from the GUI
thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, fields

from .explain import Explanation, top_paths
from .graph import Change, RatingBook, TrustGraph
from .inputs import (
    DealEdge,
    FollowEdge,
    GraphInput,
    Identity,
    Rating,
    ReputationInputError,
    TrustEdge,
    check_context,
    check_identity,
)
from .params import DEFAULT_PARAMS, EXPLAIN_PATHS, GENERAL, MAX_CACHED_WALKS, ReputationParams
from .score import Reputation, reputation
from .walk import Walk, compute_walk


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters since the engine was made (a snapshot)."""

    walks_computed: int = 0
    walk_hits: int = 0
    walks_dropped: int = 0
    """Walks invalidated by edits (not counting least-recently-used evictions)."""
    scores_computed: int = 0
    score_hits: int = 0
    scores_dropped: int = 0
    """Cached scores invalidated by edits (with their walk or by a rating edit)."""


class ReputationEngine:
    """Local web-of-trust reputation from any viewer's seat (docs/RATINGS.md).

    Feed it with :meth:`add` / the ``remove_*`` methods (idempotent: adding the same value again
    changes nothing), ask with :meth:`reputation`, :meth:`explain` and :meth:`walk`.
    """

    def __init__(
        self, params: ReputationParams = DEFAULT_PARAMS, *, max_walks: int = MAX_CACHED_WALKS
    ) -> None:
        self.params = params
        self._max_walks = max_walks
        self._lock = threading.RLock()
        self._graph = TrustGraph(params)
        self._ratings = RatingBook()
        self._walks: OrderedDict[tuple[Identity, str], Walk] = OrderedDict()
        self._scores: dict[tuple[Identity, str], dict[Identity, Reputation]] = {}
        self._counts = dict.fromkeys((f.name for f in fields(CacheStats)), 0)

    # -- feeding -----------------------------------------------------------------------------

    def add(self, *items: GraphInput) -> None:
        """Add (or replace, for the same key) trust statements, follows, deals and ratings."""
        self.extend(items)

    def extend(self, items: Iterable[GraphInput]) -> None:
        """:meth:`add` for an iterable (bulk loading at start-up)."""
        with self._lock:
            for item in items:
                match item:
                    case TrustEdge():
                        self._apply(self._graph.add_trust(item))
                    case FollowEdge():
                        self._apply(self._graph.add_follow(item))
                    case DealEdge():
                        self._apply(self._graph.add_deal(item))
                    case Rating():
                        self._rated(self._ratings.add(item))
                    case _:
                        raise ReputationInputError(f"not a graph input: {type(item).__name__}")

    def remove_trust(self, truster: Identity, trustee: Identity, context: str = GENERAL) -> None:
        """Forget the statement of (truster, trustee, context), if any."""
        with self._lock:
            self._apply(self._graph.remove_trust(truster, trustee, context))

    def remove_follow(self, follower: Identity, followee: Identity) -> None:
        """Forget a follow, if any."""
        with self._lock:
            self._apply(self._graph.remove_follow(follower, followee))

    def remove_deal(self, deal_id: bytes) -> None:
        """Forget a deal, if any (its ratings are removed separately)."""
        with self._lock:
            self._apply(self._graph.remove_deal(deal_id))

    def remove_rating(self, rater: Identity, deal_id: bytes) -> None:
        """Forget ``rater``'s rating of ``deal_id``, if any."""
        with self._lock:
            self._rated(self._ratings.remove(rater, deal_id))

    def clear_caches(self) -> None:
        """Drop every cached row, walk and score (e.g. after a rebuild)."""
        with self._lock:
            self._graph.drop_rows()
            self._walks.clear()
            self._scores.clear()

    # -- asking ------------------------------------------------------------------------------

    def walk(self, viewer: Identity, context: str = GENERAL) -> Walk:
        """The viewer's trust walk in ``context`` (cached)."""
        check_identity(viewer, "viewer")
        check_context(context)
        with self._lock:
            return self._walk(viewer, context)

    def reputation(self, viewer: Identity, target: Identity, context: str = GENERAL) -> Reputation:
        """``target``'s reputation from ``viewer``'s seat in ``context`` (cached)."""
        check_identity(viewer, "viewer")
        check_identity(target, "target")
        check_context(context)
        with self._lock:
            return self._reputation(viewer, target, context)

    def explain(
        self,
        viewer: Identity,
        target: Identity,
        context: str = GENERAL,
        *,
        paths: int = EXPLAIN_PATHS,
    ) -> Explanation:
        """The reputation with the ``paths`` heaviest trust paths to ``target`` (not cached:
        the walk and the score it builds on are)."""
        check_identity(viewer, "viewer")
        check_identity(target, "target")
        check_context(context)
        with self._lock:
            result = self._reputation(viewer, target, context)
            walk = self._walk(viewer, context)
            found, complete = top_paths(walk, target, self._graph.in_neighbours, paths)
            return Explanation(result, walk.mass_of(target), found, complete)

    @property
    def stats(self) -> CacheStats:
        """The cache counters (a snapshot)."""
        with self._lock:
            return CacheStats(**self._counts)

    @property
    def size(self) -> tuple[int, int, int]:
        """(people with edges, edge facts, ratings) held."""
        with self._lock:
            return self._graph.people, self._graph.edge_count, len(self._ratings)

    def cached(self, viewer: Identity, context: str = GENERAL) -> tuple[bool, frozenset[Identity]]:
        """Whether ``viewer``'s walk in ``context`` is cached, and whose scores are."""
        with self._lock:
            key = (viewer, context)
            return key in self._walks, frozenset(self._scores.get(key, {}))

    # -- internals (under the lock) ----------------------------------------------------------

    def _walk(self, viewer: Identity, context: str) -> Walk:
        key = (viewer, context)
        walk = self._walks.get(key)
        if walk is not None:
            self._walks.move_to_end(key)
            self._count(walk_hits=1)
            return walk
        walk = compute_walk(viewer, context, lambda u: self._graph.row(u, context), self.params)
        self._count(walks_computed=1)
        self._walks[key] = walk
        if len(self._walks) > self._max_walks:
            old, _ = self._walks.popitem(last=False)
            self._scores.pop(old, None)
        return walk

    def _reputation(self, viewer: Identity, target: Identity, context: str) -> Reputation:
        walk = self._walk(viewer, context)
        scores = self._scores.setdefault((viewer, context), {})
        result = scores.get(target)
        if result is not None:
            self._count(score_hits=1)
            return result
        result = scores[target] = reputation(walk, target, self._ratings.of(target))
        self._count(scores_computed=1)
        return result

    def _apply(self, change: Change) -> None:
        if not change.sources:
            return
        stale = [
            key
            for key, walk in self._walks.items()
            if (change.context is None or key[1] == change.context)
            and not change.sources.isdisjoint(walk.distance)
        ]
        dropped_scores = 0
        for key in stale:
            del self._walks[key]
            dropped_scores += len(self._scores.pop(key, {}))
        self._count(walks_dropped=len(stale), scores_dropped=dropped_scores)

    def _rated(self, ratees: frozenset[Identity]) -> None:
        dropped = 0
        for scores in self._scores.values():
            for ratee in ratees:
                if scores.pop(ratee, None) is not None:
                    dropped += 1
        self._count(scores_dropped=dropped)

    def _count(self, **increments: int) -> None:
        for name, n in increments.items():
            self._counts[name] += n
