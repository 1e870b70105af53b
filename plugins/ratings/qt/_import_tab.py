"""The Import tab: bring a platform's rating summary into my profile, and link the account.

I choose the file a platform gave me (eBay feedback, Etsy reviews, Airbnb's data download, or
any CSV), the platform and my public profile there; the whole summary is published as a
self-signed record, never hand-picked reviews. "Link my account" shows a token derived from my
identity to put on that profile, so others can check it and witness the import. My imports are
listed below with the assurance each has from my seat.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher, start

from ..core.views import ImportView
from . import _labels as labels
from ._calls import ImportDraft, import_file, link_token, load_imports
from ._form_dialog import note_label
from ._reputation import fit_columns, table
from ._reputation_models import ImportsModel

TOKEN_DELAY_MS = 300
"""How long typing in the profile URL may pause before the link token is worked out."""


class ImportTab(QWidget):
    """Import a platform file, show the link token, list my imports with their assurance."""

    message = Signal(str)
    """A sentence for the status line."""
    imported = Signal(object)
    """An import was published (its :class:`ImportView`)."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setAccessibleName(self.tr("Import platform ratings"))
        self.importing = False
        self.imports: tuple[ImportView, ...] | None = None

        self.path = QLineEdit(self)
        self.path.setPlaceholderText(self.tr("The file the platform gave you"))
        self.path.setAccessibleName(self.tr("File to import"))
        self.browse = QPushButton(self.tr("&Browse…"), self)
        self.browse.setAccessibleName(self.tr("Choose the file to import"))
        self.browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        self.platform = QComboBox(self)
        for code, mark in labels.PLATFORM_MARKS.items():
            self.platform.addItem(labels.translated(mark), code)
        self.platform.setAccessibleName(self.tr("Platform the file is from"))
        self.platform_name = QLineEdit(self)
        self.platform_name.setPlaceholderText(self.tr("e.g. Vinted"))
        self.platform_name.setAccessibleName(self.tr("Name of the platform"))
        self.platform_name_label = QLabel(self.tr("Platform name:"), self)
        self.profile_url = QLineEdit(self)
        self.profile_url.setPlaceholderText(self.tr("https://www.ebay.com/usr/your-name"))
        self.profile_url.setAccessibleName(self.tr("Your public profile address on the platform"))
        self.link = QCheckBox(self.tr("&Link my account"), self)
        self.link.setAccessibleName(self.tr("Link my platform account with a token"))
        self.token = QLineEdit(self)
        self.token.setReadOnly(True)
        self.token.setAccessibleName(self.tr("Link token to put on your platform profile"))
        self.copy = QPushButton(self.tr("&Copy"), self)
        self.copy.setAccessibleName(self.tr("Copy the link token"))
        self.copy.clicked.connect(self.copy_token)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.copy)
        self.token_box = QWidget(self)
        token_layout = QVBoxLayout(self.token_box)
        token_layout.setContentsMargins(0, 0, 0, 0)
        token_layout.addLayout(token_row)
        self.token_note = note_label(
            self.tr(
                "Put this token on your public profile on the platform (in your description or "
                "bio), then import. Anyone can look at the profile and see it; people who do "
                "can witness that the account is yours."
            ),
            self,
            name=self.tr("How to link your account"),
        )
        token_layout.addWidget(self.token_note)
        self.import_button = QPushButton(self.tr("&Import"), self)
        self.import_button.setAccessibleName(self.tr("Import the file"))
        self.import_button.clicked.connect(self.submit)
        self.problem_label = note_label("", self, name=self.tr("Problem with this import"))
        self.problem_label.setStyleSheet("color: #b3261e;")
        self.problem_label.hide()

        form = QFormLayout()
        form.addRow(self.tr("File:"), file_row)
        form.addRow(self.tr("Platform:"), self.platform)
        form.addRow(self.platform_name_label, self.platform_name)
        form.addRow(self.tr("Profile address:"), self.profile_url)
        form.addRow("", self.link)
        form.addRow("", self.token_box)
        form.addRow(
            note_label(
                self.tr(
                    "The whole summary is imported (count, share positive or average, period), "
                    "never single reviews. It is shown beside your score with its assurance, "
                    "never merged into it."
                ),
                self,
                name=self.tr("What an import publishes"),
            )
        )
        actions = QHBoxLayout()
        actions.addWidget(self.problem_label, 1)
        actions.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignRight)
        box = QGroupBox(self.tr("Import a platform's ratings"), self)
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(form)
        box_layout.addLayout(actions)

        self.model = ImportsModel(self)
        self.view = table(self.model, self.tr("My imported ratings"), self)
        self.empty = QLabel(self.tr("Nothing imported yet."), self)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(QLabel(self.tr("My imports:"), self))
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)  # takes the room while the list is hidden

        self._token_timer = QTimer(self)
        self._token_timer.setSingleShot(True)
        self._token_timer.setInterval(TOKEN_DELAY_MS)
        self._token_timer.timeout.connect(self._work_out_token)
        self._token_for: tuple[str, str] | None = None
        self.platform.currentIndexChanged.connect(self._changed)
        self.link.toggled.connect(self._changed)
        for edit in (self.path, self.platform_name, self.profile_url):
            edit.textChanged.connect(self._changed)
        self._reads = Refresher(ui.service, self, self._fetch, self._show)
        ui.service.records_changed.connect(self._reads.request)
        ui.service.unlocked.connect(self._reads.request)
        self._changed()
        self._reads.request()

    @property
    def busy(self) -> bool:
        """Whether a read, the token or an import is under way."""
        return self._reads.busy or self.importing or self._token_timer.isActive()

    def chosen_platform(self) -> str:
        """The platform code (``ebay``, ``etsy``, ``airbnb``, ``csv``)."""
        return str(self.platform.currentData())

    def set_platform(self, code: str) -> None:
        """Choose the platform ``code``."""
        self.platform.setCurrentIndex(self.platform.findData(code))

    # -- the form -----------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask for the file to import."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the file the platform gave you"),
            self.path.text() or folder or str(Path.home()),
            self.tr("Rating exports (*.csv *.json);;All files (*)"),
        )
        if chosen:
            self.path.setText(chosen)

    def problem(self) -> str | None:
        """What the import still lacks, as a sentence (the core checks the rest)."""
        if not self.path.text().strip():
            return self.tr("Choose the file to import.")
        if self.chosen_platform() == "csv" and not self.platform_name.text().strip():
            return self.tr("Name the platform the CSV file is from.")
        if not self.profile_url.text().strip():
            return self.tr("Give the address of your public profile on the platform.")
        return None

    def _changed(self) -> None:
        csv = self.chosen_platform() == "csv"
        self.platform_name.setVisible(csv)
        self.platform_name_label.setVisible(csv)
        self.token_box.setVisible(self.link.isChecked())
        problem = self.problem()
        if not self.importing:
            self.show_problem("" if problem is None or not self._touched() else problem)
        self.import_button.setEnabled(problem is None and not self.importing)
        if self.link.isChecked():
            self._token_timer.start()

    def _touched(self) -> bool:
        return bool(self.path.text().strip() or self.profile_url.text().strip())

    def show_problem(self, text: str) -> None:
        """Show ``text`` beside the Import button (empty: hide it)."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    # -- the link token -----------------------------------------------------------------------

    def _work_out_token(self) -> None:
        url = self.profile_url.text().strip()
        wanted = (self.chosen_platform(), url)
        if not url:
            self.token.clear()
            return
        if wanted == self._token_for and self.token.text():
            return

        async def work() -> str:
            return await self.ui.service.call(link_token, *wanted)

        def shown(token: str) -> None:
            if (self.chosen_platform(), self.profile_url.text().strip()) == wanted:
                self._token_for = wanted
                self.token.setText(token)

        def failed(sentence: str) -> None:
            self._token_for = None
            self.token.clear()
            self.token.setPlaceholderText(sentence)

        start(self.ui.service, self, work, shown, failed)

    def copy_token(self) -> None:
        """Put the link token on the clipboard."""
        if self.token.text():
            QGuiApplication.clipboard().setText(self.token.text())
            self.message.emit(self.tr("The link token is on the clipboard."))

    # -- importing ----------------------------------------------------------------------------

    def draft(self) -> ImportDraft:
        """The import as filled in (call only when :meth:`problem` is None)."""
        csv = self.chosen_platform() == "csv"
        return ImportDraft(
            path=Path(self.path.text().strip()),
            platform=self.chosen_platform(),
            profile_url=self.profile_url.text().strip(),
            link=self.link.isChecked(),
            platform_name=self.platform_name.text().strip() if csv else None,
        )

    def submit(self) -> None:
        """Import the file; the summary appears in the list with its assurance."""
        if self.importing or self.problem() is not None:
            return
        draft = self.draft()
        self.importing = True
        self._changed()
        self.show_problem("")
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(import_file, draft),
            self._imported,
            self._failed,
        )

    def _imported(self, view: ImportView) -> None:
        self.importing = False
        self._changed()
        self.message.emit(
            self.tr("Imported {figures} from {platform} ({assurance}).").format(
                figures=labels.figures(view.count, view.positive_bp, view.average_x100),
                platform=labels.platform(view.platform, view.platform_name),
                assurance=labels.assurance(view.assurance),
            )
        )
        self.imported.emit(view)
        self.ui.service.records_changed.emit()

    def _failed(self, sentence: str) -> None:
        self.importing = False
        self._changed()
        self.show_problem(sentence)

    # -- my imports -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read my imports again soon (done by itself on ``records_changed``)."""
        self._reads.request()

    async def _fetch(self) -> tuple[ImportView, ...]:
        return await self.ui.service.call(load_imports)

    def _show(self, imports: tuple[ImportView, ...]) -> None:
        self.imports = imports
        self.model.set_rows(imports)
        self.view.setVisible(bool(imports))
        fit_columns(self.view)
        self.empty.setVisible(not imports)
        self.view.setAccessibleDescription(
            self.tr("Each import shows its assurance: {levels}.").format(
                levels=", ".join(labels.assurance(level) for level in labels.ASSURANCE_MARKS)
            )
        )
