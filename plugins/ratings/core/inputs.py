"""What the reputation engine is fed: plain, validated values built from indexed records.

Identities are 32-byte ``bytes`` (an ``IdentityKey`` is one). The engine never reads the store:
the indexing code turns ``ratings/trust/1``, follows, co-signed ``ratings/deal/1`` receipts and
``ratings/rating/1`` records into these values and hands them over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from smd_desktop.core.errors import SmdError

from .params import CONTEXT_MAX_LEN, GENERAL, IDENTITY_LEN, RATING_MAX, RATING_MIN, TRUST_WEIGHTS

Identity = bytes
"""A person's identity key: exactly 32 bytes."""

_CONTEXT: Final = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{CONTEXT_MAX_LEN - 1}}}$")


class ReputationInputError(SmdError, ValueError):
    """A value handed to the reputation engine is outside its model (a wrong identity length, a
    weight not in ``TRUST_WEIGHTS``, a rating outside 1..5, an edge from a person to themself).

    The caller's fault: records are validated before they are indexed, so this is a bug in the
    code that builds the inputs, never a peer's doing.
    """


def check_identity(value: bytes, what: str) -> None:
    """Raise :class:`ReputationInputError` unless ``value`` is a 32-byte identity."""
    if not isinstance(value, bytes) or len(value) != IDENTITY_LEN:
        raise ReputationInputError(f"{what} must be {IDENTITY_LEN} bytes")


def check_context(value: str) -> None:
    """Raise :class:`ReputationInputError` unless ``value`` is a context name."""
    if not isinstance(value, str) or not _CONTEXT.match(value):
        raise ReputationInputError(
            f"context must match [a-z0-9][a-z0-9-]* (at most {CONTEXT_MAX_LEN} characters)"
        )


def _check_pair(a: bytes, b: bytes, what_a: str, what_b: str) -> None:
    check_identity(a, what_a)
    check_identity(b, what_b)
    if a == b:
        raise ReputationInputError(f"{what_a} and {what_b} must be different people")


@dataclass(frozen=True, slots=True)
class TrustEdge:
    """ "``truster`` trusts ``trustee`` for ``context`` with ``weight``" (a ``ratings/trust/1``).

    A negative weight is distrust. One statement per (truster, trustee, context): adding another
    replaces it (the indexer passes the latest).
    """

    truster: Identity
    trustee: Identity
    weight: int
    context: str = GENERAL

    def __post_init__(self) -> None:
        _check_pair(self.truster, self.trustee, "truster", "trustee")
        check_context(self.context)
        if type(self.weight) is not int or self.weight not in TRUST_WEIGHTS:
            raise ReputationInputError(f"trust weight must be one of {sorted(TRUST_WEIGHTS)}")


@dataclass(frozen=True, slots=True)
class FollowEdge:
    """``follower`` follows ``followee``: weak, general trust (``FOLLOW_WEIGHT``)."""

    follower: Identity
    followee: Identity

    def __post_init__(self) -> None:
        _check_pair(self.follower, self.followee, "follower", "followee")


@dataclass(frozen=True, slots=True)
class DealEdge:
    """A completed deal co-signed by both parties (a valid ``ratings/deal/1``).

    Adds ``DEAL_EDGE_WEIGHT`` of general trust in both directions, at most ``DEAL_EDGE_CAP`` per
    pair over all their deals. Keyed by ``deal_id``.
    """

    deal_id: bytes
    party_a: Identity
    party_b: Identity

    def __post_init__(self) -> None:
        _check_pair(self.party_a, self.party_b, "party_a", "party_b")
        if not isinstance(self.deal_id, bytes) or not self.deal_id:
            raise ReputationInputError("deal_id must be non-empty bytes")


@dataclass(frozen=True, slots=True)
class Rating:
    """``rater`` gave ``ratee`` ``overall`` stars (1..5) for deal ``deal_id`` at ``timestamp``
    (milliseconds since the epoch), a revealed ``ratings/rating/1``.

    Keyed by (rater, deal_id): a person rates a deal once; adding the same key replaces it.
    """

    rater: Identity
    ratee: Identity
    deal_id: bytes
    overall: int
    timestamp: int

    def __post_init__(self) -> None:
        _check_pair(self.rater, self.ratee, "rater", "ratee")
        if not isinstance(self.deal_id, bytes) or not self.deal_id:
            raise ReputationInputError("deal_id must be non-empty bytes")
        if type(self.overall) is not int or not RATING_MIN <= self.overall <= RATING_MAX:
            raise ReputationInputError(f"overall must be an integer {RATING_MIN}..{RATING_MAX}")
        if type(self.timestamp) is not int or self.timestamp < 0:
            raise ReputationInputError("timestamp must be a non-negative integer")


GraphInput = TrustEdge | FollowEdge | DealEdge | Rating
"""Anything :meth:`ReputationEngine.add` accepts."""
