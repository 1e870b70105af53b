"""Paths and small readers shared by the packaging checks."""

from __future__ import annotations

import importlib.util
import os
import struct
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

# Before any test module imports Qt: no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "org.smd.Desktop"
LINUX = ROOT / "packaging" / "linux"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX / f"{APP_ID}.metainfo.xml"
INSTALL_SH = LINUX / "install.sh"
PYINSTALLER = ROOT / "packaging" / "pyinstaller"
ICONS = ROOT / "resources" / "icons"
HICOLOR = ICONS / "hicolor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pyproject() -> dict[str, Any]:
    """The parsed pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def png_header(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour type (6 = RGBA) of a PNG, from its IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR", "PNG without IHDR first"
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


def load_module(path: Path) -> ModuleType:
    """Import a script that is not part of a package (resources/, packaging/) by its path."""
    spec = importlib.util.spec_from_file_location(f"_smd_packaging_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
