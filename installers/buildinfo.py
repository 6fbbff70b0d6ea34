"""What every installer agrees on, in one place: CoachDesk's version, read from
coachdesk/__init__.py (read, not imported: a packaging step must not need the app's
dependencies), in the forms each platform wants.

The spec imports this module; shell scripts and the CI workflow ask it on the command line:

    python installers/buildinfo.py version            0.1.0
    python installers/buildinfo.py debian-version     0.1.0   (0.2.0rc1 -> 0.2.0~rc1, so it sorts first)
    python installers/buildinfo.py windows-version    0.1.0.0 (four numbers, each below 65536)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "CoachDesk"
GUI_NAME = "CoachDesk"  # the windowed executable: the start menu, the dock, the .desktop entry
CLI_NAME = "coachdesk-cli"  # the console executable: support, --smoke, the headless commands
BUNDLE_ID = "org.coachdesk.CoachDesk"  # macOS; also the prefix of the Windows uninstall key

_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)
# PEP 440, the parts CoachDesk may use: release, pre-release, post, dev, local.
_PEP440 = re.compile(
    r"^(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|b|rc)(?P<pre_n>\d+))?"
    r"(?:[-_.]?post(?P<post>\d+))?"
    r"(?:[-_.]?dev(?P<dev>\d+))?"
    r"(?:\+(?P<local>[a-z0-9.]+))?$"
)


def version(init_file: Path = ROOT / "coachdesk" / "__init__.py") -> str:
    found = _VERSION_LINE.search(init_file.read_text(encoding="utf-8"))
    if found is None:
        raise SystemExit(f"buildinfo: no __version__ line in {init_file}")
    parse(found.group(1))  # refuse a version the installers cannot express
    return found.group(1)


def parse(text: str) -> re.Match[str]:
    match = _PEP440.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a version the installers understand (PEP 440: 1.2.3, 1.2.3rc1, …)")
    return match


def release_version(text: str) -> str:
    """The release numbers alone (0.2.0rc1 -> 0.2.0): macOS's CFBundleVersion takes nothing else."""
    return parse(text).group("release")


def windows_version(text: str) -> tuple[int, int, int, int]:
    """The release numbers, padded to four: Windows' fixed version block has no room for rc/dev."""
    numbers = [int(n) for n in parse(text).group("release").split(".")]
    if len(numbers) > 4 or any(n > 0xFFFF for n in numbers):
        raise ValueError(f"{text!r}: Windows needs at most four numbers, each below 65536")
    return (*numbers, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def debian_version(text: str) -> str:
    """Debian's form: pre-releases and dev builds sort before the release (~), posts after (+)."""
    m = parse(text)
    out = m.group("release")
    if m.group("pre"):
        out += f"~{m.group('pre')}{m.group('pre_n')}"
    if m.group("post"):
        out += f"+post{m.group('post')}"
    if m.group("dev"):
        out += f"~dev{m.group('dev')}"
    if m.group("local"):
        out += f"+{m.group('local')}"
    return out


def main(argv: list[str]) -> int:
    forms = {
        "version": version,
        "debian-version": lambda: debian_version(version()),
        "windows-version": lambda: ".".join(str(n) for n in windows_version(version())),
    }
    if len(argv) != 1 or argv[0] not in forms:
        print(f"usage: buildinfo.py {' | '.join(forms)}", file=sys.stderr)
        return 2
    print(forms[argv[0]]())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
