"""The core hook specifications. Every hook is named ``smd_*`` and documented here.

A plugin is a module (or object) with functions decorated by :data:`hookimpl`; it implements
the hooks it needs. The host calls hooks one plugin at a time, so an exception is charged to
the plugin that raised it (which is then disabled), never to its neighbours.

Hooks that touch the database receive the store's connection inside a transaction the host
owns; they must not ``COMMIT``, ``ROLLBACK`` or ``BEGIN``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

from ..ids import IdentityKey, RecordId
from ..records import SignedRecord
from ._direct import DirectMessage, OutgoingMessage
from ._types import PluginInfo, RecordType, SearchHit, SearchQuery

if TYPE_CHECKING:
    from ..profile import Profile
    from ..store.db import Connection
    from ._cli import CliContext

PROJECT = "smd"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Decorate a plugin's hook functions with this."""


@hookspec
def smd_plugin_info() -> PluginInfo:  # type: ignore[empty-body]
    """Required. Who the plugin is: name, version, owned types, API version, needs."""


@hookspec
def smd_record_types() -> Sequence[RecordType]:  # type: ignore[empty-body]
    """The content types the plugin owns, each with its pure validator.

    Every name must be listed in :attr:`PluginInfo.types`. Records of these types are
    validated on ingest and before publishing; an invalid one is rejected. Records of a
    disabled plugin's types are still stored and replicated, unvalidated and unindexed.
    """


@hookspec
def smd_migrations() -> Sequence[str]:  # type: ignore[empty-body]
    """The plugin's schema, as ordered SQL scripts; the host runs the ones not yet applied.

    Rule: a released script is never edited (append a new one), and every table, index or
    trigger it creates is named ``<plugin name>_...``. A failing script rolls back and disables
    the plugin; nothing else in the database changes. Plugin tables hold what was derived from
    records (rebuildable) or the plugin's local state.
    """


@hookspec
def smd_index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    """Derive rows from one stored record of an owned type (its content is present and valid).

    Rule: idempotent. The host may hand the same record again (after a revocation, or while
    rebuilding); use ``INSERT OR REPLACE``/``OR IGNORE`` keyed by the record id.
    """


@hookspec
def smd_forget_records(conn: Connection, record_ids: Sequence[RecordId]) -> None:
    """Drop what was derived from these records: their author deleted them (the content is
    purged) or their device was revoked. Ids of records the plugin never saw are harmless."""


@hookspec
def smd_reset_index(conn: Connection) -> None:
    """Delete every row derived from records (keep purely local state), before the host
    re-indexes all records of the plugin's types from scratch (when it is enabled again)."""


@hookspec
def smd_search(conn: Connection, query: SearchQuery) -> Sequence[SearchHit]:  # type: ignore[empty-body]
    """Search provider: hits for ``query`` from the plugin's data, best first, at most
    ``query.limit``. Read only."""


@hookspec
def smd_cli_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
) -> None:
    """Add ``smd`` sub-commands. A command's function takes the parsed namespace and returns
    the exit code; it opens the profile with ``cli.open_profile(args)`` and raises
    :class:`~smd_desktop.core.errors.UserError` for a one-line error."""


@hookspec
def smd_direct_message(profile: Profile, message: DirectMessage) -> bytes | None:
    """A direct message of one of the plugin's kinds (``<plugin name>/<name>``) from
    ``message.sender``; the return value (at most 32 KiB; None means empty) is the reply the
    sender's ``smd_direct_reply`` receives.

    Called in a worker thread, outside any transaction: use ``profile.store.writing()`` for the
    plugin's tables, ``profile.publish`` for records. Rule: idempotent by ``message.id`` (a
    retry after a crash may repeat a call; ordinary retries get the remembered reply without a
    call). Raising turns the plugin off and refuses the message (the sender retries later); to
    say no, return a reply that says so.
    """


@hookspec
def smd_direct_reply(profile: Profile, message: OutgoingMessage, reply: bytes) -> None:
    """The recipient's plugin accepted ``message`` (sent by this plugin with
    ``profile.plugins.direct.send``) and answered ``reply``.

    Called in a worker thread, outside any transaction. The message leaves the outbox when this
    returns; if it raises, the plugin is turned off and the message stays queued (the next
    attempt brings the same reply). Rule: idempotent by ``message.id``.
    """
