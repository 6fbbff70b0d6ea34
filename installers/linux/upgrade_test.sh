#!/usr/bin/env bash
# The vault outlives every installation step (issue 7, item 4), tested on the .deb in a throw-away
# root (dpkg --root: no container, nothing installed system-wide) and a throw-away home:
#
#   1. install the package
#   2. create a vault with `coachdesk init`: it must land in the user's data folder, never under
#      the installation
#   3. install a newer build over it: the same bundle repacked as <version>+upgradetest1 with one
#      extra file, so dpkg performs a real upgrade; the vault's files must be byte for byte as they were
#   4. open the vault: `coachdesk check`
#   5. remove, then purge the package: the program is gone, the vault is as it was
#   6. install the package again and open the vault once more
#
#   installers/linux/upgrade_test.sh dist/coachdesk_0.1.0_amd64.deb
# (installers/linux/build.sh runs it after every build.)
set -euo pipefail

deb=$(readlink -f "${1:?usage: upgrade_test.sh PACKAGE.deb}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
home=$scratch/home
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$home"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
passphrase="upgrade test passphrase $RANDOM$RANDOM"

as_root=()
[ "$(id -u)" = 0 ] || as_root=(fakeroot)
fail() { echo "upgrade_test.sh: FAILED: $*" >&2; exit 1; }
ok() { echo "  ok  $*"; }
dpkg_root() {  # dpkg on the throw-away root; --force-depends: it has none of the system libraries
    # (dpkg looks for ldconfig and start-stop-daemon on PATH, which lacks sbin for most users)
    PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" "${as_root[@]}" dpkg --root="$root" --force-depends "$@" \
        >"$scratch/dpkg.log" 2>&1 || {
        cat "$scratch/dpkg.log" >&2
        fail "dpkg $*"
    }
}
installed_version() { dpkg --root="$root" -s coachdesk 2>/dev/null | sed -n 's/^Version: //p'; }
coachdesk() {  # the installed command, as a user whose home is the throw-away one
    env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 COACHDESK_PASSPHRASE="$passphrase" \
        "$root/usr/bin/coachdesk" "$@"
}
vault=$home/.local/share/CoachDesk/vault
vault_digest() { (cd "$vault" && find . -type f ! -name coachdesk.lock -print0 | sort -z | xargs -0 sha256sum); }

# 1
dpkg_root -i "$deb"
version=$(installed_version)
ok "installed coachdesk $version ($(coachdesk --version))"

# 2
coachdesk init >"$scratch/init.txt"  # holds the recovery key: kept out of the output
if [ ! -f "$vault/coachdesk.db" ] || [ ! -f "$vault/keyslots.json" ]; then fail "coachdesk init did not create $vault"; fi
[ -z "$(find "$root" -name coachdesk.db -o -name keyslots.json)" ] || fail "a vault file is under the installation"
case "$vault" in "$root"/*) fail "the vault is inside the installation" ;; esac
[ -f "$home/.local/state/CoachDesk/log/coachdesk.log" ] || fail "no log in ~/.local/state/CoachDesk/log"
vault_id=$(coachdesk check | sed -n 's/^Vault \(.*\) is sound\.$/\1/p')
[ -n "$vault_id" ] || fail "coachdesk check did not call the new vault sound"
ok "coachdesk init created vault $vault_id in ~/.local/share/CoachDesk/vault (the log in ~/.local/state/CoachDesk/log)"
before=$(vault_digest)

# 3
newer=$scratch/newer
dpkg-deb -R "$deb" "$newer"
newer_version="$version+upgradetest1"
sed -i "s/^Version: .*/Version: $newer_version/" "$newer/DEBIAN/control"
echo "added by upgrade_test.sh" >"$newer/opt/coachdesk/UPGRADE-TEST"
dpkg-deb --root-owner-group -Zzstd --build "$newer" "$scratch/newer.deb" >/dev/null
dpkg_root -i "$scratch/newer.deb"
[ "$(installed_version)" = "$newer_version" ] || fail "dpkg did not upgrade to $newer_version"
[ -f "$root/opt/coachdesk/UPGRADE-TEST" ] || fail "the newer package's files are not installed"
[ "$(vault_digest)" = "$before" ] || fail "upgrading changed the vault's files"
ok "upgraded $version -> $newer_version; the vault's files are unchanged"

# 4
coachdesk check >"$scratch/check.txt" || fail "coachdesk check after the upgrade: $(cat "$scratch/check.txt")"
grep -q "^Vault $vault_id is sound.$" "$scratch/check.txt" || fail "coachdesk check opened another vault"
ok "coachdesk check after the upgrade: $(head -1 "$scratch/check.txt")"
before=$(vault_digest)

# 5
dpkg_root -r coachdesk
if [ -e "$root/opt/coachdesk" ] || [ -e "$root/usr/bin/coachdesk" ]; then fail "dpkg -r left the program behind"; fi
[ "$(vault_digest)" = "$before" ] || fail "removing the package changed the vault"
dpkg_root -P coachdesk
[ "$(vault_digest)" = "$before" ] || fail "purging the package changed the vault"
ok "removed and purged: /opt/coachdesk and /usr/bin/coachdesk are gone, the vault is unchanged"

# 6
dpkg_root -i "$deb"
coachdesk check >"$scratch/check.txt" || fail "coachdesk check after reinstalling: $(cat "$scratch/check.txt")"
grep -q "^Vault $vault_id is sound.$" "$scratch/check.txt" || fail "coachdesk check opened another vault"
ok "installed $version again: coachdesk check opens the same vault"
echo "upgrade_test.sh: the vault survived install, upgrade, remove, purge and reinstall."
