"""The installed ``smd`` console script, run as a real process: exit codes, clean stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from smd_desktop import __version__

from .support import PASSPHRASE, SMD_BIN


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``smd ARGS`` with stdin not a terminal, the test environment plus ``env``."""
    assert SMD_BIN.exists(), f"the smd console script is not installed at {SMD_BIN}"
    return subprocess.run(
        [str(SMD_BIN), *map(str, args)],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_scripted_session_init_post_feed(tmp_path: Path) -> None:
    data = tmp_path / "profile"

    init = run("--data-dir", data, "init", "--name", "Ada")
    assert (init.returncode, init.stderr) == (0, "")
    found = re.search(r"^Identity: (z6Mk\w+)\nDevice:   (12D3KooW\w+)\n", init.stdout, re.M)
    assert found is not None, init.stdout
    identity, device = found.groups()

    post = run("--data-dir", data, "post", "Hello from a script", "--tag", "cli")
    assert (post.returncode, post.stderr) == (0, "")
    assert re.fullmatch(r"[0-9a-f]{64}\n", post.stdout)

    feed = run("--data-dir", data, "feed", "--json")
    assert (feed.returncode, feed.stderr) == (0, "")
    [entry] = json.loads(feed.stdout)
    assert {
        k: entry[k] for k in ("id", "author", "author_name", "device", "seq", "text", "tags")
    } == {
        "id": post.stdout.strip(),
        "author": identity,
        "author_name": "Ada",
        "device": device,
        "seq": 3,
        "text": "Hello from a script",
        "tags": ["cli"],
    }


def test_an_error_is_one_line_on_stderr_with_exit_code_1(tmp_path: Path) -> None:
    data = tmp_path / "profile"
    assert run("--data-dir", data, "init").returncode == 0

    wrong = run("--data-dir", data, "whoami", SMD_PASSPHRASE=PASSPHRASE + "x")

    assert (wrong.returncode, wrong.stdout, wrong.stderr) == (1, "", "smd: wrong passphrase\n")


@pytest.mark.parametrize(
    ("args", "code", "stdout", "stderr"),
    [
        (("--version",), 0, f"smd {__version__}\n", ""),
        (
            (),
            1,
            "",
            "smd: run a command (see 'smd --help'), or start smd in a terminal\n",
        ),
    ],
    ids=["version", "no-command"],
)
def test_version_and_no_command(
    tmp_path: Path, args: tuple[str, ...], code: int, stdout: str, stderr: str
) -> None:
    result = run("--data-dir", tmp_path / "p", *args)

    assert (result.returncode, result.stdout, result.stderr) == (code, stdout, stderr)
