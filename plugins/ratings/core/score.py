"""From trust mass and ratings to a score: capped rater weights, once per ratee, a Bayesian
average with a neutral prior, and a Wilson lower bound on the positive share.

    weight(r) = RATER_WEIGHT_CAP                        if r is the viewer
              = min(RATER_WEIGHT_CAP, mass(r) / nu)     otherwise (nu = FULL_VOTE_MASS)
    mean(r)   = the mean of r's ratings of the target (each of their deals counts the same)
    score     = (C * mu0 + sum_r weight(r) * mean(r)) / (C + sum_r weight(r))

A rater with weight 0 (no trust reaches them from the viewer's seat) is "from outside": their
ratings are shown and counted in ``outside``, never in the score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .inputs import Identity, Rating
from .params import POSITIVE_RATING, WILSON_Z
from .walk import Walk


@dataclass(frozen=True, slots=True)
class RatingContribution:
    """How one rater's ratings of the target counted."""

    rater: Identity
    ratings: int
    """How many of the rater's ratings (deals) of the target there are."""
    mean: float
    """Their mean overall rating: what they add to the score."""
    positive: float
    """The share of those ratings at ``POSITIVE_RATING`` or above."""
    latest: int
    """Timestamp (ms) of their latest rating of the target."""
    mass: float
    """The rater's trust mass from the viewer's seat."""
    weight: float
    """Votes the rater counts for (0: from outside the viewer's network)."""
    share: float
    """``weight / (C + total weight)``: the part of the score this rater sets."""


@dataclass(frozen=True, slots=True)
class Reputation:
    """The target's reputation from the viewer's seat in one context."""

    viewer: Identity
    target: Identity
    context: str
    score: float
    """The Bayesian average (``prior_mean`` when no rating counts)."""
    votes: float
    """The summed weight of the raters who count."""
    in_network: int
    """Ratings by raters with weight > 0 ("n ratings from your network")."""
    outside: int
    """Ratings by raters with weight 0 ("m from outside")."""
    positive_share: float | None
    """Weighted share of positive ratings among those that count (``None``: none counts)."""
    positive_lower_bound: float
    """Wilson lower bound of ``positive_share`` with ``votes`` as the sample size (0 if none)."""
    contributions: tuple[RatingContribution, ...]
    """Every rater, heaviest first (ties: most ratings, then rater bytes)."""


def bayesian_average(
    weighted: Iterable[tuple[float, float]], prior_mean: float, prior_weight: float
) -> float:
    """``(C * mu0 + sum w * x) / (C + sum w)`` over ``(w, x)`` pairs."""
    top = prior_weight * prior_mean
    bottom = prior_weight
    for w, x in weighted:
        top += w * x
        bottom += w
    return top / bottom


def wilson_lower_bound(positive: float, total: float, z: float = WILSON_Z) -> float:
    """The Wilson score interval's lower end for ``positive`` successes out of ``total`` (both
    may be fractional weights); 0 when ``total <= 0``."""
    if total <= 0:
        return 0.0
    p = min(1.0, max(0.0, positive / total))
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z2 / total))


def rater_weight(walk: Walk, rater: Identity) -> float:
    """Votes ``rater`` counts for from the walk's viewer (see the module doc)."""
    params = walk.params
    if rater == walk.viewer:
        return params.rater_weight_cap
    return min(params.rater_weight_cap, walk.mass_of(rater) / params.full_vote_mass)


def reputation(walk: Walk, target: Identity, ratings: Sequence[Rating]) -> Reputation:
    """Score ``target`` from ``walk``'s seat with ``ratings`` (all of the target's ratings)."""
    params = walk.params
    by_rater: dict[Identity, list[Rating]] = {}
    for rating in ratings:
        by_rater.setdefault(rating.rater, []).append(rating)
    rows: list[tuple[Identity, list[Rating], float]] = [
        (rater, own, rater_weight(walk, rater)) for rater, own in by_rater.items()
    ]
    votes = sum(w for _, _, w in rows)
    denominator = params.prior_weight + votes
    contributions = []
    top = params.prior_weight * params.prior_mean
    positive_votes = 0.0
    in_network = outside = 0
    for rater, own, weight in rows:
        mean = sum(r.overall for r in own) / len(own)
        positive = sum(1 for r in own if r.overall >= POSITIVE_RATING) / len(own)
        top += weight * mean
        positive_votes += weight * positive
        if weight > 0:
            in_network += len(own)
        else:
            outside += len(own)
        contributions.append(
            RatingContribution(
                rater=rater,
                ratings=len(own),
                mean=mean,
                positive=positive,
                latest=max(r.timestamp for r in own),
                mass=walk.mass_of(rater),
                weight=weight,
                share=weight / denominator,
            )
        )
    contributions.sort(key=lambda c: (-c.weight, -c.ratings, c.rater))
    return Reputation(
        viewer=walk.viewer,
        target=target,
        context=walk.context,
        score=top / denominator,
        votes=votes,
        in_network=in_network,
        outside=outside,
        positive_share=positive_votes / votes if votes > 0 else None,
        positive_lower_bound=wilson_lower_bound(positive_votes, votes),
        contributions=tuple(contributions),
    )
