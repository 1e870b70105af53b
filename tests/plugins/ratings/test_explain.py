"""Explain: the heaviest trust paths in exact order, and the ratings that counted."""

from __future__ import annotations

import pytest

from plugins.ratings.core import Rating, ReputationEngine, TrustEdge
from plugins.ratings.core.testing import deal_id, person

V, A, B, C, T = (person(x) for x in ("V", "A", "B", "C", "T"))


def diamond() -> ReputationEngine:
    e = ReputationEngine()
    e.add(
        TrustEdge(V, A, 3),
        TrustEdge(V, B, 1),
        TrustEdge(A, T, 1),
        TrustEdge(A, B, 1),
        TrustEdge(B, T, 1),
        Rating(A, T, deal_id(1), 5, 1),
        Rating(C, T, deal_id(2), 1, 2),
    )
    return e


def test_paths_come_heaviest_first_with_exact_masses() -> None:
    x = diamond().explain(V, T)
    assert [p.people for p in x.paths] == [(V, A, T), (V, A, B, T), (V, B, T)]
    # alpha * prod (1 - alpha) * P along the path
    assert [p.mass for p in x.paths] == [
        0.25 * 0.75 * 0.75 * 0.75 * 0.5,
        0.25 * 0.75 * 0.75 * 0.75 * 0.5 * 0.75 * 1,
        0.25 * 0.75 * 0.25 * 0.75 * 1,
    ]
    assert x.target_mass == pytest.approx(sum(p.mass for p in x.paths))
    assert x.complete


def test_explain_lists_the_ratings_that_counted() -> None:
    x = diamond().explain(V, T)
    assert [(c.rater, c.weight > 0) for c in x.reputation.contributions] == [(A, True), (C, False)]
    assert (x.reputation.in_network, x.reputation.outside) == (1, 1)


def test_path_limit_and_unreachable_people() -> None:
    e = diamond()
    assert [p.people for p in e.explain(V, T, paths=1).paths] == [(V, A, T)]
    x = e.explain(V, C)
    assert (x.paths, x.target_mass, x.complete) == ((), 0.0, True)


def test_paths_skip_cycles_but_keep_their_order() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1), TrustEdge(A, V, 1), TrustEdge(A, T, 1))
    x = e.explain(V, T)
    assert [p.people for p in x.paths] == [(V, A, T)]  # V -> A -> V -> A -> T is not simple
    assert x.target_mass > x.paths[0].mass
