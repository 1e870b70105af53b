"""Renders the app icon's SVG source into the hicolor PNG sizes the desktop and Qt use, plus
the Windows ``.ico`` and macOS ``.icns`` the PyInstaller spec embeds.

Run after editing the SVG: ``.venv/bin/python resources/render_icons.py`` (offscreen Qt,
no display needed; QtSvg ships in pyside6-essentials). The outputs are committed so neither a
build nor an install needs Qt's SVG support. Both container formats simply hold the PNGs.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

APP_ID = "org.smd.Desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent / "icons" / "hicolor"
SOURCE = ICONS / "scalable" / "apps" / f"{APP_ID}.svg"
ICO = ICONS.parent / "smd.ico"
ICNS = ICONS.parent / "smd.icns"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the format's largest
# Apple's PNG-holding icon types: 16, 32, 64, 128, 256, 512 pixels.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def png_path(size: int) -> Path:
    """Where the PNG of one size lives (the hicolor theme layout)."""
    return ICONS / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render_image(size: int) -> QImage:
    """The SVG drawn at ``size`` x ``size`` pixels (transparent, antialiased).

    Rule: a ``QGuiApplication`` must exist (``main`` makes an offscreen one).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def render(size: int) -> Path:
    """Render one size into its hicolor PNG file; return the file."""
    out = png_path(size)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not render_image(size).save(str(out), "PNG"):
        raise SystemExit(f"cannot write {out}")
    return out


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon file holding ``pngs`` (size -> PNG bytes; PNG entries, Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size == 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon file holding ``pngs`` (size -> PNG bytes)."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png
        for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    """Render every size; print the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pngs = {}
    for size in SIZES:
        out = render(size)
        pngs[size] = out.read_bytes()
        print(out.relative_to(ICONS.parent.parent))
    ICO.write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    ICNS.write_bytes(icns_bytes({s: pngs[s] for s in ICNS_TYPES}))
    print(ICO.relative_to(ICONS.parent.parent))
    print(ICNS.relative_to(ICONS.parent.parent))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
