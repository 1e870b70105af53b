"""Building ``ratings/import/1`` and ``ratings/witness/1`` contents to publish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smd_desktop.core.errors import InvalidRecord, UserError

from ._rules import link_token, validate_import, validate_witness
from ._summary import ImportSummary, summary_content
from ._urls import normalize_profile_url


def import_content(summary: ImportSummary, identity: bytes, *, link: bool) -> dict[str, Any]:
    """The ``ratings/import/1`` content stating ``summary``, for ``identity`` to publish.

    With ``link`` it carries the link token (:func:`link_token`) the person places on their
    profile: the import then claims "account-linked", and others may witness it.

    Raises:
        ValueError: ``identity`` is not 32 bytes (a bug in the caller).
    """
    content = summary_content(summary)
    if link:
        content["link_token"] = link_token(identity, summary.platform, summary.profile_url)
    validate_import(content)  # a summary always passes; this keeps it so
    return content


@dataclass(frozen=True, slots=True)
class FiguresSeen:
    """What a witness read on the platform profile (the platform's own totals)."""

    count: int
    positive_bp: int | None = None
    average_x100: int | None = None

    def content(self) -> dict[str, int]:
        """The ``figures_seen`` map."""
        figures = {"count": self.count}
        if self.positive_bp is not None:
            figures["positive_bp"] = self.positive_bp
        if self.average_x100 is not None:
            figures["average_x100"] = self.average_x100
        return figures


def witness_content(
    import_record_id: bytes,
    subject: bytes,
    profile_url: str,
    token_seen: bool,
    seen_ms: int,
    figures_seen: FiguresSeen | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The ``ratings/witness/1`` content: "I looked at ``profile_url`` at ``seen_ms`` and saw
    (or did not see) ``subject``'s token for the import ``import_record_id``".

    Pass the import's own ``profile_url``: a witness of another spelling never counts. A blank
    ``note`` is left out.

    Raises:
        UserError: the profile URL is not one, or a value breaks the record's rules (a note
            too long, figures out of range); the message says which.
    """
    url = normalize_profile_url(profile_url)
    content: dict[str, Any] = {
        "import": import_record_id,
        "subject": subject,
        "profile_url": url,
        "token_seen": token_seen,
        "seen": seen_ms,
    }
    if figures_seen is not None:
        content["figures_seen"] = figures_seen.content()
    if note is not None and note.strip():
        content["note"] = note.strip()
    try:
        validate_witness(content)
    except InvalidRecord as exc:
        raise UserError(f"the witness cannot be published: {exc}") from exc
    return content
