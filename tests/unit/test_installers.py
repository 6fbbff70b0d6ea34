"""The installers agree with the app and with each other (installers/; README "Installing CoachDesk").

Fast checks, no build: building the installers is too slow for the test suite and runs in
.github/workflows/installers.yml. Each test here fails for a real reason: a resource added to
coachdesk/resources but not to the spec (the frozen app would miss it), an icon that is not the
size its name says, a version the installers cannot express, a version typed into one installer
instead of read from coachdesk/__init__.py, or an executable renamed in one place only."""

from __future__ import annotations

import ast
import importlib.util
import plistlib
import re
import struct
from pathlib import Path
from types import ModuleType

import pytest

import coachdesk

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
RESOURCES = ROOT / "coachdesk" / "resources"


def _buildinfo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("buildinfo", INSTALLERS / "buildinfo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spec_list(name: str) -> list[str]:
    """A list of strings assigned at the top of installers/coachdesk.spec, read without running it."""
    tree = ast.parse((INSTALLERS / "coachdesk.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError(f"coachdesk.spec has no {name} list")


def test_the_spec_lists_every_resource_file_and_only_those() -> None:
    listed = _spec_list("RUNTIME_RESOURCES") + _spec_list("BUILD_RESOURCES")
    assert len(listed) == len(set(listed)), "a file is listed twice"
    present = {
        p.relative_to(RESOURCES).as_posix()
        for p in RESOURCES.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    assert sorted(present - set(listed)) == [], "in coachdesk/resources but not in installers/coachdesk.spec"
    assert sorted(set(listed) - present) == [], "listed in installers/coachdesk.spec but missing"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_icons_have_the_sizes_the_platforms_need() -> None:
    pngs = [name for name in _spec_list("RUNTIME_RESOURCES") if re.fullmatch(r"icons/coachdesk-\d+\.png", name)]
    sizes = sorted(int(re.findall(r"\d+", name)[0]) for name in pngs)
    assert {16, 32, 48, 128, 256, 512} <= set(sizes)  # window icon and the hicolor theme
    for size in sizes:
        assert _png_size(RESOURCES / "icons" / f"coachdesk-{size}.png") == (size, size)

    ico = (RESOURCES / "icons" / "coachdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1), "coachdesk.ico is not an icon file"
    ico_sizes = {(ico[6 + 16 * i] or 256) for i in range(count)}  # 0 in the directory means 256
    assert {16, 24, 32, 48, 256} <= ico_sizes

    icns = (RESOURCES / "icons" / "coachdesk.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic10" in icns, "no 1024-pixel (512@2x) image for Retina Macs"

    svg = (RESOURCES / "icons" / "coachdesk.svg").read_text(encoding="utf-8")
    assert 'viewBox="0 0 256 256"' in svg


def test_the_installers_version_is_the_apps() -> None:
    info = _buildinfo()
    assert info.version() == coachdesk.__version__
    numbers = info.windows_version(coachdesk.__version__)
    assert len(numbers) == 4 and all(0 <= n <= 0xFFFF for n in numbers)
    assert info.debian_version(coachdesk.__version__)


@pytest.mark.parametrize(
    ("version", "debian", "windows", "release"),
    [
        ("0.1.0", "0.1.0", (0, 1, 0, 0), "0.1.0"),
        ("1.2", "1.2", (1, 2, 0, 0), "1.2"),
        ("0.2.0rc1", "0.2.0~rc1", (0, 2, 0, 0), "0.2.0"),  # ~ sorts before the release: 0.2.0 upgrades it
        ("0.2.0.dev3", "0.2.0~dev3", (0, 2, 0, 0), "0.2.0"),
        ("0.2.0rc1.dev3", "0.2.0~rc1~dev3", (0, 2, 0, 0), "0.2.0"),
        ("1.0.post1", "1.0+post1", (1, 0, 0, 0), "1.0"),
        ("1.0.post1.dev2", "1.0+post1~dev2", (1, 0, 0, 0), "1.0"),
    ],
)
def test_version_forms(version: str, debian: str, windows: tuple[int, int, int, int], release: str) -> None:
    info = _buildinfo()
    assert info.debian_version(version) == debian
    assert info.windows_version(version) == windows
    assert info.release_version(version) == release


@pytest.mark.parametrize("version", ["1.0-beta", "v1.0", "1.0 rc1"])
def test_versions_that_are_not_pep_440_are_refused(version: str) -> None:
    info = _buildinfo()
    with pytest.raises(ValueError, match=re.escape(repr(version))):
        info.debian_version(version)
    with pytest.raises(ValueError, match=re.escape(repr(version))):
        info.windows_version(version)


@pytest.mark.parametrize("version", ["1.2.3.4.5", "1.70000.0"])
def test_windows_refuses_what_its_version_block_cannot_hold(version: str) -> None:
    with pytest.raises(ValueError, match="four numbers, each below 65536"):
        _buildinfo().windows_version(version)


def test_no_installer_carries_a_version_of_its_own() -> None:
    """Each takes it from coachdesk/__init__.py (via buildinfo.py), so none can fall behind."""
    spec = (INSTALLERS / "coachdesk.spec").read_text(encoding="utf-8")
    assert "VERSION = buildinfo.version()" in spec

    nsi = (INSTALLERS / "windows" / "coachdesk.nsi").read_text(encoding="utf-8")
    typed = re.search(r"^\s*!define\s+(VERSION|WINDOWS_VERSION)\b", nsi, re.MULTILINE)
    assert typed is None, "a version typed into the .nsi"
    assert '!if "${BUILT_1}.${BUILT_2}.${BUILT_3}.${BUILT_4}" != "${WINDOWS_VERSION}"' in nsi

    workflow = (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
    assert "buildinfo.py version" in workflow and "buildinfo.py windows-version" in workflow

    with (INSTALLERS / "macos" / "Info.plist").open("rb") as f:
        plist = plistlib.load(f)
    assert not {"CFBundleShortVersionString", "CFBundleVersion"} & set(plist), "the spec sets the version"

    desktop = (INSTALLERS / "linux" / "coachdesk.desktop").read_text(encoding="utf-8")
    assert re.findall(r"^Version=(.*)$", desktop, re.MULTILINE) == ["1.4"]  # the desktop entry format's version

    build = (INSTALLERS / "linux" / "build.sh").read_text(encoding="utf-8")
    assert "buildinfo.py debian-version" in build and "Version: $debversion" in build


def test_every_installer_names_the_same_executables_and_icon() -> None:
    info = _buildinfo()
    gui, cli = info.GUI_NAME, info.CLI_NAME
    assert gui.lower() != cli.lower(), "Windows and macOS would see one file"

    wrapper = (INSTALLERS / "linux" / "coachdesk-wrapper.sh").read_text(encoding="utf-8")
    assert f'/opt/coachdesk/{cli}" "$@"' in wrapper
    run_installer = (INSTALLERS / "linux" / "install.sh").read_text(encoding="utf-8")
    assert f"ln -sfn ../lib/coachdesk/{cli} " in run_installer

    entry = (INSTALLERS / "linux" / "coachdesk.desktop").read_text(encoding="utf-8")
    desktop = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    assert desktop["Exec"] == desktop["TryExec"] == "coachdesk"  # /usr/bin/coachdesk, the wrapper
    assert desktop["Icon"] == "coachdesk"
    assert desktop["StartupWMClass"] == info.APP_NAME  # Qt's WM_CLASS: the application name
    app = (ROOT / "coachdesk" / "ui" / "app.py").read_text(encoding="utf-8")
    assert 'setDesktopFileName("coachdesk")' in app  # Wayland finds the entry's icon by this name

    nsi = (INSTALLERS / "windows" / "coachdesk.nsi").read_text(encoding="utf-8")
    for exe in (gui, cli):
        assert f'File "${{BUNDLE}}/{exe}.exe"' in nsi
        assert f'Delete "$INSTDIR\\{exe}.exe"' in nsi
    assert f'CreateShortcut "$SMPROGRAMS\\CoachDesk.lnk" "$INSTDIR\\{gui}.exe"' in nsi

    workflow = (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
    assert f"{cli}.exe --smoke" in workflow and f"Contents/MacOS/{cli} --smoke" in workflow
