#!/usr/bin/env bash
# Wraps dist/CoachDesk.app (built by installers/coachdesk.spec on a Mac) into
# dist/CoachDesk-<version>-macos-<arch>.dmg: the app beside a link to /Applications, so a coach
# drags one onto the other. Runs only on macOS (hdiutil). With COACHDESK_CODESIGN_IDENTITY set,
# the disk image is signed too, ready for notarisation (README.md beside this file).
#
#   installers/macos/make_dmg.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

app=dist/CoachDesk.app
[ -d "$app" ] || { echo "make_dmg.sh: $app is missing: build it first (installers/coachdesk.spec)." >&2; exit 1; }
version=$(python3 installers/buildinfo.py version)
dmg="dist/CoachDesk-$version-macos-$(uname -m).dmg"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
ditto "$app" "$stage/CoachDesk.app"  # ditto keeps signatures, extended attributes and links
ln -s /Applications "$stage/Applications"
hdiutil create -volname "CoachDesk $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
if [ -n "${COACHDESK_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$COACHDESK_CODESIGN_IDENTITY" "$dmg"
fi
hdiutil verify "$dmg"
echo "make_dmg.sh: $dmg ($(du -h "$dmg" | cut -f1))"
