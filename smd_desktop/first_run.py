"""The interactive terminal flow of ``smd`` with no command (what the run command starts until
the desktop window exists): first run (create or restore), then unlock and a small home loop.
"""

from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path

from .cli import format_post, kdf_from_env, warn_forks
from .core.errors import SmdError, WrongPassphrase
from .core.ids import identity_text, parse_identity, peer_id_text
from .core.profile import Profile
from .core.store import profile_exists

HELP = """Commands:
  <text>            publish a post
  /feed             show your timeline
  /follow ID        follow an identity (z6Mk... or did:key:...)
  /whoami           show your ids
  /quit             leave"""


def _ask_passphrase_twice() -> str:
    while True:
        first = getpass.getpass("Choose a passphrase: ")
        if len(first) < 8:
            print("Use at least 8 characters; a few unrelated words are strongest.")
            continue
        if getpass.getpass("Repeat it: ") == first:
            return first
        print("The two entries differ; try again.")


def _confirm_phrase(phrase: str) -> None:
    words = phrase.split()
    print("\nYour recovery phrase (write it down now; it is shown only once):\n")
    for i in range(0, 24, 6):
        print("   " + "  ".join(f"{n + 1:2}. {w:<9}" for n, w in enumerate(words[i : i + 6], i)))
    input("\nPress Enter once it is written down. ")
    print("\n" * 40)  # scroll the phrase away
    for n in sorted(secrets.SystemRandom().sample(range(24), 3)):
        while input(f"Word number {n + 1}: ").strip().lower() != words[n]:
            print("That is not it; check what you wrote down.")


def first_run(data_dir: Path) -> Profile:
    """Create or restore an identity interactively."""
    print("Welcome to SMD. Your profile lives only on your devices, encrypted.")
    choice = input("Create a new identity [c] or restore from a recovery phrase [r]? ").strip()
    if choice.lower().startswith("r"):
        phrase = input("Recovery phrase (24 words): ")
        profile = Profile.restore(data_dir, _ask_passphrase_twice(), phrase, kdf=kdf_from_env())
        print(f"Restored {identity_text(profile.identity)} as a new device.")
        return profile
    name = ""
    while not name:
        name = input("Display name: ").strip()
    profile = Profile.create(data_dir, _ask_passphrase_twice(), name=name, kdf=kdf_from_env())
    _confirm_phrase(profile.root.phrase())
    print(f"Done. Your identity: {identity_text(profile.identity)}")
    return profile


def unlock(data_dir: Path) -> Profile:
    """Ask for the passphrase until it opens the profile."""
    while True:
        try:
            return Profile.open(data_dir, getpass.getpass("Passphrase: "))
        except WrongPassphrase:
            print("Wrong passphrase; try again (Ctrl-C to leave).")


def _home(profile: Profile) -> None:
    print(HELP)
    while True:
        try:
            line = input("\nsmd> ").strip()
        except EOFError:
            return
        try:
            if not line:
                continue
            if line in ("/quit", "/q", "/exit"):
                return
            if line == "/feed":
                posts = profile.timeline(limit=20)
                print("\n\n".join(format_post(p) for p in posts) or "No posts yet.")
                warn_forks(profile)
            elif line.startswith("/follow "):
                target = parse_identity(line.split(maxsplit=1)[1])
                profile.follow(target)
                print(f"Following {identity_text(target)}")
            elif line == "/whoami":
                print(f"Identity {identity_text(profile.identity)}")
                print(f"Device   {peer_id_text(profile.device_key)}")
            elif line.startswith("/"):
                print(HELP)
            else:
                print(f"Posted {profile.post(line).id.hex()}")
        except SmdError as exc:
            print(f"error: {exc}")


def run_interactive(data_dir: Path) -> int:
    """First run if needed, then the home loop. Returns the exit code."""
    if not sys.stdin.isatty():
        print("smd: run a command (see 'smd --help'), or start smd in a terminal", file=sys.stderr)
        return 1
    try:
        profile = unlock(data_dir) if profile_exists(data_dir) else first_run(data_dir)
    except (KeyboardInterrupt, EOFError):
        print()
        return 130
    try:
        _home(profile)
    except KeyboardInterrupt:
        print()
    finally:
        profile.close()
    return 0
