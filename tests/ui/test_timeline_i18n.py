"""The Home timeline's strings: English stays as it was, German comes from the catalogue
(relative times, the links under a post, the screen reader's row text)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QListView
from pytestqt.qtbot import QtBot

from smd_desktop.core.ids import BlobHash, DeviceKey, IdentityKey, RecordId
from smd_desktop.core.store import BlobRef, PostView
from smd_desktop.ui.blob_pixmaps import BlobPixmaps
from smd_desktop.ui.i18n import TRANSLATIONS_DIR, install_translator, uninstall_translator
from smd_desktop.ui.post_delegate import PostDelegate
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.timeline_model import PostRole, TimelineModel, arrange, relative_time
from smd_desktop.ui.trio_bridge import TrioGuest

NOW = 1_700_000_000_000
MINUTE, HOUR, DAY = 60_000, 3_600_000, 86_400_000


@pytest.fixture(scope="module")
def german_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding smd_de.qm, built from the committed catalogue."""
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    if not lrelease.exists():
        found = shutil.which("pyside6-lrelease")
        if found is None:
            pytest.skip("pyside6-lrelease is not installed")
        lrelease = Path(found)
    folder = tmp_path_factory.mktemp("qm")
    subprocess.run(
        [
            str(lrelease),
            "-silent",
            str(TRANSLATIONS_DIR / "smd_de.ts"),
            "-qm",
            str(folder / "smd_de.qm"),
        ],
        check=True,
    )
    return folder


@pytest.fixture
def german(qapp: QApplication, german_dir: Path) -> Iterator[None]:
    """German installed for one test, removed after it (later tests see English)."""
    translator = install_translator(qapp, "de", directory=german_dir)
    assert translator is not None
    yield
    uninstall_translator(qapp, translator)


def test_relative_times_in_german(german: None) -> None:
    assert relative_time(NOW - 30_000, NOW) == "gerade eben"
    assert relative_time(NOW - 5 * MINUTE, NOW) == "vor 5 Min."
    assert relative_time(NOW - 3 * HOUR, NOW) == "vor 3 Std."
    assert relative_time(NOW - DAY, NOW) == "vor 1 Tag"
    assert relative_time(NOW - 2 * DAY, NOW) == "vor 2 Tagen"


def test_relative_times_in_english_keep_their_counts() -> None:
    assert relative_time(NOW - MINUTE, NOW) == "1 min ago"
    assert relative_time(NOW - HOUR, NOW) == "1 h ago"
    assert relative_time(NOW - DAY, NOW) == "1 d ago"


def _row(mine: bool) -> QStandardItemModel:
    model = QStandardItemModel()
    item = QStandardItem()
    item.setData("hello", PostRole.TEXT)
    item.setData(mine, PostRole.IS_MINE)
    item.setData(0, PostRole.DEPTH)
    model.appendRow(item)
    return model


def _links(qtbot: QtBot, guest: TrioGuest, tmp_path: Path, mine: bool) -> list[tuple[str, str]]:
    """The (name, label) of each link the delegate lays out under one post."""
    view = QListView()
    qtbot.addWidget(view)
    model = _row(mine)
    view.setModel(model)
    delegate = PostDelegate(view, BlobPixmaps(CoreService(guest, tmp_path / "p"), view))
    layout = delegate._layout(QRect(0, 0, 600, 0), model.index(0, 0), view.font())
    return [(name, label) for name, label, _rect in layout.actions]


def test_the_links_under_a_post_are_translated_but_keep_their_names(
    german: None, qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> None:
    assert _links(qtbot, guest, tmp_path, True) == [
        ("reply", "Antworten"),
        ("edit", "Bearbeiten"),
        ("delete", "Löschen"),
    ]
    assert _links(qtbot, guest, tmp_path, False) == [("reply", "Antworten")]


def test_the_links_under_a_post_in_english(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> None:
    assert _links(qtbot, guest, tmp_path, True) == [
        ("reply", "Reply"),
        ("edit", "Edit"),
        ("delete", "Delete"),
    ]


def _post(name: str, images: int, edited: bool) -> PostView:
    ref = BlobRef(BlobHash(b"\1" * 32), "image/png", 10)
    return PostView(
        RecordId(name.encode().ljust(32, b"\0")),
        IdentityKey(b"\2" * 32),
        DeviceKey(b"\3" * 32),
        1,
        NOW - 5 * MINUTE,
        f"text of {name}",
        None,
        (),
        (ref,) * images,
        edited,
        "Ada",
    )


def _spoken(guest: TrioGuest, tmp_path: Path) -> dict[str, str]:
    """What a screen reader hears for posts with 0, 1 or 2 images, edited or not."""
    model = TimelineModel(CoreService(guest, tmp_path / "p"), clock=lambda: NOW)
    posts = [_post(f"{n}{'e' if e else ''}", n, e) for n in (0, 1, 2) for e in (False, True)]
    model._apply(arrange(posts))
    return {
        str(model.post_at(row).text): str(
            model.index(row, 0).data(Qt.ItemDataRole.AccessibleTextRole)
        )
        for row in range(model.rowCount())
    }


def test_the_row_a_screen_reader_hears(guest: TrioGuest, tmp_path: Path) -> None:
    assert _spoken(guest, tmp_path) == {
        "text of 0": "Ada, 5 min ago: text of 0",
        "text of 0e": "Ada, 5 min ago, edited: text of 0e",
        "text of 1": "Ada, 5 min ago, 1 image: text of 1",
        "text of 1e": "Ada, 5 min ago, edited, 1 image: text of 1e",
        "text of 2": "Ada, 5 min ago, 2 images: text of 2",
        "text of 2e": "Ada, 5 min ago, edited, 2 images: text of 2e",
    }


def test_the_row_a_screen_reader_hears_in_german(
    german: None, guest: TrioGuest, tmp_path: Path
) -> None:
    spoken = _spoken(guest, tmp_path)
    assert spoken["text of 1e"] == "Ada, vor 5 Min., bearbeitet, 1 Bild: text of 1e"
    assert spoken["text of 2"] == "Ada, vor 5 Min., 2 Bilder: text of 2"
