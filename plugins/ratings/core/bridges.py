"""Bridge edges: the single edge that every path from the viewer to a person must cross.

An edge ``u -> v`` (``u`` not the root) is a *bridge* when ``v`` cannot be reached from the root
without it. Then ``u`` alone vouches for ``v`` and for every person reachable only through
``v`` (the *cluster behind the bridge*); the walk discounts what crosses it. Found with the
dominator tree (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm", 2001):

``u -> v`` is a bridge  iff  ``idom(v) == u``, the edge exists, and every other predecessor of
``v`` is dominated by ``v`` (it can only be reached through ``v`` itself).

Proof sketch: a first arrival at ``v`` comes from a predecessor reached without ``v``, i.e. one
not dominated by ``v``; if ``u`` is the only such one, every path enters ``v`` from ``u``.
Conversely another predecessor ``x`` reachable without ``v`` gives a path avoiding ``u -> v``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence


def bridge_edges[Node: Hashable](
    root: Node, successors: Mapping[Node, Sequence[Node]]
) -> set[tuple[Node, Node]]:
    """The bridge edges of the graph reachable from ``root``, edges out of ``root`` excepted.

    ``successors`` maps a node to its out-neighbours (a missing key means none); duplicate
    edges must not be listed twice. Runs in about O(edges) for graphs like trust graphs.
    """
    order = _reverse_postorder(root, successors)
    index = {node: i for i, node in enumerate(order)}
    preds: list[list[int]] = [[] for _ in order]
    for i, node in enumerate(order):
        for succ in successors.get(node, ()):
            j = index.get(succ)
            if j is not None:
                preds[j].append(i)
    idom = _immediate_dominators(preds)
    enter, leave = _tree_intervals(idom)
    bridges: set[tuple[Node, Node]] = set()
    for v in range(1, len(order)):
        u = idom[v]
        if u == 0 or u not in preds[v]:
            continue
        lo, hi = enter[v], leave[v]
        if all(x == u or lo <= enter[x] <= hi for x in preds[v]):
            bridges.add((order[u], order[v]))
    return bridges


def _reverse_postorder[Node: Hashable](
    root: Node, successors: Mapping[Node, Sequence[Node]]
) -> list[Node]:
    seen = {root}
    post: list[Node] = []
    stack = [(root, iter(successors.get(root, ())))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(successors.get(child, ()))))
                break
        else:
            stack.pop()
            post.append(node)
    post.reverse()
    return post


def _immediate_dominators(preds: list[list[int]]) -> list[int]:
    """Nodes are numbered in reverse postorder (0 = root); returns idom per node (root: 0)."""
    n = len(preds)
    idom = [-1] * n
    if n:
        idom[0] = 0
    changed = True
    while changed:
        changed = False
        for v in range(1, n):
            new = -1
            for p in preds[v]:
                if idom[p] == -1:
                    continue
                if new == -1:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while a > b:
                        a = idom[a]
                    while b > a:
                        b = idom[b]
                new = a
            if idom[v] != new:
                idom[v] = new
                changed = True
    return idom


def _tree_intervals(idom: list[int]) -> tuple[list[int], list[int]]:
    """Pre-order numbers of the dominator tree and the last number inside each subtree, so that
    ``a`` dominates ``b`` iff ``enter[a] <= enter[b] <= leave[a]``."""
    n = len(idom)
    children: list[list[int]] = [[] for _ in range(n)]
    for v in range(1, n):
        children[idom[v]].append(v)
    enter = [0] * n
    leave = [0] * n
    clock = 0
    stack = [(0, False)]
    while stack:
        node, done = stack.pop()
        if done:
            leave[node] = clock - 1
            continue
        enter[node] = clock
        clock += 1
        stack.append((node, True))
        stack.extend((child, False) for child in children[node])
    return enter, leave
