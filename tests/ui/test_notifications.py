"""What is new since the app was last in front, and the one sentence a notification says."""

from __future__ import annotations

from pathlib import Path

from smd_desktop.app import notification
from smd_desktop.core.profile import Activity
from smd_desktop.core.testing import copy_records, make_profile


def test_replies_and_new_followers_since_a_moment_are_found(tmp_path: Path) -> None:
    ada = make_profile(tmp_path / "ada", "Ada")
    bo = make_profile(tmp_path / "bo", "Bo")
    mine = ada.post("what do you think?")
    copy_records(ada.store, bo.store)
    since = mine.header.timestamp
    bo.follow(ada.identity)
    reply = bo.post("brilliant", reply_to=mine.id)
    bo.post("unrelated")
    copy_records(bo.store, ada.store)
    ada.follow(bo.identity)

    seen = ada.activity_since(since)

    assert [r.id for r in seen.replies] == [reply.id]
    assert seen.new_followers == (bo.identity,)
    assert seen.new_posts == 2
    assert seen.latest_author == "Bo"
    assert notification(seen, {}, set(), 0) == "Bo replied to you"
    assert ada.activity_since(reply.header.timestamp + 10_000).replies == ()
    ada.close()
    bo.close()


def test_a_notification_tells_each_reply_and_follower_once_replies_first() -> None:
    empty = Activity(0, None, (), ())
    notified: set[bytes] = set()
    follower = b"f" * 32
    assert notification(empty, {}, notified, 0) is None
    seen = Activity(3, "Bo", (), (follower,))  # type: ignore[arg-type]
    assert notification(seen, {follower: "Bo"}, notified, 0) == "Bo now follows you"
    assert notification(seen, {follower: "Bo"}, notified, 3) is None  # told already
    more_posts = Activity(5, "Cy", (), (follower,))  # type: ignore[arg-type]
    assert notification(more_posts, {}, notified, 3) == "New post from Cy"
