"""Render the main screens to PNG offscreen with realistic sample data (docs/screenshots/).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

Builds throwaway profiles in a temporary directory (fast KDF), fills them with posts, follows
and reference entries, opens the app unlocked without starting the network, and grabs each
page.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

import plugins.ratings.plugin as ratings_plugin
import plugins.references.plugin as references_plugin
from plugins.ratings.core.facade import Ratings
from plugins.references.core import AffiliateLink, Directory, EntryDraft
from smd_desktop.app import DesktopApp
from smd_desktop.core.profile import Image
from smd_desktop.core.testing import copy_records, make_profile
from smd_desktop.ui.home_page import HomePage

PASSPHRASE = "sample passphrase for screenshots"
POSTS = {
    "Maya Okafor": [
        "Finished the ceramic glaze tests: the ash glaze from the orchard wood came out a soft "
        "green. Notes and recipe on my references page soon.",
        "Anyone near the river market on Saturday? I'm bringing seedlings to swap.",
    ],
    "Tomás Rivera": [
        "New route for the Sunday ride: 62 km, mostly gravel, one brutal climb. Who's in?",
        "Reminder that the repair café is back next week. Bring your broken lamps!",
    ],
}


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: object, timeout_ms: int = 15_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:  # type: ignore[operator]
        pump(50)
        waited += 50


PLUGINS = [references_plugin, ratings_plugin]
SAMPLES = Path(__file__).resolve().parents[1] / "plugins" / "ratings" / "samples"

REFERENCES = [
    EntryDraft(
        title="Rancilio Silvia espresso machine",
        url="https://www.ranciliogroup.com/rancilio-silvia/",
        category=("Kitchen", "Coffee"),
        note="Eight years, two gaskets, zero regrets. Learn to temperature-surf.",
        tags=("espresso",),
        since="2017",
        still_using=True,
        verdict="essential",
        affiliate=(AffiliateLink("Example Partners", "https://shop.example.com/silvia?aff=ada"),),
        disclosures=frozenset({"affiliate"}),
    ),
    EntryDraft(
        title="Lodge cast-iron skillet, 10 inch",
        url="https://www.lodgecastiron.com/",
        category=("Kitchen", "Cookware"),
        note="The pan I would save from a fire.",
        verdict="recommend",
        disclosures=frozenset({"free"}),
    ),
    EntryDraft(
        title="Structure and Interpretation of Computer Programs",
        url="https://mitpress.mit.edu/9780262510875/",
        category=("Books", "Programming"),
        note="Read it slowly, do the exercises.",
        verdict="essential",
    ),
]


def build_sample(root: Path) -> Path:
    me = make_profile(root / "me", "Ada Lovelace", passphrase=PASSPHRASE, plugins=PLUGINS)
    avatar = Path(__file__).resolve().parents[1] / "resources/icons/hicolor/128x128/apps"
    me.set_profile(
        bio="Engines, poetry and sourdough.",
        avatar=Image.from_bytes((avatar / "org.smd.Desktop.png").read_bytes()),
    )
    for draft in REFERENCES:
        Directory(me).add(draft)
    for name, texts in POSTS.items():
        friend = make_profile(
            root / name.split()[0].lower(), name, passphrase=PASSPHRASE, plugins=PLUGINS
        )
        for text in texts:
            friend.post(text)
        if name.startswith("Maya"):
            Directory(friend).add(
                EntryDraft(
                    title="Skutt KM-818 kiln",
                    url="https://skutt.com/",
                    category=("Studio", "Ceramics"),
                    note="Reliable, and the controller is easy to program for glaze tests.",
                    verdict="recommend",
                )
            )
        copy_records(friend.store, me.store)
        me.follow(friend.identity)
        Ratings(me).trust(friend.identity, 2, context="p2p-sale", note="Sold me a bike")
        friend.close()
    Ratings(me).import_file(
        SAMPLES / "ebay_feedback.csv",
        "ebay",
        "https://www.ebay.com/usr/ada_cameras",
        link=True,
    )
    me.post("Trying out SMD: my posts live on my own machines, signed, and reach friends directly.")
    png = Path(__file__).resolve().parents[1] / "resources"
    icon = next(png.glob("**/*.png"), None)
    if icon is not None:
        me.post("With a picture this time.", images=[Image.from_bytes(icon.read_bytes())])
    me.close()
    return root / "me"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("SMD-screenshots")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = build_sample(Path(tmp))
        desktop = DesktopApp(data_dir, lan=False)
        desktop.guest.start()
        wait_until(lambda: desktop.guest.running)
        desktop.service.run(desktop.service.unlock, PASSPHRASE)
        wait_until(lambda: desktop.service.is_open)
        from smd_desktop.ui.main_window import MainWindow

        window = MainWindow(desktop.service, desktop.pages())
        window.resize(1100, 760)
        window.show()
        home = window.stack.widget(0)
        assert isinstance(home, HomePage)
        wait_until(lambda: len(home.model.rows) >= 5)
        pump(300)
        for title in window.page_titles():
            window.show_page(title)
            if title == "Network":
                desktop.network.set_listening(["/ip4/192.0.2.10/tcp/41234/p2p/12D3KooW…"])
                desktop.network.peer_connected(
                    "12D3KooWExamplePeerMaya", ["/ip4/192.0.2.20/tcp/4001"]
                )
                desktop.network.sync_progress("12D3KooWExamplePeerMaya", 640, 1000)
                desktop.network.set_invite("smd1" + "ExampleInviteCode" * 8)
            if title == "References":
                refs: Any = window.stack.currentWidget()
                wait_until(lambda refs=refs: refs.entries.rowCount() == len(REFERENCES))
                refs.show_entry(refs.entries.entry_at(1).id)
            pump(200)
            path = out / f"{title.lower()}.png"
            window.grab().save(str(path))
            print(f"wrote {path}")
        desktop.service.run(desktop.service.close)
        wait_until(lambda: not desktop.service.is_open)
        desktop.guest.shutdown()
        wait_until(lambda: desktop.guest.done)
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
