"""Checking a typed recovery phrase, word by word, with sentences that say what is wrong."""

from __future__ import annotations

import functools

from ..core.identity import BIP39_WORDS, InvalidPhrase, RootKey

PHRASE_WORDS = 24
"""Words in a recovery phrase."""


@functools.cache
def _wordlist() -> frozenset[str]:
    return BIP39_WORDS


def numbered(positions: list[int]) -> str:
    """'Word 5', 'Words 5 and 9', 'Words 5, 9 and 12'."""
    if len(positions) == 1:
        return f"Word {positions[0]}"
    return "Words " + ", ".join(map(str, positions[:-1])) + f" and {positions[-1]}"


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
        shown = ", ".join(f"“{w}”" for _, w in unknown[:3])
        verb = "is" if len(unknown) == 1 else "are"
        return (
            f"{numbered([n for n, _ in unknown[:3]])} ({shown}) {verb} not in the recovery "
            "word list; check the spelling."
        )
    if partial:
        return None
    if len(words) != PHRASE_WORDS:
        return f"A recovery phrase has {PHRASE_WORDS} words; this one has {len(words)}."
    try:
        RootKey.from_phrase(" ".join(words))  # a checksum only: cheap, no key derivation
    except InvalidPhrase:
        return (
            "These words are all valid, but not in this order or combination; check each word "
            "and its position."
        )
    return None
