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
        ("naas_centre", ("ui", "PySide6")),
        ("naas_centre/core", ("sqlalchemy", "db", "alembic", "PySide6", "naas_centre.services")),
    ],
)
def test_no_import_runs_backwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert _offending(package, forbidden) == []


def test_video_libraries_only_in_the_recorder() -> None:
    """OpenCV and PyAV belong to the Qt-free recorder and reader alone, so nothing else
    pays for them (or meets a second copy of Qt in a wrong OpenCV wheel)."""
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("naas_centre", "ui", "db")
        for path, name in _imports(package)
        if name.split(".")[0] in ("cv2", "av") and "naas_centre/video" not in path.as_posix()
    ]
    assert found == []


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


def test_the_app_and_its_commands_load_no_numeric_video_or_spreadsheet_library() -> None:
    """Start-up stays fast: numpy, scipy, OpenCV and the spreadsheet writers are imported
    only by the work that needs them (an analysis, a recording, an export)."""
    code = (
        "import sys, ui.main, naas_centre.cli, ui.shell.main_window;"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numpy', 'scipy', 'cv2', 'av', 'openpyxl', 'xlsxwriter', 'pandas', 'statsmodels'});"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def _ui_import_graph(root: Path) -> dict[str, set[str]]:
    """Every module in ``ui/`` and the ``ui`` modules it imports: at the top, inside
    functions and under ``TYPE_CHECKING`` alike (a type-only circle is still a circle)."""
    modules: dict[str, Path] = {}
    for path in (root / "ui").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                # ``import ui.a.b`` also imports ``ui.a``, but that is a package face, not a
                # dependency on the module doing the import; count the deepest module named.
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_no_import_circle_in_ui() -> None:
    assert _circles(_ui_import_graph(ROOT)) == []


def test_the_circle_check_catches_a_type_only_circle(tmp_path: Path) -> None:
    probe = tmp_path / "ui" / "probe"
    probe.mkdir(parents=True)
    (tmp_path / "ui" / "__init__.py").write_text("", encoding="utf-8")
    (probe / "__init__.py").write_text("", encoding="utf-8")
    (probe / "a.py").write_text("from ui.probe import b\n", encoding="utf-8")
    (probe / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import thing\n", encoding="utf-8"
    )
    (probe / "c.py").write_text("from ui.probe.a import x\n", encoding="utf-8")
    assert _circles(_ui_import_graph(tmp_path)) == [["ui.probe.a", "ui.probe.b"]]


def test_the_shipped_package_carries_no_test_driver() -> None:
    """Scripted users and start-up hooks live in tests/drivers: nothing shipped imports
    PySide6.QtTest or reads a test's environment variable."""
    hooks = ("NAAS_QUIT_AFTER_SHOWN", "NAAS_BENCH_LOGIN", "NAAS_AUTOPILOT", "NAAS_SCORING_AUTOPILOT")
    test_only = ("QtTest", *hooks)
    found = [
        f"{path.relative_to(ROOT)} names {word}"
        for package in ("ui", "naas_centre", "db")
        for path in sorted((ROOT / package).rglob("*.py"))
        for word in test_only
        if word in path.read_text(encoding="utf-8")
    ]
    assert found == []
