"""Helpers for the References Directory's UI tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from plugins.references.core import EntryDraft
from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.service import CoreService

PASSPHRASE = "correct horse battery staple"
WAIT_MS = 10_000


def draft(title: str, url: str, **fields: Any) -> EntryDraft:
    """A draft with a title and URL; other fields by keyword."""
    return EntryDraft(title=title, url=url, **fields)


class Window:
    """What the app gives the plugin for one window, with what the plugin asked of it."""

    def __init__(self, qtbot: QtBot, service: CoreService) -> None:
        self.qtbot = qtbot
        self.service = service
        self.pages_shown: list[str] = []
        self.identities_opened: list[IdentityKey] = []
        self.errors: list[str] = []
        service.error.connect(self.errors.append)
        self.ui = UiContext(
            service,
            open_identity=self.identities_opened.append,
            show_page=self.pages_shown.append,
        )

    def in_core(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(profile, *args)`` in the core's thread and wait for its result."""
        box: list[tuple[bool, Any]] = []

        async def go() -> None:
            try:
                box.append((True, await self.service.call(fn, *args)))
            except BaseException as exc:
                box.append((False, exc))
                raise

        self.service.run(go)
        self.qtbot.waitUntil(lambda: bool(box), timeout=WAIT_MS)
        ok, value = box[0]
        if not ok:
            raise value
        return value
