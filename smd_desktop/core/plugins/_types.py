"""Values plugins hand to the host and get back from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ids import IdentityKey, RecordId

API_VERSION = 1
"""The plugin API this SMD offers. A plugin declares the one it was written for."""

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]{1,30}$")
"""Plugin names: lowercase letters and digits. They are the namespace of the plugin's content
types (docs/PROTOCOL.md: no ``_`` there) and prefix its tables (no ``-`` there)."""

TYPE_PATTERN = re.compile(r"^([a-z][a-z0-9]{1,30})/[a-z][a-z0-9-]{0,30}/[1-9][0-9]{0,3}$")
"""Content types: ``<plugin>/<kind>/<version>``, e.g. ``references/entry/1``."""

type Validator = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What a plugin declares about itself (its ``smd_plugin_info`` hook returns it).

    Rule: ``types`` are namespaced by the plugin's name (``<name>/<kind>/<version>``); a type
    is never redefined: a new rule set is a new version.
    """

    name: str
    """Lowercase letters and digits; the namespace of its types and the prefix of its tables."""
    version: str
    """The plugin's own release, e.g. ``"1.0.0"`` (shown in Settings > Plugins)."""
    title: str
    """A human name, e.g. ``"References Directory"``."""
    description: str = ""
    types: tuple[str, ...] = ()
    """The content types it owns (validates and indexes)."""
    api: int = API_VERSION
    """The plugin API it was written for; another one disables it with a clear message."""
    requires: tuple[str, ...] = ()
    """Other plugins (by name) it needs enabled."""
    ui_module: str | None = None
    """Dotted name of its Qt module (pages, panels), imported only by the desktop app."""


@dataclass(frozen=True, slots=True)
class RecordType:
    """A content type a plugin owns, with the pure validator of its content map.

    The validator raises :class:`~smd_desktop.core.errors.InvalidRecord` when the content
    breaks the type's rules; it must not touch the store.
    """

    name: str
    validator: Validator
    summary: str = ""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search: words (SQLite FTS5 syntax is not exposed: plain words, all must match)."""

    text: str
    filters: Mapping[str, str] = field(default_factory=dict)
    """Provider-specific filters, e.g. ``{"category": "Tools", "tag": "audio"}``."""
    author: IdentityKey | None = None
    limit: int = 50
    hidden_authors: frozenset[IdentityKey] = frozenset()
    """People the viewer blocked: providers should leave them out (the host drops any hit
    of theirs that still comes back)."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result from a provider."""

    plugin: str
    kind: str
    """What was found, e.g. ``"reference"``: the UI picks how to open it."""
    record_id: RecordId
    author: IdentityKey
    title: str
    snippet: str = ""
    score: float = 0.0
    """Higher is better; providers scale to about 0..1 so results can be merged."""


@dataclass(frozen=True, slots=True)
class PluginStatus:
    """What the host knows about one discovered plugin (Settings > Plugins shows it)."""

    name: str
    version: str
    title: str
    types: tuple[str, ...]
    enabled: bool
    """The user's choice (persisted per profile)."""
    active: bool
    """Loaded, enabled and not failed: its hooks run."""
    error: str = ""
    """Why it is not active although enabled (import error, exception in a hook, ...)."""
    source: str = ""
    """Where it came from: the distribution and entry point."""
