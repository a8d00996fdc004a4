"""Text that survives: every name comes out of the PDF as the string the database holds.

poppler's ``pdftotext`` is read raw here (no normalisation): Arabic must come back as
its letters in reading order, not as the joined presentation forms it is drawn with.
Bidi embedding marks that poppler puts around a right-to-left run are not part of the
name and do not stop it being found.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from reportlab.platypus import SimpleDocTemplate

from naas_centre.reports import fonts
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import day_summary, gather, refs_for_sitting
from naas_centre.reports.layout import p, styles
from naas_centre.reports.render import render
from tests.reports.conftest import NAMES, Centre


def _raw_text(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_every_name_in_every_script_comes_out_of_every_report_kind_as_stored(
    centre: Centre, tmp_path: Path
) -> None:
    manager = centre.login("manager")
    for name in NAMES:
        kinds = set()
        for ref in refs_for_sitting(centre.db, manager, centre.sitting_of[name]):
            text = _raw_text(render(gather(centre.db, manager, ref)).pdf, tmp_path / "r.pdf")
            assert name in text, (name, ref.key)
            assert not any(0xFB50 <= ord(ch) <= 0xFDFF or 0xFE70 <= ord(ch) <= 0xFEFF for ch in text)
            kinds.add(ref.kind)
        assert kinds == {ReportKind.OBSERVATION, ReportKind.WRITTEN, ReportKind.KNOWLEDGE, ReportKind.OUTCOME}
    text = _raw_text(render(day_summary(centre.db, manager, centre.day)).pdf, tmp_path / "day.pdf")
    for name in NAMES:
        assert name in text, name


ARABIC = (
    "ليلى حداد",
    "سلام علي",  # lam-alef, drawn as one ligature
    "عبد الله الأحمد",  # lam-alef with hamza; the word Allah drawn letter by letter
    "نور الهدى بن سلامة",
    "مُحَمَّد",  # vowel marks are part of the name as stored
)


@pytest.mark.parametrize("bold", [False, True])
def test_arabic_names_extract_in_logical_order_with_ligatures_and_vowel_marks(
    tmp_path: Path, bold: bool
) -> None:
    st = styles()
    path = tmp_path / "arabic.pdf"
    story = [p(f"Candidate: {n} (Leeds City Council)", st["body"], bold=bold) for n in ARABIC]
    story += [p(n, st["body"], bold=bold) for n in ARABIC]
    SimpleDocTemplate(str(path)).build(story)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for name in ARABIC:
        assert text.count(name) == 2, name


def test_joined_forms_map_back_to_their_letters() -> None:
    cmap = fonts.to_unicode_cmap("AAAAAA+Test", [0x41, 0xFEDF, 0xFEFB])
    assert "<00> <0041>" in cmap
    assert "<01> <0644>" in cmap  # lam, initial form → lam
    assert "<02> <06270644>" in cmap  # lam-alef: its letters in drawing order, alef then lam
