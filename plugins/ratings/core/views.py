"""What the Ratings facade hands out: frozen values, safe to pass to any thread (the UI's too).

Ids are 32-byte ``bytes``; times are milliseconds since the epoch; a ``*_name`` is the person's
latest profile name, or None when we hold no profile record of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from smd_desktop.core.ids import IdentityKey, RecordId

from .deals import DealTerms

type DealStatus = Literal["offered", "received", "declined", "expired", "active"]
type Role = Literal["offerer", "accepter"]
type RatingStateName = Literal["none", "sealed", "revealed"]
type AssuranceName = Literal["self-asserted", "account-linked", "witnessed"]

DEAL_STATUSES: Final = ("offered", "received", "declined", "expired", "active")
"""``offered``: I sent it, no answer yet; ``received``: offered to me, waiting for my answer;
``declined``: either side declined; ``expired``: nobody accepted in time; ``active``: co-signed
(a receipt by a party is indexed), so it can be rated."""


@dataclass(frozen=True, slots=True)
class RatingView:
    """A revealed rating of a deal (sealed ones show no content)."""

    id: RecordId
    """The reveal record's id (what a response names)."""
    sealed_id: RecordId
    rater: IdentityKey
    rater_name: str | None
    ratee: IdentityKey
    ratee_name: str | None
    deal_id: bytes
    context: str
    what: str
    overall: int
    aspects: dict[str, int]
    text: str
    sealed_at: int
    """When the rater committed to it (the sealed record's timestamp: the rating's time)."""
    revealed_at: int
    response: str | None
    """The ratee's answer (the first they published), if any."""
    response_at: int | None
    written_after_seeing: bool
    """The rater sealed it after the other side's rating of the same deal was revealed."""
    has_credential: bool
    """The reveal carries the rater's proof, so the ratee can export it as a credential."""


@dataclass(frozen=True, slots=True)
class RatingState:
    """One side's rating of a deal: ``state`` ``none`` | ``sealed`` | ``revealed``, and the
    rating once revealed."""

    state: RatingStateName
    rating: RatingView | None = None
    sealed_at: int | None = None


NO_RATING: Final = RatingState("none")


@dataclass(frozen=True, slots=True)
class DealView:
    """A deal I am a party of, from an offer to a co-signed receipt."""

    deal_id: bytes
    terms: DealTerms
    other: IdentityKey
    other_name: str | None
    role: Role
    """My role: I offered it or I was offered it."""
    status: DealStatus
    my_rating: RatingState
    their_rating: RatingState
    created: int
    """When the offer was made (``terms.offered``)."""

    @property
    def can_rate(self) -> bool:
        """Active and not rated by me yet."""
        return self.status == "active" and self.my_rating.state == "none"


@dataclass(frozen=True, slots=True)
class TrustView:
    """A trust statement in force (the latest per author, trustee and context)."""

    record_id: RecordId
    author: IdentityKey
    author_name: str | None
    trustee: IdentityKey
    trustee_name: str | None
    weight: int
    context: str
    """``general`` when the statement names no context."""
    note: str
    ts: int


class CountedRating(NamedTuple):
    """How one rater's ratings counted in a score: ``(rater, rater_name, weight, mean)``."""

    rater: IdentityKey
    rater_name: str | None
    weight: float
    """Votes the rater counts for from my seat (0: from outside my network)."""
    mean: float


@dataclass(frozen=True, slots=True)
class ImportView:
    """An imported platform summary, with its assurance from my seat."""

    id: RecordId
    subject: IdentityKey
    subject_name: str | None
    platform: str
    platform_name: str | None
    """The platform's own name (CSV imports name it)."""
    profile_url: str
    count: int
    positive_bp: int | None
    """Share of positive ratings in basis points (0..10000), when the platform gives one."""
    average_x100: int | None
    """Average on a 1-5 scale, times 100, when the platform gives one."""
    period: tuple[int, int]
    """(from, until) in ms."""
    categories: tuple[str, ...]
    link_token: str | None
    assurance: AssuranceName
    witnesses: int
    """Witness records that saw the token, by people with weight > 0 from my seat."""
    imported_at: int


@dataclass(frozen=True, slots=True)
class ReputationView:
    """A person's native reputation from my seat in one context, imported figures beside."""

    target: IdentityKey
    target_name: str | None
    context: str
    score: float
    votes: float
    prior: float
    """The neutral rating the score starts from (``PRIOR_MEAN``)."""
    prior_weight: float
    in_network: int
    """"n ratings from your network"."""
    outside: int
    """"m from outside": shown, never in the score."""
    positive_share: float | None
    positive_lower_bound: float
    counted: tuple[CountedRating, ...]
    """Every rater of the target, heaviest first."""
    sealed: int
    """Ratings of the target still sealed (not in the score yet)."""
    imported: tuple[ImportView, ...]
    """Imported platform summaries: shown beside, never merged into the score."""


@dataclass(frozen=True, slots=True)
class PathView:
    """One trust path from me to the person: ``people`` as (identity, name), me first."""

    people: tuple[tuple[IdentityKey, str | None], ...]
    mass: float


@dataclass(frozen=True, slots=True)
class ContributionView:
    """How one rater's ratings counted, in full."""

    rater: IdentityKey
    rater_name: str | None
    ratings: int
    mean: float
    mass: float
    weight: float
    share: float
    """The part of the score this rater sets (``weight / (C + votes)``)."""


@dataclass(frozen=True, slots=True)
class ExplanationView:
    """Why I see a person's reputation as I do."""

    reputation: ReputationView
    target_mass: float
    paths: tuple[PathView, ...]
    contributions: tuple[ContributionView, ...]
    complete: bool
    """False when the path search hit its work cap and may miss some paths."""
