"""install.sh against a stand-in bundle: where files go, upgrades, and a clean uninstall.

The real bundle is exercised by scripts/smoke-bundle; these checks only need ``sh``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .support import APP_ID, DESKTOP_FILE, HICOLOR, ICON_SIZES, INSTALL_SH, METAINFO_FILE

# Caches that update-desktop-database / gtk-update-icon-cache rebuild for a whole folder.
SHARED_CACHES = {"mimeinfo.cache", "icon-theme.cache"}


def fake_release(root: Path) -> Path:
    """The layout scripts/package puts in the .tar.gz, with shell scripts as the bundle."""
    release = root / "smd-0.1.0-linux-x86_64"
    app = release / "app"
    (app / "_internal").mkdir(parents=True)
    for name in ("smd", "smd-desktop"):
        exe = app / name
        exe.write_text(f'#!/bin/sh\necho "{name} 0.1.0"\n')
        exe.chmod(0o755)
    shutil.copy(INSTALL_SH, release / "install.sh")
    (release / "share" / "applications").mkdir(parents=True)
    shutil.copy(DESKTOP_FILE, release / "share" / "applications")
    (release / "share" / "metainfo").mkdir(parents=True)
    shutil.copy(METAINFO_FILE, release / "share" / "metainfo")
    shutil.copytree(HICOLOR, release / "share" / "icons" / "hicolor")
    return release


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    return {**clean, "HOME": str(home)}


def sh(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", *map(str, args)], capture_output=True, text=True, env=env, check=False
    )


def files_under(path: Path) -> set[Path]:
    return {
        p.relative_to(path)
        for p in path.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.name not in SHARED_CACHES
    }


def test_install_script_has_valid_syntax() -> None:
    assert subprocess.run(["sh", "-n", str(INSTALL_SH)], check=False).returncode == 0


def test_user_install_places_bundle_commands_entry_and_icons(
    tmp_path: Path, env: dict[str, str]
) -> None:
    release = fake_release(tmp_path)
    result = sh(release / "install.sh", env=env)
    assert result.returncode == 0, result.stderr
    share = Path(env["HOME"]) / ".local" / "share"
    appdir = share / "smd-desktop"
    bin_ = Path(env["HOME"]) / ".local" / "bin"
    assert (bin_ / "smd").resolve() == appdir / "smd"
    assert (bin_ / "smd-desktop").resolve() == appdir / "smd-desktop"
    run = subprocess.run([bin_ / "smd"], capture_output=True, text=True, check=True)
    assert run.stdout == "smd 0.1.0\n"
    desktop = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert f'Exec="{appdir}/smd-desktop"\n' in desktop
    assert f"TryExec={appdir}/smd-desktop\n" in desktop
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in ICON_SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_xdg_data_home_is_honoured(tmp_path: Path, env: dict[str, str]) -> None:
    release = fake_release(tmp_path)
    data = tmp_path / "xdg-data"
    result = sh(release / "install.sh", env={**env, "XDG_DATA_HOME": str(data)})
    assert result.returncode == 0, result.stderr
    assert (data / "smd-desktop" / "smd").is_file()
    assert (data / "applications" / f"{APP_ID}.desktop").is_file()


def test_reinstall_then_uninstall_leaves_the_prefix_empty_and_the_profile_alone(
    tmp_path: Path, env: dict[str, str]
) -> None:
    release = fake_release(tmp_path)
    prefix = tmp_path / "prefix"
    profile = prefix / "share" / "smd" / "profile.db"  # the default profile directory's name
    profile.parent.mkdir(parents=True)
    profile.write_text("keys")
    for _ in range(2):
        result = sh(release / "install.sh", "--prefix", prefix, env=env)
        assert result.returncode == 0, result.stderr
    assert (prefix / "bin" / "smd").is_symlink()
    result = sh(prefix / "share" / "smd-desktop" / "uninstall.sh", env=env)
    assert result.returncode == 0, result.stderr
    assert files_under(prefix) == {Path("share/smd/profile.db")}
    assert "Your profile and settings were kept." in result.stdout


def test_a_folder_not_made_by_the_installer_is_never_removed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    release = fake_release(tmp_path)
    prefix = tmp_path / "prefix"
    foreign = prefix / "share" / "smd-desktop" / "notes.txt"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("mine")
    result = sh(release / "install.sh", "--prefix", prefix, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("was not made by this script; not touching it")
    assert foreign.read_text() == "mine"


def test_an_existing_command_that_is_not_a_link_is_left_alone(
    tmp_path: Path, env: dict[str, str]
) -> None:
    release = fake_release(tmp_path)
    prefix = tmp_path / "prefix"
    own = prefix / "bin" / "smd"
    own.parent.mkdir(parents=True)
    own.write_text("#!/bin/sh\necho mine\n")
    result = sh(release / "install.sh", "--prefix", prefix, env=env)
    assert result.returncode == 0, result.stderr
    assert own.read_text() == "#!/bin/sh\necho mine\n"
    assert "exists and is not a link; left alone" in result.stderr
    assert sh(prefix / "share" / "smd-desktop" / "uninstall.sh", env=env).returncode == 0
    assert own.read_text() == "#!/bin/sh\necho mine\n"
