"""The Ratings plugin's hook implementations (the ``smd.plugins`` entry point
``ratings = "plugins.ratings.plugin"``).

Every hook delegates to :mod:`plugins.ratings.core`; this module only wires them to SMD. It is
headless: the desktop pages live in ``plugins.ratings.qt``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import (
    CliContext,
    Connection,
    DirectMessage,
    OutgoingMessage,
    PluginInfo,
    RecordType,
    SearchHit,
    SearchQuery,
    hookimpl,
)
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import SignedRecord

from .core import index, messaging, schema, search
from .core.cli import add_commands
from .core.deals import validate_deal
from .core.facade import Ratings
from .core.imports import validate_import, validate_witness
from .core.records import (
    DEAL,
    IMPORT,
    RATING,
    RESPONSE,
    TRUST,
    WITNESS,
    validate_rating,
    validate_response,
    validate_trust,
)

NAME = "ratings"
VERSION = "1.0.0"
TYPES = (DEAL, RATING, RESPONSE, TRUST, IMPORT, WITNESS)


@hookimpl
def smd_plugin_info() -> PluginInfo:
    """Who the plugin is."""
    return PluginInfo(
        name=NAME,
        version=VERSION,
        title="Ratings",
        description=(
            "Co-signed deals, double-blind ratings, imported platform ratings and a reputation "
            "computed from your own seat in the web of trust; ratings as portable credentials."
        ),
        types=TYPES,
        ui_module="plugins.ratings.qt",
    )


def _deal(content: dict[str, Any]) -> None:
    validate_deal(content)


@hookimpl
def smd_record_types() -> Sequence[RecordType]:
    """The six content types, with their pure validators."""
    return (
        RecordType(DEAL, _deal, "a deal receipt co-signed by both parties"),
        RecordType(RATING, validate_rating, "a rating of a deal: sealed, then revealed"),
        RecordType(RESPONSE, validate_response, "the rated person's answer to a rating"),
        RecordType(TRUST, validate_trust, "a public statement of trust or distrust"),
        RecordType(IMPORT, validate_import, "a rating summary imported from a platform"),
        RecordType(WITNESS, validate_witness, "what someone saw on a platform profile"),
    )


@hookimpl
def smd_migrations() -> Sequence[str]:
    """The plugin's tables (schema.py)."""
    return schema.MIGRATIONS


@hookimpl
def smd_index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    """Index one record of the plugin's types."""
    index.index_record(conn, record, identity)


@hookimpl
def smd_forget_records(conn: Connection, record_ids: Sequence[RecordId]) -> None:
    """Drop what was derived from purged or revoked records."""
    index.forget_records(conn, record_ids)


@hookimpl
def smd_reset_index(conn: Connection) -> None:
    """Empty the derived tables before a rebuild (offers and secrets stay)."""
    index.reset_index(conn)


@hookimpl
def smd_search(conn: Connection, query: SearchQuery) -> Sequence[SearchHit]:
    """Revealed ratings whose text or deal matches."""
    return search.search_hook(conn, query)


@hookimpl
def smd_cli_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
) -> None:
    """``smd ratings ...``."""
    add_commands(subparsers, cli)


@hookimpl
def smd_direct_message(profile: Profile, message: DirectMessage) -> bytes | None:
    """An offer, acceptance or refusal from the other party of a deal."""
    incoming = messaging.incoming(message)
    return Ratings(profile).receive(incoming.sender, incoming.kind, incoming.payload)


@hookimpl
def smd_direct_reply(profile: Profile, message: OutgoingMessage, reply: bytes) -> None:
    """The other party's answer to a message we sent."""
    Ratings(profile).receive_reply(message.kind, reply)
