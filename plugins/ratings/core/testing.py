"""Helpers for tests and benchmarks of the reputation engine: stable fake identities and a
seeded random trust network with a heavy-tailed degree distribution.

Public so that the plugin's later parts (and their tests) can build graphs the same way.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass

from .inputs import DealEdge, FollowEdge, GraphInput, Identity, Rating, TrustEdge
from .params import IDENTITY_LEN

BASE_TIMESTAMP = 1_700_000_000_000
"""Timestamps of generated ratings start here (ms)."""


def person(label: object) -> Identity:
    """A stable fake identity for ``label`` (the BLAKE2b-256 of its text)."""
    return hashlib.blake2b(str(label).encode(), digest_size=IDENTITY_LEN).digest()


def deal_id(label: object) -> bytes:
    """A stable fake deal id for ``label``."""
    return hashlib.blake2b(f"deal:{label}".encode(), digest_size=32).digest()


@dataclass(frozen=True, slots=True)
class Network:
    """A generated network: its people (index = creation order) and its inputs."""

    people: tuple[Identity, ...]
    inputs: tuple[GraphInput, ...]
    out_degree: tuple[int, ...]
    """Edges planned out of each person (the realised number may be a little lower)."""


def random_network(
    people: int,
    edges: int,
    *,
    seed: int,
    follow_share: float = 0.3,
    deal_share: float = 0.1,
    distrust_share: float = 0.05,
    max_degree: int = 1000,
) -> Network:
    """About ``edges`` directed edges between ``people`` people, seeded.

    Out-degrees follow a Pareto law (a few very active people, many with a handful of edges)
    and targets are drawn by a Pareto "popularity", so in-degrees are heavy-tailed too, like
    follower counts. Of the edges, ``follow_share`` are follows, ``deal_share`` deals (each
    deal is two directed edges) and the rest trust statements with weights 1-3, of which
    ``distrust_share`` are distrust (-1 or -2).
    """
    rng = random.Random(seed)
    ids = tuple(person(f"net{seed}:{i}") for i in range(people))
    activity = [rng.paretovariate(1.5) for _ in ids]
    scale = edges / sum(activity)
    degree = [max(1, min(max_degree, people - 1, round(a * scale))) for a in activity]
    cumulative = list(itertools.accumulate(rng.paretovariate(1.2) for _ in ids))
    inputs: list[GraphInput] = []
    deals = 0
    for i, source in enumerate(ids):
        targets: set[int] = set()
        while len(targets) < degree[i]:
            for j in rng.choices(range(people), cum_weights=cumulative, k=degree[i]):
                if j != i and len(targets) < degree[i]:
                    targets.add(j)
        for j in sorted(targets):
            kind = rng.random()
            if kind < follow_share:
                inputs.append(FollowEdge(source, ids[j]))
            elif kind < follow_share + deal_share / 2:  # a deal is two directed edges
                deals += 1
                inputs.append(DealEdge(deal_id(f"net{seed}:{deals}"), source, ids[j]))
            elif rng.random() < distrust_share:
                inputs.append(TrustEdge(source, ids[j], rng.choice((-1, -2))))
            else:
                inputs.append(TrustEdge(source, ids[j], rng.choice((1, 2, 3))))
    return Network(ids, tuple(inputs), tuple(degree))


def random_ratings(
    raters: list[Identity], ratee: Identity, *, seed: int, per_rater: int = 1
) -> list[Rating]:
    """Ratings of ``ratee`` by each of ``raters`` (``per_rater`` deals each), overall drawn
    from a positive-leaning distribution, seeded."""
    rng = random.Random(seed)
    ratings: list[Rating] = []
    for n, rater in enumerate(raters):
        if rater == ratee:
            continue
        for k in range(per_rater):
            overall = rng.choices((1, 2, 3, 4, 5), weights=(5, 3, 7, 25, 60))[0]
            ratings.append(
                Rating(
                    rater,
                    ratee,
                    deal_id(f"rating{seed}:{n}:{k}"),
                    overall,
                    BASE_TIMESTAMP + 1000 * (n * per_rater + k),
                )
            )
    return ratings
