"""The Directory facade on one profile: add, versions, removal, slugs, categories, links."""

from __future__ import annotations

import re

import pytest

from plugins.references.core import (
    AffiliateLink,
    CategoryNode,
    Directory,
    EntryView,
    Identifiers,
    url_to_open,
)
from plugins.references.core.drafts import entry_content
from plugins.references.core.model import slugify
from smd_desktop.core import content as ct
from smd_desktop.core.errors import NotFound, UserError
from smd_desktop.core.ids import RecordId
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import parse_record

from .conftest import Profiles
from .support import draft, sync

AMAZON = AffiliateLink("Amazon Associates", "https://www.amazon.com/dp/B0002E4Z8M?tag=alice-20")


def test_add_normalizes_what_was_typed_and_reads_back(alice_dir: Directory) -> None:
    entry = alice_dir.add(
        draft(
            title="  Shure SM7B  ",
            url="HTTPS://www.Shure.com/sm7b?utm_source=yt#specs",
            category=(" Audio ", "", "Microphones"),
            note="Warm.\r\nForgiving.  ",
            tags=("Audio", "#podcast", "audio"),
            ids=Identifiers(gtin="0 36000 29145 2", asin="b0002e4z8m"),
            since="2019-03",
            still_using=True,
            verdict="Recommend",
            affiliate=(AMAZON,),
            disclosures=frozenset({"free", "affiliate"}),
        )
    )

    assert entry == EntryView(
        id=entry.id,
        author=alice_dir.identity,
        timestamp=entry.timestamp,
        slug="shure-sm7b",
        title="Shure SM7B",
        url="https://www.shure.com/sm7b",
        disclosures=("affiliate", "free"),
        category=("Audio", "Microphones"),
        note="Warm.\nForgiving.",
        tags=("audio", "podcast"),
        ids=Identifiers(gtin="036000291452", asin="B0002E4Z8M"),
        since="2019-03",
        still_using=True,
        verdict="recommend",
        affiliate=(AMAZON,),
        author_name="Alice",
    )
    assert alice_dir.entries() == [entry]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " "}, "an entry needs a title"),
        (
            {"url": "ftp://files.example/x"},
            "invalid URL 'ftp://files.example/x': only http:// and https:// URLs are allowed",
        ),
        (
            {"affiliate": (AMAZON,)},
            "an affiliate link must be disclosed: add the affiliate disclosure",
        ),
        (
            {
                "affiliate": (AffiliateLink("X", "mailto:me@x.example"),),
                "disclosures": frozenset({"affiliate"}),
            },
            "invalid affiliate URL 'mailto:me@x.example': "
            "only http:// and https:// URLs are allowed",
        ),
        ({"verdict": "meh"}, "a verdict is one of essential, recommend, mixed, avoid: 'meh'"),
        ({"ids": Identifiers(isbn="0306406153")}, "the ISBN-10 check digit is wrong: '0306406153'"),
        ({"tags": tuple(f"t{i}" for i in range(11))}, "tags must be a list of 1 to 10 items"),
    ],
)
def test_an_invalid_draft_is_a_user_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=rf"^{re.escape(message)}$"):
        entry_content(draft(**kwargs), "shure-sm7b")  # type: ignore[arg-type]


def test_adding_an_invalid_draft_publishes_nothing(alice: Profile, alice_dir: Directory) -> None:
    before = alice.store.count_records()

    with pytest.raises(UserError, match=r"^an entry needs a title$"):
        alice_dir.add(draft(title=""))

    assert alice.store.count_records() == before


def test_slugs_are_made_from_titles_and_kept_unique(alice_dir: Directory) -> None:
    first = alice_dir.add(draft(title="Café Racer: The Book!"))
    second = alice_dir.add(draft(title="Café racer — the book"))
    third = alice_dir.add(draft(title="***"))

    assert (first.slug, second.slug, third.slug) == (
        "cafe-racer-the-book",
        "cafe-racer-the-book-2",
        "entry",
    )
    assert slugify("x" * 70) == "x" * 64
    assert slugify("word " * 20) == "-".join(["word"] * 13)


def test_an_explicit_slug_must_be_valid_and_free(alice_dir: Directory) -> None:
    alice_dir.add(draft(slug="mic"))

    with pytest.raises(UserError, match=r"^you already have an entry 'mic': update it instead$"):
        alice_dir.add(draft(title="Other", slug="mic"))
    with pytest.raises(
        UserError, match=r"^a slug is 1 to 64 lowercase letters or digits joined by '-': 'A B'$"
    ):
        alice_dir.add(draft(slug="A B"))


def test_a_new_version_supersedes_the_old_under_either_id(alice_dir: Directory) -> None:
    v1 = alice_dir.add(draft(note="first"))
    v2 = alice_dir.edit(v1.id, note="second", verdict="essential")

    assert (v2.slug, v2.note, v2.verdict, v2.url) == (v1.slug, "second", "essential", v1.url)
    assert v2.id != v1.id
    assert alice_dir.entry(v1.id) == v2
    assert alice_dir.entries() == [v2]
    assert alice_dir.detail(v1.id).versions == 2
    assert [f.entry.id for f in alice_dir.search("second")] == [v2.id]
    assert alice_dir.search("first") == []


def test_update_replaces_every_field_and_keeps_the_slug(alice_dir: Directory) -> None:
    v1 = alice_dir.add(draft(tags=("audio",), note="n"))

    v2 = alice_dir.update(v1.id, draft(title="Shure SM7B (2024)"))

    assert (v2.slug, v2.title, v2.tags, v2.note) == (v1.slug, "Shure SM7B (2024)", (), "")
    with pytest.raises(UserError, match=r"^the slug of an entry cannot change$"):
        alice_dir.update(v1.id, draft(slug="other"))


def test_remove_tombstones_every_version_and_drops_the_entry(
    alice: Profile, alice_dir: Directory
) -> None:
    v1 = alice_dir.add(draft(note="unique-word-one"))
    v2 = alice_dir.edit(v1.id, note="unique-word-two")
    kept = alice_dir.add(draft(title="Rode PodMic", url="https://rode.com/podmic"))

    assert alice_dir.remove(v2.id) == 2

    assert alice_dir.entries() == [kept]
    for version in (v1.id, v2.id):
        raw = alice.store.record(version)
        assert raw is not None and parse_record(raw).content is None  # purged
        with pytest.raises(NotFound, match=rf"^no reference entry {version.hex()}$"):
            alice_dir.entry(version)
    assert alice_dir.search("unique") == []
    assert alice.search("unique") == []
    deletions = [parse_record(r) for r in alice.store.identity_records(alice.identity)]
    targets = [r.content["target"] for r in deletions if r.type == ct.DELETE and r.content]
    assert targets == [v1.id, v2.id]  # oldest first


def test_the_slug_of_a_removed_entry_can_be_used_again(alice_dir: Directory) -> None:
    old = alice_dir.add(draft(slug="mic"))
    alice_dir.remove(old.id)

    new = alice_dir.add(draft(title="New mic", slug="mic"))

    assert alice_dir.entries() == [new]
    assert alice_dir.detail(new.id).versions == 1


def test_only_my_own_entries_can_be_changed(
    alice: Profile, alice_dir: Directory, bob: Profile, bob_dir: Directory
) -> None:
    entry = alice_dir.add(draft())
    sync(alice, bob)

    for action in (
        lambda: bob_dir.edit(entry.id, note="mine now"),
        lambda: bob_dir.remove(entry.id),
    ):
        with pytest.raises(UserError, match=r"^you can only change your own entries$"):
            action()


def test_unknown_ids_are_not_found(alice_dir: Directory) -> None:
    missing = RecordId(bytes(32))
    with pytest.raises(NotFound, match=rf"^no reference entry {'00' * 32}$"):
        alice_dir.detail(missing)


def test_the_category_tree_counts_entries_at_and_below_each_node(alice_dir: Directory) -> None:
    alice_dir.add(draft(title="SM7B", category=("Audio", "Microphones")))
    alice_dir.add(draft(title="PodMic", category=("Audio", "Microphones")))
    alice_dir.add(draft(title="Interface", category=("Audio",)))
    alice_dir.add(draft(title="Desk", category=("Furniture",)))
    alice_dir.add(draft(title="Loose"))

    mics = CategoryNode("Microphones", ("Audio", "Microphones"), 2, 2)
    assert alice_dir.categories() == CategoryNode(
        "",
        (),
        1,
        5,
        (
            CategoryNode("Audio", ("Audio",), 1, 3, (mics,)),
            CategoryNode("Furniture", ("Furniture",), 1, 1),
        ),
    )


def test_the_no_affiliate_preference_opens_the_canonical_url(alice_dir: Directory) -> None:
    with_link = alice_dir.add(draft(affiliate=(AMAZON,), disclosures=frozenset({"affiliate"})))
    plain = alice_dir.add(draft(title="Plain", url="https://plain.example/"))

    assert url_to_open(with_link, allow_affiliate=True) == AMAZON.url
    assert url_to_open(with_link, allow_affiliate=False) == "https://www.shure.com/sm7b"
    assert url_to_open(plain, allow_affiliate=True) == "https://plain.example/"


def test_a_profile_without_the_plugin_has_no_directory(profiles: Profiles) -> None:
    bare = profiles.new("Bare", plugin=False)

    with pytest.raises(UserError, match=r"^the plugin references is not installed$"):
        Directory(bare)
