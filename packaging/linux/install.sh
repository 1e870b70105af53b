#!/bin/sh
# Installs (or removes) the SMD bundle for the current user, or under a prefix.
#
#   ./install.sh                    bundle in ~/.local/share/smd-desktop, commands in ~/.local/bin,
#                                   desktop entry, AppStream file and icons in your XDG data dir
#   ./install.sh --prefix DIR       the same under DIR/share and DIR/bin (e.g. /opt/smd, /usr/local)
#   ./install.sh --uninstall [--prefix DIR]
#                                   removes exactly what the install recorded
#
# Your profile (posts, keys; ~/.local/share/smd by default) is never touched: this script
# only writes the files it lists in <bundle dir>/.installed-files, and removes only those.
# Installing over an earlier install replaces it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

APP_ID=org.smd.Desktop
MARKER=.smd-bundle
here=$(cd "$(dirname "$0")" && pwd)

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

prefix=""
uninstall=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --uninstall) uninstall=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
done

if [ -n "$prefix" ]; then
    mkdir -p "$prefix"
    prefix=$(cd "$prefix" && pwd)
    data="$prefix/share"
    bindir="$prefix/bin"
else
    [ -n "${HOME:-}" ] || die "HOME is not set"
    data="${XDG_DATA_HOME:-$HOME/.local/share}"
    bindir="$HOME/.local/bin"
fi
# Not "smd": that name is the default profile directory (platformdirs' user data dir).
appdir="$data/smd-desktop"
if [ "$uninstall" = 1 ] && [ -z "$prefix" ] && [ -f "$here/$MARKER" ]; then
    # Run from an installed bundle (its uninstall.sh): remove that one, wherever it is.
    appdir=$here
    data=$(dirname "$appdir")
fi
manifest="$appdir/.installed-files"

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data/applications" 2>/dev/null || true
    fi
    if [ -d "$data/icons/hicolor" ]; then
        touch "$data/icons/hicolor" 2>/dev/null || true
        # Only refresh a cache that exists: a new one would hide icons that other programs
        # later drop here without updating it.
        if [ -f "$data/icons/hicolor/icon-theme.cache" ] \
            && command -v gtk-update-icon-cache >/dev/null 2>&1; then
            gtk-update-icon-cache -q -t -f "$data/icons/hicolor" 2>/dev/null || true
        fi
    fi
}

remove_installed() {
    # $1: "quiet" when called before an upgrade.
    if [ ! -e "$appdir" ]; then
        [ "${1:-}" = quiet ] || echo "SMD is not installed in $appdir."
        return 0
    fi
    [ -f "$appdir/$MARKER" ] || die "$appdir was not made by this script; not touching it"
    if [ -f "$manifest" ]; then
        while IFS= read -r path; do
            case "$path" in
                "" | "$appdir"/*) ;;  # the bundle itself goes with its directory
                *) if [ -L "$path" ] || [ -f "$path" ]; then rm -f "$path"; fi ;;
            esac
        done <"$manifest"
    fi
    rm -rf "$appdir"
    # Empty icon folders left behind are harmless; remove the ones we may have created.
    for dir in "$data"/icons/hicolor/*/apps; do
        [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
    done
    refresh_caches
    [ "${1:-}" = quiet ] || echo "Removed SMD from $appdir. Your profile and settings were kept."
}

if [ "$uninstall" = 1 ]; then
    remove_installed
    exit 0
fi

[ -x "$here/app/smd-desktop" ] && [ -x "$here/app/smd" ] \
    || die "no bundle next to this script (expected $here/app/smd-desktop and $here/app/smd)"

remove_installed quiet

mkdir -p "$appdir"
cp -R "$here/app/." "$appdir/"
: >"$appdir/$MARKER"
: >"$manifest"
record() {
    printf '%s\n' "$1" >>"$manifest"
}

# The install script itself, and an uninstall command that remembers where things went.
cp "$here/install.sh" "$appdir/install.sh"
chmod 755 "$appdir/install.sh"
# shellcheck disable=SC2016 # $0 is for the uninstall script, not for now
printf '#!/bin/sh\nexec sh "$(dirname "$0")/install.sh" --uninstall\n' >"$appdir/uninstall.sh"
chmod 755 "$appdir/uninstall.sh"

# Desktop entry: point Exec at the bundle, so it works even when ~/.local/bin is not on the
# desktop session's PATH. Paths with characters the Exec quoting rules reserve are refused.
case "$appdir" in
    *'"'* | *'`'* | *'$'* | *'\'*) die "the install path may not contain \" \` \$ or \\: $appdir" ;;
esac
mkdir -p "$data/applications"
desktop="$data/applications/$APP_ID.desktop"
sed -e "s|^Exec=.*|Exec=\"$appdir/smd-desktop\"|" \
    -e "s|^TryExec=.*|TryExec=$appdir/smd-desktop|" \
    "$here/share/applications/$APP_ID.desktop" >"$desktop"
record "$desktop"

mkdir -p "$data/metainfo"
cp "$here/share/metainfo/$APP_ID.metainfo.xml" "$data/metainfo/"
record "$data/metainfo/$APP_ID.metainfo.xml"

for icon in "$here"/share/icons/hicolor/*/apps/*; do
    rel=${icon#"$here/share/icons/"}
    mkdir -p "$data/icons/$(dirname "$rel")"
    cp "$icon" "$data/icons/$rel"
    record "$data/icons/$rel"
done

mkdir -p "$bindir"
for cmd in smd smd-desktop; do
    link="$bindir/$cmd"
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        echo "install.sh: $link exists and is not a link; left alone (run $appdir/$cmd)" >&2
        continue
    fi
    ln -sfn "$appdir/$cmd" "$link"
    record "$link"
done

refresh_caches

"$appdir/smd" --version >/dev/null || die "the installed smd does not start; see above"

echo "Installed SMD $("$appdir/smd" --version | sed 's/^smd //') in $appdir"
echo "  commands:      $bindir/smd-desktop, $bindir/smd"
echo "  desktop entry: $desktop"
echo "  uninstall:     $appdir/uninstall.sh"
case ":${PATH:-}:" in
    *":$bindir:"*) ;;
    *) echo "Note: $bindir is not on your PATH; add it, or start SMD from the applications menu." ;;
esac
