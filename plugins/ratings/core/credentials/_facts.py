"""What a rating credential states, as plain validated values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from ._errors import CredentialInputError, shown
from ._time import MAX_MS

ID_SIZE: Final = 32
RATING_MIN: Final = 1
RATING_MAX: Final = 5
MAX_TEXT: Final = 2000
MAX_WHAT: Final = 500
MAX_ASPECTS: Final = 16
_CONTEXT: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_ASPECT: Final = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _check_id(value: object, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != ID_SIZE:
        raise CredentialInputError(f"{what} must be {ID_SIZE} bytes")


def _check_score(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CredentialInputError(f"{what} must be an integer {RATING_MIN}..{RATING_MAX}")
    if not RATING_MIN <= value <= RATING_MAX:
        raise CredentialInputError(f"{what} must be {RATING_MIN}..{RATING_MAX}, not {value}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingFacts:
    """One revealed rating and its deal: everything its credential states.

    Built from a revealed ``ratings/rating/1`` record, its sealed record and the co-signed
    ``ratings/deal/1`` (docs/RATINGS.md, "Proposal: record formats"). Identities and ids are the
    raw 32 bytes; times are milliseconds since the epoch. ``aspects`` is copied into a read-only
    mapping. Keep the rule: the facts come from records that passed their validators; this
    class only checks the shapes a credential can express.

    Raises:
        CredentialInputError: a value is outside the model.
    """

    rater: bytes
    """The identity who rated (the credential's issuer)."""
    ratee: bytes
    """The identity rated (the credential's subject)."""
    deal_id: bytes
    overall: int
    """1..5."""
    aspects: Mapping[str, int] = field(default_factory=dict)
    """e.g. ``{"communication": 5}``; each 1..5."""
    text: str = ""
    """The rating's text; empty when it has none."""
    context: str
    """The deal's context (``p2p-sale``, ``service``...)."""
    what: str
    """What the deal exchanged (its terms' ``what``)."""
    sealed_record: bytes
    """Record id of the sealed ``ratings/rating/1``."""
    revealed_record: bytes
    """Record id of the revealed ``ratings/rating/1``: the credential's id."""
    revealed_at: int
    """Timestamp of the revealed record (ms): the credential's ``validFrom``."""

    def __post_init__(self) -> None:
        _check_id(self.rater, "rater")
        _check_id(self.ratee, "ratee")
        if self.rater == self.ratee:
            raise CredentialInputError("rater and ratee must be different people")
        _check_id(self.deal_id, "deal_id")
        _check_id(self.sealed_record, "sealed_record")
        _check_id(self.revealed_record, "revealed_record")
        _check_score(self.overall, "overall")
        if not isinstance(self.aspects, Mapping) or len(self.aspects) > MAX_ASPECTS:
            raise CredentialInputError(f"aspects must be a mapping of at most {MAX_ASPECTS}")
        for name, score in self.aspects.items():
            if not isinstance(name, str) or not _ASPECT.match(name):
                raise CredentialInputError(f"aspect name {shown(name)} must match [a-z][a-z0-9_]*")
            _check_score(score, f"aspect {shown(name)}")
        if not isinstance(self.text, str) or len(self.text) > MAX_TEXT:
            raise CredentialInputError(f"text must be at most {MAX_TEXT} characters")
        if not isinstance(self.context, str) or not _CONTEXT.match(self.context):
            raise CredentialInputError(
                "context must match [a-z0-9][a-z0-9-]* (at most 32 characters)"
            )
        if not isinstance(self.what, str) or not 1 <= len(self.what) <= MAX_WHAT:
            raise CredentialInputError(f"what must be 1..{MAX_WHAT} characters")
        if (
            isinstance(self.revealed_at, bool)
            or not isinstance(self.revealed_at, int)
            or not 0 <= self.revealed_at <= MAX_MS
        ):
            raise CredentialInputError(f"revealed_at must be an integer in 0..{MAX_MS}")
        frozen = MappingProxyType(dict(sorted(self.aspects.items())))
        object.__setattr__(self, "aspects", frozen)  # frozen dataclass: set once, here


@dataclass(frozen=True, slots=True)
class VerifiedRating:
    """A rating credential whose proof holds and whose issuer is the rater."""

    facts: RatingFacts
    created_ms: int
    """When the rater's key signed it (the proof's ``created``), ms since the epoch."""
    credential_id: str
    """``urn:smd:rating:<revealed record id>``."""
