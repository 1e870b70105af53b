"""The trust walk: exact truncated personalized PageRank on hand-computed graphs, edge kinds,
contexts, bridges and distrust."""

from __future__ import annotations

import pytest

from plugins.ratings.core import (
    DealEdge,
    FollowEdge,
    ReputationEngine,
    ReputationParams,
    TrustEdge,
)
from plugins.ratings.core.bridges import bridge_edges
from plugins.ratings.core.testing import deal_id, person

V, A, B, C, D, E, M = (person(x) for x in ("V", "A", "B", "C", "D", "E", "M"))


def engine(*edges: TrustEdge | FollowEdge | DealEdge) -> ReputationEngine:
    e = ReputationEngine()
    e.add(*edges)
    return e


def test_mass_splits_by_normalized_weight() -> None:
    walk = engine(TrustEdge(V, A, 1), TrustEdge(V, B, 3)).walk(V)
    # alpha * (1 - alpha) * P: 0.25 * 0.75 * 1/4 and * 3/4
    assert walk.mass_of(A) == 0.046875
    assert walk.mass_of(B) == 0.140625
    assert walk.mass_of(V) == 0.25  # the viewer keeps alpha (step 0)


def test_chain_decays_with_distance_bridges_and_stops_after_four_hops() -> None:
    chain = ((V, A), (A, B), (B, C), (C, D), (D, E))
    walk = engine(*(TrustEdge(x, y, 1) for x, y in chain)).walk(V)
    # arrivals: A 0.75; B 0.75^2 * 0.5 (A -> B is a bridge); C 0.75^3 * 0.5^2; D 0.75^4 * 0.5^3
    assert walk.mass_of(A) == 0.1875
    assert walk.mass_of(B) == 0.0703125
    assert walk.mass_of(C) == 0.0263671875
    assert walk.mass_of(D) == 0.0098876953125
    assert walk.mass_of(E) == 0.0  # five hops away
    assert walk.bridges == {(A, B), (B, C), (C, D)}  # V -> A is the viewer's own edge


def test_two_vouchers_make_no_bridge() -> None:
    e = engine(TrustEdge(V, A, 1), TrustEdge(V, B, 1), TrustEdge(A, C, 1), TrustEdge(B, C, 1))
    walk = e.walk(V)
    assert walk.bridges == frozenset()
    assert walk.mass_of(A) == 0.09375  # 0.25 * 0.75 * 0.5
    assert walk.mass_of(C) == 0.140625  # 0.25 * 2 * (0.75 * 0.5 * 0.75)


def test_cycle_back_to_the_viewer_is_walked_again() -> None:
    walk = engine(TrustEdge(V, A, 2), TrustEdge(A, V, 2)).walk(V)
    assert walk.mass_of(A) == 0.25 * (0.75 + 0.75**3)
    assert walk.mass_of(V) == 0.25 * (1 + 0.75**2 + 0.75**4)


def test_follow_is_half_a_trust_and_deals_add_up_to_their_cap() -> None:
    walk = engine(FollowEdge(V, A), TrustEdge(V, B, 1)).walk(V)
    assert walk.steps[V] == {A: 0.5 / 1.5, B: 1 / 1.5}
    deals = [DealEdge(deal_id(i), V, A) for i in range(2)]
    walk = engine(*deals, TrustEdge(V, B, 1)).walk(V)
    assert walk.steps[V] == {A: 0.5 / 1.5, B: 1 / 1.5}  # 2 deals: 2 * 0.25
    deals = [DealEdge(deal_id(i), V, A) for i in range(7)]
    walk = engine(*deals, FollowEdge(V, A), TrustEdge(V, B, 1)).walk(V)
    assert walk.steps[V] == {A: 0.5, B: 0.5}  # capped at 1.0, and the max of the kinds, not a sum


def test_a_deal_is_trust_in_both_directions() -> None:
    walk = engine(DealEdge(deal_id(1), A, V)).walk(V)
    assert walk.steps == {V: {A: 1.0}, A: {V: 1.0}}
    assert walk.mass_of(A) == 0.25 * (0.75 + 0.75**3)  # V -> A, then V -> A -> V -> A


def test_context_statement_overrides_the_general_one_for_that_context_only() -> None:
    e = engine(
        TrustEdge(V, A, 1),
        TrustEdge(V, B, 1),
        TrustEdge(V, B, 3, "p2p-sale"),
        TrustEdge(V, C, 2, "rental"),
    )
    assert e.walk(V).mass_of(B) == 0.09375  # general: B 1/2
    assert e.walk(V, "p2p-sale").mass_of(B) == 0.140625  # B 3/4
    assert e.walk(V, "p2p-sale").mass_of(C) == 0.0  # other contexts never count
    assert e.walk(V, "rental").mass_of(C) == 0.09375


def test_distrust_cancels_arriving_mass_in_proportion_to_the_distrusters_mass() -> None:
    walk = engine(
        TrustEdge(V, A, 1),
        TrustEdge(V, B, 1),
        TrustEdge(V, C, 1),
        TrustEdge(A, M, 1),
        TrustEdge(B, M, 1),
        TrustEdge(C, M, -1),
    ).walk(V)
    # pass 1: M reached with 2 * 0.25 * 0.75 = 0.375; C's mass 0.0625 cancels 1/6 of it
    assert walk.keep[M] == pytest.approx(1 - 0.0625 / 0.375)
    assert walk.mass_of(M) == pytest.approx(0.25 * 0.375 * 5 / 6)
    assert walk.mass_of(A) == 0.0625  # the others are untouched


def test_distrust_never_goes_below_zero() -> None:
    walk = engine(
        TrustEdge(V, A, 3),
        TrustEdge(V, B, 1),
        TrustEdge(B, M, 1),
        TrustEdge(A, M, -2),
        TrustEdge(M, C, 1),
    ).walk(V)
    assert walk.keep[M] == 0.0
    assert walk.mass_of(M) == 0.0
    assert walk.mass_of(C) == 0.0


def test_the_viewers_own_distrust_is_absolute_and_overrides_a_follow() -> None:
    e = engine(
        TrustEdge(V, A, 1),
        TrustEdge(A, M, 3),
        TrustEdge(M, C, 3),
        FollowEdge(V, M),
        TrustEdge(V, M, -1),
    )
    walk = e.walk(V)
    assert walk.mass_of(M) == 0.0
    assert walk.mass_of(C) == 0.0  # nobody is reached through a person the viewer distrusts
    assert walk.keep[M] == 0.0
    assert walk.mass_of(A) == 0.1875  # the distrust edge takes no share of the viewer's trust


def test_flow_and_pass_on_of_an_edge() -> None:
    walk = engine(TrustEdge(V, A, 1), TrustEdge(A, B, 1), TrustEdge(A, C, 3)).walk(V)
    assert walk.received(A) == 0.75
    assert walk.flow(A, C) == 0.75 * 0.75 * 0.75 * 0.5  # 3/4 of it, halved: a bridge
    assert walk.passed_on(A) == 0.75 * 0.75 * 0.5
    assert walk.flow(V, B) == 0.0


def test_without_bridge_discount_the_chain_is_plain_ppr() -> None:
    e = ReputationEngine(ReputationParams(bridge_discount=1.0))
    e.add(TrustEdge(V, A, 1), TrustEdge(A, B, 1))
    walk = e.walk(V)
    assert walk.bridges == frozenset()
    assert walk.mass_of(B) == 0.25 * 0.75**2


def test_bridge_edges_cover_a_cluster_behind_one_edge() -> None:
    # r -> a -> b, r -> c -> b: no bridge into b. a -> s, and s, t, u trust each other: the
    # whole cluster {s, t, u} hangs on a -> s, and nothing inside it is a bridge.
    graph = {
        "r": ["a", "c"],
        "a": ["b", "s"],
        "c": ["b"],
        "s": ["t", "u"],
        "t": ["s", "u"],
        "u": ["s", "t", "b"],
    }
    assert bridge_edges("r", graph) == {("a", "s")}
    assert bridge_edges("r", {"r": ["a"], "a": ["r"]}) == set()
    assert bridge_edges("r", {}) == set()
