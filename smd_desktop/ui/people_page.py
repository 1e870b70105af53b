"""The People page: Following, Followers, Suggestions and Blocked, and "follow by id or code".

Lists are read in the core's thread by :func:`~smd_desktop.ui.people_model.load_people` when a
profile is unlocked and on every ``service.records_changed``, while the page is visible (see
:class:`~smd_desktop.ui.coalesce.CoalescedRead`). Following by identity id happens
here; an invite code (``smd1...``) is handed to the app through
:attr:`PeoplePage.follow_invite_requested`, since only the app may talk to the network layer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import MalformedId, SmdError, UserError
from ..core.ids import IdentityKey, parse_identity
from ..core.profile import Profile
from .coalesce import CoalescedRead
from .i18n import QT_TRANSLATE_NOOP
from .people_model import People, PeopleModel, PeopleRole, Person, load_people, person
from .service import CoreService

INVITE_PREFIX = "smd1"
"""How invite codes start (the network layer owns their format)."""
NOT_AN_ID = QT_TRANSLATE_NOOP(
    "PeoplePage",
    "That is neither an identity id (z6Mk… or did:key:z6Mk…) nor an invite code (smd1…).",
)
"""The English text; the page shows it translated."""


def _follow_new(profile: Profile, identity: IdentityKey) -> str:
    """Follow ``identity`` unless we already do; a sentence saying what happened."""
    if identity == profile.identity:
        raise UserError(
            QCoreApplication.translate(
                "PeoplePage", "That is your own identity; you cannot follow yourself."
            )
        )
    who = person(profile, identity).name
    if identity in profile.following():
        text = QCoreApplication.translate("PeoplePage", "You already follow {name}.")
        return text.format(name=who)
    profile.follow(identity)
    if identity in profile.blocked():
        text = QCoreApplication.translate(
            "PeoplePage",
            "You now follow {name}, but you block them: unblock them to see their posts.",
        )
        return text.format(name=who)
    return QCoreApplication.translate("PeoplePage", "You now follow {name}.").format(name=who)


def _follow(profile: Profile, identity: IdentityKey, following: bool) -> None:
    profile.follow(identity, following)


def _block(profile: Profile, identity: IdentityKey, blocked: bool) -> None:
    profile.block(identity, blocked)


class PeopleList(QWidget):
    """One list of people with buttons acting on the selected person.

    ``name`` and ``note`` are shown as given (translated by the caller); ``actions`` are
    (English label, action) pairs: :attr:`buttons` is keyed by the English label, and the
    buttons show it translated (context ``PeoplePage``, where the labels are written).
    """

    def __init__(
        self,
        name: str,
        actions: list[tuple[str, Callable[[Person], None]]],
        parent: QWidget | None = None,
        *,
        note: str = "",
        show_friends: bool = False,
    ) -> None:
        super().__init__(parent)
        self.model = PeopleModel(self, show_friends=show_friends)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(name)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.empty = QLabel(self.tr("Nobody yet."), self)
        self.empty.setEnabled(False)
        layout = QVBoxLayout(self)
        if note:
            hint = QLabel(note, self)
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for text, act in actions:
            label = QCoreApplication.translate("PeoplePage", text)
            button = QPushButton(label, self)
            button.setAccessibleName(
                self.tr("{action} the selected person in {list}").format(action=label, list=name)
            )
            button.clicked.connect(lambda _=False, act=act: self._act(act))
            row.addWidget(button)
            self.buttons[text] = button
        row.addStretch(1)
        layout.addLayout(row)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def selected(self) -> Person | None:
        """The selected person, if any."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.person_at(rows[0].row()) if rows else None

    def select(self, identity: bytes) -> bool:
        """Select the row of ``identity``; False if it is not in the list."""
        for row, p in enumerate(self.model.people):
            if p.identity == identity:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return True
        return False

    def _act(self, act: Callable[[Person], None]) -> None:
        chosen = self.selected()
        if chosen is not None:
            act(chosen)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for button in self.buttons.values():
            button.setEnabled(chosen)
        self.empty.setVisible(self.model.rowCount() == 0)


class PeoplePage(QWidget):
    """Who we follow, who follows us, whom to follow, whom we block.

    Rule: create it with the app's one :class:`CoreService`; it reads when a profile is
    unlocked and on ``service.records_changed``, but only while it is visible (a request while
    hidden is served when it is shown). Connect
    :attr:`follow_invite_requested` (the app dials and follows) and :attr:`open_identity`.
    """

    open_identity = Signal(bytes)
    """A person was double-clicked (or activated with Enter): show their profile."""
    follow_invite_requested = Signal(str)
    """The user entered an invite code (``smd1...``) to follow its owner."""
    loaded = Signal()
    """The lists were read and shown."""

    def __init__(self, service: CoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setAccessibleName(self.tr("People"))
        self.me: IdentityKey | None = None

        self.target = QLineEdit(self)
        self.target.setPlaceholderText(self.tr("An identity id (z6Mk…) or an invite code (smd1…)"))
        self.target.setAccessibleName(self.tr("Identity id or invite code to follow"))
        self.target.returnPressed.connect(self.submit_follow)
        self.follow_button = QPushButton(self.tr("Follow"), self)
        self.follow_button.setAccessibleName(self.tr("Follow this identity id or invite code"))
        self.follow_button.clicked.connect(self.submit_follow)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Follow result"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        unfollow, follow, block, unblock = (
            QT_TRANSLATE_NOOP("PeoplePage", "Unfollow"),
            QT_TRANSLATE_NOOP("PeoplePage", "Follow"),
            QT_TRANSLATE_NOOP("PeoplePage", "Block"),
            QT_TRANSLATE_NOOP("PeoplePage", "Unblock"),
        )
        self.following = PeopleList(
            self.tr("Following"),
            [(unfollow, lambda p: self.follow(p.identity, False)), (block, self._block_one)],
            self,
        )
        self.followers = PeopleList(
            self.tr("Followers"),
            [(follow, lambda p: self.follow(p.identity)), (block, self._block_one)],
            self,
            note=self.tr("People whose follow reached this device; there may be more."),
        )
        self.suggestions = PeopleList(
            self.tr("Suggestions"),
            [(follow, lambda p: self.follow(p.identity)), (block, self._block_one)],
            self,
            note=self.tr("Followed by people you follow."),
            show_friends=True,
        )
        self.blocked = PeopleList(
            self.tr("Blocked"), [(unblock, lambda p: self.block(p.identity, False))], self
        )
        self.lists = (self.following, self.followers, self.suggestions, self.blocked)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("People lists"))
        for people_list in self.lists:
            self.tabs.addTab(people_list, people_list.view.accessibleName())
            people_list.view.activated.connect(self._activated)

        box = QHBoxLayout()
        box.addWidget(QLabel(self.tr("Follow by id or invite code:"), self))
        box.addWidget(self.target, 1)
        box.addWidget(self.follow_button)
        layout = QVBoxLayout(self)
        layout.addLayout(box)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

        self._generation = 0
        self._reader = CoalescedRead(service, self._load, widget=self)
        service.unlocked.connect(self.refresh)
        service.records_changed.connect(self.refresh)
        service.closed.connect(self.clear)
        if service.is_open:
            self.refresh()

    # -- loading --------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """Whether a read is queued or on its way."""
        return self._reader.busy

    def refresh(self) -> None:
        """Read the lists again in the background (calls during a read are merged into one
        more; while the page is hidden, the read waits until it is shown)."""
        self._reader.request()

    def clear(self) -> None:
        """Forget everything shown (the profile closed)."""
        self._generation += 1
        self.me = None
        for people_list in self.lists:
            people_list.model.set_people([])
        self._update_titles()

    async def _load(self) -> None:
        generation = self._generation
        if not self.service.is_open:
            return
        people = await self.service.call(load_people)
        if generation == self._generation:  # else the profile closed meanwhile
            self._show(people)

    def _show(self, people: People) -> None:
        self.me = people.me
        self.following.model.set_people(people.following)
        self.followers.model.set_people(people.followers)
        self.suggestions.model.set_people(people.suggestions)
        self.blocked.model.set_people(people.blocked)
        self._update_titles()
        self.loaded.emit()

    def _update_titles(self) -> None:
        for i, people_list in enumerate(self.lists):
            name = people_list.view.accessibleName()
            count = people_list.model.rowCount()
            self.tabs.setTabText(
                i, self.tr("{list} ({count})").format(list=name, count=count) if count else name
            )

    # -- acting ---------------------------------------------------------------------------

    def submit_follow(self) -> None:
        """Follow what the box holds: an identity id directly, an invite code via the app."""
        text = self.target.text().strip()
        if not text:
            return
        if text.startswith(INVITE_PREFIX):
            self.target.clear()
            self.status.setText(self.tr("Connecting to the invite's owner to follow them…"))
            self.follow_invite_requested.emit(text)
            return
        try:
            identity = parse_identity(text)
        except MalformedId:
            self.status.setText(self.tr(NOT_AN_ID))
            return
        self.follow_identity(identity, clear_box=True)

    def follow_identity(self, identity: bytes, *, clear_box: bool = False) -> None:
        """Follow ``identity`` unless we already do; the outcome is shown as a sentence under
        the box (the app calls this for an invite code's owner)."""
        self.status.setText("")
        self.service.run(self._follow_new, IdentityKey(identity), clear_box)

    def invite_result(self, text: str) -> None:
        """Show what became of an invite code (a plain sentence from the app)."""
        self.status.setText(text)

    async def _follow_new(self, identity: IdentityKey, clear_box: bool) -> None:
        try:
            message = await self.service.call(_follow_new, identity)
        except SmdError as exc:
            self.status.setText(str(exc))
            return
        if clear_box:
            self.target.clear()
        self.status.setText(message)
        self.service.records_changed.emit()

    def follow(self, identity: bytes, following: bool = True) -> None:
        """Follow (or unfollow) ``identity`` in the background."""
        self.service.run(self._change, _follow, IdentityKey(identity), following)

    def block(self, identity: bytes, blocked: bool = True) -> None:
        """Block (or unblock) ``identity`` in the background."""
        self.service.run(self._change, _block, IdentityKey(identity), blocked)

    def _block_one(self, chosen: Person) -> None:
        self.block(chosen.identity)

    async def _change(
        self, fn: Callable[[Profile, IdentityKey, bool], None], identity: IdentityKey, on: bool
    ) -> None:
        await self.service.call(fn, identity, on)
        self.service.records_changed.emit()

    def _activated(self, index: QModelIndex) -> None:
        identity = index.data(PeopleRole.IDENTITY)
        if isinstance(identity, bytes):
            self.open_identity.emit(identity)
