"""Helpers shared by the UI tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from smd_desktop.ui.service import CoreService


def in_core(qtbot: QtBot, service: CoreService, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(profile, *args)`` in the service's worker thread and wait for its result
    (its exception is re-raised here)."""
    box: list[tuple[bool, Any]] = []

    async def go() -> None:
        try:
            box.append((True, await service.call(fn, *args)))
        except BaseException as exc:
            box.append((False, exc))
            raise

    service.run(go)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    ok, value = box[0]
    if not ok:
        raise value
    return value
