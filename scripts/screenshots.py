"""Render every main screen of the desktop app from a demo vault into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

The vault, its passphrase and every name shown are synthetic (coachdesk demo)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from coachdesk.domain import bundle as fmt
from coachdesk.resources import default_policy_text
from coachdesk.services import caseload, demo_vault
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.vault import Vault
from coachdesk.ui.app import make_application
from coachdesk.ui.controller import AppController, unlock_info
from coachdesk.ui.main_window import CASELOAD, DATA, SYNC, MainWindow
from coachdesk.ui.register_dialog import RegisterDialog
from coachdesk.ui.setup_wizard import SetupWizard
from coachdesk.ui.worker import VaultWorker

PASSPHRASE = "screenshots passphrase, demo only"
SIZE = (1200, 800)
# A programme that names a (made-up) hub and suppresses small counts, as a real one would.
DEMO_HUB = "https://hub.working-better.example"


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(f"  {path}")


def richest_participant(vault: Vault) -> str:
    """An open participant with goals, an inventory and outcomes, to show every tab with content."""
    best, score = "", -1
    for summary in caseload.caseload(vault, open_only=True)[:400]:
        p = caseload.load(vault, summary.id)
        value = (
            (len(p.goals) > 0)
            + (p.skills_inventory is not None)
            + (len(p.outcomes) > 0)
            + (len(p.employer_contacts) > 0)
        )
        if value > score and len(p.sessions) >= 4:
            best, score = p.id, value
    return best


def demo_policy() -> str:
    text = default_policy_text().replace("source_suppression = 0", "source_suppression = 5")
    first = 'programme = "islington-working-better"\n'
    return text.replace(first, f'{first}hub_url = "{DEMO_HUB}"\n')


class DemoHub:
    """Stands in for the hub on the screenshots: enrols, and says it is up. Nothing goes anywhere."""

    def __init__(self, url: str, device_id: str = "") -> None:
        self.base_url = url
        self.device_id = device_id

    def enrol(self, _token: str, _name: str, _public_key: str) -> str:
        return self.device_id

    def healthy(self) -> bool:
        return True


def sync_history(vault: Vault) -> None:
    """Enrolled; every month sent but one the hub refused, and last month still waiting."""
    from coachdesk.sync import outbox, sending  # noqa: PLC0415
    from coachdesk.sync.transport import Delivered, Rejected  # noqa: PLC0415

    sending.enrol(vault, DemoHub(DEMO_HUB, outbox.device(vault).device_id), "demo", "coach-laptop-07")  # type: ignore[arg-type]
    outbox.refresh(vault, date.today())
    *sent, last = outbox.waiting(vault, include_failed=True)
    refused = sent.pop(-3)
    results = [
        sending.interpret(
            vault, m, Delivered(201, {"status": "accepted", "receipt": fmt.receipt_of(json.loads(m.bundle))}), DEMO_HUB
        )
        for m in sent
    ]
    detail = "practice: P07 is not one of this programme's practices."
    results.append(sending.interpret(vault, refused, Rejected(400, "invalid_bundle", detail), DEMO_HUB))
    sending.record_run(vault, results)
    assert last.state == "pending"


def old_closed_cases(vault: Vault, count: int = 4) -> None:
    """A few cases closed more than the retention period ago, for the Retention tab."""
    import dataclasses  # noqa: PLC0415

    from coachdesk.domain.model import Closure  # noqa: PLC0415
    from coachdesk.domain.vocabulary import ClosureReason  # noqa: PLC0415
    from coachdesk.services import demo  # noqa: PLC0415
    from coachdesk.storage import participants  # noqa: PLC0415

    with vault.transaction() as conn:
        for p in demo.generate(count, 99, sorted(vault.policy.practice_codes), date(2018, 9, 1)):
            last = max([p.referral_date, *(s.start.date() for s in p.sessions), *(o.date for o in p.outcomes)])
            participants.save(conn, dataclasses.replace(p, closed=Closure(date=last, reason=ClosureReason.WITHDREW)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="coachdesk-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = make_application([sys.argv[0]])

    # First run: the setup wizard.
    wizard_controller = AppController(work / "new-vault", VaultWorker(synchronous=True))
    wizard = SetupWizard(wizard_controller)
    wizard.resize(*SIZE)
    wizard.show()
    grab(app, wizard, out / "setup-policy.png")
    wizard.next()
    grab(app, wizard, out / "setup-passphrase.png")
    wizard.close()

    vault, _ = Vault.create(work / "vault", PASSPHRASE, demo_policy(), kdf=Argon2Params())
    demo_vault.fill(vault, 150, 7, date.today())
    old_closed_cases(vault)
    sync_history(vault)
    controller = AppController(work / "vault", VaultWorker(synchronous=True))
    controller.worker.holder.vault = vault
    window = MainWindow(controller)
    window.resize(*SIZE)
    window.show()
    controller.has_keyring_slot = False
    window.unlock_page.show_locked("")
    grab(app, window, out / "unlock.png")

    controller.opened(unlock_info(vault))
    grab(app, window, out / "today.png")
    window.nav.setCurrentRow(CASELOAD)
    grab(app, window, out / "caseload.png")

    dialog = RegisterDialog(controller, window)
    dialog.show()
    grab(app, dialog, out / "register.png")
    dialog.close()

    window.open_participant(richest_participant(vault))
    tabs = window.record_page.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        name = tabs.tabText(index).replace("&", "").lower().replace(" ", "-")
        grab(app, window, out / f"record-{name}.png")

    sync = window.sync_page
    sync.runner.timer.stop()  # no automatic run while the screenshots are taken
    sync.runner.soon.stop()
    sync.runner.client_factory = DemoHub
    if sync.runner.watch is not None:
        sync.runner.watch.set_online(True)  # whatever this machine's network, show the connected state
    window.nav.setCurrentRow(SYNC)
    sync.runner.network.wait_idle()
    grab(app, window, out / "sync.png")

    from coachdesk.ui.sync_enrol import EnrolDialog  # noqa: PLC0415

    enrol = EnrolDialog(sync.runner, DEMO_HUB, window)
    enrol.show()
    grab(app, enrol, out / "sync-enrol.png")
    enrol.close()

    from coachdesk.ui.data_protection_page import AUDIT, RETENTION  # noqa: PLC0415
    from coachdesk.ui.record.erase_dialog import EraseDialog  # noqa: PLC0415
    from coachdesk.ui.restore_dialog import RestoreDialog  # noqa: PLC0415

    window.nav.setCurrentRow(DATA)
    grab(app, window, out / "data-protection-backups.png")
    restore = RestoreDialog(controller, window)
    restore.show()
    grab(app, restore, out / "restore.png")
    restore.close()
    window.data_page.show_tab(RETENTION)
    grab(app, window, out / "data-protection-retention.png")
    window.data_page.show_tab(AUDIT)
    grab(app, window, out / "data-protection-audit.png")
    window.open_participant(richest_participant(vault))
    record = window.record_page
    assert record._participant is not None
    erase = EraseDialog(f"{record._participant.given_name} {record._participant.family_name}", window)
    erase.show()
    grab(app, erase, out / "erase-participant.png")
    erase.close()

    window.lock_action.trigger()  # as Ctrl+L does
    grab(app, window, out / "locked.png")
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
