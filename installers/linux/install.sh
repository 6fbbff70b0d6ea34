#!/bin/sh
# Installs CoachDesk from the self-extracting CoachDesk-<version>-linux-<arch>.run, for
# distributions without dpkg (makeself unpacks the archive into a temporary folder and runs this
# script there; anything after `--` on the .run's command line comes here):
#
#   ./CoachDesk-0.1.0-linux-x86_64.run                    for you alone, under ~/.local (no root)
#   sudo ./CoachDesk-0.1.0-linux-x86_64.run               for everyone on the computer, under /usr/local
#   ./CoachDesk-0.1.0-linux-x86_64.run -- --prefix DIR    under DIR
#
# The program goes to PREFIX/lib/coachdesk, the `coachdesk` command to PREFIX/bin, the menu entry
# and icons to PREFIX/share. Running a newer .run the same way upgrades in place: the old program
# folder is swapped for the new one in one step. PREFIX/lib/coachdesk/uninstall.sh removes it all
# again. None of this ever touches the vault, which lives in each user's own data folder
# (~/.local/share/CoachDesk/vault), nor the log (~/.local/state/CoachDesk/log).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
target="$prefix/lib/coachdesk"

# The vault must never sit inside the program's folder (an upgrade replaces that folder whole).
data="${XDG_DATA_HOME:-$HOME/.local/share}/CoachDesk"
case "$target/" in
    "$data/"*) echo "install.sh: $target is inside CoachDesk's data folder $data; choose another --prefix." >&2; exit 1 ;;
esac
case "$data/" in
    "$target/"*) echo "install.sh: CoachDesk's data folder $data would be inside $target; choose another --prefix." >&2; exit 1 ;;
esac

version=$(cat "$here/VERSION")
echo "Installing CoachDesk $version into $target"
mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications"
staging="$prefix/lib/.coachdesk-new.$$"
rm -rf "$staging"
cp -R "$here/CoachDesk" "$staging"

# The uninstaller, with this installation's paths written in.
cat >"$staging/uninstall.sh" <<EOF
#!/bin/sh
# Removes CoachDesk $version installed under $prefix. Leaves every vault and log alone.
set -eu
if [ "\$(readlink "$prefix/bin/coachdesk" 2>/dev/null)" = ../lib/coachdesk/coachdesk-cli ]; then
    rm -f "$prefix/bin/coachdesk"
fi
rm -f "$prefix/share/applications/coachdesk.desktop"
for icon in "$prefix"/share/icons/hicolor/*/apps/coachdesk.png "$prefix"/share/icons/hicolor/scalable/apps/coachdesk.svg; do
    rm -f "\$icon"
done
rm -rf "$target"
echo "CoachDesk removed from $prefix. Your vault (~/.local/share/CoachDesk/vault) was not touched."
EOF
chmod 755 "$staging/uninstall.sh"

# Swap the program folder in one step, then drop the old one.
if [ -d "$target" ]; then
    mv "$target" "$prefix/lib/.coachdesk-old.$$"
fi
mv "$staging" "$target"
rm -rf "$prefix/lib/.coachdesk-old.$$"

ln -sfn ../lib/coachdesk/coachdesk-cli "$prefix/bin/coachdesk"
(cd "$here/share/icons" && find hicolor -type f) | while read -r icon; do
    mkdir -p "$prefix/share/icons/$(dirname "$icon")"
    cp "$here/share/icons/$icon" "$prefix/share/icons/$icon"
done
# The menu entry names the command by its full path: ~/.local/bin is not on every PATH.
sed -e "s|^Exec=coachdesk\$|Exec=\"$prefix/bin/coachdesk\"|" -e "s|^TryExec=coachdesk\$|TryExec=$prefix/bin/coachdesk|" \
    "$here/share/applications/coachdesk.desktop" >"$prefix/share/applications/coachdesk.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$prefix/share/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q "$prefix/share/icons/hicolor" 2>/dev/null || true
fi

echo "CoachDesk $version is installed: find it in your applications menu, or run $prefix/bin/coachdesk"
echo "To remove it: $target/uninstall.sh (your vault stays where it is)."
