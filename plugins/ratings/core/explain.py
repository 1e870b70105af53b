"""The top trust paths from the viewer to a person, heaviest first, found exactly.

A path ``viewer = v0 -> v1 -> ... -> vk = target`` carries

    mass(path) = alpha * prod_{i < k} (1 - alpha) * Q(v_i, v_{i+1})

the probability that the walk follows exactly it and stops at the target; over all paths
(cycles included) these add up to the target's trust mass. Only simple paths are listed.

Best-first search backwards from the target: a partial path ``p -> ... -> target`` entered at
step ``j`` with suffix product ``s`` has priority ``alpha * arrivals[j][p] * s``, the summed mass
of all its completions, hence an upper bound of each one, and a complete path's priority is its
mass. Popping by priority therefore yields paths in exact descending order of mass.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .inputs import Identity
from .params import EXPLAIN_MAX_EXPANSIONS
from .score import Reputation
from .walk import Walk


@dataclass(frozen=True, slots=True)
class TrustPath:
    """One way the viewer's trust reaches a person."""

    people: tuple[Identity, ...]
    """The viewer first, the person last."""
    mass: float
    """Probability that the walk follows exactly this path and stops at the person."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the viewer sees the target's reputation as they do."""

    reputation: Reputation
    """The score, with the ratings that counted (``reputation.contributions``)."""
    target_mass: float
    """The target's own trust mass (the sum over all paths)."""
    paths: tuple[TrustPath, ...]
    """The heaviest simple trust paths, heaviest first."""
    complete: bool
    """False when the search hit ``EXPLAIN_MAX_EXPANSIONS`` and ``paths`` may miss some."""


def top_paths(
    walk: Walk,
    target: Identity,
    in_neighbours: Callable[[Identity], Iterable[Identity]],
    limit: int,
    max_expansions: int = EXPLAIN_MAX_EXPANSIONS,
) -> tuple[tuple[TrustPath, ...], bool]:
    """The ``limit`` heaviest simple paths from ``walk.viewer`` to ``target``, and whether the
    search finished (see the module doc). ``in_neighbours(v)`` must list everyone with an edge
    to ``v`` (extra names are harmless)."""
    alpha = walk.params.stop_probability
    go_on = 1 - alpha
    viewer = walk.viewer
    tie = itertools.count()
    heap: list[tuple[float, int, Identity, int, float, tuple[Identity, ...]]] = []
    for step, arrived in enumerate(walk.arrivals):
        m = arrived.get(target, 0.0)
        if m > 0 and (step > 0 or target == viewer):
            heapq.heappush(heap, (-alpha * m, next(tie), target, step, 1.0, (target,)))
    found: list[TrustPath] = []
    expansions = 0
    while heap and len(found) < limit:
        priority, _, node, step, suffix, people = heapq.heappop(heap)
        if step == 0:
            found.append(TrustPath(people, -priority))
            continue
        expansions += 1
        if expansions > max_expansions:
            return tuple(found), False
        before = walk.arrivals[step - 1]
        for p in in_neighbours(node):
            if p in people or (p == viewer) != (step == 1):
                continue
            m = before.get(p, 0.0)
            q = walk.steps.get(p, {}).get(node, 0.0) if m > 0 else 0.0
            if q > 0:
                s = suffix * go_on * q
                heapq.heappush(heap, (-alpha * m * s, next(tie), p, step - 1, s, (p, *people)))
    return tuple(found), True
