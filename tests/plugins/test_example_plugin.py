"""The third-party example of docs/PLUGINS.md, really installed (pip, into a temporary
directory) and found through its entry point, exactly like any other plugin; and a broken
plugin that must not take ``smd`` down."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smd_desktop.cli import main
from smd_desktop.core.plugins import PluginHost

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "plugin-example"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example installed with pip into its own directory (no network: no build
    isolation, no dependencies)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # A broken third-party plugin next to it: its module raises on import.
    dist = target / "smd_broken-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: smd-broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[smd.plugins]\nbroken = smd_broken_plugin\n")
    (target / "smd_broken_plugin.py").write_text("raise RuntimeError('half-installed')\n")
    return target


@pytest.fixture
def installed(site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("SMD_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("SMD_KDF", "interactive")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    yield tmp_path / "profile"
    for name in [m for m in sys.modules if m.startswith(("smd_reading_list", "smd_broken"))]:
        del sys.modules[name]


def smd(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_installed_example_is_discovered_with_the_built_ins(installed: Path) -> None:
    host = PluginHost.discover()
    by_name = {s.name: s for s in host.statuses()}
    assert by_name["readinglist"].error == ""
    assert by_name["readinglist"].types == ("readinglist/book/1",)
    assert by_name["readinglist"].source == (
        "smd-reading-list: readinglist = smd_reading_list.plugin"
    )
    assert "references" in by_name  # the built-in registers the same way
    assert by_name["broken"].error == "cannot load: RuntimeError: half-installed"


def test_the_example_works_end_to_end_from_the_command_line(
    installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smd(capsys, installed, "init", "--name", "Ada")[0] == 0
    code, out, err = smd(
        capsys, installed, "books", "add", "The Dispossessed", "--author", "Le Guin"
    )
    assert (code, err) == (0, "")
    book_id = out.strip()
    assert len(book_id) == 64

    code, out, _ = smd(capsys, installed, "books", "list", "--json")
    assert code == 0
    books = json.loads(out)
    assert [(b["id"], b["title"], b["author"], b["status"], b["name"]) for b in books] == [
        (book_id, "The Dispossessed", "Le Guin", "want", "Ada")
    ]
    code, out, err = smd(capsys, installed, "books", "add", " ", "--status", "done")
    assert (code, err) == (1, "smd: title must be 1 to 200 characters\n")


def test_a_broken_plugin_is_listed_with_its_problem_and_smd_keeps_working(
    installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smd(capsys, installed, "init", "--name", "Ada")[0] == 0
    assert smd(capsys, installed, "post", "still here")[0] == 0
    code, out, _ = smd(capsys, installed, "plugins", "list", "--json")
    assert code == 0
    states = {p["name"]: (p["active"], p["error"]) for p in json.loads(out)}
    assert states["broken"] == (False, "cannot load: RuntimeError: half-installed")
    assert states["readinglist"] == (True, "")


def test_a_plugin_disabled_in_a_profile_says_so_and_keeps_its_data(
    installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    smd(capsys, installed, "init", "--name", "Ada")
    smd(capsys, installed, "books", "add", "Kindred")
    assert smd(capsys, installed, "plugins", "disable", "readinglist")[1] == (
        "readinglist disabled.\n"
    )
    code, _, err = smd(capsys, installed, "books", "add", "Dawn")
    assert (code, err) == (
        1,
        "smd: the plugin readinglist is disabled (smd plugins enable readinglist)\n",
    )
    assert smd(capsys, installed, "plugins", "enable", "readinglist")[0] == 0
    code, out, _ = smd(capsys, installed, "books", "list", "--json")
    assert code == 0
    assert [b["title"] for b in json.loads(out)] == ["Kindred"]
