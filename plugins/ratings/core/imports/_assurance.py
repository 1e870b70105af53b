"""How far a viewer can rely on an imported summary: its assurance level, from their seat.

* ``self-asserted``: the import claims no account link (no ``link_token``). Only the person's
  word: their file was never seen by anyone else.
* ``account-linked``: the import carries the link token, so anyone can open the profile and
  look for it; nobody the viewer trusts has reported seeing it recently.
* ``witnessed``: at least one person the viewer trusts (weight > 0 from the viewer's seat) says,
  in a ``ratings/witness/1``, that they saw the token on that profile within the last
  :data:`WITNESS_VALID_MS` (180 days).

Rules for witnesses (each one is ignored unless all hold):

* the witness is not the subject (nobody witnesses themself);
* it names the import's exact ``profile_url`` and a ``subject`` whose token for that platform
  and URL is the import's ``link_token`` (so it is about this person and profile);
* only each witness's **latest** observation counts (by ``seen``; on a tie, "not seen" wins):
  a witness who later found the token gone no longer vouches; "not seen" never raises the
  level, and never lowers it below account-linked (the claim stays checkable);
* ``seen`` is at most :data:`WITNESS_CLOCK_SKEW_MS` after ``now`` (a witness from the future is
  a wrong clock or a lie) and at least ``now - WITNESS_VALID_MS``.

The figures a witness saw are shown beside the import; they do not change its level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from ._rules import link_token

DAY_MS: Final = 24 * 3600 * 1000
WITNESS_VALID_MS: Final = 180 * DAY_MS
"""A witness counts for 180 days after what they saw."""
WITNESS_CLOCK_SKEW_MS: Final = 10 * 60 * 1000
"""How far in the viewer's future a witness's ``seen`` may be and still count."""


class Assurance(Enum):
    """The assurance level of an imported summary, weakest first."""

    SELF_ASSERTED = "self-asserted"
    ACCOUNT_LINKED = "account-linked"
    WITNESSED = "witnessed"

    @property
    def label(self) -> str:
        """What the UI and CLI show: ``self-asserted``, ``account-linked`` or ``witnessed``."""
        return self.value


@dataclass(frozen=True, slots=True)
class WitnessFacts:
    """One ``ratings/witness/1``, as the indexer hands it over: who wrote it and what it says.

    The caller passes the witnesses of the import in question (the index checked that the import
    exists and names ``subject``).
    """

    witness: bytes
    """The identity of the witness record's author."""
    subject: bytes
    profile_url: str
    token_seen: bool
    seen_ms: int

    @classmethod
    def from_content(cls, witness: bytes, content: Mapping[str, Any]) -> WitnessFacts:
        """The facts of a valid witness ``content`` written by ``witness``."""
        return cls(
            witness=witness,
            subject=content["subject"],
            profile_url=content["profile_url"],
            token_seen=content["token_seen"],
            seen_ms=content["seen"],
        )


def assurance_of(
    import_content: Mapping[str, Any],
    witnesses: Iterable[WitnessFacts],
    trusted: Callable[[bytes], bool],
    now_ms: int,
) -> Assurance:
    """The assurance level of a valid ``ratings/import/1`` content for one viewer.

    ``trusted(identity)`` says whether the viewer gives that person weight > 0 (the viewer
    themself included, if they may witness); it is asked only about witnesses who saw the token.
    """
    token = import_content.get("link_token")
    if token is None:
        return Assurance.SELF_ASSERTED
    platform, url = import_content["platform"], import_content["profile_url"]
    latest: dict[bytes, WitnessFacts] = {}
    for facts in witnesses:
        if (
            facts.witness == facts.subject
            or facts.profile_url != url
            or facts.seen_ms > now_ms + WITNESS_CLOCK_SKEW_MS
            or link_token(facts.subject, platform, url) != token
        ):
            continue
        held = latest.get(facts.witness)
        if held is None or (facts.seen_ms, not facts.token_seen) > (
            held.seen_ms,
            not held.token_seen,
        ):
            latest[facts.witness] = facts
    for facts in latest.values():
        if (
            facts.token_seen
            and now_ms - facts.seen_ms <= WITNESS_VALID_MS
            and trusted(facts.witness)
        ):
            return Assurance.WITNESSED
    return Assurance.ACCOUNT_LINKED
