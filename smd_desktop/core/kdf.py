"""Passphrase to database key (docs/PROTOCOL.md is about the wire; this is local storage).

The store key is Argon2id(passphrase, salt) through libsodium, 32 bytes, handed to SQLCipher as
a raw key so SQLCipher's own PBKDF2 does not run on top. Salt and cost parameters live in a
small clear JSON header beside the database: they are not secret, and the key cannot be derived
without them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import nacl.pwhash

from .errors import StoreError

HEADER_FORMAT = "smd-store/1"
SALT_SIZE = nacl.pwhash.argon2id.SALTBYTES
KEY_SIZE = 32


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost parameters."""

    opslimit: int
    memlimit: int

    @classmethod
    def moderate(cls) -> KdfParams:
        """libsodium's MODERATE (256 MiB): the default for new profiles (~0.7 s here)."""
        return cls(nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)

    @classmethod
    def interactive(cls) -> KdfParams:
        """libsodium's INTERACTIVE (64 MiB): for low-memory machines and the test suite."""
        return cls(
            nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
        )

    @classmethod
    def from_profile_name(cls, name: str | None) -> KdfParams:
        """``"interactive"`` or ``"moderate"`` (also for ``None`` or an empty string)."""
        if name in (None, "", "moderate"):
            return cls.moderate()
        if name == "interactive":
            return cls.interactive()
        raise ValueError(f"unknown KDF profile {name!r} (use 'moderate' or 'interactive')")


@dataclass(frozen=True, slots=True)
class StoreHeader:
    """The clear header file: how to turn a passphrase into the database key."""

    salt: bytes
    params: KdfParams

    @classmethod
    def new(cls, params: KdfParams) -> StoreHeader:
        """A header with a fresh random salt."""
        return cls(os.urandom(SALT_SIZE), params)

    def derive_key(self, passphrase: str) -> bytes:
        """The 32-byte raw database key. Slow on purpose: never call it on a GUI thread."""
        return bytes(
            nacl.pwhash.argon2id.kdf(
                KEY_SIZE,
                passphrase.encode("utf-8"),
                self.salt,
                opslimit=self.params.opslimit,
                memlimit=self.params.memlimit,
            )
        )

    def to_json(self) -> str:
        """The header file's text."""
        return json.dumps(
            {
                "format": HEADER_FORMAT,
                "kdf": "argon2id",
                "salt": self.salt.hex(),
                "opslimit": self.params.opslimit,
                "memlimit": self.params.memlimit,
                "cipher": "sqlcipher4-raw-key",
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> StoreHeader:
        """Parse a header file.

        Raises:
            StoreError: the file is damaged or of an unknown format.
        """
        try:
            data = json.loads(text)
            if data["format"] != HEADER_FORMAT or data["kdf"] != "argon2id":
                raise StoreError(f"unsupported store header format {data.get('format')!r}")
            salt = bytes.fromhex(data["salt"])
            if len(salt) != SALT_SIZE:
                raise StoreError("store header salt has the wrong size")
            return cls(salt, KdfParams(int(data["opslimit"]), int(data["memlimit"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"damaged store header: {exc}") from exc

    def write(self, path: Path) -> None:
        """Write the header atomically (temp file, fsync, rename)."""
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> StoreHeader:
        """Read a header file (see :meth:`from_json`)."""
        return cls.from_json(path.read_text(encoding="utf-8"))
