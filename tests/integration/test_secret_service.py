"""Keyring unlock against a real Secret Service (security.md "Keyring in tests and CI"):
gnome-keyring-daemon on a private D-Bus session, in a throw-away HOME (platform-notes.md)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testkit import POLICY, ROOT

SKIP_CODE = 77  # the daemon could not be started: the environment's fault, not the app's

# Runs inside `dbus-run-session`: start the daemon unlocked, prove it answers, then the real test.
SESSION = """
set -u
export HOME="$1" XDG_DATA_HOME="$1/.local/share"
export PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring
mkdir -p "$XDG_DATA_HOME/keyrings"
if ! echo -n ci-password | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null; then
    echo "gnome-keyring-daemon would not start" >&2
    exit 77
fi
if ! "$2" "$3/probe.py"; then
    echo "the Secret Service does not answer on the session bus" >&2
    exit 77
fi
"$2" "$3/create.py" "$4" || exit $?
"$2" "$3/reopen.py" "$4" || exit $?
"$2" -m coachdesk check --vault "$4" </dev/null || exit $?
"""

PROBE = """
import sys
from keyring.backends import SecretService
try:
    SecretService.Keyring.priority  # raises when no Secret Service answers
except Exception as exc:
    print(f"probe: {exc!r}", file=sys.stderr)
    raise SystemExit(1)
"""

CREATE = """
import sys
from pathlib import Path
import keyring
from keyring.backends import SecretService
from coachdesk.storage import device_keyring
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.vault import Vault

backend = keyring.get_keyring()
assert isinstance(backend, SecretService.Keyring), type(backend)
assert device_keyring.available() is True
vault, _recovery = Vault.create(Path(sys.argv[1]), "correct horse battery staple", POLICY, kdf=Argon2Params())
try:
    assert vault.enable_keyring_unlock() is True
    assert vault.has_device_slot()
    service, username = vault.slots.device_keyring_entry()
    assert keyring.get_password(service, username), "the secret is in the Secret Service"
finally:
    vault.close()
print("created")
"""

REOPEN = """
import sys
from pathlib import Path
import keyring
from keyring.backends import SecretService
from coachdesk.storage.vault import Vault

assert isinstance(keyring.get_keyring(), SecretService.Keyring)
vault = Vault.open(Path(sys.argv[1]))
try:
    vault.unlock_with_keyring()
    assert vault.unlocked
    assert vault.conn.execute("SELECT count(*) FROM participants").fetchone()[0] == 0
finally:
    vault.close()
print("OK")
"""


@pytest.mark.secret_service
def test_keyring_unlock_with_a_real_secret_service(tmp_path: Path) -> None:
    missing = [p for p in ("gnome-keyring-daemon", "dbus-run-session") if shutil.which(p) is None]
    if missing:
        pytest.skip(f"no real Secret Service here: {', '.join(missing)} not installed (apt: gnome-keyring dbus)")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "probe.py").write_text(PROBE, encoding="utf-8")
    (scripts / "create.py").write_text(CREATE.replace("POLICY", repr(POLICY)), encoding="utf-8")
    (scripts / "reopen.py").write_text(REOPEN, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    vault = tmp_path / "vault"

    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "COACHDESK_PASSPHRASE")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    command = [
        "dbus-run-session",
        "--",
        "bash",
        "-c",
        SESSION,
        "session",
        str(home),
        sys.executable,
        str(scripts),
        str(vault),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    if proc.returncode == SKIP_CODE:
        pytest.skip(f"gnome-keyring-daemon could not serve a Secret Service here: {proc.stderr.strip()}")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{shlex.join(command)}\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout.splitlines()[:2] == ["created", "OK"], proc.stdout
    assert "is sound" in proc.stdout, "the CLI unlocked with the keyring, without any passphrase"
    # The daemon kept its keyring in the throw-away HOME, and the passphrase went nowhere near it.
    assert list((home / ".local" / "share" / "keyrings").glob("*.keyring")), "the daemon used the temp HOME"
    for path in (p for p in home.rglob("*") if p.is_file()):
        assert b"correct horse battery staple" not in path.read_bytes(), path
