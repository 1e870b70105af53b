"""One image, larger, in its own dialog (a click on a thumbnail opens it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core.store import BlobRef
from .blob_pixmaps import decode_blob
from .service import CoreService


class ImageDialog(QDialog):
    """One image, larger, loaded in the background."""

    shown = Signal()
    """The image is on screen (or a sentence saying why it is not)."""

    def __init__(self, service: CoreService, ref: BlobRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Image"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.service = service
        self.ref = ref
        self.label = QLabel(self.tr("Loading…"), self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(self.tr("Image"))
        scroll = QScrollArea(self)
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName(self.tr("Image view"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(800, 600)
        # Closing deletes the dialog; a load finishing after that must not touch it.
        alive = self._alive = [True]
        self.destroyed.connect(lambda *_: alive.clear())
        service.run(self._load)

    async def _load(self) -> None:
        image = await self.service.call(decode_blob, self.ref.hash, None)
        if not self._alive:
            return
        if image is None:
            self.label.setText(self.tr("This image has not arrived on this device yet."))
        elif image.isNull():
            self.label.setText(self.tr("This image cannot be shown."))
        else:
            pixmap = QPixmap.fromImage(image)
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is not None:
                room = screen.availableGeometry().size() * 0.85
                if pixmap.width() > room.width() or pixmap.height() > room.height():
                    pixmap = pixmap.scaled(
                        room,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
            self.label.setPixmap(pixmap)
            self.resize(max(pixmap.width() + 40, 320), max(pixmap.height() + 80, 240))
        self.shown.emit()
