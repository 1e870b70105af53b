"""Shared helpers for the References Directory tests."""

from __future__ import annotations

from typing import Any

from plugins.references.core import EntryDraft
from plugins.references.core.model import ENTRY_TYPE
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import IngestResult
from smd_desktop.core.testing import copy_records

__all__ = ["ENTRY_TYPE", "draft", "entry_content", "sync"]


def draft(
    title: str = "Shure SM7B", url: str = "https://www.shure.com/sm7b", **kw: Any
) -> EntryDraft:
    """A draft with a title and URL; other fields by keyword."""
    return EntryDraft(title=title, url=url, **kw)


def entry_content(**overrides: Any) -> dict[str, Any]:
    """Valid ``references/entry/1`` content; ``None`` values remove a field."""
    content: dict[str, Any] = {
        "slug": "shure-sm7b",
        "title": "Shure SM7B",
        "url": "https://www.shure.com/sm7b",
        "disclose": [],
    }
    content.update(overrides)
    return {k: v for k, v in content.items() if v is not None}


def sync(source: Profile, target: Profile) -> list[IngestResult]:
    """Replicate every feed ``source`` holds into ``target``."""
    return copy_records(source.store, target.store)
