"""The box where posts are written: new posts, replies and edits, with images and a draft.

Everything that touches the core (reading and checking image files, publishing) runs through
:class:`~smd_desktop.ui.service.CoreService`; failures reach the user on ``service.error``.
The draft of a new post or reply survives restarts in ``QSettings`` under ``compose/draft``;
an edit never touches it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.content import MAX_IMAGES, MAX_POST_CHARS
from ..core.errors import SmdError
from ..core.ids import RecordId
from ..core.profile import Image, Profile
from ..core.records import SignedRecord
from ..core.store import PostView
from .i18n import QT_TRANSLATE_NOOP
from .service import CoreService
from .timeline_model import author_label

DRAFT_KEY = "compose/draft"
"""The QSettings key holding the unsent text of a new post or reply."""
THUMB_SIZE = 64
"""Edge of an attached image's preview, in pixels."""
OVER_LIMIT_STYLE = "color: #c62828; font-weight: bold;"
IMAGE_FILTER = QT_TRANSLATE_NOOP("ComposeBox", "Images (*.png *.jpg *.jpeg *.gif *.webp)")
"""The file dialog's filter (English; shown translated)."""


class Mode(enum.Enum):
    """What the Post button does."""

    NEW = "new"
    REPLY = "reply"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class _Attachment:
    image: Image
    preview: QImage
    name: str


def _read_images(paths: Sequence[Path], size: int) -> tuple[list[_Attachment], list[str]]:
    """Read and check image files (in the core's thread); the problems as sentences."""
    found: list[_Attachment] = []
    problems: list[str] = []
    for path in paths:
        try:
            image = Image.from_bytes(path.read_bytes())
        except OSError as exc:
            text = QCoreApplication.translate("ComposeBox", "{file}: could not be read ({reason})")
            problems.append(text.format(file=path.name, reason=exc.strerror or exc))
            continue
        except SmdError as exc:
            text = QCoreApplication.translate("ComposeBox", "{file}: {problem}")
            problems.append(text.format(file=path.name, problem=exc))
            continue
        preview = QImage.fromData(image.data)
        if not preview.isNull():
            preview = preview.scaled(
                size,
                size,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        found.append(_Attachment(image, preview, path.name))
    return found, problems


def _publish(
    profile: Profile, text: str, reply_to: RecordId | None, images: list[Image]
) -> SignedRecord:
    return profile.post(text, reply_to=reply_to, images=images)


def _edit(profile: Profile, record_id: RecordId, text: str) -> SignedRecord:
    return profile.edit(record_id, text)


class ComposeBox(QWidget):
    """Write a post, a reply (:meth:`start_reply`) or an edit (:meth:`start_edit`).

    Ctrl+Enter posts, Escape leaves reply or edit mode. After a successful post or edit it
    emits ``service.records_changed`` (so every view refreshes) and then :attr:`posted` or
    :attr:`edited`.
    """

    posted = Signal(bytes)
    """A new post or reply was published; the argument is its record id."""
    edited = Signal(bytes)
    """An edit was published; the argument is the id of the post that was edited."""

    def __init__(
        self,
        service: CoreService,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings if settings is not None else QSettings()
        self._mode = Mode.NEW
        self._target: PostView | None = None
        self._attachments: list[_Attachment] = []
        self._busy = False
        self._restoring = False

        self.setAccessibleName(self.tr("Compose a post"))
        self.mode_label = QLabel(self)
        self.mode_label.setAccessibleName(self.tr("Compose mode"))
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel reply or edit"))
        self.cancel_button.clicked.connect(self.cancel_mode)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_label, 1)
        mode_row.addWidget(self.cancel_button)

        self.editor = QPlainTextEdit(self)
        self.editor.setPlaceholderText(self.tr("What's happening?"))
        self.editor.setAccessibleName(self.tr("Post text"))
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(120)
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._on_text_changed)

        self.thumbnails = QWidget(self)
        self.thumbnails.setAccessibleName(self.tr("Attached images"))
        self._thumb_layout = QHBoxLayout(self.thumbnails)
        self._thumb_layout.setContentsMargins(0, 0, 0, 0)

        self.attach_button = QPushButton(self.tr("Attach images…"), self)
        self.attach_button.setAccessibleName(self.tr("Attach images"))
        self.attach_button.clicked.connect(self.choose_images)
        self.counter = QLabel(self)
        self.counter.setAccessibleName(self.tr("Character count"))
        self.post_button = QPushButton(self.tr("Post"), self)
        self.post_button.setAccessibleName(self.tr("Post"))
        self.post_button.setToolTip(self.tr("Post (Ctrl+Enter)"))
        self.post_button.setDefault(False)
        self.post_button.clicked.connect(self.submit)
        actions = QHBoxLayout()
        actions.addWidget(self.attach_button)
        actions.addStretch(1)
        actions.addWidget(self.counter)
        actions.addWidget(self.post_button)

        layout = QVBoxLayout(self)
        layout.addLayout(mode_row)
        layout.addWidget(self.editor)
        layout.addWidget(self.thumbnails)
        layout.addLayout(actions)

        service.unlocked.connect(self._update_state)
        service.closed.connect(self._update_state)
        draft = self.settings.value(DRAFT_KEY, "", type=str)
        self._restoring = True
        self.editor.setPlainText(str(draft or ""))
        self._restoring = False
        self._update_mode()
        self._update_state()

    # -- state ----------------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        """What the Post button does now."""
        return self._mode

    @property
    def target(self) -> PostView | None:
        """The post being replied to or edited."""
        return self._target

    @property
    def images(self) -> list[Image]:
        """The images attached so far."""
        return [a.image for a in self._attachments]

    def text(self) -> str:
        """The text as it will be posted (surrounding whitespace dropped)."""
        return self.editor.toPlainText().strip()

    def can_submit(self) -> bool:
        """Whether the Post button works: not busy, a profile open, within the limit, and text
        (or, for a new post, an image)."""
        text = self.text()
        has_content = bool(text) or (
            bool(self._attachments)
            if self._mode is not Mode.EDIT
            else bool(self._target and self._target.images)
        )
        return (
            not self._busy and self.service.is_open and has_content and len(text) <= MAX_POST_CHARS
        )

    # -- modes ----------------------------------------------------------------------------

    def start_reply(self, post: PostView) -> None:
        """Reply to ``post``: the text typed so far is kept."""
        if self._mode is Mode.EDIT:
            self._leave_edit()
        self._mode, self._target = Mode.REPLY, post
        self._update_mode()
        self._update_state()
        self.editor.setFocus()

    def start_edit(self, post: PostView) -> None:
        """Edit one of our posts: the editor shows its text; the draft waits meanwhile."""
        if self._mode is not Mode.EDIT:
            self._save_draft()
        self._mode, self._target = Mode.EDIT, post
        self._clear_attachments()
        self._restoring = True
        self.editor.setPlainText(post.text)
        self._restoring = False
        self._update_mode()
        self._update_state()
        self.editor.setFocus()

    def cancel_mode(self) -> None:
        """Back to writing a new post (an edit's text is dropped, the draft comes back)."""
        if self._mode is Mode.EDIT:
            self._leave_edit()
        self._mode, self._target = Mode.NEW, None
        self._update_mode()
        self._update_state()

    def _leave_edit(self) -> None:
        self._restoring = True
        self.editor.setPlainText(str(self.settings.value(DRAFT_KEY, "", type=str) or ""))
        self._restoring = False

    def _update_mode(self) -> None:
        if self._mode is Mode.NEW or self._target is None:
            self.mode_label.hide()
            self.cancel_button.hide()
            self.post_button.setText(self.tr("Post"))
            self.post_button.setAccessibleName(self.tr("Post"))
            self.attach_button.setEnabled(True)
            return
        name = author_label(self._target)
        if self._mode is Mode.REPLY:
            self.mode_label.setText(self.tr("Replying to {name}").format(name=name))
            self.post_button.setText(self.tr("Reply"))
            self.post_button.setAccessibleName(self.tr("Post reply"))
            self.cancel_button.setAccessibleName(self.tr("Cancel reply"))
            self.attach_button.setEnabled(True)
        else:
            self.mode_label.setText(self.tr("Editing your post"))
            self.post_button.setText(self.tr("Save"))
            self.post_button.setAccessibleName(self.tr("Save edit"))
            self.cancel_button.setAccessibleName(self.tr("Cancel edit"))
            self.attach_button.setEnabled(False)  # an edit keeps the post's images
        self.mode_label.show()
        self.cancel_button.show()

    # -- text -----------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if not self._restoring and self._mode is not Mode.EDIT:
            self._save_draft()
        self._update_state()

    def _save_draft(self) -> None:
        text = self.editor.toPlainText()
        if text.strip():
            self.settings.setValue(DRAFT_KEY, text)
        else:
            self.settings.remove(DRAFT_KEY)

    def _update_state(self) -> None:
        count = len(self.text())
        self.counter.setText(f"{count} / {MAX_POST_CHARS}")
        over = count > MAX_POST_CHARS
        self.counter.setStyleSheet(OVER_LIMIT_STYLE if over else "")
        self.counter.setToolTip(
            self.tr("%n characters over the limit", "", count - MAX_POST_CHARS) if over else ""
        )
        self.post_button.setEnabled(self.can_submit())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Ctrl+Enter posts; Escape leaves reply or edit mode."""
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self.submit()
                return True
            if key == Qt.Key.Key_Escape and self._mode is not Mode.NEW:
                self.cancel_mode()
                return True
        return super().eventFilter(watched, event)

    # -- images ---------------------------------------------------------------------------

    def choose_images(self) -> None:
        """Ask for image files and attach them."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Attach images"), "", self.tr(IMAGE_FILTER)
        )
        if paths:
            self.attach_files([Path(p) for p in paths])

    def attach_files(self, paths: Sequence[Path | str]) -> None:
        """Read and check image files in the background, then show them as previews."""
        if self._mode is Mode.EDIT:
            return
        self.service.run(self._attach, [Path(p) for p in paths])

    async def _attach(self, paths: list[Path]) -> None:
        found, problems = await self.service.blocking(_read_images, paths, THUMB_SIZE)
        if self._mode is Mode.EDIT:
            return  # an edit began meanwhile; it keeps the post's own images
        room = MAX_IMAGES - len(self._attachments)
        if len(found) > room:
            problems.append(self.tr("a post has at most %n images", "", MAX_IMAGES))
            found = found[: max(room, 0)]
        self._attachments.extend(found)
        self._rebuild_thumbnails()
        self._update_state()
        if problems:
            self.service.error.emit("; ".join(problems))

    def remove_image(self, index: int) -> None:
        """Drop the ``index``-th attached image."""
        if 0 <= index < len(self._attachments):
            del self._attachments[index]
            self._rebuild_thumbnails()
            self._update_state()

    def _clear_attachments(self) -> None:
        self._attachments.clear()
        self._rebuild_thumbnails()

    def _rebuild_thumbnails(self) -> None:
        while (item := self._thumb_layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        for i, attachment in enumerate(self._attachments):
            self._thumb_layout.addWidget(self._thumbnail(i, attachment))
        self._thumb_layout.addStretch(1)
        self.thumbnails.setVisible(bool(self._attachments))

    def _thumbnail(self, index: int, attachment: _Attachment) -> QWidget:
        box = QWidget(self.thumbnails)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        picture = QLabel(box)
        picture.setFixedSize(QSize(THUMB_SIZE, THUMB_SIZE))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setAccessibleName(
            self.tr("Image {number}: {file}").format(number=index + 1, file=attachment.name)
        )
        if attachment.preview.isNull():
            picture.setText(attachment.image.mime.removeprefix("image/").upper())
        else:
            picture.setPixmap(QPixmap.fromImage(attachment.preview))
        remove = QToolButton(box)
        remove.setText("✕")
        remove.setToolTip(self.tr("Remove {file}").format(file=attachment.name))
        remove.setAccessibleName(self.tr("Remove image {number}").format(number=index + 1))
        remove.clicked.connect(lambda: self.remove_image(index))
        row.addWidget(picture)
        row.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        return box

    # -- posting --------------------------------------------------------------------------

    def submit(self) -> None:
        """Post, reply or save the edit (in the background); nothing if the box can't post."""
        if not self.can_submit():
            return
        text = self.text()
        self._set_busy(True)
        if self._mode is Mode.EDIT and self._target is not None:
            self.service.run(self._save_edit, self._target.id, text)
        else:
            reply_to = self._target.id if self._mode is Mode.REPLY and self._target else None
            self.service.run(self._publish, text, reply_to, self.images)

    async def _publish(self, text: str, reply_to: RecordId | None, images: list[Image]) -> None:
        try:
            record = await self.service.call(_publish, text, reply_to, images)
        finally:
            self._set_busy(False)
        self._mode, self._target = Mode.NEW, None
        self._clear_attachments()
        self.editor.clear()  # also clears the draft
        self.settings.remove(DRAFT_KEY)
        self._update_mode()
        self._update_state()
        self.service.records_changed.emit()
        self.posted.emit(record.id)

    async def _save_edit(self, record_id: RecordId, text: str) -> None:
        try:
            await self.service.call(_edit, record_id, text)
        finally:
            self._set_busy(False)
        self.cancel_mode()
        self.service.records_changed.emit()
        self.edited.emit(record_id)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_state()
