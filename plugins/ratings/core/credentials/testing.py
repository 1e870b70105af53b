"""Fixtures for tests of rating credentials (and of the CLI and UI that export them)."""

from __future__ import annotations

import hashlib
from typing import Any

from smd_desktop.core.identity import RootKey

from ._facts import RatingFacts

CREATED_MS = 1_714_567_890_123
"""A fixed signing time (2024-05-01T12:51:30.123Z)."""


def root_key(label: object) -> RootKey:
    """A stable identity for ``label`` (its seed is the SHA-256 of the label's text)."""
    return RootKey(hashlib.sha256(f"smd-test-root:{label}".encode()).digest())


def _id(kind: str, label: object) -> bytes:
    return hashlib.blake2b(f"{kind}:{label}".encode(), digest_size=32).digest()


def sample_facts(rater: RootKey, ratee: RootKey, /, **changes: Any) -> RatingFacts:
    """A plausible revealed rating by ``rater`` of ``ratee``; ``changes`` override fields."""
    fields: dict[str, Any] = {
        "rater": rater.public,
        "ratee": ratee.public,
        "deal_id": _id("deal", 1),
        "overall": 4,
        "aspects": {"communication": 5, "as_described": 4},
        "text": "Bike as described; handed over on time. Merci, à bientôt!",
        "context": "p2p-sale",
        "what": "A used city bike, 28 inch",
        "sealed_record": _id("sealed", 1),
        "revealed_record": _id("revealed", 1),
        "revealed_at": 1_714_567_000_000,
    }
    fields.update(changes)
    return RatingFacts(**fields)
