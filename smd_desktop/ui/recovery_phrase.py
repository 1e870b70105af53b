"""Checking a typed recovery phrase, word by word, with sentences that say what is wrong."""

from __future__ import annotations

import functools

from PySide6.QtCore import QCoreApplication

from ..core.identity import BIP39_WORDS, InvalidPhrase, RootKey

PHRASE_WORDS = 24
"""Words in a recovery phrase."""


@functools.cache
def _wordlist() -> frozenset[str]:
    return BIP39_WORDS


def numbered(positions: list[int]) -> str:
    """'Word 5', 'Words 5 and 9', 'Words 5, 9 and 12'."""
    if len(positions) == 1:
        return QCoreApplication.translate("RecoveryPhrase", "Word {n}").format(n=positions[0])
    return QCoreApplication.translate("RecoveryPhrase", "Words {list} and {last}").format(
        list=", ".join(map(str, positions[:-1])), last=positions[-1]
    )


def phrase_problem(text: str, *, partial: bool = False) -> str | None:
    """What is wrong with a typed recovery phrase, as a sentence; None if it is valid.

    With ``partial`` (while typing), only finished words are checked (the last one counts once
    a space follows it) and neither the count nor the checksum is.
    """
    words = text.lower().split()
    if partial and text and not text[-1].isspace():
        words = words[:-1]
    unknown = [(n, w) for n, w in enumerate(words, 1) if w not in _wordlist()]
    if unknown:
        quoted = QCoreApplication.translate("RecoveryPhrase", "“{word}”")
        shown = ", ".join(quoted.format(word=w) for _, w in unknown[:3])
        if len(unknown) == 1:
            text = QCoreApplication.translate(
                "RecoveryPhrase",
                "{words} ({shown}) is not in the recovery word list; check the spelling.",
            )
        else:
            text = QCoreApplication.translate(
                "RecoveryPhrase",
                "{words} ({shown}) are not in the recovery word list; check the spelling.",
            )
        return text.format(words=numbered([n for n, _ in unknown[:3]]), shown=shown)
    if partial:
        return None
    if len(words) != PHRASE_WORDS:
        return QCoreApplication.translate(
            "RecoveryPhrase", "A recovery phrase has {expected} words; this one has {count}."
        ).format(expected=PHRASE_WORDS, count=len(words))
    try:
        RootKey.from_phrase(" ".join(words))  # a checksum only: cheap, no key derivation
    except InvalidPhrase:
        return QCoreApplication.translate(
            "RecoveryPhrase",
            "These words are all valid, but not in this order or combination; check each word "
            "and its position.",
        )
    return None
