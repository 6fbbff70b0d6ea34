"""The `coachdesk` command (interfaces.md §1). Headless commands import no Qt, so they work on
a server and start fast; with no command (or --smoke) the desktop app is started.

Exit codes: 0 done; 1 failed; 2 usage; 3 wrong or missing passphrase or recovery key; 4 the
vault is in use by another CoachDesk."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coachdesk import __version__, cli_secrets, logs
from coachdesk.domain.errors import EXIT_FAILED, EXIT_USAGE, CoachDeskError, VaultError
from coachdesk.paths import default_vault_dir
from coachdesk.resources import default_policy_text
from coachdesk.storage.files import write_requested_file

if TYPE_CHECKING:
    from coachdesk.storage.vault import Vault

log = logging.getLogger("coachdesk.cli")

RECOVERY_NOTICE = """\
Recovery key (shown this once; print it or write it down, and give it to your manager to keep):

    {key}

Without your passphrase or this key the vault cannot be opened by anyone, including CoachDesk's
developers: the data would be lost."""


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--vault", type=Path, default=default, metavar="DIR", help="vault folder (default: your data folder)"
    )
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        default=default,
        metavar="FILE",
        help="read the passphrase from FILE's first line",
    )
    parser.add_argument(
        "--debug", action="store_true", default=False if top else argparse.SUPPRESS, help="show tracebacks"
    )


def _month_argument(text: str) -> str:
    from coachdesk.domain.rules import parse_month  # noqa: PLC0415 - the parser stays light

    if parse_month(text) is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachdesk", description="CoachDesk: the employment coach's encrypted caseload."
    )
    parser.add_argument("--version", action="version", version=f"coachdesk {__version__}")
    parser.add_argument("--smoke", action="store_true", help="start the window, report start-up time, exit")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p, top=False)
        return p

    p = command("init", "create a vault and print its recovery key once")
    p.add_argument("--policy", type=Path, metavar="FILE", help="the programme policy file (TOML)")
    p = command("demo", "create a vault filled with realistic synthetic data")
    p.add_argument("--participants", type=int, default=150, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p = command("import", "import a coachdesk.caseload/1 file (all or nothing)")
    p.add_argument("file", type=Path)
    p = command("export", "write a coachdesk.caseload/1 file")
    p.add_argument("file", type=Path)
    p.add_argument("--participant", metavar="ID", help="only this participant (subject access request)")
    p = command("erase", "erase one participant completely (the audit log keeps that it happened, not who)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = command("search", "find participants by name, NHS number or words in notes")
    p.add_argument("text")
    p.add_argument("--json", action="store_true")
    command("check", "verify the vault: keys, database integrity, schema, audit chain")
    p = command("backup", "write an encrypted backup file")
    p.add_argument("file", type=Path)
    p = command("restore", "restore a backup into a new, empty vault folder")
    p.add_argument("file", type=Path)
    p.add_argument("--recovery-key-file", type=Path, metavar="FILE", help="verify with the recovery key instead")
    p = command("plan", "write a participant's action plan PDF and record it as issued")
    p.add_argument("id", metavar="ID")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--large-print", action="store_true", help="body text of at least 16 pt")
    p = command("bundle", "build and sign the programme bundle of one month")
    p.add_argument("--period", required=True, metavar="YYYY-MM", type=_month_argument)
    p.add_argument("--out", type=Path, metavar="FILE", help="write it here (default: standard output)")
    p = command("device", "print this laptop's device id and public key, for enrolment")
    p.add_argument("--json", action="store_true")
    p = command("enrol", "register this laptop with the programme's hub")
    p.add_argument("--hub", required=True, metavar="URL")
    p.add_argument("--token", required=True, metavar="TOKEN", help="the enrolment token from the programme team")
    command("sync", "send every changed month's bundle to the hub")
    p = command("passwd", "change the passphrase")
    p.add_argument(
        "--recovery-key-file", type=Path, metavar="FILE", help="use the recovery key instead of the old passphrase"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure()
    handler = _COMMANDS.get(args.command or "")
    try:
        if handler is None:
            return _desktop(args)
        log.info("command %s started", args.command)
        code = handler(args)
        log.info("command %s finished with %d", args.command, code)
        return code
    except CoachDeskError as exc:
        # The message may quote the coach's input: it goes to the screen, never to the log.
        log.warning("command %s failed: %s (exit %d)", args.command, type(exc).__name__, exc.exit_code)
        if args.debug:
            traceback.print_exc()
        print(f"coachdesk: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (`coachdesk search … | head`): not an error for the coach.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("coachdesk: interrupted; nothing was changed by the unfinished step.", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        log.warning("command %s failed: %s", args.command, type(exc).__name__)
        if args.debug:
            traceback.print_exc()
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"coachdesk: {exc.strerror or exc}{where}. Nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        # A bug, not the coach's doing: still one line (the message may quote data, so only the type
        # is shown and logged); the traceback only with --debug.
        log.error("command %s failed unexpectedly: %s", args.command, type(exc).__name__)
        if args.debug:
            traceback.print_exc()
        print(
            f"coachdesk: the command stopped on an unexpected error ({type(exc).__name__}). "
            "Run it again with --debug to see the details, and report them.",
            file=sys.stderr,
        )
        return EXIT_FAILED


def _vault_dir(args: argparse.Namespace) -> Path:
    return args.vault or default_vault_dir()


def _open_unlocked(args: argparse.Namespace) -> Vault:
    from coachdesk.storage.vault import Vault  # noqa: PLC0415 - the desktop path loads it on its worker

    vault = Vault.open(_vault_dir(args))
    try:
        cli_secrets.unlock(vault, args.passphrase_file, getattr(args, "recovery_key_file", None))
    except BaseException:
        vault.close()
        raise
    return vault


def _desktop(args: argparse.Namespace) -> int:
    try:
        from coachdesk.ui.app import run  # noqa: PLC0415 - Qt is loaded only for the window
    except ImportError as exc:
        # Usually a system library Qt needs is missing (README: "The two commands").
        print(
            f"coachdesk: the desktop window cannot start: {exc}. The commands still work (coachdesk --help).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return run(vault_dir=_vault_dir(args), smoke=args.smoke, passphrase_file=args.passphrase_file)


def _create(args: argparse.Namespace, policy_text: str) -> Vault:
    from coachdesk.storage.vault import Vault  # noqa: PLC0415 - see _open_unlocked

    passphrase = cli_secrets.new_passphrase(args.passphrase_file)
    vault, recovery = Vault.create(_vault_dir(args), passphrase, policy_text)
    print(RECOVERY_NOTICE.format(key=recovery))
    return vault


def cmd_init(args: argparse.Namespace) -> int:
    if args.policy is not None:
        try:
            policy_text = args.policy.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise VaultError(f"Cannot read the policy file {args.policy}: {exc}.") from None
    else:
        policy_text = default_policy_text()
    with _create(args, policy_text) as vault:
        print(f"Vault created in {vault.folder}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from coachdesk.services import demo_vault  # noqa: PLC0415 - only the demo needs the generator

    if args.participants < 0:
        raise VaultError("--participants must be zero or more.")
    with _create(args, default_policy_text()) as vault:
        total = demo_vault.fill(vault, args.participants, args.seed, date.today(), _progress_printer())
        print(f"Demo vault with {total} participants created in {vault.folder}.")
    return 0


def _progress_printer() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty():
            end = "\n" if done >= total else ""
            print(f"\r  {done:,} of {total:,} participants", end=end, file=sys.stderr, flush=True)

    return show


def cmd_import(args: argparse.Namespace) -> int:
    from coachdesk.services import caseload_file  # noqa: PLC0415 - only these commands need it

    with _open_unlocked(args) as vault:
        result = caseload_file.import_file(vault, args.file)
    print(f"Imported {result.total} participants ({result.created} new, {result.updated} updated).")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from coachdesk.services import caseload_file  # noqa: PLC0415 - only these commands need it

    with _open_unlocked(args) as vault:
        written = caseload_file.export_file(vault, args.file, args.participant)
    print(f"Wrote {written} participant{'s' if written != 1 else ''} to {args.file}.")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from coachdesk.services import governance  # noqa: PLC0415 - only this command needs it
    from coachdesk.storage import participants  # noqa: PLC0415

    with _open_unlocked(args) as vault:
        found = participants.summaries_for(vault.conn, [args.id])
        if not found:
            raise VaultError(f"No participant with the id {args.id} is in this vault; nothing was erased.")
        if not args.yes:
            if not sys.stdin.isatty():
                print("coachdesk: erasing cannot be undone; add --yes when not at a terminal.", file=sys.stderr)
                return EXIT_USAGE
            who = found[0]
            print(f"Erase {who.display_name} (born {who.date_of_birth.isoformat()}, {who.practice}) completely?")
            print("Every record about them leaves this vault and cannot be brought back (older backups still hold it).")
            if input("Type erase to confirm: ").strip().lower() != "erase":
                print("Nothing was erased.")
                return EXIT_FAILED
        governance.erase_participant(vault, args.id)
    print("Participant erased. The audit log records that an erasure happened, not who.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from coachdesk.storage import participants, search  # noqa: PLC0415 - see _open_unlocked

    with _open_unlocked(args) as vault:
        found = participants.summaries_for(vault.conn, search.search_ids(vault.conn, args.text))
    if args.json:
        print(
            json.dumps(
                [{"id": s.id, "name": s.display_name, "practice": s.practice} for s in found], ensure_ascii=False
            )
        )
    else:
        for s in found:
            print(f"{s.id}\t{s.display_name}\t{s.practice}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _open_unlocked(args) as vault:
        problems = vault.check()
        facts = vault.describe()
    if problems:
        for problem in problems:
            print(f"coachdesk: {problem}", file=sys.stderr)
        print("coachdesk: the vault is not sound; restore it from a backup.", file=sys.stderr)
        return EXIT_FAILED
    kdf = facts["kdf"]
    assert isinstance(kdf, dict)
    print(f"Vault {facts['vault_id']} is sound.")
    print(f"  schema version {facts['schema_version']}, {facts['participants']} participants")
    print(f"  key slots: {', '.join(facts['slots'])}")  # type: ignore[arg-type]
    print(
        f"  passphrase KDF: Argon2id, {kdf['memory_kib'] // 1024} MiB, {kdf['iterations']} passes, {kdf['lanes']} lanes"
    )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from coachdesk.storage.backup import write_backup  # noqa: PLC0415

    with _open_unlocked(args) as vault:
        write_backup(vault, args.file, _pages_printer())
    print(f"Encrypted backup written to {args.file} and checked.")
    return 0


def _pages_printer() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty() and total:
            print(f"\r  {100 * done // total}%", end="\n" if done >= total else "", file=sys.stderr, flush=True)

    return show


def cmd_restore(args: argparse.Namespace) -> int:
    from coachdesk.storage.backup import restore_backup  # noqa: PLC0415

    folder = _vault_dir(args)
    if args.recovery_key_file is not None:
        restore_backup(args.file, folder, recovery_key=cli_secrets.read_first_line(args.recovery_key_file))
    else:
        restore_backup(args.file, folder, passphrase=cli_secrets.passphrase(args.passphrase_file))
    print(f"Backup restored into {folder} and checked.")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from coachdesk.printing.action_plan import render  # noqa: PLC0415 - reportlab only for this command
    from coachdesk.services import plans  # noqa: PLC0415

    now = datetime.now()
    with _open_unlocked(args) as vault:
        plan = plans.build_plan(vault, args.id, now.date(), now, large_print=args.large_print)
        if plan.unsupported:
            # Never print empty boxes: the coach must correct or transliterate the text first.
            shown = " ".join(sorted(plan.unsupported))
            raise VaultError(
                f"The plan has characters the printing font cannot draw ({shown}). "
                "Edit the record to spell them in a supported script, then print again."
            )
        write_requested_file(args.out, render(plan), vault.folder)
        plans.record_issued(vault, args.id, now.date())
    print(f"Action plan written to {args.out} and recorded as issued today.")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    with _open_unlocked(args) as vault:
        new = cli_secrets.new_passphrase(None, cli_secrets.ENV_NEW_PASSPHRASE)
        vault.change_passphrase(new)
    print("Passphrase changed. The recovery key is unchanged.")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from coachdesk.sync import outbox  # noqa: PLC0415 - only the sync commands need it

    with _open_unlocked(args) as vault:
        data = outbox.bundle_for(vault, args.period)
        stored = outbox.month_record(vault, args.period)
        outbox.mark_exported(vault, stored)  # first: once written, the revision may reach the hub
        if args.out is None:
            sys.stdout.buffer.write(data + b"\n")
            sys.stdout.flush()
        else:
            write_requested_file(args.out, data, vault.folder)
    if args.out is not None:
        print(f"Bundle for {args.period} (revision {stored.revision}) written to {args.out}.")
    return 0


def cmd_device(args: argparse.Namespace) -> int:
    from coachdesk.sync import outbox  # noqa: PLC0415 - only the sync commands need it

    with _open_unlocked(args) as vault:
        me = outbox.device(vault)
    if args.json:
        print(json.dumps({"device_id": me.device_id, "public_key": me.public_key}))
    else:
        print(f"device_id   {me.device_id}")
        print(f"public_key  {me.public_key}")
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    from coachdesk.sync import sending  # noqa: PLC0415 - only the sync commands need it
    from coachdesk.sync.transport import HubClient  # noqa: PLC0415

    client = HubClient(args.hub)  # checks the address before the vault is opened
    with _open_unlocked(args) as vault:
        device_id = sending.enrol(vault, client, args.token)
    print(f"Enrolled with {client.base_url} as device {device_id}.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from coachdesk.sync import sending  # noqa: PLC0415 - only the sync commands need it

    with _open_unlocked(args) as vault:
        client = sending.client_for(vault)
        results = sending.sync(vault, client, date.today())
    for r in results:
        if r.state == "sent":
            print(f"{r.period}  revision {r.revision}  {r.status}  receipt {r.receipt}")
        else:
            print(f"{r.period}  revision {r.revision}  {r.state}: {r.reason}")
    print(sending.summarise(results))
    return 0 if all(r.state == "sent" for r in results) else EXIT_FAILED


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
    "search": cmd_search,
    "erase": cmd_erase,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "plan": cmd_plan,
    "passwd": cmd_passwd,
    "bundle": cmd_bundle,
    "device": cmd_device,
    "enrol": cmd_enrol,
    "sync": cmd_sync,
}
