"""The sybil bound (docs/RATINGS.md, "The sybil bound").

An honest network of 50 people, the viewer among them. 1,000 fake identities trust each other
densely and all rate two people: 5 stars for a scammer they promote, 1 star to smear an honest
seller. ONE attack edge links them to the honest network: an honest person two steps from the
viewer was fooled into trusting a sybil fully.

Bound: every walk that stops at a sybil crossed the attack edge, so the sybils' summed trust
mass is at most ``T = walk.carried(a, s)`` (at most the edge's flow ``F``), their summed rating
weight at most ``W = T / FULL_VOTE_MASS`` votes, and the score moves by at most

    D * W / (C + W_h + W),    D = max(5 - B_h, B_h - 1)

where ``B_h`` and ``W_h`` are the score and the votes without the sybils' doing and ``C`` the
prior weight. The baseline keeps the attack edge (the fooled person's own statement) but leaves
the sybil it points to inert, so the change measured is what the sybils do with the trust the
edge hands them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from plugins.ratings.core import (
    FULL_VOTE_MASS,
    PRIOR_WEIGHT,
    RATING_MAX,
    RATING_MIN,
    FollowEdge,
    GraphInput,
    Identity,
    Rating,
    Reputation,
    ReputationEngine,
    TrustEdge,
)
from plugins.ratings.core.testing import deal_id, person

HONEST = 50
SYBILS = 1000
SYBIL_OUT_DEGREE = 20
HONEST_RATERS = 10
SMALL = 0.25
"""Stars: the bound must stay below this for the test's honest network."""

VIEWER = person("honest:0")
SCAMMER = person("scammer")
SELLER = person("honest:49")
TARGETS = (SCAMMER, SELLER)


def honest_network() -> list[GraphInput]:
    rng = random.Random(6)
    people = [person(f"honest:{i}") for i in range(HONEST)]
    inputs: list[GraphInput] = []
    for i, p in enumerate(people):
        others = [q for q in people if q != p]
        for q in rng.sample(others, 5 if i == 0 else 4):
            inputs.append(TrustEdge(p, q, rng.choice((1, 2, 3))))
        for q in rng.sample(others, 2):
            inputs.append(FollowEdge(p, q))
    for n, rater in enumerate(rng.sample(people[1:-1], HONEST_RATERS)):
        inputs.append(Rating(rater, SELLER, deal_id(f"h-seller:{n}"), rng.choice((4, 5)), n))
    for n, rater in enumerate(rng.sample(people[1:-1], 2)):
        inputs.append(Rating(rater, SCAMMER, deal_id(f"h-scam:{n}"), 1, n))  # they were scammed
    return inputs


def sybil_names(count: int, tag: str) -> list[Identity]:
    return [person(f"sybil{tag}:{i}") for i in range(count)]


def sybil_region(count: int, tag: str) -> list[GraphInput]:
    """Each sybil trusts ~20 others fully (and the next one, so the region is connected) and
    rates the scammer 5 and the honest seller 1."""
    rng = random.Random(count)
    sybils = sybil_names(count, tag)
    inputs: list[GraphInput] = []
    for i, s in enumerate(sybils):
        friends = {sybils[(i + 1) % count], *rng.sample(sybils, SYBIL_OUT_DEGREE)} - {s}
        inputs.extend(TrustEdge(s, f, 3) for f in sorted(friends))
        inputs.append(Rating(s, SCAMMER, deal_id(f"{tag}promote:{i}"), 5, i))
        inputs.append(Rating(s, SELLER, deal_id(f"{tag}smear:{i}"), 1, i))
    return inputs


def most_trusted_at(engine: ReputationEngine, d: int) -> Identity:
    """The honest person at distance ``d`` from the viewer with the most walk mass."""
    walk = engine.walk(VIEWER)
    return max((p for p, dist in walk.distance.items() if dist == d), key=walk.received)


@dataclass
class Attack:
    engine: ReputationEngine
    sybils: list[Identity]
    source: Identity
    entry: Identity
    baseline: dict[Identity, Reputation]
    """Scores with the attack edge in place but the sybils inert."""

    def carried(self) -> float:
        return self.engine.walk(VIEWER).carried(self.source, self.entry)

    def sybil_mass(self) -> float:
        return self.engine.walk(VIEWER).total_mass(self.sybils)

    def change(self, target: Identity) -> float:
        return self.engine.reputation(VIEWER, target).score - self.baseline[target].score

    def bound(self, target: Identity) -> float:
        base = self.baseline[target]
        d = max(RATING_MAX - base.score, base.score - RATING_MIN)
        w = self.carried() / FULL_VOTE_MASS
        return d * w / (PRIOR_WEIGHT + base.votes + w)


def attack(
    count: int = SYBILS, *, source_distance: int = 2, tag: str = "", distrusters: int = 0
) -> Attack:
    """The honest network, then the attack edge (scored: the baseline), then ``count`` sybils.
    ``distrusters`` of the viewer's trustees distrust the attack edge's source first."""
    engine = ReputationEngine()
    engine.extend(honest_network())
    source = most_trusted_at(engine, source_distance)
    friends = sorted(p for p, d in engine.walk(VIEWER).distance.items() if d == 1 and p != source)
    engine.add(*(TrustEdge(f, source, -2) for f in friends[:distrusters]))
    sybils = sybil_names(count, tag)
    engine.add(TrustEdge(source, sybils[0], 3))
    baseline = {t: engine.reputation(VIEWER, t) for t in TARGETS}
    engine.extend(sybil_region(count, tag))
    return Attack(engine, sybils, source, sybils[0], baseline)


@pytest.fixture(scope="module")
def thousand() -> Attack:
    return attack()


def test_without_the_attack_edge_sybils_have_zero_influence() -> None:
    honest_only = ReputationEngine()
    honest_only.extend(honest_network())
    engine = ReputationEngine()
    engine.extend(honest_network())
    engine.extend(sybil_region(SYBILS, ""))
    assert engine.walk(VIEWER).total_mass(sybil_names(SYBILS, "")) == 0.0
    for target in TARGETS:
        with_sybils = engine.reputation(VIEWER, target)
        alone = honest_only.reputation(VIEWER, target)
        assert with_sybils.score == alone.score
        assert with_sybils.outside == alone.outside + SYBILS


def test_sybil_mass_is_bounded_by_the_trust_the_attack_edge_carries(thousand: Attack) -> None:
    walk = thousand.engine.walk(VIEWER)
    assert (thousand.source, thousand.entry) in walk.bridges
    flow = walk.flow(thousand.source, thousand.entry)
    # what the honest side hands over: a's walk mass * (1 - alpha) * a's normalized weight for
    # the sybil * the bridge discount
    offered = walk.received(thousand.source) * 0.75 * walk.steps[thousand.source][thousand.entry]
    assert flow == pytest.approx(offered)
    assert 0 < thousand.sybil_mass() <= thousand.carried() <= flow
    sybils = set(thousand.sybils)
    for target in TARGETS:
        result = thousand.engine.reputation(VIEWER, target)
        votes = sum(c.weight for c in result.contributions if c.rater in sybils)
        assert 0 < votes <= thousand.carried() / FULL_VOTE_MASS
        # the honest raters weigh exactly what they weighed before: sybils cannot touch them
        honest = {c.rater: c.weight for c in result.contributions if c.rater not in sybils}
        before = {c.rater: c.weight for c in thousand.baseline[target].contributions}
        assert honest == before


@pytest.mark.parametrize("target", TARGETS, ids=["promote", "smear"])
def test_score_moves_no_more_than_the_bound_and_the_bound_is_small(
    thousand: Attack, target: Identity
) -> None:
    change = thousand.change(target)
    bound = thousand.bound(target)
    assert change != 0
    assert abs(change) <= bound < SMALL


def test_distrusting_the_attack_edges_source_reduces_the_influence(thousand: Attack) -> None:
    distrusted = attack(tag="d", distrusters=2)
    assert distrusted.source == thousand.source
    assert distrusted.engine.walk(VIEWER).keep[distrusted.source] < 1
    assert distrusted.carried() < thousand.carried()
    assert distrusted.sybil_mass() < thousand.sybil_mass()
    for target in TARGETS:
        assert 0 < abs(distrusted.change(target)) < abs(thousand.change(target))
        assert abs(distrusted.change(target)) <= distrusted.bound(target)


def test_more_sybils_do_not_add_influence(thousand: Attack) -> None:
    double = attack(2 * SYBILS, tag="x2")
    assert double.source == thousand.source
    assert double.sybil_mass() <= thousand.sybil_mass() + 1e-12
    for target in TARGETS:
        assert abs(double.change(target)) <= abs(thousand.change(target)) + 1e-12


def test_the_bound_holds_when_a_direct_friend_is_fooled() -> None:
    # Worst placement: the attack edge leaves one of the viewer's own trustees. The bound still
    # holds; it is larger, because that friend carries much more of the viewer's trust.
    near = attack(source_distance=1, tag="n")
    for target in TARGETS:
        # here every sybil walk stops inside the region: the bound is reached (up to rounding)
        assert 0 < abs(near.change(target)) <= near.bound(target) + 1e-9
