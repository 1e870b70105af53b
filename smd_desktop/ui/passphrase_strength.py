"""A rough, pure estimate of how hard a passphrase is to guess, for the live hint under the field.

It is a hint, not a guarantee: it counts character classes and length, discounts repeated
characters, runs such as ``abc``/``123``/``qwerty`` and the most common passwords, and turns
what is left into bits. Only length is enforced (:data:`MIN_LENGTH`); the rest is advice, since
the store key also goes through Argon2id.

Names and hints are English source texts, marked for translation with the context
``PassphraseStrength``; whoever shows them translates them (``QCoreApplication.translate``).
"""

from __future__ import annotations

import itertools
import math
import string
from dataclasses import dataclass

from .i18n import QT_TRANSLATE_NOOP

MIN_LENGTH = 8
"""Shorter passphrases are refused."""

LEVEL_NAMES = (
    QT_TRANSLATE_NOOP("PassphraseStrength", "Very weak"),
    QT_TRANSLATE_NOOP("PassphraseStrength", "Weak"),
    QT_TRANSLATE_NOOP("PassphraseStrength", "Fair"),
    QT_TRANSLATE_NOOP("PassphraseStrength", "Good"),
    QT_TRANSLATE_NOOP("PassphraseStrength", "Strong"),
)
"""A short name for each level, for a meter's label."""

# Bits of estimated entropy at which each level from 1 to 4 starts.
_LEVEL_BITS = (28, 45, 65, 85)

# Some of the most common passwords in public breach lists (lowercase). Checked whole, with
# digits or punctuation stripped from the end, and as parts of a longer passphrase.
_COMMON = """
    password passw0rd password1 password12 password123 123456 1234567 12345678 123456789
    1234567890 12345 1234 111111 000000 123123 654321 666666 121212 987654321 qwerty
    qwerty123 qwertyuiop asdfgh asdfghjkl zxcvbnm 1q2w3e4r 1q2w3e4r5t zaq12wsx abc123
    iloveyou admin welcome monkey dragon letmein football baseball basketball sunshine
    princess master shadow superman batman trustno1 starwars whatever freedom michael
    charlie jordan hunter ashley killer computer secret cheese soccer pokemon access
    mustang summer winter flower hello login changeme default internet samsung google
    loveme lovely jennifer jessica michelle daniel matrix liverpool chelsea arsenal
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())
"""Some of the most common passwords, lowercase."""

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "abcdefghijklmnopqrstuvwxyz")
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "3": "e", "$": "s", "5": "s"})
_STEP_WEIGHT = 0.25  # a character next to the previous one in a run ("abc", "qwe") adds little
_REPEAT_WEIGHT = 0.05  # the same character again adds almost nothing


@dataclass(frozen=True, slots=True)
class Strength:
    """The estimate for one passphrase."""

    level: int
    """0 (very weak) to 4 (strong); :data:`LEVEL_NAMES` names them."""
    hint: str
    """One plain sentence for the user."""
    acceptable: bool
    """Whether the passphrase may be used (only length is enforced)."""

    @property
    def name(self) -> str:
        """The level's short name, such as ``"Fair"``."""
        return LEVEL_NAMES[self.level]


def _is_step(a: str, b: str) -> bool:
    """Whether ``b`` repeats ``a`` or is next to it in a row of the keyboard or the alphabet."""
    if a == b:
        return True
    for row in _KEYBOARD_ROWS:
        i, j = row.find(a), row.find(b)
        if i >= 0 and j >= 0 and abs(i - j) == 1:
            return True
    return False


def _pool_size(text: str) -> int:
    pool = 0
    if any(c in string.ascii_lowercase for c in text):
        pool += 26
    if any(c in string.ascii_uppercase for c in text):
        pool += 26
    if any(c in string.digits for c in text):
        pool += 10
    if any(c in string.punctuation for c in text):
        pool += len(string.punctuation)
    if " " in text:
        pool += 1
    if any(not c.isascii() for c in text):
        pool += 100
    return max(pool, 1)


def _without_common_parts(folded: str) -> tuple[str, bool]:
    """``folded`` with each common password of 4+ characters in it cut to one character."""
    found = False
    for word in sorted(COMMON_PASSWORDS, key=len, reverse=True):
        if len(word) >= 4 and word in folded:
            folded = folded.replace(word, "\x00")
            found = True
    return folded, found


def _one_period(text: str) -> tuple[str, int]:
    """``text`` cut to its repeating unit ("abcabcab" -> "abc") and the characters cut."""
    for period in range(1, len(text) // 2 + 1):
        if text[period:] == text[:-period]:
            return text[:period], len(text) - period
    return text, 0


def estimate_strength(passphrase: str) -> Strength:
    """Estimate how hard ``passphrase`` is to guess.

    Pure and fast enough to call on every keystroke.
    """
    if len(passphrase) < MIN_LENGTH:
        return Strength(
            0,
            QT_TRANSLATE_NOOP(
                "PassphraseStrength",
                "Use at least 8 characters; a few unrelated words are strongest.",
            ),
            False,
        )
    lower = passphrase.lower()
    folded = lower.translate(_LEET)
    trimmed = {lower.rstrip(string.digits + string.punctuation + " "), lower, folded}
    if trimmed & COMMON_PASSWORDS:
        return Strength(
            0,
            QT_TRANSLATE_NOOP(
                "PassphraseStrength",
                "This is one of the most common passwords; pick something nobody would guess.",
            ),
            True,
        )
    # Cut common passwords out, spelled plainly or in "leetspeak", whichever removes more.
    reduced, has_common = min(
        _without_common_parts(lower), _without_common_parts(folded), key=lambda r: len(r[0])
    )
    reduced, repeated = _one_period(reduced)
    pairs = list(itertools.pairwise(reduced))
    steps = [_is_step(a, b) for a, b in pairs]
    length = 1.0
    patterned = repeated
    for i, ((a, b), step) in enumerate(zip(pairs, steps, strict=True)):
        # Only runs of three or more count as a pattern: "st" or "tt" alone are just English.
        if step and ((i > 0 and steps[i - 1]) or (i + 1 < len(steps) and steps[i + 1])):
            length += _REPEAT_WEIGHT if a == b else _STEP_WEIGHT
            patterned += 1
        else:
            length += 1.0
    # A repeated unit costs a guesser little more than the unit and the number of repeats.
    bits = length * math.log2(_pool_size(passphrase)) + math.log2(1 + repeated / len(reduced))
    level = sum(1 for threshold in _LEVEL_BITS if bits >= threshold)
    if level <= 2 and has_common:
        hint = QT_TRANSLATE_NOOP(
            "PassphraseStrength", "It contains a common password; add a few unrelated words."
        )
    elif level <= 2 and patterned * 3 >= len(passphrase):
        hint = QT_TRANSLATE_NOOP(
            "PassphraseStrength",
            "Repeated characters and runs like “abc” or “123” are easy to guess.",
        )
    else:
        hint = (
            QT_TRANSLATE_NOOP("PassphraseStrength", "Very weak: add a few unrelated words."),
            QT_TRANSLATE_NOOP(
                "PassphraseStrength", "Weak: add more unrelated words or characters."
            ),
            QT_TRANSLATE_NOOP(
                "PassphraseStrength",
                "Fair: one or two more unrelated words would make it much stronger.",
            ),
            QT_TRANSLATE_NOOP("PassphraseStrength", "Good passphrase."),
            QT_TRANSLATE_NOOP("PassphraseStrength", "Strong passphrase."),
        )[level]
    return Strength(level, hint, True)
