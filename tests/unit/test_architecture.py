"""The house rules a machine can check (architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "coachdesk"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_no_qt_outside_ui() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if "ui" not in p.relative_to(PACKAGE).parts[:1]
        and any(name.split(".")[0] in ("PySide6", "shiboken6") for name in _imports(p))
    ]
    assert offenders == [], f"PySide6 imported outside coachdesk/ui/: {offenders}"


def test_domain_imports_nothing_else_of_coachdesk() -> None:
    for p in _modules("domain"):
        others = {n for n in _imports(p) if n.startswith("coachdesk.") and not n.startswith("coachdesk.domain")}
        assert not others, f"{p.name} imports {others}"


def test_storage_does_not_reach_up() -> None:
    for p in _modules("storage"):
        up = {
            n
            for n in _imports(p)
            if n.startswith(("coachdesk.services", "coachdesk.ui", "coachdesk.cli", "coachdesk.hub"))
        }
        assert not up, f"{p.name} imports {up}"


def test_hub_imports_only_the_domain() -> None:
    """The hub runs on the programme's server: it reads the bundle format and the measure catalogue,
    never the coach's vault, services, sync or Qt."""
    for p in _modules("hub"):
        others = {
            n
            for n in _imports(p)
            if n.startswith("coachdesk.") and not n.startswith(("coachdesk.domain", "coachdesk.hub"))
        }
        assert not others, f"hub/{p.name} imports {others}"


def test_no_sql_outside_storage_and_hub() -> None:
    """SQL lives in storage/ (and the hub's store): services compose storage calls."""
    for folder in ("domain", "services", "ui", "printing"):
        for p in _modules(folder):
            text = p.read_text(encoding="utf-8")
            assert ".execute(" not in text, f"{p.relative_to(PACKAGE)} runs SQL"


def test_headless_cli_imports_no_qt() -> None:
    import subprocess
    import sys

    code = "import sys, coachdesk.cli; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
