"""The PyInstaller entry scripts and spec stay in step with pyproject's commands, and the
smoke hook the bundle smoke test relies on does what it says."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
)
from pytestqt.qtbot import QtBot

from .support import PYINSTALLER, load_module, pyproject

ENTRY_SCRIPTS = {"smd": "entry_smd.py", "smd-desktop": "entry_smd_desktop.py"}


def test_entry_scripts_call_the_project_commands() -> None:
    project = pyproject()["project"]
    commands = {**project["scripts"], **project["gui-scripts"]}
    assert set(commands) == set(ENTRY_SCRIPTS)
    for name, target in commands.items():
        module, func = target.split(":")
        source = (PYINSTALLER / ENTRY_SCRIPTS[name]).read_text(encoding="utf-8")
        assert f"from {module} import {func}\n" in source, name


def test_spec_builds_both_commands_into_one_folder() -> None:
    spec = (PYINSTALLER / "smd.spec").read_text(encoding="utf-8")
    assert set(re.findall(r'^    name="([^"]+)",$', spec, re.MULTILINE)) == {
        "smd",
        "smd-desktop",
    }
    assert spec.count("COLLECT(") == 1
    for needed in (
        'copy_metadata("smd-desktop")',
        'collect_submodules("plugins")',
        'collect_dynamic_libs("sqlcipher3")',
        'collect_data_files("libp2p")',
    ):
        assert needed in spec


@pytest.fixture
def hook(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.setenv("SMD_PASSPHRASE", "smoke passphrase")
    monkeypatch.setenv("SMD_SMOKE_LINGER_MS", "0")
    monkeypatch.setenv("SMD_SMOKE_AWAIT_MODULE", "sys")  # always imported
    module = load_module(PYINSTALLER / "smoke_hook.py")
    driver = module.SmokeDriver(qapp)
    qapp.installEventFilter(driver)
    yield module
    qapp.removeEventFilter(driver)
    driver.deleteLater()


def dialog_with(*, password: bool) -> tuple[QDialog, QLineEdit]:
    dialog = QDialog()
    field = QLineEdit()
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    button = QPushButton("OK")
    button.setDefault(True)
    button.clicked.connect(dialog.accept)
    layout = QVBoxLayout(dialog)
    layout.addWidget(field)
    layout.addWidget(button)
    return dialog, field


def test_smoke_hook_types_the_passphrase_into_an_unlock_dialog(
    hook: ModuleType, qtbot: QtBot
) -> None:
    dialog, field = dialog_with(password=True)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.show()
    assert field.text() == "smoke passphrase"


def test_smoke_hook_rejects_any_other_dialog(hook: ModuleType, qtbot: QtBot) -> None:
    dialog, field = dialog_with(password=False)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        dialog.show()
    assert field.text() == ""


def test_smoke_hook_closes_the_first_main_window_once_the_awaited_module_is_in(
    hook: ModuleType, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert "smoke: sys imported: yes\nsmoke: closing the main window\n" in capsys.readouterr().err
