"""Every number of the reputation algorithm, named and explained (docs/RATINGS.md lists them).

The module constants are the defaults; :class:`ReputationParams` bundles them so that a test or
a benchmark can vary one without patching globals. Production code uses
:data:`DEFAULT_PARAMS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# -- the trust graph ---------------------------------------------------------------------------

TRUST_WEIGHTS: Final = frozenset({-2, -1, 1, 2, 3})
"""Weights a trust statement (``ratings/trust/1``) may carry: -2 "do not trust", -1 "be
careful", 1 "a little", 2 "trust", 3 "fully". Zero is not a weight: retract the statement."""

FOLLOW_WEIGHT: Final = 0.5
"""A follow is weak trust: half of the smallest explicit trust weight."""

DEAL_EDGE_WEIGHT: Final = 0.25
"""Each completed, co-signed deal adds this much trust in both directions between its parties."""

DEAL_EDGE_CAP: Final = 1.0
"""Deals between the same two people add at most this much (four deals reach it): trading often
with someone proves they exist, not that they are honest."""

GENERAL: Final = "general"
"""The context of statements that apply to everything (and of follows and deals). Scoring for a
context C uses C's statements plus the general ones; a C statement about a person overrides
the general one about the same person."""

CONTEXT_MAX_LEN: Final = 32
"""Longest context name (``[a-z0-9][a-z0-9-]*``)."""

IDENTITY_LEN: Final = 32
"""Bytes in an identity (an Ed25519 public key)."""

# -- the walk ----------------------------------------------------------------------------------

STOP_PROBABILITY: Final = 0.25
"""alpha: at every node it reaches (the viewer included), the walk stops there with this
probability, else moves on along one trust edge. It weighs trust at distance h by
(1 - alpha)^h."""

MAX_HOPS: Final = 4
"""H: a walk makes at most this many steps; people further than H steps from the viewer have no
weight at all."""

BRIDGE_DISCOUNT: Final = 0.5
"""beta: the walk mass crossing a bridge edge is multiplied by this. An edge u -> v (u not the
viewer) is a bridge when every path from the viewer to v inside the H-step ball uses it, so the
whole cluster behind v hangs on the judgement of u alone."""

DISTRUST_STRENGTH: Final = 1.0
"""A distruster u cancels up to ``DISTRUST_STRENGTH * mass(u)`` of the walk mass arriving at the
people it distrusts (split over them by weight). The viewer's own distrust is absolute."""

# -- the score ---------------------------------------------------------------------------------

FULL_VOTE_MASS: Final = 0.02
"""nu: a rater whose trust mass reaches this counts as one full vote. A direct trustee of a
viewer who trusts up to 9 people gets ``alpha * (1 - alpha) / 9 >= 0.02``."""

RATER_WEIGHT_CAP: Final = 1.0
"""The most one rater can weigh, in votes, however much trust reaches them; the viewer's own
rating weighs exactly this."""

PRIOR_MEAN: Final = 3.0
"""mu0: the neutral rating the score starts from (the middle of 1..5)."""

PRIOR_WEIGHT: Final = 2.0
"""C: the prior counts as this many full votes at ``PRIOR_MEAN``."""

RATING_MIN: Final = 1
RATING_MAX: Final = 5
"""The overall rating scale (``ratings/rating/1``)."""

POSITIVE_RATING: Final = 4
"""Ratings at or above this are positive (for the positive share and its Wilson bound)."""

WILSON_Z: Final = 1.96
"""The z of the Wilson lower bound on the positive share (a 95 % two-sided interval)."""

# -- explain and caches ------------------------------------------------------------------------

EXPLAIN_PATHS: Final = 5
"""Trust paths shown by default."""

EXPLAIN_MAX_EXPANSIONS: Final = 200_000
"""Safety valve of the best-first path search: partial paths examined before it gives up
(returning the paths found so far)."""

MAX_CACHED_WALKS: Final = 16
"""Walks (one per viewer and context) kept; the least recently used goes first. A walk over a
10k-person ball holds a few MB."""


@dataclass(frozen=True, slots=True)
class ReputationParams:
    """The tunable numbers of the algorithm (defaults: the module constants above).

    Rule: ``0 < stop_probability < 1``, ``max_hops >= 1``, ``0 <= bridge_discount <= 1``,
    ``distrust_strength >= 0``, ``full_vote_mass > 0``, ``rater_weight_cap > 0``,
    ``prior_weight > 0``; :class:`ValueError` otherwise.
    """

    stop_probability: float = STOP_PROBABILITY
    max_hops: int = MAX_HOPS
    bridge_discount: float = BRIDGE_DISCOUNT
    distrust_strength: float = DISTRUST_STRENGTH
    full_vote_mass: float = FULL_VOTE_MASS
    rater_weight_cap: float = RATER_WEIGHT_CAP
    prior_mean: float = PRIOR_MEAN
    prior_weight: float = PRIOR_WEIGHT
    follow_weight: float = FOLLOW_WEIGHT
    deal_edge_weight: float = DEAL_EDGE_WEIGHT
    deal_edge_cap: float = DEAL_EDGE_CAP

    def __post_init__(self) -> None:
        checks = {
            "stop_probability": 0 < self.stop_probability < 1,
            "max_hops": self.max_hops >= 1,
            "bridge_discount": 0 <= self.bridge_discount <= 1,
            "distrust_strength": self.distrust_strength >= 0,
            "full_vote_mass": self.full_vote_mass > 0,
            "rater_weight_cap": self.rater_weight_cap > 0,
            "prior_mean": RATING_MIN <= self.prior_mean <= RATING_MAX,
            "prior_weight": self.prior_weight > 0,
            "follow_weight": self.follow_weight > 0,
            "deal_edge_weight": self.deal_edge_weight > 0,
            "deal_edge_cap": self.deal_edge_cap > 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"reputation parameters out of range: {', '.join(bad)}")


DEFAULT_PARAMS: Final = ReputationParams()
"""The parameters SMD uses."""
