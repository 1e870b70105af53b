"""Fixtures: profiles with the References Directory plugin (one host each), fast Argon2id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import plugins.references.plugin as references_plugin
from plugins.references.core import Directory
from smd_desktop.core.identity import RootKey
from smd_desktop.core.plugins import PluginHost
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile

PASSPHRASE = "correct horse battery staple"


class Profiles:
    """Makes and reopens test profiles; closes whatever is still open at the end."""

    def __init__(self, root_dir: Path) -> None:
        self._dir = root_dir
        self._open: list[Profile] = []

    def new(
        self, name: str | None = "Alice", *, plugin: bool = True, root: RootKey | None = None
    ) -> Profile:
        """A new profile (with the plugin unless ``plugin=False``)."""
        data_dir = self._dir / f"p{len(self._open)}"
        profile = make_profile(
            data_dir,
            name,
            passphrase=PASSPHRASE,
            root=root,
            plugins=[references_plugin] if plugin else (),
        )
        self._open.append(profile)
        return profile

    def reopen(self, profile: Profile, *, plugin: bool = True) -> Profile:
        """Close ``profile`` and open it again, with or without the plugin."""
        profile.close()
        self._open.remove(profile)
        host = PluginHost()
        if plugin:
            host.add(references_plugin)
        reopened = Profile.open(profile.store.data_dir, PASSPHRASE, plugins=host)
        self._open.append(reopened)
        return reopened

    def close_all(self) -> None:
        for profile in self._open:
            profile.close()
        self._open.clear()


@pytest.fixture
def profiles(tmp_path: Path) -> Iterator[Profiles]:
    made = Profiles(tmp_path)
    yield made
    made.close_all()


@pytest.fixture
def alice(profiles: Profiles) -> Profile:
    return profiles.new("Alice")


@pytest.fixture
def bob(profiles: Profiles) -> Profile:
    return profiles.new("Bob")


@pytest.fixture
def alice_dir(alice: Profile) -> Directory:
    return Directory(alice)


@pytest.fixture
def bob_dir(bob: Profile) -> Directory:
    return Directory(bob)
