"""Encrypted backups: all of an identity's records, the blobs and the root seed, sealed with a
passphrase.

File format: ``MAGIC`` followed by the canonical msgpack array ``[params, box]``: ``params`` is
``{"kdf": "argon2id", "memlimit": int, "opslimit": int, "salt": bin}`` and ``box`` is a
NaCl ``SecretBox`` (XSalsa20-Poly1305, nonce first) keyed with Argon2id(passphrase, salt),
holding the canonical msgpack map ``{"blobs": [[data, mime], ...], "created": int,
"identity": bin, "records": [bin, ...], "root_seed": bin, "version": 1}``.

Importing creates a *new device* of the identity; the old devices' feeds come along as history,
so a backup restored while the old machine still runs cannot fork a feed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.secret

from . import canonical
from .errors import CodecError, CorruptBackup, UserError
from .identity import RootKey
from .kdf import KdfParams, StoreHeader
from .plugins import PluginHost
from .profile import Profile
from .store import now_ms

MAGIC = b"SMD-BACKUP\x00\x01"
VERSION = 1
MAX_BACKUP_SIZE = 4 * 1024**3


def export_backup(profile: Profile, path: Path, passphrase: str, kdf: KdfParams) -> int:
    """Write an encrypted backup of ``profile`` to ``path``; returns the record count."""
    store = profile.store
    records = store.identity_records(profile.identity)
    blobs = []
    for digest in store.blob_hashes():
        found = store.get_blob(digest)
        if found is not None:
            blobs.append([found[0], found[1]])
    payload = canonical.encode(
        {
            "blobs": blobs,
            "created": now_ms(),
            "identity": profile.identity,
            "records": records,
            "root_seed": profile.root.seed,
            "version": VERSION,
        }
    )
    header = StoreHeader.new(kdf)
    box = nacl.secret.SecretBox(header.derive_key(passphrase))
    sealed = canonical.encode(
        [
            {
                "kdf": "argon2id",
                "memlimit": kdf.memlimit,
                "opslimit": kdf.opslimit,
                "salt": header.salt,
            },
            bytes(box.encrypt(payload)),
        ]
    )
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC + sealed)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return len(records)


def read_backup(path: Path, passphrase: str) -> dict[str, Any]:
    """Decrypt and check a backup file.

    Raises:
        UserError: the file is missing.
        CorruptBackup: not an SMD backup, damaged, or the passphrase does not open it.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"no such file: {path}") from exc
    if not data.startswith(MAGIC):
        raise CorruptBackup(f"{path} is not an SMD backup")
    try:
        params, sealed = canonical.decode(data[len(MAGIC) :], max_size=MAX_BACKUP_SIZE)
        header = StoreHeader(params["salt"], KdfParams(params["opslimit"], params["memlimit"]))
        if params["kdf"] != "argon2id" or not isinstance(sealed, bytes):
            raise CorruptBackup(f"{path} is a damaged SMD backup")
    except (CodecError, ValueError, KeyError, TypeError) as exc:
        raise CorruptBackup(f"{path} is a damaged SMD backup") from exc
    try:
        plain = nacl.secret.SecretBox(header.derive_key(passphrase)).decrypt(sealed)
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError) as exc:
        raise CorruptBackup("cannot decrypt the backup: wrong passphrase or damaged file") from exc
    try:
        payload = canonical.decode(plain, max_size=MAX_BACKUP_SIZE)
        if payload["version"] != VERSION or len(payload["root_seed"]) != 32:
            raise CorruptBackup("unsupported backup version")
        if RootKey(payload["root_seed"]).public != payload["identity"]:
            raise CorruptBackup("the backup's seed does not match its identity")
    except (CodecError, KeyError, TypeError) as exc:
        raise CorruptBackup(f"{path} is a damaged SMD backup") from exc
    return payload  # type: ignore[no-any-return]


def import_backup(
    path: Path,
    data_dir: Path,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
    device_name: str | None = None,
    plugins: PluginHost | None = None,
) -> tuple[Profile, int]:
    """Restore a backup into a new data dir as a new device; returns (profile, records kept).

    The new store is protected by the same passphrase that sealed the backup.
    """
    payload = read_backup(path, passphrase)
    profile = Profile.create(
        data_dir,
        passphrase,
        name=None,
        root=RootKey(payload["root_seed"]),
        device_name=device_name,
        kdf=kdf,
        plugins=plugins,
    )
    for data, mime in payload["blobs"]:
        profile.store.put_blob(data, mime)
    results = profile.store.ingest(payload["records"])
    return profile, sum(1 for r in results if r.outcome.value in ("accepted", "duplicate"))
