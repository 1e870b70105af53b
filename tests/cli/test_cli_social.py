"""``smd follow``/``unfollow``/``block``/``unblock``/``following`` between two profiles, and the
fork warning. Records move between data dirs with ``copy_records``, as sync would move them."""

from __future__ import annotations

from pathlib import Path

import pytest

from smd_desktop.core import content as ct
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import identity_text, peer_id_text
from smd_desktop.core.testing import FeedWriter

from .support import (
    Result,
    Smd,
    Who,
    assert_error,
    clone,
    new_profile,
    open_profile,
    sync,
)


@pytest.fixture(scope="module")
def social_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Who, Who]:
    """Alice, and Bob with two posts; Alice holds Bob's feed but follows nobody, Bob does not
    know Alice. Built once; each test works on clones."""
    base = tmp_path_factory.mktemp("social")
    alice, bob = new_profile(base / "alice", "Alice"), new_profile(base / "bob", "Bob")
    profile = open_profile(bob.data_dir)
    try:
        profile.post("bob 1")
        profile.post("bob 2")
    finally:
        profile.close()
    sync(bob.data_dir, alice.data_dir)
    return alice, bob


@pytest.fixture
def alice(social_template: tuple[Who, Who], tmp_path: Path) -> Who:
    return clone(social_template[0], tmp_path / "alice")


@pytest.fixture
def bob(social_template: tuple[Who, Who], tmp_path: Path) -> Who:
    return clone(social_template[1], tmp_path / "bob")


def texts(smd: Smd, who: Who) -> list[str]:
    return [p["text"] for p in smd.at(who.data_dir, "feed", "--json").json()]


def relations(smd: Smd, who: Who) -> dict[str, list[str]]:
    data = smd.at(who.data_dir, "following", "--json").json()
    assert isinstance(data, dict)
    return data


def test_following_someone_brings_their_posts_into_the_feed(smd: Smd, alice: Who, bob: Who) -> None:
    assert texts(smd, alice) == []  # held, but not followed

    result = smd.at(alice.data_dir, "follow", bob.id)

    assert result == Result(0, f"Following {bob.id}\n", "")
    shown = smd.at(alice.data_dir, "feed", "--json")
    assert shown.err == ""  # no fork, no warning
    feed = shown.json()
    assert [
        (p["text"], p["author"], p["author_name"], p["device"], p["seq"], p["mine"]) for p in feed
    ] == [
        ("bob 2", bob.id, "Bob", bob.peer_id, 4, False),
        ("bob 1", bob.id, "Bob", bob.peer_id, 3, False),
    ]
    assert relations(smd, alice) == {"following": [bob.id], "blocked": [], "followers": []}


def test_followed_posts_interleave_with_ours_newest_first(smd: Smd, alice: Who, bob: Who) -> None:
    smd.at(alice.data_dir, "follow", "did:key:" + bob.id)  # the DID form works too
    profile = open_profile(alice.data_dir)
    try:
        profile.post("alice 1")
    finally:
        profile.close()

    assert texts(smd, alice) == ["alice 1", "bob 2", "bob 1"]
    only_bob = smd.at(alice.data_dir, "feed", "--json", "--author", bob.id).json()
    assert [p["text"] for p in only_bob] == ["bob 2", "bob 1"]


def test_the_followed_side_sees_its_follower_after_sync(smd: Smd, alice: Who, bob: Who) -> None:
    smd.at(alice.data_dir, "follow", bob.id)

    sync(alice.data_dir, bob.data_dir)

    assert relations(smd, bob) == {"following": [], "blocked": [], "followers": [alice.id]}
    listing = smd.at(bob.data_dir, "following")
    assert listing == Result(
        0, f"Following (0):\nBlocked (0):\nFollowers (1):\n  Alice  {alice.id}\n", ""
    )


def test_unfollow_removes_their_posts_again(smd: Smd, alice: Who, bob: Who) -> None:
    smd.at(alice.data_dir, "follow", bob.id)

    assert smd.at(alice.data_dir, "unfollow", bob.id) == Result(0, f"Unfollowed {bob.id}\n", "")

    assert texts(smd, alice) == []
    assert relations(smd, alice)["following"] == []


def test_block_hides_a_followed_identity_and_unblock_shows_it_again(
    smd: Smd, alice: Who, bob: Who
) -> None:
    smd.at(alice.data_dir, "follow", bob.id)

    assert smd.at(alice.data_dir, "block", bob.id) == Result(0, f"Blocked {bob.id}\n", "")
    assert texts(smd, alice) == []
    assert relations(smd, alice) == {"following": [bob.id], "blocked": [bob.id], "followers": []}

    assert smd.at(alice.data_dir, "unblock", bob.id) == Result(0, f"Unblocked {bob.id}\n", "")
    assert texts(smd, alice) == ["bob 2", "bob 1"]
    assert relations(smd, alice)["blocked"] == []


@pytest.mark.parametrize("command", ["follow", "unfollow", "block", "unblock"])
@pytest.mark.parametrize(
    "bad_id",
    [
        "bob",
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doX"[:-1],  # one character short
        "did:key:12D3KooWA7eouBdZvXXVk5VSoFhxpgieMfB9ALKGtCQQ6U1Y5TpK",  # a device id
    ],
    ids=["word", "truncated", "device-id"],
)
def test_malformed_identity_ids_are_refused(
    smd: Smd, tmp_path: Path, command: str, bad_id: str
) -> None:
    # The id is checked before the profile is even opened: no profile is needed.
    assert_error(smd.at(tmp_path / "none", command, bad_id), f"not an identity id: {bad_id!r}")


@pytest.mark.parametrize(("command", "what"), [("follow", "follow"), ("block", "block")])
def test_following_or_blocking_yourself_is_refused(
    smd: Smd, alice: Who, command: str, what: str
) -> None:
    assert_error(smd.at(alice.data_dir, command, alice.id), f"you cannot {what} yourself")


@pytest.mark.parametrize("command", [("edit", "hijacked"), ("delete",)])
def test_someone_elses_post_cannot_be_edited_or_deleted(
    smd: Smd, alice: Who, bob: Who, command: tuple[str, ...]
) -> None:
    smd.at(alice.data_dir, "follow", bob.id)
    [newest, _] = smd.at(alice.data_dir, "feed", "--json").json()
    verb, *rest = command

    assert_error(
        smd.at(alice.data_dir, verb, newest["id"], *rest), "you can only change your own posts"
    )
    assert texts(smd, alice) == ["bob 2", "bob 1"]


def test_replying_to_a_followed_post_references_it(smd: Smd, alice: Who, bob: Who) -> None:
    smd.at(alice.data_dir, "follow", bob.id)
    [newest, _] = smd.at(alice.data_dir, "feed", "--json").json()

    reply = smd.at(alice.data_dir, "post", "Nice one, Bob", "--reply-to", newest["id"]).line

    feed = smd.at(alice.data_dir, "feed", "--json").json()
    mine = feed[0]
    assert (mine["id"], mine["reply_to"], mine["author"]) == (reply, newest["id"], alice.id)


def test_feed_warns_about_a_forked_feed_on_stderr_and_still_succeeds(smd: Smd, alice: Who) -> None:
    mallory = FeedWriter(RootKey.generate())
    mallory.cert()
    mallory.append(ct.POST, {"text": "the first seq 2"})
    twin = mallory.sign_at(2, mallory.records[0].id, ct.POST, {"text": "another seq 2"})
    profile = open_profile(alice.data_dir)
    try:
        profile.follow(mallory.root.public)
        outcomes = profile.store.ingest([r.raw for r in mallory.records] + [twin.raw])
    finally:
        profile.close()
    assert [o.outcome.value for o in outcomes] == ["accepted", "accepted", "fork"]
    mallory_id, device = identity_text(mallory.root.public), peer_id_text(mallory.device)

    result = smd.at(alice.data_dir, "feed", "--json")

    assert result.code == 0
    assert [p["text"] for p in result.json()] == ["the first seq 2"]
    assert result.err.count("\n") == 1
    assert result.err.startswith("warning: ")
    assert "forked" in result.err
    assert f"device {device} signed two different records at seq 2" in result.err
    assert mallory_id in result.err
    text_form = smd.at(alice.data_dir, "feed")
    assert (text_form.code, text_form.err) == (0, result.err)
    assert "the first seq 2" in text_form.out
