#!/usr/bin/env bash
# Compiles installers/windows/coachdesk.nsi with NSIS on Linux (sudo apt-get install nsis) against
# stand-in executables, so a mistake in the script shows up without a Windows machine: warnings
# count as errors, and the version check must refuse a bundle of another version. The installer
# made here is thrown away (it holds no CoachDesk); the real one is built on Windows by
# .github/workflows/installers.yml.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v makensis >/dev/null 2>&1 || { echo "compile_check.sh: makensis is missing (sudo apt-get install nsis)." >&2; exit 1; }
version=$(python3 installers/buildinfo.py version)
windows_version=$(python3 installers/buildinfo.py windows-version)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# A stand-in CoachDesk.exe carrying the version resource the spec gives the real one.
mkdir -p "$scratch/bundle/_internal"
cat >"$scratch/stand-in.nsi" <<NSI
Unicode true
SilentInstall silent
RequestExecutionLevel user
OutFile "$scratch/bundle/CoachDesk.exe"
VIProductVersion "$windows_version"
VIAddVersionKey /LANG=2057 "ProductVersion" "$version"
Section
SectionEnd
NSI
makensis -V1 "$scratch/stand-in.nsi" >/dev/null
cp "$scratch/bundle/CoachDesk.exe" "$scratch/bundle/coachdesk-cli.exe"
echo "stand-in" >"$scratch/bundle/_internal/stand-in.txt"

makensis -V2 -WX "-DVERSION=$version" "-DWINDOWS_VERSION=$windows_version" "-DBUNDLE=$scratch/bundle" \
    "-DOUTDIR=$scratch" installers/windows/coachdesk.nsi
ls "$scratch/CoachDesk-$version-windows-x64-setup.exe" >/dev/null
if makensis -V1 "-DVERSION=$version" -DWINDOWS_VERSION=9.9.9.9 "-DBUNDLE=$scratch/bundle" "-DOUTDIR=$scratch" \
    installers/windows/coachdesk.nsi >"$scratch/mismatch.log" 2>&1; then
    echo "compile_check.sh: the installer accepted a bundle of another version." >&2
    exit 1
fi
grep -q "is version $windows_version, not 9.9.9.9" "$scratch/mismatch.log" || {
    cat "$scratch/mismatch.log" >&2
    echo "compile_check.sh: the mismatched build failed for another reason." >&2
    exit 1
}
echo "compile_check.sh: coachdesk.nsi compiles with $(makensis -VERSION) for CoachDesk $version; a bundle of another version is refused."
