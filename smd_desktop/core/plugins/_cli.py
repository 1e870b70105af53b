"""What ``smd`` hands to plugins that add sub-commands (the ``smd_cli_commands`` hook)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Protocol

from ..ids import IdentityKey

if TYPE_CHECKING:
    from ..profile import Profile


class CliContext(Protocol):
    """The command line's services for plugin commands."""

    def open_profile(self, args: argparse.Namespace) -> Profile:
        """Unlock the profile of ``args.data_dir`` (passphrase from the environment or a
        prompt), with the plugins attached. The caller closes it."""
        ...

    def print_json(self, value: Any) -> None:
        """Print ``value`` as JSON on stdout (bytes never appear: pass text ids)."""
        ...

    def name_of(self, profile: Profile, identity: IdentityKey) -> str:
        """A person's display name, or their id when no profile record is known."""
        ...
