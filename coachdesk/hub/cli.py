"""The `coachdesk-hub` command (interfaces.md §3).

Exit codes, as the coach's command: 0 done; 1 failed (one line on stderr; `import` also when any
file was refused); 2 usage. `token` and `user add` print the token alone on stdout, so a script can
capture it; everything else a person should read goes to stderr."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from coachdesk import __version__
from coachdesk.domain.bundle import MAX_BUNDLE_BYTES
from coachdesk.domain.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CoachDeskError, ValidationError
from coachdesk.domain.rules import parse_month
from coachdesk.hub import access, enrolment, server
from coachdesk.hub.config import UsageError, config_from, resolve_db_url, shown_url
from coachdesk.hub.disclosure import NHS, Rule, parse_rule
from coachdesk.hub.ingest import FILE, ingest, refuse, too_large
from coachdesk.hub.reports import FORMATS, ReportContext
from coachdesk.hub.store import REJECTED, Store
from coachdesk.hub.summary import summarise

log = logging.getLogger("coachdesk.hub.cli")

DEFAULT_PORT = 8765
DEFAULT_EXPIRES_DAYS = 14


def _rule(text: str) -> Rule:
    try:
        return parse_rule(text, "--sdc")
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.problem) from None


def _month(text: str) -> str:
    if parse_month(text) is None:
        raise argparse.ArgumentTypeError("must be a month written YYYY-MM")
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError("must be a port number from 0 to 65535")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachdesk-hub", description="CoachDesk hub: receives, merges and reports the coaches' monthly counts."
    )
    parser.add_argument("--version", action="version", version=f"coachdesk-hub {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        help="postgresql://user@host/db, sqlite:///FILE or a file path "
        "(default: $COACHDESK_HUB_DB, else hub/hub.sqlite3 in your data folder)",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    scope = argparse.ArgumentParser(add_help=False)
    scope.add_argument("--programme", metavar="NAME", help="accept bundles of this programme only")
    scope.add_argument(
        "--policy", type=Path, metavar="FILE", help="the programme's policy file: its programme and practices only"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", parents=[common, scope], help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)")
    serve.add_argument("--sdc", type=_rule, default=NHS, metavar="RULE", help="default disclosure rule (nhs)")
    serve.add_argument("--workers", type=_positive, default=1, help="worker processes (default 1)")

    token = commands.add_parser("token", parents=[common], help="print a single-use enrolment token")
    token.add_argument("--expires-days", type=_positive, default=DEFAULT_EXPIRES_DAYS, metavar="DAYS")

    imports = commands.add_parser("import", parents=[common, scope], help="ingest bundle files carried by hand")
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE")

    report = commands.add_parser("report", parents=[common, scope], help="the programme report")
    report.add_argument("--from", dest="period_from", required=True, type=_month, metavar="YYYY-MM")
    report.add_argument("--to", dest="period_to", required=True, type=_month, metavar="YYYY-MM")
    report.add_argument("--format", choices=sorted(FORMATS), default="csv")
    report.add_argument("--sdc", type=_rule, default=NHS, metavar="RULE", help="nhs (default), threshold:N or none")
    report.add_argument("--practice", metavar="CODE", help="one practice's rows (or ALL for the totals)")
    report.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")

    user = commands.add_parser("user", help="programme-team logins")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", parents=[common], help="create a login; prints its token")
    add.add_argument("name", metavar="NAME")
    return parser


def _open(args: argparse.Namespace) -> Store:
    return Store.open(resolve_db_url(args.db))


def _serve(args: argparse.Namespace) -> int:
    config = config_from(args.programme, args.policy, args.sdc)
    url = resolve_db_url(args.db)
    print(f"coachdesk-hub: store {shown_url(url)}", file=sys.stderr)
    server.serve(url, config, host=args.host, port=args.port, workers=args.workers)
    return EXIT_OK


def _token(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        print(enrolment.issue_token(store, args.expires_days))
    finally:
        store.close()
    return EXIT_OK


def _user_add(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        print(access.add_user(store, args.name))
    finally:
        store.close()
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    config = config_from(args.programme, args.policy)
    store = _open(args)
    failed = 0
    try:
        for path in args.files:
            try:
                if path.stat().st_size > MAX_BUNDLE_BYTES:
                    outcome = refuse(store, too_large(), source=FILE)
                else:
                    with path.open("rb") as handle:
                        data = handle.read(MAX_BUNDLE_BYTES + 1)  # a file growing meanwhile is still capped
                    outcome = ingest(store, data, config, source=FILE)
            except OSError as exc:
                failed += 1
                print(f"{path}: not read ({exc.strerror or type(exc).__name__})")
                continue
            if outcome.outcome == REJECTED:
                failed += 1
                print(f"{path}: rejected ({outcome.status} {outcome.error}): {outcome.detail}")
            else:
                print(f"{path}: {outcome.outcome}, receipt {outcome.receipt}")
    finally:
        store.close()
    return EXIT_FAILED if failed else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    # The policy file (or --programme) only names things in the report: the summary is the same.
    config = config_from(args.programme, args.policy)
    store = _open(args)
    try:
        summary = summarise(store, args.period_from, args.period_to, rule=args.sdc, practice=args.practice)
    finally:
        store.close()
    context = ReportContext(programme=config.programme, practice_names=dict(config.practice_names))
    data = FORMATS[args.format].render(summary, context)
    if summary.label:
        print(f"coachdesk-hub: sdc {summary.rule.text}: {summary.label}.", file=sys.stderr)
    if args.out is None:
        if args.format == "pdf" and sys.stdout.isatty():
            raise UsageError("a PDF is not for the terminal: give --out FILE (or redirect the output)")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(args.out, data)
    return EXIT_OK


def write_atomically(path: Path, data: bytes) -> None:
    """The whole file or none of it: a temp file beside it, flushed, then renamed over."""
    folder = path.resolve().parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": _serve,
    "token": _token,
    "import": _import,
    "report": _report,
    "user": _user_add,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    logging.getLogger("coachdesk").setLevel(logging.WARNING)
    try:
        return _COMMANDS[args.command](args)
    except CoachDeskError as exc:
        # The sentence may quote input: it goes to the screen only.
        if debug:
            traceback.print_exc()
        code = EXIT_USAGE if exc.exit_code == EXIT_USAGE or isinstance(exc, ValidationError) else EXIT_FAILED
        print(f"coachdesk-hub: {exc.message}", file=sys.stderr)
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return EXIT_FAILED
    except OSError as exc:
        if debug:
            traceback.print_exc()
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"coachdesk-hub: {exc.strerror or type(exc).__name__}{where}.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        if debug:
            traceback.print_exc()
        print(
            f"coachdesk-hub: the command stopped on an unexpected error ({type(exc).__name__}). "
            "Run it again with --debug to see the details, and report them.",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
