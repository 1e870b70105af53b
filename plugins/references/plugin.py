"""The References Directory's hook implementations (the ``smd.plugins`` entry point).

Every hook delegates to :mod:`plugins.references.core`; this module only wires them to SMD.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import (
    CliContext,
    Connection,
    PluginInfo,
    RecordType,
    SearchHit,
    SearchQuery,
    hookimpl,
)
from smd_desktop.core.records import SignedRecord

from .core import cli as commands
from .core import index, schema, search
from .core.model import ENDORSE_TYPE, ENTRY_TYPE, validate_endorsement, validate_entry

NAME = "references"
VERSION = "1.0.0"


@hookimpl
def smd_plugin_info() -> PluginInfo:
    """Who the plugin is."""
    return PluginInfo(
        name=NAME,
        version=VERSION,
        title="References Directory",
        description=(
            "Your signed list of the products and services you really use, with affiliate "
            "links disclosed; search and endorse the directories of people you follow."
        ),
        types=(ENTRY_TYPE, ENDORSE_TYPE),
        ui_module="plugins.references.qt",
    )


@hookimpl
def smd_record_types() -> Sequence[RecordType]:
    """The entry and endorsement types, with their pure validators."""
    return (
        RecordType(ENTRY_TYPE, validate_entry, "one version of a directory entry"),
        RecordType(ENDORSE_TYPE, validate_endorsement, "a vouch for another author's entry"),
    )


@hookimpl
def smd_migrations() -> Sequence[str]:
    """The plugin's tables (schema.py)."""
    return schema.MIGRATIONS


@hookimpl
def smd_index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    """Index one entry version or endorsement."""
    index.index_record(conn, record, identity)


@hookimpl
def smd_forget_records(conn: Connection, record_ids: Sequence[RecordId]) -> None:
    """Drop what was derived from purged or revoked records."""
    index.forget_records(conn, record_ids)


@hookimpl
def smd_reset_index(conn: Connection) -> None:
    """Empty the derived tables before a rebuild."""
    index.reset_index(conn)


@hookimpl
def smd_search(conn: Connection, query: SearchQuery) -> Sequence[SearchHit]:
    """Entries matching ``query`` across every directory held."""
    return search.search_hook(conn, query)


@hookimpl
def smd_cli_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
) -> None:
    """``smd refs ...``."""
    commands.add_commands(subparsers, cli)
