"""Fixtures for the ``smd`` CLI tests.

Every test starts from the same clean environment: fast Argon2id (``SMD_KDF=interactive``), the
test passphrase in ``SMD_PASSPHRASE``, no other ``SMD_*`` secrets, stdin that is not a terminal
(so nothing can ever prompt), and a platform data directory inside ``tmp_path`` so no test can
touch the real profile.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

# support.py holds shared assertions: let pytest explain their failures too.
pytest.register_assert_rewrite(f"{__package__}.support")

from .support import PASSPHRASE, Smd, Who, clone, new_profile  # noqa: E402


@pytest.fixture(autouse=True)
def _cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SMD_NEW_PASSPHRASE", "SMD_RECOVERY_PHRASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMD_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("SMD_KDF", "interactive")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def smd(capsys: pytest.CaptureFixture[str]) -> Smd:
    """Run ``smd`` in-process: ``smd.at(data_dir, "post", "Hello")``."""
    return Smd(capsys)


@pytest.fixture(scope="session")
def ada_template(tmp_path_factory: pytest.TempPathFactory) -> Who:
    """A fresh profile named Ada (certificate + profile record), built once; clone it."""
    return new_profile(tmp_path_factory.mktemp("template") / "ada", "Ada")


@pytest.fixture
def ada(ada_template: Who, tmp_path: Path) -> Who:
    """This test's own copy of a fresh profile named Ada."""
    return clone(ada_template, tmp_path / "ada")
