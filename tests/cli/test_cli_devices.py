"""``smd device list`` and ``smd device revoke`` with two devices of one identity."""

from __future__ import annotations

from pathlib import Path

import nacl.signing
import pytest

from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import DeviceKey, peer_id_text

from .support import (
    Result,
    Smd,
    Who,
    assert_error,
    assert_one_line_error,
    clone,
    new_profile,
    open_profile,
    sync,
)


def device_entry(
    who: Who, name: str, records: int, *, this: bool, revoked: bool
) -> dict[str, object]:
    return {
        "peer_id": who.peer_id,
        "name": name,
        "records": records,
        "this_device": this,
        "revoked": revoked,
        "forked": False,
    }


@pytest.fixture(scope="module")
def pair_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Who, Who]:
    """Two devices of one identity; device 2 posted once and device 1 has its feed."""
    base = tmp_path_factory.mktemp("devices")
    root = RootKey.generate()
    one = new_profile(base / "one", "Ada", root=root)
    two = new_profile(base / "two", None, root=root)
    profile = open_profile(two.data_dir)
    try:
        profile.post("from device 2")
    finally:
        profile.close()
    sync(two.data_dir, one.data_dir)
    return one, two


@pytest.fixture
def pair(pair_template: tuple[Who, Who], tmp_path: Path) -> tuple[Who, Who]:
    one, two = pair_template
    return clone(one, tmp_path / "one"), clone(two, tmp_path / "two")


def device_name(who: Who) -> str:
    profile = open_profile(who.data_dir)
    try:
        [mine] = [d for d in profile.devices() if d.device == profile.device_key]
        return mine.name
    finally:
        profile.close()


def test_device_list_json_shows_both_devices(smd: Smd, pair: tuple[Who, Who]) -> None:
    one, two = pair
    host = device_name(one)

    assert smd.at(one.data_dir, "device", "list", "--json").json() == [
        device_entry(one, host, 2, this=True, revoked=False),
        device_entry(two, host, 2, this=False, revoked=False),
    ]
    text = smd.at(one.data_dir, "device", "list")
    assert text == Result(
        0,
        f"{one.peer_id}  {host}  2 records  (this device)\n{two.peer_id}  {host}  2 records\n",
        "",
    )


def test_revoking_the_other_device_marks_it_and_rejects_its_later_records(
    smd: Smd, pair: tuple[Who, Who]
) -> None:
    one, two = pair
    host = device_name(one)

    result = smd.at(one.data_dir, "device", "revoke", two.peer_id, "--reason", "laptop stolen")

    assert result == Result(
        0, f"Revoked {two.peer_id}: its records from now on will be rejected.\n", ""
    )
    assert smd.at(one.data_dir, "device", "list", "--json").json() == [
        device_entry(one, host, 3, this=True, revoked=False),
        device_entry(two, host, 2, this=False, revoked=True),
    ]
    # Device 2, not yet told, keeps writing; device 1 keeps what came before the revocation.
    profile = open_profile(two.data_dir)
    try:
        profile.post("after the revocation")
    finally:
        profile.close()
    sync(two.data_dir, one.data_dir)
    assert [p["text"] for p in smd.at(one.data_dir, "feed", "--json").json()] == ["from device 2"]

    # Once device 2 learns of it, it cannot publish any more.
    sync(one.data_dir, two.data_dir)
    listed = smd.at(two.data_dir, "device", "list", "--json").json()
    assert [(d["peer_id"], d["this_device"], d["revoked"]) for d in listed] == [
        (two.peer_id, True, True),
        (one.peer_id, False, False),
    ]
    assert_one_line_error(smd.at(two.data_dir, "post", "still me?"), "revoked")


def test_a_device_cannot_revoke_itself(smd: Smd, pair: tuple[Who, Who]) -> None:
    one, _ = pair

    assert_error(
        smd.at(one.data_dir, "device", "revoke", one.peer_id),
        "this device cannot revoke itself; revoke it from another device",
    )
    assert [d["revoked"] for d in smd.at(one.data_dir, "device", "list", "--json").json()] == [
        False,
        False,
    ]


def test_a_device_that_never_synced_is_revoked_entirely(smd: Smd, ada: Who) -> None:
    me = ada
    lost = peer_id_text(DeviceKey(bytes(nacl.signing.SigningKey.generate().verify_key)))

    result = smd.at(me.data_dir, "device", "revoke", lost)

    assert result.code == 0
    assert result.out == (
        f"Revoked {lost}: it never synced here, so all its records are rejected.\n"
    )
    again = smd.at(me.data_dir, "device", "revoke", lost)
    assert again.code == 0  # unknown feeds stay unknown; a second revocation is harmless


def test_revoking_a_device_of_another_identity_is_refused(
    smd: Smd, ada: Who, tmp_path: Path
) -> None:
    me, other = ada, new_profile(tmp_path / "other", "Bob")
    sync(other.data_dir, me.data_dir)  # we hold Bob's device feed

    assert_error(
        smd.at(me.data_dir, "device", "revoke", other.peer_id),
        "that device belongs to another identity",
    )


@pytest.mark.parametrize("bad", ["laptop", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"])
def test_malformed_device_ids_are_refused(smd: Smd, tmp_path: Path, bad: str) -> None:
    assert_error(smd.at(tmp_path / "none", "device", "revoke", bad), f"not a device id: {bad!r}")
