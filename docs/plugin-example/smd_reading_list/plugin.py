"""The reading list's headless part: loaded by ``smd``, the node and the desktop app."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smd_desktop.core.errors import InvalidRecord, UserError
from smd_desktop.core.ids import IdentityKey, RecordId, identity_text
from smd_desktop.core.plugins import (
    CliContext,
    Connection,
    PluginInfo,
    RecordType,
    SearchHit,
    SearchQuery,
    hookimpl,
)
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import SignedRecord

NAME = "readinglist"
BOOK = "readinglist/book/1"
STATUSES = ("want", "reading", "done")
MAX_TEXT = 200


def validate_book(content: dict[str, Any]) -> None:
    """``readinglist/book/1``: ``title``; optional ``author``; ``status`` (want, reading,
    done). Pure: it runs for records from anyone, in any thread."""
    if not {"title", "status"} <= set(content) <= {"title", "author", "status"}:
        raise InvalidRecord("a book has a title, a status and maybe an author, nothing else")
    for field in ("title", "author"):
        value = content.get(field, "x")
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise InvalidRecord(f"{field} must be 1 to {MAX_TEXT} characters")
    if content["status"] not in STATUSES:
        raise InvalidRecord(f"status must be one of {', '.join(STATUSES)}")


@dataclass(frozen=True, slots=True)
class Book:
    """One book on someone's list."""

    id: RecordId
    reader: IdentityKey
    title: str
    author: str
    status: str
    ts: int


# -- hooks ----------------------------------------------------------------------------------


@hookimpl
def smd_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="1.0.0",
        title="Reading list",
        description="Books you want to read, are reading, or have read.",
        types=(BOOK,),
        ui_module="smd_reading_list.qt",
    )


@hookimpl
def smd_record_types() -> Sequence[RecordType]:
    return [RecordType(BOOK, validate_book, "a book on a reading list")]


@hookimpl
def smd_migrations() -> Sequence[str]:
    return [
        """
        CREATE TABLE readinglist_books (
            id     BLOB PRIMARY KEY,
            reader BLOB NOT NULL,
            title  TEXT NOT NULL,
            author TEXT NOT NULL,
            status TEXT NOT NULL,
            ts     INTEGER NOT NULL
        );
        CREATE INDEX readinglist_by_reader ON readinglist_books (reader, ts DESC);
        """
    ]


@hookimpl
def smd_index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    c = record.content
    assert c is not None  # the host hands only records with (valid) content
    conn.execute(
        "INSERT OR REPLACE INTO readinglist_books VALUES (?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            c["title"],
            c.get("author", ""),
            c["status"],
            record.header.timestamp,
        ),
    )


@hookimpl
def smd_forget_records(conn: Connection, record_ids: Sequence[RecordId]) -> None:
    conn.executemany("DELETE FROM readinglist_books WHERE id = ?", [(i,) for i in record_ids])


@hookimpl
def smd_reset_index(conn: Connection) -> None:
    conn.execute("DELETE FROM readinglist_books")


@hookimpl
def smd_search(conn: Connection, query: SearchQuery) -> Sequence[SearchHit]:
    words = query.text.lower().split()
    if not words:
        return []
    where = " AND ".join("lower(title || ' ' || author) LIKE ?" for _ in words)
    rows = conn.execute(
        f"SELECT id, reader, title, author FROM readinglist_books WHERE {where} "
        "ORDER BY ts DESC LIMIT ?",
        (*[f"%{w}%" for w in words], query.limit),
    ).fetchall()
    return [
        SearchHit(NAME, "book", RecordId(bytes(i)), IdentityKey(bytes(r)), t, a, score=0.5)
        for i, r, t, a in rows
    ]


@hookimpl
def smd_cli_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
) -> None:
    books = subparsers.add_parser("books", help="your reading list (example plugin)")
    actions = books.add_subparsers(metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a book")
    add.add_argument("title")
    add.add_argument("--author", default=None)
    add.add_argument("--status", choices=STATUSES, default="want")

    def run_add(args: argparse.Namespace) -> int:
        profile = cli.open_profile(args)
        try:
            record = add_book(profile, args.title, author=args.author, status=args.status)
        finally:
            profile.close()
        print(record.id.hex())
        return 0

    add.set_defaults(func=run_add)
    show = actions.add_parser("list", help="books of you and the people you follow")
    show.add_argument("--json", action="store_true")

    def run_list(args: argparse.Namespace) -> int:
        profile = cli.open_profile(args)
        try:
            items = [(b, cli.name_of(profile, b.reader)) for b in list_books(profile)]
        finally:
            profile.close()
        if args.json:
            cli.print_json(
                [
                    {
                        "id": b.id.hex(),
                        "reader": identity_text(b.reader),
                        "name": name,
                        "title": b.title,
                        "author": b.author,
                        "status": b.status,
                    }
                    for b, name in items
                ]
            )
        for b, name in [] if args.json else items:
            print(f"{b.title} ({b.author or 'unknown author'}) - {b.status} - {name}")
        return 0

    show.set_defaults(func=run_list)


# -- the plugin's own API (used by its CLI and its page) ------------------------------------


def add_book(
    profile: Profile, title: str, *, author: str | None = None, status: str = "want"
) -> SignedRecord:
    """Publish a book on our list (raises UserError with the rule it breaks)."""
    profile.plugins.require_active(NAME)
    content: dict[str, Any] = {"title": title.strip(), "status": status}
    if author:
        content["author"] = author.strip()
    try:
        return profile.publish(BOOK, content)
    except InvalidRecord as exc:
        raise UserError(str(exc)) from exc


def list_books(profile: Profile, limit: int = 200) -> list[Book]:
    """Our books and those of the people we follow, newest first."""
    readers = [profile.identity, *profile.following()]
    marks = ", ".join("?" * len(readers))
    with profile.store.reading() as conn:
        rows = conn.execute(
            f"SELECT id, reader, title, author, status, ts FROM readinglist_books "
            f"WHERE reader IN ({marks}) ORDER BY ts DESC LIMIT ?",
            (*readers, limit),
        ).fetchall()
    return [
        Book(RecordId(bytes(i)), IdentityKey(bytes(r)), t, a, s, ts) for i, r, t, a, s, ts in rows
    ]
