"""The Profile page: one identity's avatar, name, bio, id, devices and posts.

For our own identity it offers "Edit profile" (name, bio, avatar); for anyone else Follow /
Unfollow and Block / Unblock, and a warning when one of their devices signed two different
records at the same place in its feed (a fork: the device key may be in two hands). Everything
is read in the core's thread by :func:`load_profile`, again on ``service.records_changed``, while
the page is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.content import MAX_NAME_CHARS
from ..core.errors import SmdError, UserError
from ..core.ids import IdentityKey, identity_text
from ..core.profile import Image, Profile
from ..core.store import BlobRef, PostView, now_ms
from .blob_pixmaps import BlobPixmaps
from .coalesce import CoalescedRead
from .i18n import QT_TRANSLATE_NOOP, english_plural
from .people_model import short_id
from .service import CoreService
from .timeline_model import relative_time

AVATAR = 96
"""Edge of the avatar, in pixels."""
POSTS_SHOWN = 50
"""How many of the identity's newest posts the page lists."""
FORK_WARNING = QT_TRANSLATE_NOOP(
    "ProfilePage",
    "Warning: a device of {name} signed two different versions of its history. Its key may "
    "have been copied; be careful with what this identity says until they sort it out.",
)
"""The English text (``{name}``: who); the page shows it translated."""


@dataclass(frozen=True, slots=True)
class ProfileData:
    """What the page shows about one identity, read at one moment."""

    identity: IdentityKey
    is_self: bool
    name: str
    """The profile name, or empty when no profile arrived yet."""
    bio: str
    avatar: BlobRef | None
    devices: int
    revoked_devices: int
    following: bool
    """Whether we follow them."""
    blocked: bool
    """Whether we block them."""
    follows_us: bool
    forked: bool
    """Whether any of their device feeds is forked."""
    posts: list[PostView]


def load_profile(profile: Profile, identity: IdentityKey | None) -> ProfileData:
    """Read what the page shows about ``identity`` (None: ourselves). Blocks (database)."""
    who = profile.identity if identity is None else identity
    store = profile.store
    view = store.profile(who)
    devices = store.devices(who)
    forked = any(d.forked for d in devices) or any(f.identity == who for f in store.forks())
    return ProfileData(
        identity=who,
        is_self=who == profile.identity,
        name=view.name if view else "",
        bio=view.bio if view else "",
        avatar=view.avatar if view else None,
        devices=len(devices),
        revoked_devices=sum(d.revoked_after is not None for d in devices),
        following=who in profile.following(),
        blocked=who in profile.blocked(),
        follows_us=who != profile.identity and profile.identity in store.related(who, "follow"),
        forked=forked,
        posts=store.author_posts(who, limit=POSTS_SHOWN),
    )


def _save_profile(profile: Profile, name: str, bio: str, avatar: Path | None) -> None:
    """Publish a new profile; the avatar file is read and checked here, off the GUI thread."""
    image: Image | None = None
    if avatar is not None:
        try:
            data = avatar.read_bytes()
        except OSError as exc:
            text = QCoreApplication.translate("ProfilePage", "cannot read {file}: {reason}")
            raise UserError(text.format(file=avatar.name, reason=exc.strerror or exc)) from exc
        image = Image.from_bytes(data)
    profile.set_profile(name=name.strip(), bio=bio.strip(), avatar=image)


def _follow(profile: Profile, identity: IdentityKey, following: bool) -> None:
    profile.follow(identity, following)


def _block(profile: Profile, identity: IdentityKey, blocked: bool) -> None:
    profile.block(identity, blocked)


type _Change = Callable[[Profile, IdentityKey, bool], None]
type PanelFactory = Callable[[IdentityKey], list[tuple[str, QWidget]]]


class ProfileEditor(QGroupBox):
    """The form that edits our own profile (hidden until "Edit profile")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Edit profile"), parent)
        self.name = QLineEdit(self)
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setMaxLength(MAX_NAME_CHARS)
        self.bio = QPlainTextEdit(self)
        self.bio.setAccessibleName(self.tr("Your bio"))
        self.bio.setMaximumHeight(90)
        self.avatar_path: Path | None = None
        self.avatar_label = QLabel(self.tr("Unchanged"), self)
        self.choose = QPushButton(self.tr("Choose image…"), self)
        self.choose.setAccessibleName(self.tr("Choose an avatar image"))
        self.save = QPushButton(self.tr("Save"), self)
        self.save.setAccessibleName(self.tr("Save your profile"))
        self.cancel = QPushButton(self.tr("Cancel"), self)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setAccessibleName(self.tr("Profile error"))
        avatar_row = QHBoxLayout()
        avatar_row.addWidget(self.avatar_label, 1)
        avatar_row.addWidget(self.choose)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        form = QFormLayout(self)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Bio"), self.bio)
        form.addRow(self.tr("Avatar"), avatar_row)
        form.addRow(self.error)
        form.addRow(buttons)
        self.choose.clicked.connect(self.choose_avatar)
        self.name.textChanged.connect(lambda text: self.save.setEnabled(bool(text.strip())))

    def start(self, name: str, bio: str) -> None:
        """Open the form on the current values."""
        self.name.setText(name)
        self.bio.setPlainText(bio)
        self.set_avatar(None)
        self.error.setText("")
        self.show()
        self.name.setFocus()

    def set_avatar(self, path: Path | None) -> None:
        """Use the image at ``path`` as the new avatar (None: keep the current one)."""
        self.avatar_path = path
        self.avatar_label.setText(self.tr("Unchanged") if path is None else path.name)

    def choose_avatar(self) -> None:
        """Ask for an image file."""
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose an avatar"),
            "",
            self.tr("Images (*.png *.jpg *.jpeg *.gif *.webp)"),
        )
        if name:
            self.set_avatar(Path(name))


class ProfilePage(QWidget):
    """One identity's profile.

    Rule: create it with the app's one :class:`CoreService`, then call :meth:`show_self` or
    :meth:`show_identity`; it reads in the background and again on ``records_changed``, but
    only while it is visible (a request while hidden is served when it is shown).
    """

    loaded = Signal()
    """The shown identity was read and is on screen."""
    saved = Signal()
    """Our edited profile was published."""

    def __init__(self, service: CoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setAccessibleName(self.tr("Profile"))
        self.data: ProfileData | None = None
        self._target: IdentityKey | None = None  # None: ourselves
        self.pixmaps = BlobPixmaps(service, self, size=AVATAR)
        self.pixmaps.loaded.connect(lambda _digest: self._show_avatar())

        self.fork_banner = QLabel("", self)
        self.fork_banner.setWordWrap(True)
        self.fork_banner.setAccessibleName(self.tr("Fork warning"))
        self.fork_banner.setStyleSheet(
            "QLabel { background: #fff4e5; color: #663c00; padding: 6px; }"
        )
        self.fork_banner.hide()

        self.avatar = QLabel(self)
        self.avatar.setFixedSize(AVATAR, AVATAR)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.avatar.setAccessibleName(self.tr("Avatar"))
        self.name = QLabel("", self)
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setAccessibleName(self.tr("Name"))
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bio = QLabel("", self)
        self.bio.setWordWrap(True)
        self.bio.setAccessibleName(self.tr("Bio"))
        self.bio.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.id_text = QLineEdit(self)
        self.id_text.setReadOnly(True)
        self.id_text.setAccessibleName(self.tr("Identity id"))
        self.copy_id = QPushButton(self.tr("Copy"), self)
        self.copy_id.setAccessibleName(self.tr("Copy the identity id"))
        self.copy_id.clicked.connect(self.copy_identity)
        self.details = QLabel("", self)
        self.details.setAccessibleName(self.tr("Devices and relation"))

        self.edit_button = QPushButton(self.tr("Edit profile"), self)
        self.follow_button = QPushButton(self.tr("Follow"), self)
        self.block_button = QPushButton(self.tr("Block"), self)
        self.editor = ProfileEditor(self)
        self.editor.hide()
        self.posts = QListWidget(self)
        self.posts.setAccessibleName(self.tr("Posts"))
        self.posts.setWordWrap(True)
        self.posts_title = QLabel(self.tr("Posts"), self)

        id_row = QHBoxLayout()
        id_row.addWidget(self.id_text, 1)
        id_row.addWidget(self.copy_id)
        text = QVBoxLayout()
        text.addWidget(self.name)
        text.addWidget(self.bio)
        text.addLayout(id_row)
        text.addWidget(self.details)
        header = QHBoxLayout()
        header.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(text, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.edit_button)
        actions.addWidget(self.follow_button)
        actions.addWidget(self.block_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fork_banner)
        layout.addLayout(header)
        layout.addLayout(actions)
        layout.addWidget(self.editor)
        # Posts first; plugins add their panels (e.g. this person's references) as more tabs.
        posts_box = QWidget(self)
        posts_layout = QVBoxLayout(posts_box)
        posts_layout.setContentsMargins(0, 0, 0, 0)
        posts_layout.addWidget(self.posts_title)
        posts_layout.addWidget(self.posts, 1)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Profile sections"))
        self.tabs.addTab(posts_box, self.tr("Posts"))
        layout.addWidget(self.tabs, 1)
        self._panel_factory: PanelFactory | None = None
        self._panels_for: IdentityKey | None = None

        self.edit_button.clicked.connect(self.start_edit)
        self.editor.save.clicked.connect(self.save_edit)
        self.editor.cancel.clicked.connect(self.editor.hide)
        self.follow_button.clicked.connect(self.toggle_follow)
        self.block_button.clicked.connect(self.toggle_block)
        self._set_actions(None)

        self._generation = 0
        self._reader = CoalescedRead(service, self._load, widget=self)
        service.unlocked.connect(self.refresh)
        service.records_changed.connect(self.refresh)
        service.closed.connect(self.clear)
        if service.is_open:
            self.refresh()

    # -- what to show ---------------------------------------------------------------------

    def set_panel_factory(self, factory: PanelFactory | None) -> None:
        """``factory(identity)`` gives the (title, widget) panels plugins show for a person;
        they become tabs after Posts and are rebuilt when another person is shown."""
        self._panel_factory = factory
        self._panels_for = None
        if self.data is not None:
            self._rebuild_panels(self.data.identity)

    def panel_titles(self) -> list[str]:
        """The tab titles, Posts first."""
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def _rebuild_panels(self, identity: IdentityKey) -> None:
        if self._panel_factory is None or identity == self._panels_for:
            return
        while self.tabs.count() > 1:
            widget = self.tabs.widget(1)
            self.tabs.removeTab(1)
            if widget is not None:
                widget.deleteLater()
        self._panels_for = identity
        for title, widget in self._panel_factory(identity):
            self.tabs.addTab(widget, title)

    def show_identity(self, identity: bytes) -> None:
        """Show ``identity`` (our own identity shows the editable self page)."""
        self._switch(IdentityKey(identity))

    def show_self(self) -> None:
        """Show our own profile."""
        self._switch(None)

    def _switch(self, target: IdentityKey | None) -> None:
        if target != self._target:
            self.clear()  # a read on its way for the old target is dropped
            self._target = target
        self.refresh()

    @property
    def loading(self) -> bool:
        """Whether a read is queued or on its way."""
        return self._reader.busy

    def refresh(self) -> None:
        """Read the shown identity again in the background (calls during a read are merged
        into one more; while the page is hidden, the read waits until it is shown)."""
        self._reader.request()

    def clear(self) -> None:
        """Show nothing (the profile closed, or another identity is coming)."""
        self._generation += 1
        self.data = None
        self.fork_banner.hide()
        self.editor.hide()
        self.avatar.clear()
        for label in (self.name, self.bio, self.details):
            label.setText("")
        self.id_text.clear()
        self.posts.clear()
        self._set_actions(None)

    async def _load(self) -> None:
        generation, target = self._generation, self._target
        if not self.service.is_open:
            return
        data = await self.service.call(load_profile, target)
        if generation == self._generation:  # else closed, or another identity is coming
            self._show(data)

    def _show(self, data: ProfileData) -> None:
        self.data = data
        label = data.name or short_id(data.identity)
        self.name.setText(self.tr("{name} (you)").format(name=label) if data.is_self else label)
        self.bio.setText(data.bio)
        self.bio.setVisible(bool(data.bio))
        self.id_text.setText(identity_text(data.identity))
        self.id_text.setCursorPosition(0)
        details = english_plural(self.tr("%n device(s)", "", data.devices), data.devices)
        if data.revoked_devices:
            revoked = self.tr("{devices} (%n revoked)", "", data.revoked_devices)
            details = revoked.format(devices=details)
        if data.follows_us:
            details = self.tr("{details} · follows you").format(details=details)
        self.details.setText(details)
        self.fork_banner.setText(self.tr(FORK_WARNING).format(name=label))
        self.fork_banner.setVisible(data.forked)
        self._set_actions(data)
        self._show_avatar()
        self.posts.clear()
        now = now_ms()
        for post in data.posts:
            stamp = relative_time(post.timestamp, now)
            if post.edited:
                stamp = self.tr("{time} · edited").format(time=stamp)
            item = QListWidgetItem(f"{stamp}\n{post.text}")
            item.setData(Qt.ItemDataRole.UserRole, post.id)
            self.posts.addItem(item)
        self.posts_title.setText(
            self.tr("Posts ({count})").format(count=len(data.posts))
            if data.posts
            else self.tr("No posts yet")
        )
        self._rebuild_panels(data.identity)
        self.loaded.emit()

    def _show_avatar(self) -> None:
        ref = self.data.avatar if self.data is not None else None
        pixmap = self.pixmaps.thumbnail(ref) if ref is not None else None
        if pixmap is not None and not pixmap.isNull():
            self.avatar.setPixmap(pixmap)
        else:
            self.avatar.clear()
            self.avatar.setText(self.tr("No avatar") if ref is None else "…")

    def _set_actions(self, data: ProfileData | None) -> None:
        known = data is not None
        is_self = data is not None and data.is_self
        self.edit_button.setVisible(is_self)
        self.follow_button.setVisible(known and not is_self)
        self.block_button.setVisible(known and not is_self)
        self.copy_id.setEnabled(known)
        if data is not None:
            self.follow_button.setText(self.tr("Unfollow") if data.following else self.tr("Follow"))
            self.block_button.setText(self.tr("Unblock") if data.blocked else self.tr("Block"))
        for button in (self.follow_button, self.block_button, self.edit_button):
            button.setEnabled(known)

    # -- acting ---------------------------------------------------------------------------

    def copy_identity(self) -> None:
        """Put the identity id on the clipboard."""
        if self.data is not None:
            QGuiApplication.clipboard().setText(identity_text(self.data.identity))

    def toggle_follow(self) -> None:
        """Follow or unfollow the shown identity."""
        if self.data is not None and not self.data.is_self:
            self._start_change(_follow, not self.data.following)

    def toggle_block(self) -> None:
        """Block or unblock the shown identity."""
        if self.data is not None and not self.data.is_self:
            self._start_change(_block, not self.data.blocked)

    def _start_change(self, fn: _Change, on: bool) -> None:
        assert self.data is not None
        for button in (self.follow_button, self.block_button):
            button.setEnabled(False)  # until the new state is read
        self.service.run(self._change, fn, self.data.identity, on)

    async def _change(self, fn: _Change, identity: IdentityKey, on: bool) -> None:
        try:
            await self.service.call(fn, identity, on)
        finally:
            self.service.records_changed.emit()

    def start_edit(self) -> None:
        """Open the editor on our current name and bio."""
        if self.data is not None and self.data.is_self:
            self.editor.start(self.data.name, self.data.bio)

    def save_edit(self) -> None:
        """Publish the edited profile in the background."""
        name = self.editor.name.text().strip()
        if not name:
            self.editor.error.setText(self.tr("A profile needs a name."))
            return
        self.editor.save.setEnabled(False)
        self.editor.error.setText("")
        bio = self.editor.bio.toPlainText()
        self.service.run(self._save, name, bio, self.editor.avatar_path)

    async def _save(self, name: str, bio: str, avatar: Path | None) -> None:
        try:
            await self.service.call(_save_profile, name, bio, avatar)
        except SmdError as exc:
            self.editor.error.setText(str(exc))
            return
        finally:
            self.editor.save.setEnabled(True)
        self.editor.hide()
        self.service.records_changed.emit()
        self.saved.emit()
