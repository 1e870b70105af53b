"""load_people over a real encrypted profile: the four lists exactly, in a fixed number of
queries however many people there are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from smd_desktop.core.content import FOLLOW, PROFILE
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import Outcome
from smd_desktop.core.testing import FeedWriter, make_profile
from smd_desktop.ui.people_model import People, Person, load_people, short_id


@pytest.fixture
def ada(tmp_path: Path) -> Iterator[Profile]:
    profile = make_profile(tmp_path / "ada", "Ada")
    yield profile
    profile.close()


def someone(name: str | None, follows: Sequence[IdentityKey] = ()) -> FeedWriter:
    """Another identity's feed: a profile (when named), then its follows."""
    writer = FeedWriter(RootKey.generate())
    writer.cert()
    if name is not None:
        writer.append(PROFILE, {"name": name})
    for target in follows:
        writer.append(FOLLOW, {"target": target, "following": True})
    return writer


def deliver(profile: Profile, *writers: FeedWriter) -> None:
    results = profile.store.ingest(r.raw for w in writers for r in w.records)
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}


def statements_of_load_people(profile: Profile) -> tuple[People, int]:
    statements: list[str] = []
    with profile.store.reading() as conn:
        conn.set_trace_callback(statements.append)
    try:
        people = load_people(profile)
    finally:
        with profile.store.reading() as conn:
            conn.set_trace_callback(None)
    return people, len(statements)


def test_load_people_reads_the_four_lists_exactly(ada: Profile) -> None:
    dan, fay = someone("Dan"), someone(None)
    eve = someone("Eve")  # blocked
    bob = someone("Bob", [dan.root.public, fay.root.public, eve.root.public, ada.identity])
    cat = someone("cat", [dan.root.public, bob.root.public])
    gil = someone("Gil", [ada.identity])  # follows us; we do not follow back
    deliver(ada, dan, fay, eve, bob, cat, gil)
    for friend in (bob, cat, eve):
        ada.follow(friend.root.public)
    ada.block(eve.root.public)

    people, _ = statements_of_load_people(ada)

    def p(w: FeedWriter, name: str, friends: int = 0) -> Person:
        return Person(w.root.public, name, friends)

    assert people == People(
        me=ada.identity,
        following=people.following,  # by follow time, which may tie within a millisecond
        followers=people.followers,  # no order promised
        suggestions=[p(dan, "Dan", 2), p(fay, short_id(fay.root.public), 1)],
        blocked=[p(eve, "Eve")],
    )
    assert sorted(people.following, key=lambda f: f.name) == [p(bob, "Bob"), p(cat, "cat")]
    assert sorted(people.followers, key=lambda f: f.name) == [p(bob, "Bob"), p(gil, "Gil")]


def test_load_people_runs_five_queries_whatever_the_size_of_the_circle(ada: Profile) -> None:
    followers = [someone(f"Follower {i}", [ada.identity]) for i in range(10)]
    suggested = [someone(f"Suggested {i}") for i in range(40)]
    friends = [
        someone(f"Friend {i}", [s.root.public for s in suggested[i : i + 8]]) for i in range(25)
    ]
    deliver(ada, *followers, *suggested, *friends)
    for friend in friends:
        ada.follow(friend.root.public)
    for follower in followers[:3]:
        ada.block(follower.root.public)

    people, statements = statements_of_load_people(ada)

    assert statements == 5  # blocked, following, followers, suggestions, names
    assert (len(people.following), len(people.followers), len(people.blocked)) == (25, 7, 3)
    assert sum(s.friends for s in people.suggestions) == 25 * 8
    assert [s.name for s in people.suggestions[:3]] == [
        "Suggested 10",
        "Suggested 11",
        "Suggested 12",
    ]
