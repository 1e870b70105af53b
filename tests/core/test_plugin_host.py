"""The plugin host: checks, migrations, catch-up indexing, fault isolation, enable/disable."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from smd_desktop.core.errors import InvalidRecord, UserError
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import (
    Connection,
    PluginHost,
    PluginInfo,
    RecordType,
    SearchHit,
    SearchQuery,
    hookimpl,
)
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import SignedRecord
from smd_desktop.core.store import Outcome
from smd_desktop.core.testing import copy_records, make_profile

PASSPHRASE = "correct horse battery staple"
NOTE = "notes/note/1"


def validate_note(content: dict[str, Any]) -> None:
    if set(content) != {"text"} or not isinstance(content["text"], str):
        raise InvalidRecord("a note is {text}")
    if not content["text"]:
        raise InvalidRecord("an empty note")


class Notes:
    """A small but complete plugin: one type, one table, indexing, forgetting, search."""

    def __init__(self, *, migrations: Sequence[str] | None = None, name: str = "notes") -> None:
        self.name = name
        self.migrations = migrations
        self.fail_index = False
        self.indexed: list[bytes] = []

    @hookimpl
    def smd_plugin_info(self) -> PluginInfo:
        return PluginInfo(name=self.name, version="1.2.3", title="Notes", types=(NOTE,))

    @hookimpl
    def smd_record_types(self) -> list[RecordType]:
        return [RecordType(NOTE, validate_note, "a note")]

    @hookimpl
    def smd_migrations(self) -> Sequence[str]:
        if self.migrations is not None:
            return self.migrations
        return [
            "CREATE TABLE notes_items (id BLOB PRIMARY KEY, author BLOB NOT NULL, text TEXT);\n"
            "CREATE TABLE notes_log (n INTEGER);\n"
            "CREATE TRIGGER notes_count AFTER INSERT ON notes_items BEGIN\n"
            "    INSERT INTO notes_log VALUES (1);\n"
            "END;"
        ]

    @hookimpl
    def smd_index_record(
        self, conn: Connection, record: SignedRecord, identity: IdentityKey
    ) -> None:
        if self.fail_index:
            conn.execute("INSERT INTO notes_log VALUES (2)")  # rolled back with the failure
            raise RuntimeError("index exploded")
        assert record.content is not None
        self.indexed.append(record.id)
        conn.execute(
            "INSERT OR REPLACE INTO notes_items VALUES (?, ?, ?)",
            (record.id, identity, record.content["text"]),
        )

    @hookimpl
    def smd_forget_records(self, conn: Connection, record_ids: Sequence[RecordId]) -> None:
        conn.executemany("DELETE FROM notes_items WHERE id = ?", [(i,) for i in record_ids])

    @hookimpl
    def smd_reset_index(self, conn: Connection) -> None:
        conn.execute("DELETE FROM notes_items")

    @hookimpl
    def smd_search(self, conn: Connection, query: SearchQuery) -> list[SearchHit]:
        rows = conn.execute(
            "SELECT id, author, text FROM notes_items WHERE text LIKE ? ORDER BY text",
            (f"%{query.text}%",),
        ).fetchall()
        return [
            SearchHit("notes", "note", RecordId(bytes(i)), IdentityKey(bytes(a)), t, score=0.5)
            for i, a, t in rows
        ]


def notes_texts(profile: Profile) -> list[str]:
    with profile.store.reading() as conn:
        return [r[0] for r in conn.execute("SELECT text FROM notes_items ORDER BY text")]


def reopen(profile: Profile, *plugins: object) -> Profile:
    data_dir = profile.store.data_dir
    profile.close()
    host = PluginHost()
    for plugin in plugins:
        host.add(plugin)
    return Profile.open(data_dir, PASSPHRASE, plugins=host)


def test_a_plugin_validates_indexes_and_searches_its_records(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    alice.publish(NOTE, {"text": "buy milk"})
    alice.publish(NOTE, {"text": "call bob"})
    with pytest.raises(InvalidRecord, match=r"^an empty note$"):
        alice.publish(NOTE, {"text": ""})

    assert notes_texts(alice) == ["buy milk", "call bob"]
    hits = alice.search("milk")
    assert [(h.plugin, h.title, h.author) for h in hits] == [("notes", "buy milk", alice.identity)]
    status = alice.plugins.status("notes")
    assert (status.version, status.types, status.enabled, status.active) == (
        "1.2.3",
        (NOTE,),
        True,
        True,
    )
    alice.close()


def test_a_deleted_record_is_forgotten_by_its_plugin(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    note = alice.publish(NOTE, {"text": "secret"})
    alice.retract(note.id)
    assert notes_texts(alice) == []
    assert alice.search("secret") == []
    alice.close()


def test_records_of_an_unknown_type_are_stored_and_replicated(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    note = alice.publish(NOTE, {"text": "hello"})
    bob = make_profile(tmp_path / "b", "Bob")  # no plugin: the type is unknown to Bob
    carol = make_profile(tmp_path / "c", "Carol")
    copy_records(alice.store, bob.store)
    copy_records(bob.store, carol.store)  # Bob serves what he cannot read
    assert carol.store.record(note.id) == note.raw

    # Once Carol installs the plugin, the records she already held are indexed.
    carol = reopen(carol, Notes())
    assert notes_texts(carol) == ["hello"]
    for p in (alice, bob, carol):
        p.close()


def test_an_invalid_record_of_a_plugin_type_is_rejected_only_where_the_plugin_runs(
    tmp_path: Path,
) -> None:
    # Mallory's software has no such plugin: it signs whatever content it likes.
    mallory = make_profile(tmp_path / "m", "Mallory")
    bad = mallory.publish(NOTE, {"text": 42})
    good = mallory.publish(NOTE, {"text": "fine"})

    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    results = {r.record_id: r for r in copy_records(mallory.store, alice.store)}
    assert results[bad.id].outcome is Outcome.REJECTED
    assert results[bad.id].reason == "a note is {text}"
    assert alice.store.record(bad.id) is None

    bob = make_profile(tmp_path / "b", "Bob")  # no plugin: stored as it is
    copy_records(mallory.store, bob.store)
    assert bob.store.record(bad.id) == bad.raw
    bob = reopen(bob, Notes())  # installing the plugin later skips it, indexes the rest
    assert bob.store.record(good.id) == good.raw
    assert notes_texts(bob) == ["fine"]
    for p in (mallory, alice, bob):
        p.close()


def test_an_exception_in_a_hook_disables_the_plugin_and_keeps_the_record(
    tmp_path: Path,
) -> None:
    plugin = Notes()
    alice = make_profile(tmp_path / "a", plugins=[plugin])
    told: list[str] = []
    alice.plugins.listeners.append(lambda s: told.append(f"{s.name}: {s.error}"))
    plugin.fail_index = True

    record = alice.publish(NOTE, {"text": "still mine"})

    assert alice.store.record(record.id) == record.raw  # the record is kept
    assert told == ["notes: failed while indexing: RuntimeError: index exploded"]
    status = alice.plugins.status("notes")
    assert (status.enabled, status.active) == (True, False)
    with alice.store.reading() as conn:  # the failed call's writes were rolled back
        assert conn.execute("SELECT count(*) FROM notes_log WHERE n = 2").fetchone() == (0,)
    # While it is off, its types are stored unvalidated, like unknown types.
    alice.publish(NOTE, {"text": "later"})

    # Next start (the bug fixed): the plugin is rebuilt from every record of its types.
    alice = reopen(alice, Notes())
    assert notes_texts(alice) == ["later", "still mine"]
    alice.close()


def test_a_crashing_validator_disables_the_plugin_without_losing_the_record(
    tmp_path: Path,
) -> None:
    class Crashing(Notes):
        @hookimpl
        def smd_record_types(self) -> list[RecordType]:
            def crash(content: dict[str, Any]) -> None:
                raise KeyError("oops")

            return [RecordType(NOTE, crash)]

    alice = make_profile(tmp_path / "a", plugins=[Crashing()])
    record = alice.publish(NOTE, {"text": "x"})
    assert alice.store.record(record.id) == record.raw
    assert alice.plugins.status("notes").error == "its validator crashed: KeyError: 'oops'"
    alice.close()


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (
            "CREATE TABLE stray (x);",
            "migration 1 failed: it creates stray, not named notes_...",
        ),
        (
            "CREATE TABLE notes_items (;",
            'migration 1 failed: OperationalError: near ";": syntax error',
        ),
    ],
)
def test_an_invalid_migration_disables_the_plugin_and_changes_nothing(
    tmp_path: Path, script: str, error: str
) -> None:
    alice = make_profile(tmp_path / "a", plugins=[Notes(migrations=[script])])
    assert alice.plugins.status("notes").error == f"cannot start: {error}"
    assert not alice.plugins.is_active("notes")
    with alice.store.reading() as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        (version,) = conn.execute(
            "SELECT schema_version FROM plugin_state WHERE name = 'notes'"
        ).fetchone()
    assert "stray" not in names and "notes_items" not in names
    assert version == 0
    alice.post("the app keeps working")
    alice.close()


def test_migrations_run_once_and_in_order(tmp_path: Path) -> None:
    first = ["CREATE TABLE notes_items (id BLOB PRIMARY KEY, author BLOB, text TEXT);"]
    alice = make_profile(tmp_path / "a", plugins=[Notes(migrations=first)])
    alice = reopen(
        alice, Notes(migrations=[*first, "CREATE INDEX notes_text ON notes_items (text);"])
    )
    with alice.store.reading() as conn:
        (version,) = conn.execute(
            "SELECT schema_version FROM plugin_state WHERE name = 'notes'"
        ).fetchone()
    assert version == 2
    # An older plugin than the data it wrote refuses to run instead of corrupting it.
    alice = reopen(alice, Notes(migrations=first))
    assert alice.plugins.status("notes").error == (
        "cannot start: its tables are at schema 2, newer than this version knows (1): "
        "upgrade the plugin"
    )
    alice.close()


def test_a_disabled_plugin_is_rebuilt_when_enabled_again(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    kept = alice.publish(NOTE, {"text": "kept"})
    doomed = alice.publish(NOTE, {"text": "doomed"})
    alice.plugins.set_enabled("notes", False)
    alice.retract(doomed.id)  # the plugin misses this purge while disabled
    alice.publish(NOTE, {"text": "new"})
    with alice.store.reading() as conn:  # its tables are untouched while disabled
        assert conn.execute("SELECT count(*) FROM notes_items").fetchone() == (2,)

    alice = reopen(alice, Notes())
    assert alice.plugins.status("notes").enabled is False  # the choice is per profile, kept
    assert alice.search("kept") == []
    status = alice.plugins.set_enabled("notes", True)
    assert status.active
    assert notes_texts(alice) == ["kept", "new"]
    assert alice.search("kept")[0].record_id == kept.id
    alice.close()


def test_a_failing_search_provider_is_disabled_and_others_still_answer(
    tmp_path: Path,
) -> None:
    class BadSearch(Notes):
        @hookimpl
        def smd_search(self, conn: Connection, query: SearchQuery) -> list[SearchHit]:
            raise ValueError("no index")

    host = PluginHost()
    host.add(Notes())
    host.add(
        type(
            "Other",
            (BadSearch,),
            {
                "smd_plugin_info": hookimpl(
                    lambda self: PluginInfo(name="other", version="1", title="Other")
                ),
                "smd_record_types": hookimpl(lambda self: []),
                "smd_migrations": hookimpl(lambda self: ["CREATE TABLE other_x (a);"]),
            },
        )()
    )
    alice = make_profile(tmp_path / "a", plugins=host)
    alice.publish(NOTE, {"text": "findable"})
    assert [h.title for h in alice.search("find")] == ["findable"]
    assert alice.plugins.status("other").error == "failed while searching: ValueError: no index"
    alice.close()


@pytest.mark.parametrize(
    ("info", "error"),
    [
        (
            PluginInfo(name="Bad Name", version="1", title="x"),
            "invalid plugin name 'Bad Name'",
        ),
        (
            PluginInfo(name="notes", version="1", title="x", api=99),
            "it was written for plugin API 99; this SMD offers API 1",
        ),
        (
            PluginInfo(name="notes", version="1", title="x", types=("smd/post/1",)),
            "content type 'smd/post/1' is not notes/<kind>/<version>",
        ),
        (
            PluginInfo(name="notes", version="1", title="x", types=(NOTE, "notes/other/1")),
            "smd_record_types must give one validator per declared type",
        ),
    ],
)
def test_a_plugin_that_declares_itself_wrongly_is_refused(info: PluginInfo, error: str) -> None:
    class Wrong(Notes):
        @hookimpl
        def smd_plugin_info(self) -> PluginInfo:
            return info

    host = PluginHost()
    status = host.add(Wrong())
    assert (status.active, status.error) == (False, error)
    assert host.statuses() == [status]


def test_a_plugin_with_an_unknown_hook_is_refused() -> None:
    class Typo(Notes):
        @hookimpl
        def smd_index_recrod(self) -> None:  # a typo would silently never run
            pass

    status = PluginHost().add(Typo())
    assert status.error.startswith("PluginValidationError: ")
    assert "smd_index_recrod" in status.error


def test_two_plugins_cannot_share_a_name(tmp_path: Path) -> None:
    host = PluginHost()
    assert host.add(Notes()).error == ""
    assert host.add(Notes()).error == "another plugin is already named 'notes'"


def test_a_plugin_needing_a_missing_plugin_does_not_start(tmp_path: Path) -> None:
    class Needy(Notes):
        @hookimpl
        def smd_plugin_info(self) -> PluginInfo:
            return PluginInfo(
                name="notes", version="1", title="x", types=(NOTE,), requires=("ratings",)
            )

    alice = make_profile(tmp_path / "a", plugins=[Needy()])
    assert alice.plugins.status("notes").error == "it needs the plugin(s) ratings, not active"
    with pytest.raises(UserError, match=r"^the plugin notes is not running: it needs"):
        alice.plugins.require_active("notes")
    alice.close()


def test_revoked_records_are_forgotten_and_their_rowids_reindexed(tmp_path: Path) -> None:
    from smd_desktop.core.identity import RootKey
    from smd_desktop.core.testing import FeedWriter

    root = RootKey.generate()
    old = FeedWriter(root)
    records = [
        old.cert(),
        old.append(NOTE, {"text": "before"}),
        old.append(NOTE, {"text": "after"}),
    ]
    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    alice.store.ingest(r.raw for r in records)
    assert notes_texts(alice) == ["after", "before"]

    revocation = root.revoke(old.device, after_seq=2, issued=old.clock)
    other = FeedWriter(root)
    alice.store.ingest([other.cert().raw, other.append("smd/revoke/1", revocation).raw])
    assert notes_texts(alice) == ["before"]
    alice.close()


def test_content_that_arrives_after_its_header_is_indexed(tmp_path: Path) -> None:
    from smd_desktop.core.records import without_content

    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    note = alice.publish(NOTE, {"text": "late"})
    bob = make_profile(tmp_path / "b", "Bob", plugins=[Notes()])
    raws = alice.store.read_range(alice.device_key, 1, 10)
    bob.store.ingest([*raws[:-1], without_content(note).raw])  # a peer withheld the content
    assert notes_texts(bob) == []
    assert bob.store.ingest([note.raw])[0].reason == "content filled in"
    assert notes_texts(bob) == ["late"]
    alice.close()
    bob.close()


def test_search_leaves_out_blocked_people(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "a", plugins=[Notes()])
    mallory = make_profile(tmp_path / "m", "Mallory", plugins=[Notes()])
    mallory.publish(NOTE, {"text": "spam offer"})
    alice.publish(NOTE, {"text": "my offer"})
    copy_records(mallory.store, alice.store)
    assert sorted(h.title for h in alice.search("offer")) == ["my offer", "spam offer"]
    alice.block(mallory.identity)
    assert [h.title for h in alice.search("offer")] == ["my offer"]
    alice.close()
    mallory.close()
