"""End to end: the desktop app and an ``smd node`` process on 127.0.0.1 exchange posts."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from smd_desktop.app import DesktopApp
from smd_desktop.core.ids import identity_text
from smd_desktop.core.testing import make_profile
from smd_desktop.ui.home_page import HomePage

PASSPHRASE = "correct horse battery staple"
SMD = Path(sys.executable).with_name("smd")
LOOPBACK = "/ip4/127.0.0.1/tcp/0"


def smd(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SMD), "--data-dir", str(data_dir), *args],
        env={**os.environ, "SMD_PASSPHRASE": PASSPHRASE},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_node(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [str(SMD), "--data-dir", str(data_dir), "node", "--no-mdns", "--listen", LOOPBACK],
        env={**os.environ, "SMD_PASSPHRASE": PASSPHRASE},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    line = lines.get(timeout=30)
    assert line.startswith("listening on "), line
    return proc, line.split()[2]


def test_a_post_in_the_app_and_a_post_from_a_node_reach_each_other(
    qtbot: QtBot, tmp_path: Path
) -> None:
    app_dir, node_dir = tmp_path / "app", tmp_path / "node"
    ada = make_profile(app_dir, "Ada", passphrase=PASSPHRASE)
    bo = make_profile(node_dir, "Bo", passphrase=PASSPHRASE)
    ada.follow(bo.identity)
    bo.follow(ada.identity)
    bo_identity = bo.identity
    ada.close()
    bo.close()
    proc, address = start_node(node_dir)
    desktop = DesktopApp(app_dir, lan=False)
    try:
        with qtbot.waitSignal(desktop.guest.started, timeout=5000):
            desktop.guest.start()
        with qtbot.waitSignal(desktop.service.unlocked, timeout=10_000):
            desktop.service.run(desktop.service.unlock, PASSPHRASE)
        window = desktop.show_window()
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: desktop.node.node is not None, timeout=30_000)
        assert desktop.network.status.text().startswith("Online")
        qtbot.waitUntil(
            lambda: desktop.network.invite.toPlainText().startswith("smd1"), timeout=10_000
        )

        desktop.network.target.setText(address)
        desktop.network.connect_button.click()
        qtbot.waitUntil(
            lambda: desktop.network.feedback.text().startswith("Connected"), timeout=20_000
        )

        # A post from the node's side shows up in the app's timeline.
        assert smd(node_dir, "post", "hello from the node").returncode == 0
        home = window.stack.widget(0)
        assert isinstance(home, HomePage)

        def texts() -> list[str]:
            return [row.post.text for row in home.model.rows]

        qtbot.waitUntil(lambda: "hello from the node" in texts(), timeout=20_000)

        # A post written in the app reaches the node.
        home.compose.editor.setPlainText("hello from the app")
        home.compose.submit()

        def node_has_it() -> bool:
            feed = smd(node_dir, "feed", "--json", "--author", identity_text(ada_identity))
            return feed.returncode == 0 and any(
                p["text"] == "hello from the app" for p in json.loads(feed.stdout)
            )

        ada_identity = desktop.service.profile.identity
        deadline = time.monotonic() + 20
        while not node_has_it():
            assert time.monotonic() < deadline, "the app's post never reached the node"
            qtbot.wait(100)  # let the Qt loop (and the Trio guest) run between checks

        # Double-clicking the node's post opens its author's profile.
        home.open_identity.emit(bytes(bo_identity))
        qtbot.waitUntil(lambda: window.stack.currentWidget() is desktop.profile_page, timeout=5000)

        with qtbot.waitSignal(desktop.guest.finished, timeout=15_000):
            window.close()
        assert not window.isVisible()
        assert desktop.guest.crash is None
    finally:
        if not desktop.guest.done:
            with qtbot.waitSignal(desktop.guest.finished, timeout=15_000):
                desktop.quit(lambda: None)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
