#!/usr/bin/env bash
# Builds CoachDesk for Linux into dist/:
#
#   dist/CoachDesk/                                 the one-folder bundle (installers/coachdesk.spec)
#   dist/coachdesk_<version>_<arch>.deb             for Debian and Ubuntu (dpkg-deb)
#   dist/CoachDesk-<version>-linux-<machine>.run    self-extracting, for distributions without dpkg (makeself)
#
# and then proves them: installs the .deb into a throw-away root (dpkg --root: no container,
# nothing installed system-wide), runs `coachdesk --version` and `coachdesk --smoke` (offscreen)
# from the installed files, runs installers/linux/upgrade_test.sh (install, create a vault, upgrade,
# open it, uninstall), installs the .run into a throw-away prefix, and prints the sizes, the
# start-up times against running from source, and the build time.
#
#   installers/linux/build.sh                  build and check everything
#   SKIP_BUNDLE=1 installers/linux/build.sh    reuse dist/CoachDesk: packaging and checks only
#
# Needs Python 3.11+ with venv, dpkg-deb, objdump (binutils: PyInstaller needs it) and makeself:
#   sudo apt-get install -y python3-venv binutils makeself
# The build environment is build/venv (the app's dependencies plus the `build` extra), made on
# first use and again when pyproject.toml changes. Build on the oldest distribution you support:
# the bundle needs at least the glibc of the machine that built it (this script prints it).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
venv=${COACHDESK_BUILD_VENV:-build/venv}
runs=${SMOKE_RUNS:-5}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
took() { local ms=$(($(now_ms) - $1)); printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100)); }
say() { printf '\n== %s\n' "$*"; }
fail() { echo "build.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is missing ($2)."; }
size_of() { du -sh --apparent-size "$1" | cut -f1; }

need dpkg-deb "it comes with dpkg"
need objdump "sudo apt-get install binutils"
need makeself "sudo apt-get install makeself"
started=$(now_ms)

version=$("$PYTHON" installers/buildinfo.py version)
debversion=$("$PYTHON" installers/buildinfo.py debian-version)
arch=$(dpkg --print-architecture)
machine=$(uname -m)
bundle=dist/CoachDesk
deb=dist/coachdesk_${debversion}_${arch}.deb
run=dist/CoachDesk-${version}-linux-${machine}.run

# ---------------------------------------------------------------------------------------------
say "Build environment ($venv)"
stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    mkdir -p build
    if ! { "$venv/bin/python" -m pip install --upgrade pip && "$venv/bin/python" -m pip install -e ".[build]"; } \
        >build/venv-install.log 2>&1; then
        tail -20 build/venv-install.log >&2
        fail "could not install the build environment; see build/venv-install.log."
    fi
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
"$venv/bin/python" -c 'import PyInstaller, PySide6, sqlcipher3; print(f"PyInstaller {PyInstaller.__version__}, PySide6 {PySide6.__version__}, SQLCipher with SQLite {sqlcipher3.sqlite_version}")'

# ---------------------------------------------------------------------------------------------
t=$(now_ms)
if [ "${SKIP_BUNDLE:-}" = 1 ] && [ -x "$bundle/coachdesk-cli" ]; then
    say "Bundle: reusing $bundle"
    bundle_time="(reused)"
else
    say "Bundle (PyInstaller; the log is build/pyinstaller.log)"
    mkdir -p build
    if ! "$venv/bin/pyinstaller" --noconfirm --clean --distpath dist --workpath build/pyinstaller \
        installers/coachdesk.spec >build/pyinstaller.log 2>&1; then
        tail -30 build/pyinstaller.log >&2
        fail "PyInstaller failed; see build/pyinstaller.log."
    fi
    grep '^coachdesk.spec:' build/pyinstaller.log | cut -c1-200 || true
    bundle_time=$(took "$t")
fi

say "Checking the bundle"
[ "$("$bundle/coachdesk-cli" --version)" = "coachdesk $version" ] || fail "$bundle/coachdesk-cli --version is not 'coachdesk $version'."
sqlcipher=$(find "$bundle/_internal/sqlcipher3" -name '_sqlite3*.so' | head -1)
[ -n "$sqlcipher" ] || fail "sqlcipher3's native module is not in the bundle."
echo "sqlcipher3 native module: ${sqlcipher#"$bundle"/}"
# Every shared library the bundle holds must find what it needs here; what it finds outside the
# bundle is what the .deb depends on.
missing=$(find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' \) -exec ldd {} + 2>/dev/null |
    awk '/=> not found/ {print $1}' | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
    echo "warning: not found on this machine (the target system must provide them): $missing" >&2
fi
for lib in "$sqlcipher" "$bundle"/_internal/pypdfium2_raw/libpdfium.so; do
    if ldd "$lib" | grep -q 'not found'; then fail "$lib needs a library that is missing: $(ldd "$lib" | grep 'not found')"; fi
done
glibc=$(find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -exec objdump -T {} + 2>/dev/null |
    grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
echo "needs glibc $glibc or newer (the build machine has $(ldd --version | head -1 | awk '{print $NF}'))"

# ---------------------------------------------------------------------------------------------
say "Debian package ($deb)"
t=$(now_ms)
pkg=build/deb/coachdesk
rm -rf build/deb
mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/usr/share/doc/coachdesk"
cp -a "$bundle" "$pkg/opt/coachdesk"
install -m 755 installers/linux/coachdesk-wrapper.sh "$pkg/usr/bin/coachdesk"
install -m 644 installers/linux/coachdesk.desktop "$pkg/usr/share/applications/coachdesk.desktop"
for png in coachdesk/resources/icons/coachdesk-*.png; do
    px=${png##*-}
    px=${px%.png}
    install -D -m 644 "$png" "$pkg/usr/share/icons/hicolor/${px}x${px}/apps/coachdesk.png"
done
install -D -m 644 coachdesk/resources/icons/coachdesk.svg "$pkg/usr/share/icons/hicolor/scalable/apps/coachdesk.svg"
install -m 644 installers/linux/copyright "$pkg/usr/share/doc/coachdesk/copyright"
find "$pkg" -type d -exec chmod 755 {} +
chmod -R go-w "$pkg"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$pkg/usr/share/applications/coachdesk.desktop"
fi

# What the bundle takes from the system (platform-notes.md): OpenGL/EGL and the X and Wayland
# client libraries Qt's platform plugins load, the libraries the spec leaves out on purpose
# (fontconfig, FreeType, libstdc++, CUPS), and a font: without any font, text (and the text of a
# printed PDF) is silently missing. "| …t64" names Ubuntu 24.04's renamed packages.
depends=(
    "libc6 (>= $glibc)"
    "libstdc++6" "libgcc-s1"
    "libgl1" "libegl1"
    "libfontconfig1" "libfreetype6" "fontconfig-config" "fonts-dejavu-core"
    "libglib2.0-0 | libglib2.0-0t64" "libdbus-1-3"
    "libcups2 | libcups2t64"
    "libx11-6" "libx11-xcb1" "libxcb1" "libxkbcommon0" "libxkbcommon-x11-0"
    "libxcb-cursor0" "libxcb-icccm4" "libxcb-keysyms1" "libxcb-image0" "libxcb-randr0"
    "libxcb-render-util0" "libxcb-shape0" "libxcb-xkb1"
    "libwayland-client0" "libwayland-cursor0" "libwayland-egl1"
)
depends_line=$(printf '%s, ' "${depends[@]}")
installed_kb=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: coachdesk
Version: $debversion
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-CoachDesk maintainers <coachdesk@example.invalid>}
Installed-Size: $installed_kb
Section: misc
Priority: optional
Depends: ${depends_line%, }
Description: the employment coach's encrypted, offline caseload
 CoachDesk keeps an employment coach's caseload (participants, sessions, goals, job outcomes)
 on the coach's own laptop, in a SQLCipher database encrypted under the coach's passphrase.
 It works with no network; only de-identified monthly counts are ever sent to the programme.
 .
 The program is installed in /opt/coachdesk; /usr/bin/coachdesk opens the desktop app and runs
 the headless commands. Each user's vault lives in their own data folder
 (~/.local/share/CoachDesk/vault): installing, upgrading and removing this package never
 touch it.
EOF
mkdir -p dist
dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-zstd}" --build "$pkg" "$deb" >/dev/null
deb_time=$(took "$t")
dpkg-deb --field "$deb" Package Version Architecture Installed-Size Depends | fold -s -w 110

# ---------------------------------------------------------------------------------------------
say "Self-extracting archive ($run)"
t=$(now_ms)
stage=build/run/CoachDesk-$version
rm -rf build/run
mkdir -p "$stage/share/applications" "$stage/share/icons"
cp -a "$bundle" "$stage/CoachDesk"
cp -a "$pkg/usr/share/icons/hicolor" "$stage/share/icons/"
install -m 644 installers/linux/coachdesk.desktop "$stage/share/applications/coachdesk.desktop"
install -m 755 installers/linux/install.sh "$stage/install.sh"
echo "$version" >"$stage/VERSION"
makeself --quiet --gzip --complevel 6 --nox11 --sha256 --tar-quietly \
    "$stage" "$run" "CoachDesk $version" ./install.sh
run_time=$(took "$t")

# ---------------------------------------------------------------------------------------------
say "Installing the .deb into a throw-away root"
t=$(now_ms)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
droot=$scratch/root
mkdir -p "$droot/var/lib/dpkg/info" "$droot/var/lib/dpkg/updates"
touch "$droot/var/lib/dpkg/status" "$droot/var/lib/dpkg/available"
as_root=()
[ "$(id -u)" = 0 ] || as_root=(fakeroot)
# --force-depends: the empty root has none of the system libraries; this machine's are used.
# (dpkg looks for ldconfig and start-stop-daemon on PATH, which lacks sbin for most users)
if ! PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" "${as_root[@]}" dpkg --root="$droot" --force-depends -i "$deb" \
    >"$scratch/dpkg.log" 2>&1; then
    cat "$scratch/dpkg.log" >&2
    fail "dpkg could not install $deb into $droot."
fi
dpkg --root="$droot" -s coachdesk | grep -E '^(Status|Version):'
installed="$droot/usr/bin/coachdesk"
got=$("$installed" --version)
echo "$installed --version: $got"
[ "$got" = "coachdesk $version" ] || fail "the installed coachdesk --version printed '$got'."

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
smoke_ms() {  # smoke_ms COMMAND…: the median startup_ms of $runs runs, each in a fresh home
    local all="" out
    for _ in $(seq "$runs"); do
        out=$(HOME=$(mktemp -d "$scratch/home.XXXX") QT_QPA_PLATFORM=offscreen XDG_DATA_HOME='' XDG_STATE_HOME='' "$@")
        all="$all ${out#startup_ms=}"
    done
    echo "$all" | median
}
smoke_vault_ms() {  # the same, opening one demo vault to the painted caseload
    local all="" out
    for _ in $(seq "$runs"); do
        out=$(HOME=$scratch QT_QPA_PLATFORM=offscreen COACHDESK_PASSPHRASE=$demo_passphrase "$@" --vault "$demo_vault")
        all="$all ${out#startup_ms=}"
    done
    echo "$all" | median
}
frozen_first=$(smoke_ms "$installed" --smoke)
source_first=$(smoke_ms "$venv/bin/python" -m coachdesk --smoke)
demo_vault=$scratch/demo-vault
demo_passphrase="throw-away demo passphrase $RANDOM$RANDOM"
HOME=$scratch COACHDESK_PASSPHRASE=$demo_passphrase "$installed" demo --participants 150 --vault "$demo_vault" | tail -1
frozen_vault=$(smoke_vault_ms "$installed" --smoke)
source_vault=$(smoke_vault_ms "$venv/bin/python" -m coachdesk --smoke)
checks_time=$(took "$t")

say "Upgrade test (installers/linux/upgrade_test.sh)"
installers/linux/upgrade_test.sh "$deb"

say "Installing the .run into a throw-away prefix"
runhome=$scratch/run-home
mkdir -p "$runhome"
HOME=$runhome XDG_DATA_HOME='' sh "$run" --quiet -- --prefix "$scratch/prefix"
got=$(HOME=$runhome "$scratch/prefix/bin/coachdesk" --version)
[ "$got" = "coachdesk $version" ] || fail "the .run's coachdesk --version printed '$got'."
HOME=$runhome QT_QPA_PLATFORM=offscreen "$scratch/prefix/bin/coachdesk" --smoke
HOME=$runhome XDG_DATA_HOME='' "$scratch/prefix/lib/coachdesk/uninstall.sh"
if [ -e "$scratch/prefix/bin/coachdesk" ] || [ -e "$scratch/prefix/lib/coachdesk" ]; then
    fail "the .run's uninstall.sh left files behind."
fi

# ---------------------------------------------------------------------------------------------
say "CoachDesk $version for Linux: built and checked in $(took "$started")"
files=$(find "$bundle" -type f | wc -l)
printf '  %-46s %6s  (%d files; PyInstaller %s)\n' "$bundle/" "$(size_of "$bundle")" "$files" "$bundle_time"
printf '  %-46s %6s  (installs %d MB; dpkg-deb %s)\n' "$deb" "$(size_of "$deb")" $((installed_kb / 1024)) "$deb_time"
printf '  %-46s %6s  (makeself %s)\n' "$run" "$(size_of "$run")" "$run_time"
echo "  start-up, coachdesk --smoke (offscreen, median of $runs; checks took $checks_time):"
printf '    %-44s frozen %5s ms   from source %5s ms\n' "first run (setup wizard)" "$frozen_first" "$source_first"
printf '    %-44s frozen %5s ms   from source %5s ms\n' "demo vault, 150 participants, to the caseload" "$frozen_vault" "$source_vault"
