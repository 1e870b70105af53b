"""What the Ratings widgets ask the core: plain functions for the core's worker thread.

Each takes the open profile first, so a widget runs it with ``await ui.service.call(fn, *args)``;
each blocks on the database (and on signing, for writes) and none touches Qt. This is the only
module of the Qt part that touches the profile; errors are the facade's
(:class:`~smd_desktop.core.errors.UserError` sentences for the person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from smd_desktop.core.errors import NotFound
from smd_desktop.core.ids import IdentityKey, RecordId, identity_text
from smd_desktop.core.profile import Profile

from ..core.facade import Ratings
from ..core.params import GENERAL
from ..core.views import DealView, ExplanationView, ImportView, RatingView, TrustView


def short_id(identity: bytes) -> str:
    """An identity id cut to fit a label: ``z6MkabcdEFGH…``."""
    return identity_text(IdentityKey(identity))[:12] + "…"


def name_or_id(identity: bytes, name: str | None) -> str:
    """A person's profile name, else their shortened identity id."""
    return name or short_id(identity)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone to pick: an identity and how to show it."""

    identity: IdentityKey
    name: str


def followed_people(profile: Profile) -> tuple[Person, ...]:
    """The people I follow and do not block, by name."""
    hidden = {*profile.blocked(), profile.identity}
    people = []
    for identity in profile.following():
        if identity in hidden:
            continue
        view = profile.store.profile(identity)
        people.append(Person(identity, name_or_id(identity, view.name if view else None)))
    people.sort(key=lambda p: (p.name.casefold(), p.identity))
    return tuple(people)


# -- reputation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """A person's reputation from my seat, read at one moment: the score with its explanation
    (paths, contributions, imported summaries) and the revealed ratings about them."""

    me: IdentityKey
    explanation: ExplanationView
    ratings: tuple[RatingView, ...]
    """Every revealed rating of the person, newest first (negative ones included)."""

    @property
    def target(self) -> IdentityKey:
        """Whose reputation it is."""
        return self.explanation.reputation.target

    @property
    def mine(self) -> bool:
        """Whether it is my own reputation."""
        return self.target == self.me


def load_standing(profile: Profile, target: IdentityKey | None, context: str) -> Standing:
    """``target``'s reputation (mine for None) in ``context``, explained."""
    ratings = Ratings(profile)
    who = profile.identity if target is None else target
    explanation = ratings.explain(who, context or GENERAL)
    about = sorted(ratings.ratings_about(who), key=lambda r: r.sealed_at, reverse=True)
    return Standing(profile.identity, explanation, tuple(about))


def respond(profile: Profile, rating_id: RecordId, text: str) -> RatingView:
    """Answer a rating about me (once)."""
    return Ratings(profile).respond(rating_id, text)


# -- deals ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DealsListing:
    """The Deals tab's data: my deals (newest first) and the people to offer one to."""

    me: IdentityKey
    deals: tuple[DealView, ...]
    people: tuple[Person, ...]


def load_deals(profile: Profile) -> DealsListing:
    """My deals and the people I follow."""
    deals = Ratings(profile).deals()
    return DealsListing(profile.identity, tuple(deals), followed_people(profile))


@dataclass(frozen=True, slots=True)
class DealDraft:
    """An offer as the dialog fills it in (the facade checks it)."""

    to: IdentityKey
    what: str
    context: str
    amount: str | None = None
    currency: str | None = None
    link: str | None = None
    start: int | None = None
    until: int | None = None
    ttl_days: int = 7


def offer_deal(profile: Profile, draft: DealDraft) -> DealView:
    """Sign an offer and queue it to the other person."""
    return Ratings(profile).offer_deal(
        draft.to,
        draft.what,
        context=draft.context,
        amount=draft.amount,
        currency=draft.currency,
        link=draft.link,
        start=draft.start,
        until=draft.until,
        ttl_days=draft.ttl_days,
    )


def accept_deal(profile: Profile, deal_id: bytes) -> DealView:
    """Countersign a received offer (publishes the receipt)."""
    return Ratings(profile).accept(deal_id)


def decline_deal(profile: Profile, deal_id: bytes) -> DealView:
    """Decline a received offer (nothing is published)."""
    return Ratings(profile).decline(deal_id)


@dataclass(frozen=True, slots=True)
class RatingDraft:
    """A rating as the dialog fills it in."""

    overall: int
    aspects: dict[str, int] = field(default_factory=dict)
    text: str = ""


def rate_deal(profile: Profile, deal_id: bytes, draft: RatingDraft) -> DealView:
    """Publish my sealed rating of an active deal."""
    return Ratings(profile).rate(
        deal_id, draft.overall, aspects=dict(draft.aspects) or None, text=draft.text
    )


# -- trust ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustListing:
    """The Trust tab's data: my statements in force and the people to make one about."""

    me: IdentityKey
    statements: tuple[TrustView, ...]
    people: tuple[Person, ...]


def load_trust(profile: Profile) -> TrustListing:
    """My trust statements, by person then context, and the people I follow."""
    statements = Ratings(profile).trust_statements(profile.identity)
    statements.sort(
        key=lambda s: (name_or_id(s.trustee, s.trustee_name).casefold(), s.trustee, s.context)
    )
    return TrustListing(profile.identity, tuple(statements), followed_people(profile))


def my_trust_in(profile: Profile, trustee: IdentityKey) -> tuple[TrustView, ...]:
    """My statements about one person (every context)."""
    return tuple(
        s for s in Ratings(profile).trust_statements(profile.identity) if s.trustee == trustee
    )


@dataclass(frozen=True, slots=True)
class TrustDraft:
    """A trust statement as the dialog fills it in (``context`` None: general)."""

    trustee: IdentityKey
    weight: int
    context: str | None = None
    note: str | None = None


def set_trust(profile: Profile, draft: TrustDraft) -> None:
    """Publish a trust statement (it replaces mine for the same person and context)."""
    Ratings(profile).trust(draft.trustee, draft.weight, context=draft.context, note=draft.note)


def withdraw_trust(profile: Profile, trustee: IdentityKey, context: str | None) -> None:
    """Withdraw my statement about ``trustee`` in ``context`` (None: general)."""
    Ratings(profile).withdraw_trust(trustee, context)


# -- imports ----------------------------------------------------------------------------------


def load_imports(profile: Profile) -> tuple[ImportView, ...]:
    """My imported platform summaries, newest first."""
    imports = Ratings(profile).imports_of(profile.identity)
    return tuple(sorted(imports, key=lambda i: i.imported_at, reverse=True))


@dataclass(frozen=True, slots=True)
class ImportDraft:
    """An import as the Import tab fills it in."""

    path: Path
    platform: str
    profile_url: str
    link: bool
    platform_name: str | None = None
    """The platform's name, for a generic CSV file (the named platforms need none)."""


def import_file(profile: Profile, draft: ImportDraft) -> ImportView:
    """Read a platform's export and publish its whole summary."""
    return Ratings(profile).import_file(
        draft.path,
        draft.platform,
        draft.profile_url,
        link=draft.link,
        platform_name=draft.platform_name,
    )


def link_token(profile: Profile, platform: str, profile_url: str) -> str:
    """The token to put on my profile at ``platform`` (derived from my identity)."""
    return Ratings(profile).link_token(platform, profile_url)


def reveal_due(profile: Profile) -> int:
    """Publish my reveals that are due; how many."""
    return Ratings(profile).reveal_due()


def ratee_of(profile: Profile, rating_id: RecordId) -> IdentityKey | None:
    """Whom a revealed rating is about (None when we hold no such rating)."""
    try:
        return Ratings(profile).rating(rating_id).ratee
    except NotFound:
        return None
