"""The app icon: every hicolor size present and exact, and in step with the SVG source."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from .support import APP_ID, HICOLOR, ICON_SIZES, ICONS, ROOT, load_module, png_header

SVG = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icon_has_its_exact_size_with_alpha(size: int) -> None:
    png = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png_header(png.read_bytes()) == (size, size, 6)


def test_svg_source_is_a_square_svg() -> None:
    root = ET.parse(SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    assert width == height


def test_pngs_are_rendered_from_the_current_svg(qapp: object) -> None:
    """Fails when the SVG changed but resources/render_icons.py was not run again."""
    from PySide6.QtGui import QImage

    render_icons = load_module(ROOT / "resources" / "render_icons.py")
    for size in (48, 128):
        fresh = render_icons.render_image(size).convertToFormat(QImage.Format.Format_ARGB32)
        committed = QImage(str(render_icons.png_path(size))).convertToFormat(
            QImage.Format.Format_ARGB32
        )
        assert committed.size() == fresh.size()
        # Allow rounding differences between Qt versions, not a changed drawing.
        pairs = zip(bytes(fresh.constBits()), bytes(committed.constBits()), strict=True)
        diff = sum(abs(a - b) for a, b in pairs)
        assert diff / (size * size * 4) < 0.5, f"{size}px differs from the SVG"


def test_windows_ico_holds_the_sizes_up_to_256() -> None:
    data = (ICONS / "smd.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        side, _, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        width, height, _ = png_header(data[offset : offset + length])
        assert width == height == (side or 256)
        sizes.append(width)
    assert sizes == [s for s in ICON_SIZES if s <= 256]


def test_macos_icns_holds_png_sizes_up_to_512() -> None:
    data = (ICONS / "smd.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    sizes, at = [], 8
    while at < len(data):
        length = struct.unpack(">I", data[at + 4 : at + 8])[0]
        width, height, _ = png_header(data[at + 8 : at + length])
        assert width == height
        sizes.append(width)
        at += length
    assert sizes == [16, 32, 64, 128, 256, 512]
