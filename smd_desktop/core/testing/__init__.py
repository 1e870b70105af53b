"""Test helpers for SMD and plugin authors: fast profiles, hand-made feeds, local replication.

Nothing here is used by the app itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.signing

from ..content import CERT
from ..identity import RootKey
from ..ids import DeviceKey, RecordId
from ..kdf import KdfParams
from ..plugins import PluginHost
from ..profile import Profile
from ..records import SignedRecord, sign_record
from ..store import IngestResult, Store

FAST_KDF = KdfParams.interactive()
"""Cheap Argon2id costs: tests create many profiles."""


def make_profile(
    data_dir: Path,
    name: str | None = "Alice",
    *,
    passphrase: str = "correct horse battery staple",
    root: RootKey | None = None,
    plugins: Sequence[object] | PluginHost = (),
) -> Profile:
    """A new profile with fast key derivation.

    ``plugins``: plugin modules/objects to load into a fresh host (or a host): a host binds to
    one profile, so give each profile its own.
    """
    if not isinstance(plugins, PluginHost):
        host = PluginHost()
        for plugin in plugins:
            status = host.add(plugin)
            if status.error:
                raise ValueError(f"test plugin refused: {status.error}")
        plugins = host
    return Profile.create(data_dir, passphrase, name=name, root=root, kdf=FAST_KDF, plugins=plugins)


def copy_records(source: Store, target: Store) -> list[IngestResult]:
    """Replicate every feed ``source`` holds into ``target`` (what sync will do over the
    network): for each feed, the records after the target's head."""
    target_heads = target.heads()
    raws: list[bytes] = []
    for device in source.heads():
        raws.extend(source.read_range(device, target_heads.get(device, 0) + 1, 1_000_000))
    return target.ingest(raws)


@dataclass
class FeedWriter:
    """Writes a device feed by hand, for tests that need forks, gaps or odd records.

    Rule: it keeps no store; it only signs. Feed the records to a store in any order.
    """

    root: RootKey
    key: nacl.signing.SigningKey = field(default_factory=nacl.signing.SigningKey.generate)
    records: list[SignedRecord] = field(default_factory=list)
    clock: int = 1_700_000_000_000

    @property
    def device(self) -> DeviceKey:
        """The feed's device key."""
        return DeviceKey(bytes(self.key.verify_key))

    def cert(self, name: str = "test device") -> SignedRecord:
        """Sign seq 1, the certificate."""
        return self.append(CERT, self.root.certify(self.device, name=name, issued=self.clock))

    def append(self, type_: str, content: dict[str, Any]) -> SignedRecord:
        """Sign the next record after the last one written."""
        prev: RecordId | None = self.records[-1].id if self.records else None
        return self.sign_at(len(self.records) + 1, prev, type_, content, keep=True)

    def sign_at(
        self,
        seq: int,
        prev: RecordId | None,
        type_: str,
        content: dict[str, Any],
        *,
        keep: bool = False,
    ) -> SignedRecord:
        """Sign a record at any position (``keep=False`` leaves the writer's chain alone)."""
        self.clock += 1000
        record = sign_record(
            self.key, seq=seq, prev=prev, timestamp=self.clock, type=type_, content=content
        )
        if keep:
            self.records.append(record)
        return record
