"""The scenario packs dialog: every pack found, built-in and the centre's own, valid ones
with their identity and bad ones with each problem; a bad pack never stops the app."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre import paths
from naas_centre.packs.loader import builtin_packs, load_pack_file
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import close_window, open_window, trigger
from ui.centre.packs_dialog import HASH_SHOWN, PacksDialog
from ui.common.settings import Settings
from ui.work.tasks import TaskManager


def write_bad_packs(data_dir: Path) -> tuple[Path, Path]:
    folder = paths.packs_dir(data_dir)
    folder.mkdir()
    # A real pack with one mistake in it: a reading time of no minutes, under a new version.
    text = files("scenarios").joinpath("leader.yaml").read_text(encoding="utf-8")
    text = re.sub(r'^version: "[^"]*"$', 'version: "99.0.1"', text, count=1, flags=re.M)
    text = text.replace("reading: 15", "reading: 0", 1)
    zero = folder / "leader-corrected.yaml"
    zero.write_text(text, encoding="utf-8")
    broken = folder / "half-written.yaml"
    broken.write_text("format: 1\nname: [unfinished\n", encoding="utf-8")
    return zero, broken


def test_a_bad_pack_is_listed_with_each_problem_beside_the_good_ones(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    zero, broken = write_bad_packs(demo.folder)
    w = open_window(qtbot, tasks, demo, settings, "manager")  # the app starts with bad packs around
    try:
        dialog = trigger(w, "centre.packs")
        assert isinstance(dialog, PacksDialog)
        qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
        expected = [str(p) for f in (broken, zero) for p in load_pack_file(f).problems]  # by file name
        assert any("timing.reading (line " in line and "greater than 0" in line for line in expected)
        assert dialog.problem_lines() == expected
        assert all(line.startswith(str(zero)) or line.startswith(str(broken)) for line in expected)
        assert dialog.heading.text() == "3 packs ready to use · 2 files with problems"

        tree = dialog.tree
        rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        good = [r for r in rows if r is not None and r.data(0, Qt.ItemDataRole.UserRole) == "ok"]
        bad = [r for r in rows if r is not None and r.data(0, Qt.ItemDataRole.UserRole) == "problems"]
        builtin = {lp.pack.name: lp for lp in builtin_packs() if lp.pack is not None}
        assert len(good) == 3
        for item in good:
            name = item.text(0).split("\n")[1]
            lp = builtin[name]
            assert lp.pack is not None and lp.content_hash is not None
            assert item.text(1) == lp.pack.version
            assert item.text(2) == lp.pack.level.value.capitalize()
            assert item.text(3) == lp.content_hash[:HASH_SHOWN]
            assert item.text(4) == "built-in"
        assert [item.text(4) for item in bad] == [broken.name, zero.name]
        assert all(item.isExpanded() and item.childCount() >= 1 for item in bad)
    finally:
        close_window(w, tasks)


def test_a_missing_packs_folder_is_no_problem(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    dialog = PacksDialog(tasks, demo.folder)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    assert dialog.problem_lines() == []
    assert dialog.heading.text() == "3 packs ready to use"
    assert "does not exist yet" in dialog.where.text()
    dialog.close()


def test_packs_are_for_managers_and_administrators(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    for username, allowed in (("manager", True), ("admin", True), ("assessor1", False), ("qa", False)):
        w = open_window(qtbot, tasks, demo, settings, username)
        try:
            assert w.action_set["centre.packs"].isEnabled() is allowed, username
        finally:
            close_window(w, tasks)
