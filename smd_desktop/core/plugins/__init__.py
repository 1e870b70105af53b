"""The plugin API: hook specs, the values plugins exchange with SMD, and the host.

A plugin is a module with ``smd_*`` functions decorated by :data:`hookimpl`, registered under
the entry-point group ``smd.plugins``. See docs/PLUGINS.md for a walk-through.
"""

from ..store.db import Connection
from ._cli import CliContext
from ._direct import (
    MAX_DIRECT_PAYLOAD,
    DirectAnswer,
    DirectMessage,
    DirectMessages,
    MessageId,
    OutgoingMessage,
)
from ._host import ENTRY_POINT_GROUP, PluginHost
from ._spec import hookimpl, hookspec
from ._types import (
    API_VERSION,
    PluginInfo,
    PluginStatus,
    RecordType,
    SearchHit,
    SearchQuery,
    Validator,
)

__all__ = [
    "API_VERSION",
    "ENTRY_POINT_GROUP",
    "MAX_DIRECT_PAYLOAD",
    "CliContext",
    "Connection",
    "DirectAnswer",
    "DirectMessage",
    "DirectMessages",
    "MessageId",
    "OutgoingMessage",
    "PluginHost",
    "PluginInfo",
    "PluginStatus",
    "RecordType",
    "SearchHit",
    "SearchQuery",
    "Validator",
    "hookimpl",
    "hookspec",
]
