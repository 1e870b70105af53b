"""Translations: the German catalogue reaches real widgets, unknown languages change nothing,
and the code keeps its strings marked for lupdate."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from smd_desktop.ui.i18n import (
    LANG_ENV,
    TRANSLATIONS_DIR,
    english_plural,
    install_translator,
    uninstall_translator,
)
from smd_desktop.ui.network_page import NetworkPage
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest
from smd_desktop.ui.unlock_dialog import UnlockDialog

ROOT = Path(__file__).resolve().parents[2]
GERMAN_TS = TRANSLATIONS_DIR / "smd_de.ts"
MIN_SOURCE_TEXTS = 480
"""lupdate found 513 marked strings when this was written; a few may go, hundreds may not."""
PEER_A, PEER_B = "12D3KooW" + "a" * 44, "12D3KooW" + "b" * 44


def _tool(name: str) -> Path:
    """A pyside6-* tool from the running venv (or PATH); skips the test without it."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return beside
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return Path(found)


@pytest.fixture(scope="module")
def german_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding smd_de.qm, built from the committed catalogue."""
    folder = tmp_path_factory.mktemp("qm")
    lrelease = _tool("pyside6-lrelease")
    subprocess.run(
        [str(lrelease), "-silent", str(GERMAN_TS), "-qm", str(folder / "smd_de.qm")],
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


def test_the_german_catalogue_translates_the_unlock_dialog(
    german: None, qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> None:
    dialog = UnlockDialog(CoreService(guest, tmp_path / "profile"))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "SMD entsperren"
    assert dialog.unlock_button.text() == "&Entsperren"
    assert dialog.quit_button.text() == "&Beenden"
    dialog.show_error(dialog.tr("SMD is still starting; try again in a moment."))
    assert dialog.error_label.text() == "SMD startet noch; versuchen Sie es gleich noch einmal."


def test_german_plurals_take_the_catalogue_forms_and_missing_strings_stay_english(
    german: None, qtbot: QtBot
) -> None:
    page = NetworkPage()
    qtbot.addWidget(page)
    page.set_listening(["/ip4/127.0.0.1/tcp/4001"])
    page.peer_connected(PEER_A, [])
    assert page.status.text() == "Online, 1 Peer verbunden"
    page.peer_connected(PEER_B, [])
    assert page.status.text() == "Online, 2 Peers verbunden"
    assert page.connect_button.text() == "Verbinden"
    page._connect_clicked()  # nothing typed: a sentence the catalogue leaves untranslated
    assert page.feedback.text() == "Paste an invite code or an address first."


def test_qts_own_german_comes_along_for_standard_buttons(german: None, qtbot: QtBot) -> None:
    qt_folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if not (qt_folder / "qtbase_de.qm").exists():
        pytest.skip("this Qt ships no German translation")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(buttons)
    assert buttons.buttons()[0].text() == "Schließen"


def test_without_a_catalogue_plurals_are_plain_english(qtbot: QtBot) -> None:
    page = NetworkPage()
    qtbot.addWidget(page)
    page.set_listening(["/ip4/127.0.0.1/tcp/4001"])
    page.peer_connected(PEER_A, [])
    assert page.status.text() == "Online, 1 peer connected"
    page.peer_connected(PEER_B, [])
    assert page.status.text() == "Online, 2 peers connected"


def test_english_plural_finishes_only_untranslated_numerus_texts() -> None:
    assert english_plural("0 device(s)", 0) == "0 devices"
    assert english_plural("1 device(s)", 1) == "1 device"
    assert english_plural("2 Geräte", 2) == "2 Geräte"


@pytest.mark.parametrize("locale", ["xx", "en", "fr_CA"])
def test_a_language_without_a_catalogue_installs_nothing(
    qapp: QApplication, german_dir: Path, locale: str
) -> None:
    assert install_translator(qapp, locale, directory=german_dir) is None
    assert QCoreApplication.translate("UnlockDialog", "Unlock SMD") == "Unlock SMD"


def test_an_unknown_language_finds_nothing_in_the_shipped_folder(qapp: QApplication) -> None:
    assert install_translator(qapp, "xx") is None


def test_smd_lang_overrides_the_system_language(
    qapp: QApplication, german_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LANG_ENV, "de_AT")  # falls back from de_AT to de
    translator = install_translator(qapp, directory=german_dir)
    assert translator is not None
    try:
        assert QCoreApplication.translate("UnlockDialog", "Unlock SMD") == "SMD entsperren"
    finally:
        uninstall_translator(qapp, translator)
    assert QCoreApplication.translate("UnlockDialog", "Unlock SMD") == "Unlock SMD"


def _sources() -> list[str]:
    """The files resources/translations/update.sh gives lupdate."""
    patterns = ("smd_desktop/ui/*.py", "smd_desktop/app.py", "plugins/*/qt.py", "plugins/*/qt/*.py")
    return [str(path) for pattern in patterns for path in sorted(ROOT.glob(pattern))]


def test_lupdate_finds_the_marked_ui_strings(tmp_path: Path) -> None:
    lupdate = _tool("pyside6-lupdate")
    catalogue = tmp_path / "smd_xx.ts"
    subprocess.run(
        [str(lupdate), "-silent", *_sources(), "-ts", str(catalogue)], check=True, cwd=ROOT
    )
    messages = ET.parse(catalogue).getroot().findall("./context/message")
    assert len(messages) >= MIN_SOURCE_TEXTS


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{[^{}]*\}", text))


@pytest.mark.parametrize("catalogue", sorted(TRANSLATIONS_DIR.glob("smd_*.ts")), ids=str)
def test_translations_keep_the_placeholders_of_their_source(catalogue: Path) -> None:
    # A renamed {placeholder} would make str.format raise where the text is shown. (A numerus
    # form may leave %n out: "ein Peer".)
    for message in ET.parse(catalogue).getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        for text in forms:
            if text:
                assert _placeholders(text) == _placeholders(source), (catalogue.name, source)
