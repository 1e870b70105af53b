"""The reputation service: one :class:`ReputationEngine` per open profile, fed from the index.

The engine is built from the plugin's tables and the core's relations, never from inside the
host's transaction (a rollback would leave it ahead of the database), and rebuilt when the
data it was built from changed: the plugin's ``ratings_version`` counter (bumped by every index
hook) and a fingerprint of the follow and block relations (core records, which the plugin's
hooks never see). Between changes every score, walk and explanation comes from the engine's
caches.

What the engine is fed (docs/RATINGS.md, "Where the engine stands in the plugin"):

* the trust statements in force (the latest per author, trustee and context);
* the **viewer's own** blocks as distrust -2 (general), unless the viewer made a general
  statement about that person: a block is not a statement about trustworthiness, so other
  people's blocks count for nothing;
* every follow in force;
* one deal edge per co-signed deal indexed;
* revealed ratings only, at the time of their sealed record.

A rebuild reads everything again (about 0.3 s per 100k inputs, see bench/reputation.py);
applying only what changed since a watermark is the known next step.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.plugins import Connection

from .engine import ReputationEngine
from .index import data_version
from .inputs import DealEdge, FollowEdge, GraphInput, Rating, TrustEdge
from .params import GENERAL
from .queries import trust_in_force

if TYPE_CHECKING:
    from smd_desktop.core.profile import Profile

BLOCK_WEIGHT = -2
"""The distrust weight the viewer's own block counts for."""

type VersionKey = tuple[int, int, int, int]


def version_key(conn: Connection) -> VersionKey:
    """What the engine depends on: the plugin's data version and the relations' fingerprint."""
    (count, total, latest) = conn.execute(
        "SELECT count(*), coalesce(sum(ts), 0), coalesce(max(ts), 0) FROM relations "
        "WHERE kind IN ('follow', 'block') AND state = 1"
    ).fetchone()
    return data_version(conn), int(count), int(total), int(latest)


def graph_inputs(conn: Connection, viewer: IdentityKey) -> list[GraphInput]:
    """Every engine input the index holds, from ``viewer``'s seat (their blocks count)."""
    inputs: list[GraphInput] = []
    general_by_viewer: set[bytes] = set()
    for row in trust_in_force(conn):
        inputs.append(TrustEdge(row.author, row.trustee, row.weight, row.context))
        if row.author == viewer and row.context == GENERAL:
            general_by_viewer.add(row.trustee)
    for (target,) in conn.execute(
        "SELECT target FROM relations WHERE identity = ? AND kind = 'block' AND state = 1",
        (viewer,),
    ):
        blocked = bytes(target)
        if blocked not in general_by_viewer and blocked != viewer:
            inputs.append(TrustEdge(viewer, blocked, BLOCK_WEIGHT))
    for follower, followee in conn.execute(
        "SELECT identity, target FROM relations WHERE kind = 'follow' AND state = 1"
    ):
        if bytes(follower) != bytes(followee):
            inputs.append(FollowEdge(bytes(follower), bytes(followee)))
    for deal, offerer, accepter in conn.execute(
        "SELECT deal_id, offerer, accepter FROM ratings_deals"
    ):
        inputs.append(DealEdge(bytes(deal), bytes(offerer), bytes(accepter)))
    for rater, ratee, deal, overall, sealed_ts in conn.execute(
        "SELECT rater, ratee, deal_id, overall, sealed_ts FROM ratings_ratings "
        "WHERE reveal_id IS NOT NULL"
    ):
        inputs.append(Rating(bytes(rater), bytes(ratee), bytes(deal), int(overall), int(sealed_ts)))
    return inputs


class ReputationService:
    """The engine of one profile, rebuilt when its inputs changed. Thread-safe."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._lock = threading.Lock()
        self._key: VersionKey | None = None
        self._engine: ReputationEngine | None = None
        self.rebuilds = 0
        """How many times the engine was built (tests check the caching with it)."""

    def engine(self) -> ReputationEngine:
        """The up-to-date engine (built or rebuilt now if the data changed).

        Blocks (database, and the walk on first use): call it from a worker thread.
        """
        with self._lock:
            with self._profile.store.reading() as conn:
                key = version_key(conn)
                if self._engine is not None and key == self._key:
                    return self._engine
                inputs = graph_inputs(conn, self._profile.identity)
            engine = ReputationEngine()
            engine.extend(inputs)
            self._engine, self._key = engine, key
            self.rebuilds += 1
            return engine


_services: weakref.WeakKeyDictionary[Profile, ReputationService] = weakref.WeakKeyDictionary()
_services_lock = threading.Lock()


def service_for(profile: Profile) -> ReputationService:
    """The profile's reputation service (made on first use, dropped with the profile)."""
    with _services_lock:
        service = _services.get(profile)
        if service is None:
            service = _services[profile] = ReputationService(profile)
        return service
