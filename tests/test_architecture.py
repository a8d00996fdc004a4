"""The layers run one way: ui -> naas_centre -> db. PySide6 only in ui; a pure core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def _offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, name in _imports(package)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("db", ("ui", "naas_centre", "PySide6")),
        ("naas_centre", ("ui", "PySide6", "cv2")),
        ("naas_centre/core", ("sqlalchemy", "db", "alembic", "PySide6", "naas_centre.services")),
    ],
)
def test_no_import_runs_backwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert _offending(package, forbidden) == []


def test_the_check_itself_catches_a_backward_import(tmp_path: Path) -> None:
    bad = ROOT / "db" / "_arch_probe_tmp.py"
    bad.write_text("from naas_centre import paths  # noqa\n", encoding="utf-8")
    try:
        assert _offending("db", ("naas_centre",)) == ["db/_arch_probe_tmp.py imports naas_centre"]
    finally:
        bad.unlink()


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_services_and_cli_load_without_qt() -> None:
    code = (
        "import sys, naas_centre.cli, naas_centre.services.scoring, naas_centre.demo.play;"
        "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0
