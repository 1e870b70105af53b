"""``smd profile set``, ``post``, ``edit``, ``delete`` and ``feed`` on one profile."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest

from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import BlobHash, identity_text

from .support import (
    PNG,
    Result,
    Smd,
    Who,
    assert_error,
    new_profile,
    open_profile,
)

RECORD_ID = re.compile(r"[0-9a-f]{64}")


@pytest.fixture
def me(ada: Who) -> Who:
    """A fresh profile named Ada (certificate + profile), this test's own."""
    return ada


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "pic.png"
    path.write_bytes(PNG)
    return path


def record_count(who: Who) -> int:
    profile = open_profile(who.data_dir)
    try:
        return profile.store.count_records(profile.identity)
    finally:
        profile.close()


def post_via_core(who: Who, *texts: str) -> list[str]:
    """Publish posts without going through the CLI; returns their ids."""
    profile = open_profile(who.data_dir)
    try:
        return [profile.post(text).id.hex() for text in texts]
    finally:
        profile.close()


# -- profile set ------------------------------------------------------------------------------


def test_profile_set_publishes_name_bio_and_avatar(smd: Smd, me: Who, png: Path) -> None:
    record_id = smd.at(
        me.data_dir, "profile", "set", "--name", "Ada L.", "--bio", "Counts.", "--avatar", png
    ).line

    assert RECORD_ID.fullmatch(record_id)
    data = smd.at(me.data_dir, "whoami", "--json").json()
    assert (data["name"], data["bio"]) == ("Ada L.", "Counts.")
    profile = open_profile(me.data_dir)
    try:
        view = profile.my_profile()
        assert view is not None and view.avatar is not None
        assert (view.avatar.mime, view.avatar.size) == ("image/png", len(PNG))
        assert profile.blob(view.avatar.hash) == (PNG, "image/png")
    finally:
        profile.close()


def test_profile_set_keeps_the_fields_not_given(smd: Smd, me: Who, png: Path) -> None:
    smd.at(me.data_dir, "profile", "set", "--bio", "first bio", "--avatar", png)

    smd.at(me.data_dir, "profile", "set", "--bio", "second bio")

    data = smd.at(me.data_dir, "whoami", "--json").json()
    assert (data["name"], data["bio"]) == ("Ada", "second bio")
    profile = open_profile(me.data_dir)
    try:
        view = profile.my_profile()
        assert view is not None and view.avatar is not None
        assert view.avatar.hash == BlobHash(hashlib.blake2b(PNG, digest_size=32).digest())
    finally:
        profile.close()


def test_profile_set_without_any_name_is_refused(smd: Smd, tmp_path: Path) -> None:
    nameless = new_profile(tmp_path / "p", name=None)

    assert_error(
        smd.at(nameless.data_dir, "profile", "set", "--bio", "b"), "a profile needs a name"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF8 but not really", "unsupported image format (use PNG, JPEG, GIF or WebP)"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "unsupported image format (use PNG, JPEG, GIF or WebP)",
        ),
        (b"", "the image file is empty"),
    ],
    ids=["garbage", "svg", "empty"],
)
def test_profile_set_refuses_what_is_not_a_supported_image(
    smd: Smd, me: Who, tmp_path: Path, content: bytes, message: str
) -> None:
    avatar = tmp_path / "avatar.png"
    avatar.write_bytes(content)

    assert_error(smd.at(me.data_dir, "profile", "set", "--avatar", avatar), message)
    assert record_count(me) == 2  # still only the certificate and the first profile


def test_profile_set_with_a_missing_avatar_file_says_no_such_file(
    smd: Smd, me: Who, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.png"

    assert_error(
        smd.at(me.data_dir, "profile", "set", "--avatar", missing), f"no such file: {missing}"
    )


# -- post, reply, feed ------------------------------------------------------------------------


def test_post_with_tags_and_image_appears_in_feed_json_exactly(
    smd: Smd, me: Who, png: Path
) -> None:
    before = time.time_ns() // 1_000_000
    tags = ("--tag", "Python", "--tag", "#p2p", "--tag", "python")
    post_id = smd.at(me.data_dir, "post", "Hello, world ✓", *tags, "--image", png).line
    after = time.time_ns() // 1_000_000

    [post] = smd.at(me.data_dir, "feed", "--json").json()
    timestamp = post.pop("timestamp")
    assert before <= timestamp <= after
    assert post == {
        "id": post_id,
        "author": me.id,
        "author_name": "Ada",
        "device": me.peer_id,
        "seq": 3,  # after the certificate and the profile
        "type": "smd/post/1",
        "text": "Hello, world ✓",
        "reply_to": None,
        "tags": ["python", "p2p"],  # lower-cased, '#' dropped, duplicates merged
        "images": [
            {
                "hash": hashlib.blake2b(PNG, digest_size=32).hexdigest(),
                "mime": "image/png",
                "size": len(PNG),
            }
        ],
        "edited": False,
        "mine": True,
    }


def test_feed_is_newest_first_and_limit_keeps_the_newest(smd: Smd, me: Who) -> None:
    ids = post_via_core(me, "post 1", "post 2", "post 3", "post 4")

    feed = smd.at(me.data_dir, "feed", "--json").json()
    assert [p["id"] for p in feed] == ids[::-1]
    assert [p["text"] for p in feed] == ["post 4", "post 3", "post 2", "post 1"]
    assert [p["seq"] for p in feed] == [6, 5, 4, 3]
    timestamps = [p["timestamp"] for p in feed]
    assert timestamps == sorted(timestamps, reverse=True)
    assert len(set(timestamps)) == 4  # our own feed's clock is strictly monotonic

    limited = smd.at(me.data_dir, "feed", "--json", "--limit", "2").json()
    assert [p["id"] for p in limited] == ids[:1:-1]


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_feed_limit_below_one_is_refused(smd: Smd, tmp_path: Path, limit: str) -> None:
    # Arguments are checked before the profile is opened: no profile is needed.
    assert_error(smd.at(tmp_path / "none", "feed", "--limit", limit), "--limit must be at least 1")


def test_reply_carries_reply_to_and_is_shown_in_text_form(smd: Smd, me: Who, png: Path) -> None:
    parent = smd.at(me.data_dir, "post", "Question?", "--tag", "ask", "--image", png).line
    reply = smd.at(me.data_dir, "post", "Answer.", "--reply-to", parent).line

    feed = smd.at(me.data_dir, "feed", "--json").json()
    assert [(p["id"], p["reply_to"]) for p in feed] == [(reply, parent), (parent, None)]

    text = smd.at(me.data_dir, "feed")
    assert (text.code, text.err) == (0, "")
    first, second = text.out.rstrip("\n").split("\n\n")
    head, *body = first.splitlines()
    assert head.startswith("Ada · ") and head.endswith(f" · {reply}")
    assert body == [f"  ↳ reply to {parent}", "  Answer."]
    assert second.splitlines()[1:] == ["  Question?", "  #ask", "  [1 image(s)]"]


def test_reply_to_an_unknown_post_is_refused(smd: Smd, me: Who) -> None:
    unknown = "ab" * 32

    assert_error(
        smd.at(me.data_dir, "post", "hm", "--reply-to", unknown), f"no post {unknown} to reply to"
    )
    assert smd.at(me.data_dir, "feed", "--json").json() == []


@pytest.mark.parametrize("command", [("post", "x", "--reply-to"), ("edit",), ("delete",)])
def test_malformed_record_ids_are_refused(
    smd: Smd, tmp_path: Path, command: tuple[str, ...]
) -> None:
    args = (*command, "zz", "text") if command == ("edit",) else (*command, "zz")

    assert_error(smd.at(tmp_path / "none", *args), "not a record id: 'zz'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("   ",), "a post needs text or an image"),
        (("x", "--tag", "two words"), "a tag is 1-32 lowercase letters, digits, '_' or '-'"),
        (("x" * 5001,), "text is longer than 5000 characters"),
    ],
    ids=["blank", "bad-tag", "too-long"],
)
def test_invalid_posts_are_refused_and_not_published(
    smd: Smd, me: Who, args: tuple[str, ...], message: str
) -> None:
    assert_error(smd.at(me.data_dir, "post", *args), message)
    assert record_count(me) == 2


def test_post_with_a_missing_image_says_no_such_file(smd: Smd, me: Who, tmp_path: Path) -> None:
    missing = tmp_path / "gone.png"

    assert_error(
        smd.at(me.data_dir, "post", "look", "--image", missing), f"no such file: {missing}"
    )


def test_empty_feed_says_how_to_post(smd: Smd, me: Who) -> None:
    result = smd.at(me.data_dir, "feed")

    assert result == Result(0, 'No posts yet. Write one with: smd post "Hello"\n', "")
    assert smd.at(me.data_dir, "feed", "--json").json() == []


def test_feed_author_shows_only_that_identity_in_either_id_form(smd: Smd, me: Who) -> None:
    post_id = smd.at(me.data_dir, "post", "mine").line
    stranger = identity_text(RootKey.generate().public)

    for form in (me.id, "did:key:" + me.id):
        feed = smd.at(me.data_dir, "feed", "--json", "--author", form).json()
        assert [(p["id"], p["author"]) for p in feed] == [(post_id, me.id)]
    assert smd.at(me.data_dir, "feed", "--json", "--author", stranger).json() == []
    assert_error(smd.at(me.data_dir, "feed", "--author", "z6Mk"), "not an identity id: 'z6Mk'")


# -- edit and delete --------------------------------------------------------------------------


def test_edit_shows_the_new_text_under_the_original_post(smd: Smd, me: Who) -> None:
    profile = open_profile(me.data_dir)
    try:
        original = profile.post("frist", tags=["typo"])
        second = profile.post("second").id.hex()
    finally:
        profile.close()
    first = original.id.hex()

    edit_id = smd.at(me.data_dir, "edit", first, "first").line
    assert smd.at(me.data_dir, "edit", first, "first!").code == 0

    after = smd.at(me.data_dir, "feed", "--json").json()
    assert [p["id"] for p in after] == [second, first]  # the edit keeps the post's place
    assert edit_id not in {p["id"] for p in after}
    edited = after[1]
    assert (edited["text"], edited["edited"], edited["tags"]) == ("first!", True, ["typo"])
    assert edited["timestamp"] == original.header.timestamp
    assert (after[0]["text"], after[0]["edited"]) == ("second", False)
    assert "· edited ·" in smd.at(me.data_dir, "feed").out.splitlines()[-3]


def test_delete_removes_the_post_from_the_feed(smd: Smd, me: Who) -> None:
    profile = open_profile(me.data_dir)
    try:
        keep = profile.post("keep me").id.hex()
        gone = profile.post("delete me").id
        profile.edit(gone, "delete me, edited")
    finally:
        profile.close()

    result = smd.at(me.data_dir, "delete", gone.hex())

    assert result == Result(0, f"Deleted {gone.hex()}\n", "")
    assert [p["id"] for p in smd.at(me.data_dir, "feed", "--json").json()] == [keep]
    assert_error(smd.at(me.data_dir, "delete", gone.hex()), f"no post {gone.hex()}")
    assert_error(smd.at(me.data_dir, "edit", gone.hex(), "back"), f"no post {gone.hex()}")
