"""Store queries for the People page and the timeline's avatars, over a real encrypted store:
suggestions ("people your friends follow") in one statement, names in bulk, and the author's
avatar on every post."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smd_desktop.core.content import BLOCK, FOLLOW, PROFILE
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import BlobHash, IdentityKey, blake2b256
from smd_desktop.core.profile import Image, Profile
from smd_desktop.core.store import BlobRef, Outcome, Store
from smd_desktop.core.store.queries import SuggestionView
from smd_desktop.core.testing import FeedWriter, copy_records, make_profile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR tiny avatar"


@pytest.fixture
def me(tmp_path: Path) -> Iterator[Profile]:
    profile = make_profile(tmp_path / "me", "Me")
    yield profile
    profile.close()


class Person:
    """Another identity with one device feed, written by hand."""

    def __init__(self, name: str | None = None) -> None:
        self.writer = FeedWriter(RootKey.generate())
        self.writer.cert()
        if name is not None:
            self.writer.append(PROFILE, {"name": name})

    @property
    def id(self) -> IdentityKey:
        return self.writer.root.public

    def follow(self, *targets: Person | IdentityKey, following: bool = True) -> None:
        for target in targets:
            key = target.id if isinstance(target, Person) else target
            self.writer.append(FOLLOW, {"target": key, "following": following})

    def block(self, target: Person) -> None:
        self.writer.append(BLOCK, {"target": target.id, "blocked": True})


def deliver(store: Store, *people: Person) -> None:
    results = store.ingest(r.raw for p in people for r in p.writer.records)
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}


def by_id(*views: SuggestionView) -> list[SuggestionView]:
    return sorted(views, key=lambda v: v.identity)


def test_suggestions_count_the_friends_who_follow_each_person_and_leave_out_the_rest(
    me: Profile,
) -> None:
    ann, ben, cat = Person("Ann"), Person("Ben"), Person("Cat")  # we follow them
    rex = Person("Rex")  # we follow and block him: no friend
    dora, eve, finn, gus = Person("Dora"), Person(), Person("Finn"), Person()
    zed = Person("Zed")  # we block him
    stranger = Person("Stranger")  # we do not follow them
    ann.follow(dora, eve, ben, zed, me.identity)
    ben.follow(dora, finn, cat)
    cat.follow(dora, eve, gus)
    cat.follow(eve, following=False)  # the latest follow record wins
    rex.follow(finn, gus, dora)
    stranger.follow(gus, dora)
    ann.block(dora)  # a friend's block does not matter to us
    deliver(me.store, ann, ben, cat, rex, dora, eve, finn, gus, zed, stranger)
    for friend in (ann, ben, cat, rex):
        me.follow(friend.id)
    me.block(rex.id)
    me.block(zed.id)

    assert me.store.suggestions(me.identity) == [
        SuggestionView(dora.id, "Dora", 3),
        *by_id(
            SuggestionView(eve.id, None, 1),
            SuggestionView(finn.id, "Finn", 1),
            SuggestionView(gus.id, None, 1),
        ),
    ]

    me.follow(ann.id, following=False)
    me.follow(dora.id)
    me.block(rex.id, blocked=False)  # Rex, still followed, is a friend again

    assert me.store.suggestions(me.identity) == by_id(
        SuggestionView(finn.id, "Finn", 2),  # Ben and Rex
        SuggestionView(gus.id, None, 2),  # Cat and Rex
    )


def test_no_friends_means_no_suggestions(me: Profile) -> None:
    loner = Person("Loner")
    loner.follow(Person().id)
    deliver(me.store, loner)

    assert me.store.suggestions(me.identity) == []
    assert me.store.suggestions(loner.id) == []  # follows someone who follows no one


def test_profile_names_reads_any_number_of_identities(me: Profile) -> None:
    ann, ben = Person("Ann"), Person("Ben")
    nameless = Person()
    deliver(me.store, ann, ben, nameless)
    strangers = [IdentityKey(bytes([i % 256, i // 256]) * 16) for i in range(1200)]

    names = me.store.profile_names([*strangers[:700], ann.id, nameless.id, ben.id, ann.id])

    assert names == {ann.id: "Ann", ben.id: "Ben"}
    assert me.store.profile_names([me.identity, *strangers]) == {me.identity: "Me"}
    assert me.store.profile_names([]) == {}


def test_posts_carry_their_authors_avatar(me: Profile, tmp_path: Path) -> None:
    ada = make_profile(tmp_path / "ada", "Ada")
    try:
        ada.set_profile(avatar=Image.from_bytes(PNG))
        ada.post("with a face")
        me.post("without a face")
        me.follow(ada.identity)
        copy_records(ada.store, me.store)

        posts = me.timeline()
    finally:
        ada.close()

    avatar = BlobRef(BlobHash(blake2b256(PNG)), "image/png", len(PNG))
    assert sorted((p.text, p.author_name, p.author_avatar) for p in posts) == [
        ("with a face", "Ada", avatar),
        ("without a face", "Me", None),
    ]
    (adas,) = [p for p in posts if p.author_name == "Ada"]
    assert me.store.post(adas.id) == adas
    assert [p.author_avatar for p in me.store.author_posts(adas.identity)] == [avatar]
