"""Properties over random small graphs (hypothesis): normalization caps what a person passes
on, adding an edge never raises anyone it cannot lead to, masses stay a probability."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plugins.ratings.core import ReputationEngine, ReputationParams, TrustEdge, Walk
from plugins.ratings.core.bridges import bridge_edges
from plugins.ratings.core.testing import person

PEOPLE = [person(i) for i in range(7)]
VIEWER = PEOPLE[0]
EPS = 1e-12

Edge = tuple[int, int, int]
pairs = st.tuples(st.integers(0, 6), st.integers(0, 6)).filter(lambda p: p[0] != p[1])


def graphs(weights: tuple[int, ...]) -> st.SearchStrategy[list[Edge]]:
    """Edge lists with at most one edge per ordered pair."""
    return st.dictionaries(pairs, st.sampled_from(weights), max_size=25).map(
        lambda d: [(a, b, w) for (a, b), w in d.items()]
    )


edges_positive = graphs((1, 2, 3))
edges_any = graphs((-2, -1, 1, 2, 3))
new_edge = st.tuples(pairs, st.sampled_from((1, 2, 3))).map(lambda p: (*p[0], p[1]))


def walk(edges: list[Edge], params: ReputationParams | None = None) -> Walk:
    e = ReputationEngine(params) if params else ReputationEngine()
    e.extend(TrustEdge(PEOPLE[a], PEOPLE[b], w) for a, b, w in edges)
    return e.walk(VIEWER)


def reach(edges: list[Edge], start: int) -> set[int]:
    """Everyone ``start`` reaches over positive edges (itself included)."""
    seen = {start}
    todo = [start]
    while todo:
        a = todo.pop()
        for x, y, w in edges:
            if x == a and w > 0 and y not in seen:
                seen.add(y)
                todo.append(y)
    return seen


def with_edge(edges: list[Edge], edge: Edge) -> list[Edge]:
    """``edges`` plus a new edge (a pair that had none: re-weighting is not adding)."""
    assume(all(e[:2] != edge[:2] for e in edges))
    return [*edges, edge]


@settings(max_examples=200, deadline=None)
@given(edges_any)
def test_no_one_passes_on_more_than_one_minus_alpha_of_what_reaches_them(
    edges: list[Edge],
) -> None:
    w = walk(edges)
    for p in PEOPLE:
        assert w.passed_on(p) <= 0.75 * w.received(p) + EPS
    assert all(m >= 0 for m in w.mass.values())
    assert sum(w.mass.values()) <= 1 + EPS


@settings(max_examples=200, deadline=None)
@given(edges_positive, new_edge)
def test_adding_an_edge_out_of_x_never_increases_what_x_passes_on(
    edges: list[Edge], edge: Edge
) -> None:
    # Normalization alone (no bridge discount, no distrust): X passes on exactly 1 - alpha of
    # what reaches it, however many edges it has; unless the new edge leads back to X (more
    # mass reaches X), the total X passes on is unchanged, and no old trustee gets more.
    plain = ReputationParams(bridge_discount=1.0)
    x, y, _ = edge
    had = any(a == x and w > 0 for a, _, w in edges)
    before, after = walk(edges, plain), walk(with_edge(edges, edge), plain)
    if had:
        assert after.passed_on(PEOPLE[x]) <= 0.75 * after.received(PEOPLE[x]) + EPS
        assert after.passed_on(PEOPLE[x]) >= 0.75 * after.received(PEOPLE[x]) - EPS
    if had and x not in reach(with_edge(edges, edge), y):
        assert after.passed_on(PEOPLE[x]) <= before.passed_on(PEOPLE[x]) + EPS
        for a, b, _ in edges:
            if a == x and b != y:
                assert after.flow(PEOPLE[x], PEOPLE[b]) <= before.flow(PEOPLE[x], PEOPLE[b]) + EPS


@settings(max_examples=300, deadline=None)
@given(edges_positive, new_edge)
def test_adding_an_edge_never_raises_anyone_it_cannot_lead_to(
    edges: list[Edge], edge: Edge
) -> None:
    # With the bridge discount on: an edge X -> Y can only add mass to people Y reaches.
    before, after = walk(edges), walk(with_edge(edges, edge))
    reached = reach(with_edge(edges, edge), edge[1])
    for i, p in enumerate(PEOPLE):
        if i not in reached:  # in particular X's old trustees, unless Y leads back to them
            assert after.mass_of(p) <= before.mass_of(p) + EPS


@settings(max_examples=300, deadline=None)
@given(graphs((1,)))
def test_bridges_are_exactly_the_edges_whose_removal_cuts_someone_off(edges: list[Edge]) -> None:
    successors: dict[int, list[int]] = {}
    for a, b, _ in edges:
        successors.setdefault(a, []).append(b)
    found = bridge_edges(0, successors)
    reachable = reach(edges, 0)
    expected = {
        (a, b)
        for a, b, _ in edges
        if a != 0 and a in reachable and b not in reach([e for e in edges if e[:2] != (a, b)], 0)
    }
    assert found == expected
