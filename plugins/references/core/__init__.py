"""The headless References Directory: record rules, index, search, facade, export, CLI.

Imports only the SMD core (never Qt, the UI, the CLI or p2p), so the CLI and the node load it.
The public surface is :class:`Directory` and the model (record types, views, validators).
"""

from .directory import Directory
from .model import (
    DISCLOSURES,
    ENDORSE_TYPE,
    ENTRY_TYPE,
    VERDICTS,
    AffiliateLink,
    CategoryNode,
    EndorsementView,
    EntryDetail,
    EntryDraft,
    EntryView,
    Identifiers,
    url_to_open,
    validate_endorsement,
    validate_entry,
)
from .search import Found
from .urls import InvalidUrl, normalize_url

__all__ = [
    "DISCLOSURES",
    "ENDORSE_TYPE",
    "ENTRY_TYPE",
    "VERDICTS",
    "AffiliateLink",
    "CategoryNode",
    "Directory",
    "EndorsementView",
    "EntryDetail",
    "EntryDraft",
    "EntryView",
    "Found",
    "Identifiers",
    "InvalidUrl",
    "normalize_url",
    "url_to_open",
    "validate_endorsement",
    "validate_entry",
]
