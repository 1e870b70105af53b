"""Core error messages as sentences for the user."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def as_sentence(text: str) -> str:
    """A core error message ("wrong passphrase") as a sentence ("Wrong passphrase.")."""
    text = text.strip()
    if not text:
        return QCoreApplication.translate("Sentences", "Something went wrong.")
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
