"""The viewer's trust walk: exact truncated personalized PageRank by dynamic programming.

A walker starts at the viewer. At every person it reaches it stops there with probability
``alpha`` (``STOP_PROBABILITY``); otherwise it takes one step along a trust edge, chosen with
the person's normalized out-weights, multiplied by the discounts below (the missing
probability is the walker being dropped). After ``H`` (``MAX_HOPS``) steps it stops or is
dropped. The *trust mass* of a person is the probability that the walk stops at them:

    arrivals[0] = {viewer: 1}
    arrivals[h + 1][v] = sum_u arrivals[h][u] * (1 - alpha) * Q(u, v)      (h < H)
    mass(v) = alpha * sum_{h = 0..H} arrivals[h][v]

with ``Q(u, v) = P(u, v) * b(u, v) * keep(v)``: ``P`` the normalized positive out-weights,
``b = BRIDGE_DISCOUNT`` on bridge edges (see :mod:`.bridges`) and 1 elsewhere, ``keep`` the
distrust penalty. Every row of ``Q`` sums to at most 1, so a person passes on at most
``1 - alpha`` of the mass that reaches them however many edges they add; masses sum to at most
1. The computation is exact and deterministic (no sampling) and costs about ``H`` passes over
the edges of the H-step ball.

Distrust is applied in two passes. Pass 1 walks with the viewer's own distrust only (people the
viewer distrusts get ``keep = 0``: the walk never enters them). Then every other distruster
``u`` spends ``DISTRUST_STRENGTH * mass1(u)``, split over its distrust edges by weight, against
the walk mass ``reached1(v) = sum_{h >= 1} arrivals1[h][v]`` arriving at each distrusted ``v``:

    keep(v) = max(0, 1 - distrust(v) / reached1(v))

Pass 2 walks again with those factors. A penalty only removes mass, never adds any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .bridges import bridge_edges
from .graph import Row
from .inputs import Identity
from .params import ReputationParams

Steps = Mapping[Identity, Mapping[Identity, float]]


@dataclass(frozen=True, slots=True)
class Walk:
    """The result of one walk: who carries how much of the viewer's trust, and why.

    A value: treat every mapping in it as read-only (they are shared with the engine's cache).
    """

    viewer: Identity
    context: str
    params: ReputationParams
    arrivals: tuple[Mapping[Identity, float], ...]
    """``arrivals[h][v]``: probability that the walker is at ``v`` after exactly ``h`` steps."""
    mass: Mapping[Identity, float]
    """Trust mass: probability that the walk stops at the person (absent: 0)."""
    steps: Steps
    """``steps[u][v] = Q(u, v)``: the discounted step probabilities actually used."""
    distance: Mapping[Identity, int]
    """Steps from the viewer over positive edges, for everyone within ``max_hops`` (the ball)."""
    bridges: frozenset[tuple[Identity, Identity]]
    """The bridge edges of the ball (edges out of the viewer are never bridges)."""
    keep: Mapping[Identity, float]
    """Distrust factors below 1 (0 for people the viewer distrusts); others are 1."""

    def mass_of(self, person: Identity) -> float:
        """``person``'s trust mass (0 when the walk never stops at them)."""
        return self.mass.get(person, 0.0)

    def total_mass(self, people: Iterable[Identity]) -> float:
        """The summed trust mass of ``people``."""
        return sum(self.mass.get(p, 0.0) for p in people)

    def received(self, person: Identity) -> float:
        """Walk mass at ``person`` that may still step on (arrivals at steps ``< max_hops``)."""
        return sum(a.get(person, 0.0) for a in self.arrivals[:-1])

    def flow(self, source: Identity, target: Identity) -> float:
        """Probability that the walk crosses the edge ``source -> target`` (summed over steps;
        the "trust mass the edge carries")."""
        q = self.steps.get(source, {}).get(target, 0.0)
        return self.received(source) * (1 - self.params.stop_probability) * q if q else 0.0

    def flow_by_step(self, source: Identity, target: Identity) -> tuple[float, ...]:
        """The walk mass crossing ``source -> target`` into step 1, 2, ..., ``max_hops``."""
        q = self.steps.get(source, {}).get(target, 0.0)
        go_on = 1 - self.params.stop_probability
        return tuple(a.get(source, 0.0) * go_on * q for a in self.arrivals[:-1])

    def carried(self, source: Identity, target: Identity) -> float:
        """The trust mass the edge ``source -> target`` carries: an upper bound on the summed
        trust mass of everyone the walk reaches through it.

        ``sum_k flow_k * (1 - (1 - alpha) ** (H - k + 1))``: a walk that crosses the edge into
        step ``k`` has ``H - k + 1`` more chances to stop before the horizon drops it. At most
        :meth:`flow`.
        """
        go_on = 1 - self.params.stop_probability
        horizon = self.params.max_hops
        return sum(
            f * (1 - go_on ** (horizon - k + 1))
            for k, f in enumerate(self.flow_by_step(source, target), start=1)
        )

    def passed_on(self, person: Identity) -> float:
        """The walk mass ``person`` passes on over all their edges."""
        row = self.steps.get(person)
        if not row:
            return 0.0
        return self.received(person) * (1 - self.params.stop_probability) * sum(row.values())


def compute_walk(
    viewer: Identity,
    context: str,
    row_of: Callable[[Identity], Row],
    params: ReputationParams,
) -> Walk:
    """Walk from ``viewer`` in ``context`` over the rows ``row_of`` gives (see the module doc)."""
    horizon = params.max_hops
    banned = set(row_of(viewer).distrust)
    distance = _ball(viewer, row_of, horizon, banned)
    successors = {
        u: [v for v in row_of(u).trust if v in distance]
        for u, d in distance.items()
        if row_of(u).trust
    }
    bridges: set[tuple[Identity, Identity]] = set()
    if params.bridge_discount < 1:
        bridges = bridge_edges(viewer, successors)
    bridged: dict[Identity, set[Identity]] = {}
    for u, v in bridges:
        bridged.setdefault(u, set()).add(v)

    steps: dict[Identity, dict[Identity, float]] = {}
    for u, d in distance.items():
        if d >= horizon:
            continue  # reached only at the last step: never steps on
        row = row_of(u).trust
        if not row:
            continue
        out = bridged.get(u)
        steps[u] = {
            v: p * params.bridge_discount if out is not None and v in out else p
            for v, p in row.items()
            if v not in banned
        }

    arrivals = _propagate(viewer, steps, params)
    keep = _distrust_factors(viewer, arrivals, distance, row_of, params)
    if keep:
        for u, row in steps.items():
            if not keep.keys().isdisjoint(row):
                steps[u] = {v: q * keep.get(v, 1.0) for v, q in row.items()}
        arrivals = _propagate(viewer, steps, params)
    keep.update(dict.fromkeys(banned, 0.0))
    return Walk(
        viewer=viewer,
        context=context,
        params=params,
        arrivals=arrivals,
        mass=_mass(arrivals, params.stop_probability),
        steps=steps,
        distance=distance,
        bridges=frozenset(bridges),
        keep=keep,
    )


def _ball(
    viewer: Identity, row_of: Callable[[Identity], Row], horizon: int, banned: set[Identity]
) -> dict[Identity, int]:
    distance = {viewer: 0}
    frontier = [viewer]
    for d in range(1, horizon + 1):
        nxt: list[Identity] = []
        for u in frontier:
            for v in row_of(u).trust:
                if v not in distance and v not in banned:
                    distance[v] = d
                    nxt.append(v)
        frontier = nxt
    return distance


def _propagate(
    viewer: Identity, steps: Steps, params: ReputationParams
) -> tuple[dict[Identity, float], ...]:
    go_on = 1 - params.stop_probability
    arrivals = [{viewer: 1.0}]
    for _ in range(params.max_hops):
        nxt: dict[Identity, float] = {}
        get = nxt.get
        for u, m in arrivals[-1].items():
            row = steps.get(u)
            if not row:
                continue
            c = m * go_on
            for v, q in row.items():
                nxt[v] = get(v, 0.0) + c * q
        arrivals.append(nxt)
    return tuple(arrivals)


def _mass(arrivals: Iterable[Mapping[Identity, float]], alpha: float) -> dict[Identity, float]:
    total: dict[Identity, float] = {}
    get = total.get
    for step in arrivals:
        for v, m in step.items():
            total[v] = get(v, 0.0) + m
    return {v: alpha * m for v, m in total.items()}


def _distrust_factors(
    viewer: Identity,
    arrivals: tuple[dict[Identity, float], ...],
    distance: Mapping[Identity, int],
    row_of: Callable[[Identity], Row],
    params: ReputationParams,
) -> dict[Identity, float]:
    if params.distrust_strength == 0:
        return {}
    mass = _mass(arrivals, params.stop_probability)
    against: dict[Identity, float] = {}
    for u in distance:
        if u == viewer:
            continue  # the viewer's distrust is absolute and already applied
        row = row_of(u).distrust
        power = params.distrust_strength * mass.get(u, 0.0)
        if not row or power == 0:
            continue
        for v, share in row.items():
            against[v] = against.get(v, 0.0) + power * share
    keep: dict[Identity, float] = {}
    for v, spent in against.items():
        reached = sum(a.get(v, 0.0) for a in arrivals[1:])
        if v != viewer and reached > 0:
            keep[v] = max(0.0, 1.0 - spent / reached)
    return keep
