"""The engine: caching, invalidating only what an edit can change, input rules, threads."""

from __future__ import annotations

import re
import threading

import pytest

from plugins.ratings.core import (
    CacheStats,
    DealEdge,
    FollowEdge,
    Rating,
    ReputationEngine,
    ReputationInputError,
    ReputationParams,
    TrustEdge,
)
from plugins.ratings.core.testing import deal_id, person

V, A, B, C, T, U, Z = (person(x) for x in ("V", "A", "B", "C", "T", "U", "Z"))


def small() -> ReputationEngine:
    e = ReputationEngine()
    e.add(
        TrustEdge(V, A, 2),
        TrustEdge(A, B, 1),
        TrustEdge(V, C, 1),
        Rating(A, T, deal_id(1), 5, 1),
        Rating(B, U, deal_id(2), 2, 2),
    )
    return e


def test_repeated_questions_are_answered_from_the_cache() -> None:
    e = small()
    first = e.reputation(V, T)
    assert e.reputation(V, T) is first
    e.reputation(V, U)
    assert e.stats == CacheStats(walks_computed=1, walk_hits=2, scores_computed=2, score_hits=1)


def test_a_rating_invalidates_only_the_ratees_score() -> None:
    e = small()
    e.reputation(V, T)
    e.reputation(V, U)
    e.add(Rating(C, T, deal_id(3), 1, 3))
    assert e.cached(V) == (True, frozenset({U}))
    assert e.reputation(V, T).in_network == 2
    assert e.stats.walks_computed == 1
    assert e.stats.scores_dropped == 1


def test_an_edge_inside_the_ball_invalidates_the_walk_and_its_scores() -> None:
    e = small()
    e.reputation(V, T)
    e.add(TrustEdge(B, C, 3))
    assert e.cached(V) == (False, frozenset())
    assert e.stats.walks_dropped == 1
    e.reputation(V, T)
    assert e.stats.walks_computed == 2


def test_an_edge_outside_the_ball_changes_nothing_cached() -> None:
    e = small()
    e.reputation(V, T)
    e.add(TrustEdge(Z, A, 3), FollowEdge(Z, B), DealEdge(deal_id(9), Z, U))
    assert e.cached(V) == (True, frozenset({T}))
    assert e.stats.walks_dropped == 0


def test_a_context_statement_invalidates_that_context_only() -> None:
    e = small()
    e.walk(V)
    e.walk(V, "rental")
    e.walk(V, "p2p-sale")
    e.add(TrustEdge(A, C, 3, "rental"))
    assert [e.cached(V, ctx)[0] for ctx in ("general", "rental", "p2p-sale")] == [
        True,
        False,
        True,
    ]
    e.add(TrustEdge(A, C, 3))  # a general statement touches every context
    assert [e.cached(V, ctx)[0] for ctx in ("general", "p2p-sale")] == [False, False]


def test_adding_the_same_value_again_invalidates_nothing() -> None:
    e = small()
    e.reputation(V, T)
    e.add(TrustEdge(V, A, 2), Rating(A, T, deal_id(1), 5, 1))
    assert e.cached(V) == (True, frozenset({T}))


def test_removals_take_effect() -> None:
    e = small()
    e.add(FollowEdge(V, B), DealEdge(deal_id(7), V, T))
    assert e.walk(V).mass_of(T) > 0
    e.remove_deal(deal_id(7))
    e.remove_follow(V, B)
    e.remove_trust(A, B)
    assert e.walk(V).mass_of(B) == 0.0
    assert e.walk(V).mass_of(T) == 0.0
    e.remove_rating(A, deal_id(1))
    assert e.reputation(V, T).outside + e.reputation(V, T).in_network == 0
    e.remove_trust(A, B)  # already gone: a no-op
    assert e.size == (3, 2, 1)


def test_a_replaced_rating_moves_between_ratees() -> None:
    e = small()
    e.reputation(V, T)
    e.reputation(V, U)
    e.add(Rating(A, U, deal_id(1), 1, 5))  # same key (rater, deal), new ratee
    assert e.cached(V) == (True, frozenset())
    assert e.reputation(V, T).in_network == 0
    assert e.reputation(V, U).in_network == 2


def test_least_recently_used_walks_are_evicted() -> None:
    e = ReputationEngine(max_walks=2)
    e.add(TrustEdge(V, A, 1), TrustEdge(A, V, 1))
    e.reputation(V, T)
    e.walk(A)
    e.walk(V)
    e.walk(B)
    assert (e.cached(V)[0], e.cached(A)[0], e.cached(B)[0]) == (True, False, True)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: TrustEdge(V, A, 0), r"^trust weight must be one of \[-2, -1, 1, 2, 3\]$"),
        (lambda: TrustEdge(V, V, 1), r"^truster and trustee must be different people$"),
        (lambda: TrustEdge(V, b"short", 1), r"^trustee must be 32 bytes$"),
        (lambda: TrustEdge(V, A, 1, "P2P Sale"), r"^context must match"),
        (lambda: FollowEdge(A, A), r"^follower and followee must be different people$"),
        (lambda: DealEdge(b"", V, A), r"^deal_id must be non-empty bytes$"),
        (lambda: Rating(V, A, b"d", 6, 0), r"^overall must be an integer 1\.\.5$"),
        (lambda: Rating(V, A, b"d", 5, -1), r"^timestamp must be a non-negative integer$"),
    ],
)
def test_values_outside_the_model_are_refused(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(ReputationInputError, match=message):
        make()


def test_only_graph_inputs_are_accepted() -> None:
    with pytest.raises(ReputationInputError, match=r"^not a graph input: str$"):
        ReputationEngine().extend(["edge"])  # type: ignore[list-item]


def test_questions_are_checked_too() -> None:
    e = small()
    with pytest.raises(ReputationInputError, match=r"^viewer must be 32 bytes$"):
        e.reputation(b"x", T)
    with pytest.raises(ReputationInputError, match=re.escape("context must match")):
        e.walk(V, "")


def test_parameters_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^reputation parameters out of range: max_hops$"):
        ReputationParams(max_hops=0)


def test_a_writer_and_a_reader_thread_can_share_the_engine() -> None:
    e = small()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(300):
                e.add(TrustEdge(A, person(i), 1), Rating(person(i), T, deal_id(i), 4, i))
        except BaseException as exc:  # reported below
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    while writer.is_alive():
        e.reputation(V, T)
    writer.join()
    assert not errors
    assert e.reputation(V, T).in_network == 301
