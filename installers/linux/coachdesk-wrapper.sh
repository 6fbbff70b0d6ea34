#!/bin/sh
# /usr/bin/coachdesk (installed by the CoachDesk .deb): the coachdesk command. With no arguments it
# opens the desktop app; `coachdesk --help` lists the headless commands. The program itself lives
# in /opt/coachdesk; the path is found from this file's own place, so an installation under
# another root (dpkg --root, used by build.sh's checks) runs its own copy.
here=$(dirname "$(readlink -f "$0")")
exec "$here/../../opt/coachdesk/coachdesk-cli" "$@"
