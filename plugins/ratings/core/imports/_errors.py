"""The one error the import path raises on purpose."""

from __future__ import annotations

from smd_desktop.core.errors import UserError


class ImportRefused(UserError):
    """A platform file, or what the user gave with it, cannot be imported as it is.

    The user's to fix (another file, the right platform, a corrected row, an https profile
    URL); the message is one sentence saying what and, for a bad row, which one. Nothing was
    imported.
    """
