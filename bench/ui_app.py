"""The app side of ``bench/ui.py``: child processes that run the desktop app and report.

``bench/ui.py --role app`` launches the app like ``smd-desktop``, unlocks through the dialog and
times the first window, the first page painted, page loads and the RSS; ``--role gui-sync``
measures the GUI timer lag while the app syncs from a sender node. Each prints one
``RESULT {json}`` line on stdout for the parent.

Only the standard library is imported at module level: the app child's launch time counts its
own imports, so it imports exactly what the app imports, inside the functions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import say

PAGE = 50
"""Rows of the timeline's first page (the app's page size)."""
LAG_INTERVAL_MS = 10
"""The period of the timer whose lateness measures GUI lag."""


def rss_mib() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MiB, from /proc/self/status."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _pump(ms: int) -> None:
    """Run the Qt event loop (and so the Trio guest) for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait_until(
    condition: Callable[[], bool], what: str, timeout: float = 120, step_ms: int = 5
) -> None:
    """Pump the event loop until ``condition()`` holds; RuntimeError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        _pump(step_ms)


def run_app(args: argparse.Namespace) -> None:
    """Launch like ``smd-desktop``, unlock through the dialog, time the first window, the
    first page painted, repeated page loads and the RSS; print ``RESULT {json}``."""
    t_python = time.time()
    from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from smd_desktop.app import DesktopApp
    from smd_desktop.ui.home_page import HomePage
    from smd_desktop.ui.unlock_dialog import UnlockDialog

    t_imported = time.time()
    result: dict[str, Any] = {"t0": args.t0, "python": t_python, "imported": t_imported}

    class PaintWatch(QObject):
        """Calls ``on_painted`` once a paint event of ``target`` has been handled."""

        def __init__(self, target: QObject, on_painted: Callable[[], None]) -> None:
            super().__init__()
            self.on_painted = on_painted
            target.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, self.on_painted)  # after this paint event is handled
            return False

    app = QApplication(sys.argv[:1])
    QCoreApplication.setApplicationName("SMD-bench")
    QCoreApplication.setOrganizationName("SMD-bench")  # keep the user's window settings alone
    desktop = DesktopApp(Path(args.data), lan=False)
    desktop.guest.start()
    if not desktop.service.has_profile():
        raise RuntimeError(f"no profile in {args.data}")
    dialog = UnlockDialog(desktop.service)
    marks: dict[str, float] = {}

    def mark(name: str) -> Callable[[], None]:
        def set_mark() -> None:
            marks.setdefault(name, time.time())

        return set_mark

    dialog_watch = PaintWatch(dialog, mark("dialog_painted"))
    dialog.show()
    marks["dialog_shown"] = time.time()
    _wait_until(lambda: "dialog_painted" in marks, "the unlock dialog's first paint")
    _wait_until(lambda: desktop.service.guest.running, "the Trio guest")
    del dialog_watch

    home: dict[str, Any] = {}

    def on_accepted() -> None:
        marks["unlocked"] = time.time()
        window = desktop.show_window()  # as smd_desktop.app.main does once exec() returns
        marks["window_shown"] = time.time()
        page = window.stack.widget(0)
        assert isinstance(page, HomePage)
        home["page"] = page
        page.model.rowsInserted.connect(lambda *_: page.model.rowCount() >= PAGE and mark("rows")())

        def painted() -> None:
            if "rows" in marks and "painted" not in marks:
                marks["painted"] = time.time()
                home["rss_page"] = rss_mib()

        home["watch"] = PaintWatch(page.view.viewport(), painted)

    dialog.accepted.connect(on_accepted)
    dialog.passphrase.setText(args.passphrase)
    marks["unlock_clicked"] = time.time()
    dialog.unlock_button.click()
    _wait_until(lambda: "painted" in marks, "the first timeline page painted")
    page = home["page"]
    assert isinstance(page, HomePage)
    result["marks"] = marks
    result["rows"] = page.model.rowCount()
    result["rss_page"] = home["rss_page"]

    # Repeated first-page loads through the model: request -> rows inserted.
    model = page.model
    reloads: list[float] = []
    for _ in range(args.repeats):
        done: list[float] = []

        def on_rows(*_: Any, sink: list[float] = done) -> None:
            if model.rowCount() >= PAGE and not sink:
                sink.append(time.perf_counter())

        model.rowsInserted.connect(on_rows)
        start = time.perf_counter()
        model.reload()
        _wait_until(lambda sink=done: bool(sink), "a reloaded page")  # type: ignore[misc]
        model.rowsInserted.disconnect(on_rows)
        reloads.append(done[0] - start)
        _wait_until(lambda: not model.loading, "the model to settle")
    result["reloads"] = reloads

    # A next page (fetchMore with a keyset bound), as scrolling down asks for.
    nexts: list[float] = []
    for _ in range(args.repeats):
        wanted = model.rowCount() + PAGE
        arrived: list[float] = []

        def on_more(*_: Any, sink: list[float] = arrived, n: int = wanted) -> None:
            if model.rowCount() >= n and not sink:
                sink.append(time.perf_counter())

        model.rowsInserted.connect(on_more)
        start = time.perf_counter()
        model.fetchMore(QModelIndex())
        _wait_until(lambda sink=arrived: bool(sink), "the next page")  # type: ignore[misc]
        model.rowsInserted.disconnect(on_more)
        nexts.append(arrived[0] - start)
        _wait_until(lambda: not model.loading, "the model to settle")
    result["nexts"] = nexts

    _wait_until(lambda: desktop.node.node is not None, "the node", timeout=60)
    marks["node_ready"] = time.time()
    _pump(500)
    result["rss_node"] = rss_mib()
    say("RESULT " + json.dumps(result))
    _shutdown(desktop, app)


def _shutdown(desktop: Any, app: Any) -> None:
    """Stop the node and the store the app's way; give up after 20 s."""
    finished: list[bool] = []
    desktop.quit(lambda: finished.append(True))
    deadline = time.monotonic() + 20
    while not finished and time.monotonic() < deadline:
        _pump(20)
    app.quit()
    sys.stdout.flush()
    os._exit(0)  # skip Qt/PySide teardown: nothing left to save


def run_gui_sync(args: argparse.Namespace) -> None:
    """Unlock the receiver profile in the app, start its node, connect to the sender and time
    a 10 ms timer's lateness on the GUI thread until every record is stored."""
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.sync import _Watch
    from smd_desktop.app import DesktopApp
    from smd_desktop.ui.home_page import HomePage

    def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
        _wait_until(condition, what, timeout, step_ms=50)

    app = QApplication(sys.argv[:1])
    QCoreApplication.setApplicationName("SMD-bench")
    QCoreApplication.setOrganizationName("SMD-bench")
    desktop = DesktopApp(Path(args.data), lan=False)
    desktop.guest.start()
    wait_until(lambda: desktop.guest.running, "the Trio guest")
    desktop.service.run(desktop.service.unlock, args.passphrase)
    wait_until(lambda: desktop.service.is_open, "the unlock")

    watch = _Watch(args.records, threading.Event())
    forward = desktop.node._on_event  # the node gets the controller's callback at start

    def on_event(event: Any) -> None:
        forward(event)
        watch.on_event(event)

    desktop.node._on_event = on_event  # type: ignore[method-assign]
    window = desktop.show_window()
    window.resize(1100, 760)
    page = window.stack.widget(0)
    assert isinstance(page, HomePage)
    wait_until(lambda: desktop.node.node is not None, "the node", timeout=60)
    wait_until(lambda: not page.model.loading, "the first page")

    lateness: list[float] = []  # seconds, of every shot
    phase: dict[str, list[float]] = {"idle": [], "sync": []}
    expected = [0.0]  # when the next shot is due (perf_counter)
    current = ["idle"]  # the phase the shots count for
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)

    def shot() -> None:
        now = time.perf_counter()
        late = max(0.0, now - expected[0])
        lateness.append(late)
        if current[0] in phase:
            phase[current[0]].append(late)
        expected[0] = time.perf_counter() + LAG_INTERVAL_MS / 1000
        timer.start(LAG_INTERVAL_MS)

    timer.timeout.connect(shot)
    expected[0] = time.perf_counter() + LAG_INTERVAL_MS / 1000
    timer.start(LAG_INTERVAL_MS)
    _pump(int(args.idle * 1000))

    current[0] = "sync"
    watch.start = start = time.perf_counter()
    cpu0 = os.times()
    desktop.service.run(desktop.node.connect, args.connect)
    deadline = time.monotonic() + args.timeout
    while not watch.done.is_set() and time.monotonic() < deadline:
        _pump(50)
    end = time.perf_counter()
    cpu1 = os.times()
    current[0] = "after"
    _pump(1000)  # the debounced timeline refresh after the last batch
    timer.stop()

    result: dict[str, Any] = {
        "complete": watch.done.is_set(),
        "elapsed": end - start,
        "first": None if watch.first_at is None else watch.first_at - start,
        "accepted": watch.total("accepted"),
        "sessions": len(watch.sessions),
        "failures": watch.failures,
        "idle": phase["idle"],
        "sync": phase["sync"],
        "cpu": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
        "rows": page.model.rowCount(),
        "rss": rss_mib(),
    }
    say("RESULT " + json.dumps(result))
    _shutdown(desktop, app)
