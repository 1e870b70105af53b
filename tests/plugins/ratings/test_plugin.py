"""The plugin as SMD sees it: its declaration, validators on publish and ingest, its tables,
the local state a rebuild keeps, and its hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import plugins.ratings.plugin as ratings_plugin
from plugins.ratings.core.records import TRUST, validate_rating
from plugins.ratings.core.scenario import World
from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.plugins import PluginHost
from smd_desktop.core.store import Outcome
from smd_desktop.core.testing import make_profile


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with World(tmp_path) as made:
        yield made


def test_the_plugin_declares_its_types_and_ui_and_loads() -> None:
    host = PluginHost()
    status = host.add(ratings_plugin)
    assert (status.name, status.version, status.title, status.error) == (
        "ratings",
        "1.0.0",
        "Ratings",
        "",
    )
    assert status.types == (
        "ratings/deal/1",
        "ratings/rating/1",
        "ratings/response/1",
        "ratings/trust/1",
        "ratings/import/1",
        "ratings/witness/1",
    )
    info = host.info("ratings")
    assert info is not None and info.ui_module == "plugins.ratings.qt"
    implemented = {n for n in dir(ratings_plugin) if n.startswith("smd_")}
    assert implemented == {
        "smd_plugin_info",
        "smd_record_types",
        "smd_migrations",
        "smd_index_record",
        "smd_forget_records",
        "smd_reset_index",
        "smd_cli_commands",
        "smd_search",
        "smd_direct_message",
        "smd_direct_reply",
    }


def test_every_table_is_the_plugins_own(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "p", "Ada", plugins=[ratings_plugin])
    try:
        with profile.store.reading() as conn:
            names = {
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'ratings%'")
            }
        assert {"ratings_deals", "ratings_offers", "ratings_secrets", "ratings_version"} <= names
        assert all(n.startswith(("ratings_", "sqlite_autoindex_ratings_")) for n in names)
    finally:
        profile.close()


def test_invalid_content_is_refused_before_signing(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    with pytest.raises(InvalidRecord, match=r"^weight must be one of \[-2, -1, 1, 2, 3\]$"):
        alice.profile.publish(TRUST, {"trustee": bob.profile.identity, "weight": 5})
    with pytest.raises(InvalidRecord, match=r"^a deal receipt: missing field\(s\): accept"):
        alice.profile.publish("ratings/deal/1", {"terms": b"", "offer": {}})


def test_a_reveal_may_carry_a_credential_proof_of_the_right_shape() -> None:
    revealed = {
        "deal": b"d" * 32,
        "ratee": b"r" * 32,
        "opens": b"o" * 32,
        "salt": b"s" * 32,
        "rating": {"overall": 4},
    }
    validate_rating(revealed)
    validate_rating({**revealed, "vc": {"created": 1_700_000_000_000, "proof": b"p" * 64}})
    with pytest.raises(InvalidRecord, match=r"^vc proof must be 64 bytes$"):
        validate_rating({**revealed, "vc": {"created": 1, "proof": b"p" * 63}})
    with pytest.raises(InvalidRecord, match=r"^vc created must be a time in milliseconds$"):
        validate_rating({**revealed, "vc": {"created": -1, "proof": b"p" * 64}})
    with pytest.raises(InvalidRecord, match=r"^vc: unknown field\(s\): id$"):
        validate_rating({**revealed, "vc": {"created": 1, "proof": b"p" * 64, "id": "x"}})
    with pytest.raises(InvalidRecord, match=r"^a sealed rating: unknown field\(s\): vc$"):
        validate_rating(
            {"deal": b"d" * 32, "ratee": b"r" * 32, "sealed": b"x" * 32, "vc": revealed}
        )


def test_a_peer_without_the_plugin_stores_ratings_and_indexes_them_once_enabled(
    world: World, tmp_path: Path
) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 5)
    plain = make_profile(tmp_path / "plain", "Plain")  # no plugin: stored, not validated
    try:
        results = plain.store.ingest(alice.profile.store.identity_records(alice.profile.identity))
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    finally:
        plain.close()
    host = PluginHost()
    host.add(ratings_plugin)
    from smd_desktop.core.profile import Profile

    reopened = Profile.open(tmp_path / "plain", "correct horse battery staple", plugins=host)
    try:
        with reopened.store.reading() as conn:
            (deals,) = conn.execute("SELECT count(*) FROM ratings_deals").fetchone()
            (counted,) = conn.execute(
                "SELECT count(*) FROM ratings_ratings WHERE rater = ?", (alice.profile.identity,)
            ).fetchone()
        assert (deals, counted) == (1, 1)
    finally:
        reopened.close()


def test_disabling_and_enabling_keeps_offers_and_secrets(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    pending = alice.ratings.offer_deal(bob.profile.identity, "A second lamp").deal_id
    alice.ratings.rate(deal, 4)
    host = alice.profile.plugins
    host.set_enabled("ratings", False)
    host.set_enabled("ratings", True)
    with alice.profile.store.reading() as conn:
        offers = {bytes(r[0]) for r in conn.execute("SELECT deal_id FROM ratings_offers")}
        secrets = {bytes(r[0]) for r in conn.execute("SELECT deal_id FROM ratings_secrets")}
    assert (offers, secrets) == ({deal, pending}, {deal})


def test_direct_messages_reach_the_plugin_only_while_it_is_active(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    alice.ratings.offer_deal(bob.profile.identity, "A lamp")
    bob.profile.plugins.set_enabled("ratings", False)
    (message,) = alice.profile.plugins.direct.pending()
    answer = bob.profile.plugins.direct.receive(
        bob.profile, alice.profile.device_key, message.id, message.kind, message.payload
    )
    assert (answer.accepted, answer.reason) == (
        False,
        "no active plugin here takes ratings/offer messages",
    )
    bob.profile.plugins.set_enabled("ratings", True)
    assert world.deliver() == 1
    assert [d.status for d in bob.ratings.deals()] == ["received"]


def test_revealed_ratings_are_found_by_their_words_and_sealed_ones_are_not(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob, "Vintage film camera")
    alice.ratings.rate(deal, 2, text="The shutter sticks.")
    world.sync()
    assert bob.profile.search("shutter") == []  # sealed: nobody can read it yet
    bob.ratings.rate(deal, 5, text="Paid at once.")
    world.sync()
    alice.ratings.reveal_due()
    world.sync()
    (hit,) = bob.profile.search("SHUTTER camera")
    assert (hit.plugin, hit.kind, hit.author, hit.title, hit.snippet) == (
        "ratings",
        "rating",
        alice.profile.identity,
        "2/5 for Vintage film camera",
        "The shutter sticks.",
    )
    assert hit.score == 0.75  # one word of two in the rating's own text
    found = bob.profile.search("camera")  # both ratings of that deal, by the deal's words
    assert {(h.author, h.score) for h in found} == {
        (alice.profile.identity, 0.5),
        (bob.profile.identity, 0.5),
    }
    assert bob.profile.search("shutter", tag="x") == []
