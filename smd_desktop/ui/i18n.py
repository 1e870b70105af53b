"""The UI's translations: SMD's catalogue and Qt's own, for the user's language.

SMD's catalogues are ``resources/translations/smd_<lang>.qm``, built from the committed
``smd_<lang>.ts`` files by ``resources/translations/update.sh`` (see the README there). Strings
are marked in the code with ``self.tr(...)`` or ``QCoreApplication.translate(context, ...)``;
with no catalogue installed they show their English source text unchanged.

Plurals use Qt's numerus form, ``self.tr("%n peer(s)", "", n)``: a translation supplies the
right form for its language, and :func:`english_plural` turns the untranslated ``(s)`` into
plain English ("1 peer", "3 peers").
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "translations"
"""resources/ sits next to the package in the source tree and in the PyInstaller bundle."""

LANG_ENV = "SMD_LANG"
"""Environment variable naming the UI language (``de``, ``fr_FR``), overriding the system's."""

CATALOGUE = "smd"
"""The catalogues' base name: ``smd_<lang>.qm``."""


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # noqa: N802 (lupdate's name)
    """Mark ``source`` for lupdate under ``context``; returns it unchanged.

    For English constants evaluated before any translator exists (column titles, messages
    kept as module constants): show them with ``QCoreApplication.translate(context, text)``,
    or ``self.tr(text)`` in the class named ``context``. Qt's own ``QT_TRANSLATE_NOOP`` does
    the same but is typed to return ``object``.
    """
    return source


def chosen_locale(locale: str | None = None) -> QLocale:
    """``locale`` if given, else :data:`LANG_ENV` if set, else the system's locale."""
    name = locale or os.environ.get(LANG_ENV, "").strip()
    return QLocale(name) if name else QLocale.system()


def install_translator(
    app: QCoreApplication, locale: str | None = None, *, directory: Path | None = None
) -> QTranslator | None:
    """Install SMD's catalogue for ``locale`` (see :func:`chosen_locale`), and Qt's own.

    Looks for ``smd_<lang>.qm`` in ``directory`` (default :data:`TRANSLATIONS_DIR`), trying
    the locale's UI languages in turn (``de_AT``, then ``de``). When one loads, Qt's
    ``qtbase_<lang>.qm`` (standard buttons and dialogs) is installed too if Qt ships it.

    Rule: call it right after the application is created, before any widget exists (widgets
    translate their texts when they are built).

    Returns:
        SMD's translator (it owns Qt's; pass it to :func:`uninstall_translator` to undo), or
        None when no catalogue matches, in which case nothing was installed.
    """
    language = chosen_locale(locale)
    folder = directory if directory is not None else TRANSLATIONS_DIR
    translator = QTranslator(app)
    if not translator.load(language, CATALOGUE, "_", str(folder)):
        translator.setParent(None)
        return None
    app.installTranslator(translator)
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(translator)
    if qt_translator.load(language, "qtbase", "_", qt_folder):
        app.installTranslator(qt_translator)
    else:
        qt_translator.setParent(None)
    return translator


def uninstall_translator(app: QCoreApplication, translator: QTranslator) -> None:
    """Remove a translator from :func:`install_translator`, with the Qt one it installed."""
    for companion in translator.findChildren(QTranslator):
        app.removeTranslator(companion)
    app.removeTranslator(translator)


def english_plural(text: str, n: int) -> str:
    """Finish a numerus text no translation replaced: ``(s)`` becomes ``s``, or nothing for 1.

    Call it on the result of ``tr("... %n thing(s) ...", "", n)`` before any ``format``
    (a file name may hold ``(s)`` too); a translated text has no ``(s)`` and is left alone.
    """
    return text.replace("(s)", "" if n == 1 else "s")
