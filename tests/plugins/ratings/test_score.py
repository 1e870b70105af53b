"""Scores: the Bayesian average, the Wilson bound, capped rater weights, once per ratee,
ratings from outside the network, distrusted raters."""

from __future__ import annotations

import pytest

from plugins.ratings.core import (
    Rating,
    ReputationEngine,
    TrustEdge,
    bayesian_average,
    wilson_lower_bound,
)
from plugins.ratings.core.testing import deal_id, person

V, A, B, C, T, X = (person(x) for x in ("V", "A", "B", "C", "T", "X"))


def rate(rater: bytes, overall: int, deal: object, ts: int = 0, ratee: bytes = T) -> Rating:
    return Rating(rater, ratee, deal_id(deal), overall, ts)


def test_bayesian_average_values() -> None:
    assert bayesian_average([], 3.0, 2.0) == 3.0
    assert bayesian_average([(1.0, 5.0)], 3.0, 2.0) == pytest.approx(11 / 3)
    assert bayesian_average([(1.0, 5.0), (0.5, 1.0)], 3.0, 2.0) == pytest.approx(11.5 / 3.5)
    assert bayesian_average([(0.0, 1.0)], 3.0, 2.0) == 3.0


def test_wilson_lower_bound_values() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1, 1) == pytest.approx(1 / (1 + 1.96**2))
    assert wilson_lower_bound(8, 10) == pytest.approx(0.49016, abs=1e-5)
    assert wilson_lower_bound(0, 10) == 0.0
    assert wilson_lower_bound(80, 100) < wilson_lower_bound(800, 1000) < 0.8


def test_no_rating_gives_the_prior() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1))
    r = e.reputation(V, T)
    assert (r.score, r.votes, r.in_network, r.outside) == (3.0, 0.0, 0, 0)
    assert r.positive_share is None
    assert r.positive_lower_bound == 0.0


def test_a_raters_weight_is_capped_at_one_vote() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1), rate(A, 5, 1))  # A's mass 0.1875 = 9.4 full votes
    r = e.reputation(V, T)
    assert r.contributions[0].mass == 0.1875
    assert r.contributions[0].weight == 1.0
    assert r.score == pytest.approx((2 * 3 + 5) / 3)


def test_small_mass_is_a_fraction_of_a_vote() -> None:
    e = ReputationEngine()
    e.add(*(TrustEdge(V, person(i), 1) for i in range(9)), TrustEdge(V, A, 1))
    e.add(TrustEdge(A, B, 1), rate(B, 5, 1))
    mass_b = 0.25 * 0.75 * (1 / 10) * 0.75 * 0.5  # a friend of one of 10 friends: a bridge
    r = e.reputation(V, T)
    assert r.contributions[0].mass == pytest.approx(mass_b)
    assert r.contributions[0].weight == pytest.approx(mass_b / 0.02)
    assert r.score == pytest.approx((6 + 5 * mass_b / 0.02) / (2 + mass_b / 0.02))


def test_a_rater_counts_once_per_ratee_with_the_mean_of_their_ratings() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1), rate(A, 5, 1, ts=10), rate(A, 4, 2, ts=20), rate(A, 1, 3, ts=30))
    r = e.reputation(V, T)
    (only,) = r.contributions
    assert (only.ratings, only.mean, only.latest, only.weight) == (3, 10 / 3, 30, 1.0)
    assert only.positive == pytest.approx(2 / 3)
    assert r.score == pytest.approx((6 + 10 / 3) / 3)
    assert r.votes == 1.0
    assert r.in_network == 3


def test_raters_outside_the_network_are_counted_but_do_not_weigh() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1), rate(A, 4, 1), rate(X, 1, 2), rate(B, 1, 3), rate(B, 2, 4))
    r = e.reputation(V, T)
    assert (r.in_network, r.outside) == (1, 3)
    assert r.score == pytest.approx((6 + 4) / 3)
    assert [c.rater for c in r.contributions] == [A, B, X]  # heaviest, then most ratings
    assert [c.weight for c in r.contributions] == [1.0, 0.0, 0.0]


def test_the_viewers_own_rating_counts_one_full_vote() -> None:
    e = ReputationEngine()
    e.add(rate(V, 1, 1))
    r = e.reputation(V, T)
    assert r.score == pytest.approx((6 + 1) / 3)
    assert r.contributions[0].weight == 1.0


def test_a_distrusted_rater_does_not_count() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1), TrustEdge(A, B, 3), TrustEdge(V, B, -2), rate(B, 5, 1))
    r = e.reputation(V, T)
    assert (r.score, r.in_network, r.outside) == (3.0, 0, 1)


def test_positive_share_and_its_wilson_bound_use_vote_weights() -> None:
    e = ReputationEngine()
    e.add(TrustEdge(V, A, 1), TrustEdge(V, B, 1), rate(A, 5, 1), rate(B, 2, 2))
    r = e.reputation(V, T)
    assert r.votes == 2.0
    assert r.positive_share == 0.5
    assert r.positive_lower_bound == pytest.approx(wilson_lower_bound(1.0, 2.0))
    assert [c.share for c in r.contributions] == [0.25, 0.25]
