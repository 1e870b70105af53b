#!/usr/bin/env bash
# Refreshes the translation catalogues from the code, then builds the .qm files the app loads.
# Usage: resources/translations/update.sh [LANG ...]
#   No LANG: every smd_<lang>.ts in this folder. A LANG without a catalogue (say "it") starts
#   smd_it.ts. Run it after changing UI strings, and before trying a translation in the app.
# pyside6-lupdate reads smd_desktop/ui, smd_desktop/app.py and the plugins' Qt parts: it adds
# new strings, keeps finished translations and drops strings the code no longer has. Then
# pyside6-lrelease writes smd_<lang>.qm next to each .ts (build output, git-ignored).
# Environment: SMD_QT_BIN is the folder holding the pyside6-* tools (default: .venv/bin).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${SMD_QT_BIN:-$root/.venv/bin}"
cd "$root"

case "${1:-}" in
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

shopt -s nullglob
sources=(smd_desktop/ui/*.py smd_desktop/app.py plugins/*/qt.py plugins/*/qt/*.py)
if [ "$#" -gt 0 ]; then
    catalogues=()
    for lang in "$@"; do
        catalogues+=("resources/translations/smd_$lang.ts")
    done
else
    catalogues=(resources/translations/smd_*.ts)
fi
shopt -u nullglob
if [ "${#catalogues[@]}" -eq 0 ]; then
    echo "no catalogue here yet: name a language, e.g. $0 de" >&2
    exit 2
fi

# Relative line numbers: a change in one function does not renumber every later location.
"$bin/pyside6-lupdate" -locations relative -no-obsolete "${sources[@]}" -ts "${catalogues[@]}"
"$bin/pyside6-lrelease" "${catalogues[@]}"
