"""The assessor's quick-reference card: one A4 page, two columns, fonts embedded, and
keys that are the application's own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from naas_centre.reports import quick_card
from ui.shell.actions import ACTIONS
from ui.shell.actions import GRID_KEYS as APP_GRID_KEYS


def _app_shortcuts() -> dict[str, str]:
    return {
        str(a.shortcut): a.text.replace("&", "").rstrip("…") for a in ACTIONS if isinstance(a.shortcut, str)
    }


def test_the_cards_keys_are_the_applications() -> None:
    shortcuts = _app_shortcuts()
    for keys, _ in quick_card.SITTING_KEYS + quick_card.DAY_KEYS:
        if keys == "F1":
            continue  # help: whichever window F1 opens there
        assert keys in shortcuts, f"{keys} is on the card but is no action's shortcut"
    assert {k for k, _ in APP_GRID_KEYS} <= {k for k, _ in quick_card.GRID_KEYS}
    phase_keys = {k: shortcuts[k] for k in ("F6", "F7", "F8")}
    assert phase_keys == {"F6": "Start or resume the phase", "F7": "Pause the phase", "F8": "End the phase"}


def _text(pdf: Path, *crop: str) -> str:
    return subprocess.run(
        ["pdftotext", *crop, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_one_a4_page_in_two_columns(tmp_path: Path) -> None:
    out = quick_card.write(tmp_path / "card.pdf")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info and "595.276 x 841.89 pts (A4)" in info
    text = " ".join(_text(out).split())
    for words in ("Assessor's quick reference", "Ctrl+Return", "Saved", "If the disk refuses", "Do not quit"):
        assert words in text
    left = " ".join(_text(out, "-x", "0", "-y", "0", "-W", "297", "-H", "842").split())
    right = " ".join(_text(out, "-x", "298", "-y", "0", "-W", "297", "-H", "842").split())
    assert "In the rubric grid" in left and "In the rubric grid" not in right
    assert "If the disk refuses" in right and "If the disk refuses" not in left
    assert not [p.name for p in tmp_path.iterdir() if p.name != "card.pdf"]  # written atomically


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs pdffonts (Debian poppler-utils)")
def test_every_font_is_embedded(tmp_path: Path) -> None:
    out = quick_card.write(tmp_path / "card.pdf")
    rows = subprocess.run(
        ["pdffonts", str(out)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), rows


def test_the_command_line_writes_it_and_names_the_file(tmp_path: Path) -> None:
    assert quick_card.main([]) == 2
    assert quick_card.main([str(tmp_path / "out" / "card.pdf")]) == 0
    assert (tmp_path / "out" / "card.pdf").stat().st_size > 10_000
