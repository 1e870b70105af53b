"""The plugin as SMD sees it: discovery, declaration, schema, rebuilds."""

from __future__ import annotations

import pytest

import plugins.references.plugin as references_plugin
from plugins.references.core import Directory
from smd_desktop.core.errors import UserError
from smd_desktop.core.identity import RootKey
from smd_desktop.core.plugins import PluginHost
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import FeedWriter

from .conftest import Profiles
from .support import ENTRY_TYPE, draft, entry_content


def test_the_plugin_is_discovered_through_its_entry_point() -> None:
    (status,) = [s for s in PluginHost.discover().statuses() if s.name == "references"]

    assert (status.version, status.title, status.types, status.error) == (
        "1.0.0",
        "References Directory",
        ("references/entry/1", "references/endorse/1"),
        "",
    )
    assert status.source.endswith("references = plugins.references.plugin")


def test_every_table_it_creates_is_named_after_it(alice: Profile) -> None:
    with alice.store.reading() as conn:
        names = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE '%refer%'")
        }
    assert names >= {"references_entries", "references_fts", "references_endorsements"}
    assert all(n.startswith(("references_", "sqlite_autoindex_references_")) for n in names)


def test_its_qt_part_is_named_for_the_desktop_app_only() -> None:
    assert references_plugin.smd_plugin_info().ui_module == "plugins.references.qt"


def test_reenabling_rebuilds_the_index_from_the_records(
    alice: Profile, alice_dir: Directory
) -> None:
    mine = alice_dir.add(draft())
    alice.plugins.set_enabled("references", False)
    with pytest.raises(
        UserError, match=r"^the plugin references is disabled \(smd plugins enable references\)$"
    ):
        Directory(alice)
    peer = FeedWriter(RootKey.generate())
    peer.cert()
    theirs = peer.append(ENTRY_TYPE, entry_content(slug="theirs", title="Their pick"))
    peer.append(ENTRY_TYPE, entry_content(slug="bad", disclose=["affiliate", "affiliate"]))
    alice.store.ingest([r.raw for r in peer.records])  # unvalidated while disabled

    alice.plugins.set_enabled("references", True)

    assert {e.id for e in Directory(alice).all_entries()} == {mine.id, theirs.id}
    assert [f.entry.id for f in Directory(alice).search("pick")] == [theirs.id]


def test_the_index_survives_reopening(profiles: Profiles, alice: Profile) -> None:
    entry = Directory(alice).add(draft())

    reopened = profiles.reopen(alice)

    assert Directory(reopened).entries() == [entry]
    assert [f.entry.id for f in Directory(reopened).search("shure")] == [entry.id]
