"""The run-sheets as printed: text read back with pdftotext, pages counted with pdfinfo.

The day is a small circuit (tests/services/circuit_day.py) with an Arabic name, a very
long name with extra time and a break between scenarios, and a lunch break.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from db.engine import Database
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.services import run_sheets
from tests.reports.conftest import pdffonts, pdftotext
from tests.services.circuit_day import ACTOR_SECRET, ARABIC_NAME, DAY, LONG_NAME, Circuit, make_circuit


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def circuit(sqlite_db: Database) -> Circuit:
    return make_circuit(sqlite_db)


@pytest.fixture
def written(circuit: Circuit, tmp_path: Path) -> dict[str, Path]:
    files = run_sheets.write(circuit.db, circuit.manager, DAY, tmp_path / "out")
    return {p.name.removeprefix(f"{DAY.isoformat()}-").removesuffix(".pdf"): p for p in files}


def test_every_kind_is_written(written: dict[str, Path]) -> None:
    assert sorted(written) == ["actor-joanne-whitfield", "rota", "sign-in", "timetables"]
    assert pages(written["rota"]) == 3  # a page per room: two stations and the written room
    assert pages(written["timetables"]) == 3  # a page per candidate
    assert pages(written["sign-in"]) == 1
    assert pages(written["actor-joanne-whitfield"]) == 1  # she plays one part
    for pdf in written.values():
        assert all(row[-3] == "yes" for row in pdffonts(pdf)), pdf  # every font embedded


def test_the_rota_names_each_room_its_people_and_its_candidates_in_order(written: dict[str, Path]) -> None:
    text = pdftotext(written["rota"])
    page_texts = text.split("\f")
    room1 = flat(page_texts[0])
    assert "Room 1: rota" in room1 and "Home visit (Role-play)" in room1
    assert "Priya Shah, Gareth Hughes" in room1 and "Joanne Whitfield" in room1
    assert room1.index("Aisha Rahman") < room1.index(ARABIC_NAME) < room1.index("Bartholomew")
    assert "+25% reading time; break between scenarios" in room1
    # The manager's notes (they may name a condition) stay on the candidate's own page.
    assert "chair with arms" not in flat(text)
    assert "09:00–09:40" in room1 and "11:10–11:50" in room1
    library = flat(page_texts[2])
    assert "Library: rota" in library and "Written exercise" in library and "+25% writing time" in library
    assert "Actor" not in library  # no actor in the written room


def test_each_timetable_is_the_candidates_own_with_breaks_and_adjustments(written: dict[str, Path]) -> None:
    per_page = [flat(t) for t in pdftotext(written["timetables"]).split("\f") if t.strip()]
    assert len(per_page) == 3
    long_page = next(t for t in per_page if "Bartholomew" in t)
    assert flat(LONG_NAME) in long_page  # the long name whole, not cut
    assert "25% extra time for reading each brief and for the written exercise." in long_page
    assert "A break between scenarios" in long_page
    assert "Sits near the door; a chair with arms." in long_page
    assert "Written exercise: Case record, 45 minutes (with your extra time)" in long_page
    assert "Arrive by 08:45" in long_page  # 15 minutes before their first station, at 09:00
    arabic_page = next(t for t in per_page if ARABIC_NAME in t)
    assert "None recorded." in arabic_page
    assert "Lunch" in arabic_page and "10:40–11:10" in arabic_page
    assert arabic_page.index("Library") < arabic_page.index("Room 1") < arabic_page.index("Room 2")
    for page in per_page:  # nobody else's name on a candidate's own page
        others = [n for n in ("Aisha Rahman", ARABIC_NAME, "Bartholomew") if n in page]
        assert len(others) == 1, page


def test_the_sign_in_sheet_is_in_arrival_order_with_a_box_to_sign(written: dict[str, Path]) -> None:
    text = flat(pdftotext(written["sign-in"]))
    assert "Signature" in text and "Time in" in text
    assert (
        text.index("Aisha Rahman") < text.index("Bartholomew") < text.index(ARABIC_NAME)
    )  # all at 09:00: by name
    assert "SW100002" in text and "Manchester City Council" in text


def test_the_actor_brief_is_in_the_actors_pack_and_nowhere_else(written: dict[str, Path]) -> None:
    pack = flat(pdftotext(written["actor-joanne-whitfield"]))
    assert "Confidential: for Joanne Whitfield only" in pack and flat(ACTOR_SECRET) in pack
    assert pack.index("Aisha Rahman") < pack.index(ARABIC_NAME) < pack.index("Bartholomew")
    for kind in ("rota", "sign-in", "timetables"):
        text = flat(pdftotext(written[kind]))
        assert flat(ACTOR_SECRET) not in text and "tired and wary" not in text, kind


def test_writing_again_replaces_each_file_whole(circuit: Circuit, written: dict[str, Path]) -> None:
    folder = written["rota"].parent
    written["rota"].write_bytes(b"an old, broken sheet")
    again = run_sheets.write(circuit.db, circuit.manager, DAY, folder)
    assert {p.name for p in again} == {p.name for p in folder.iterdir()}  # no temporary file left
    assert written["rota"].read_bytes().startswith(b"%PDF") and pages(written["rota"]) == 3


def test_progress_and_stopping_part_way(circuit: Circuit, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    files = run_sheets.write(
        circuit.db,
        circuit.manager,
        DAY,
        tmp_path / "out",
        progress=lambda d, t, name: seen.append((d, t, name)),
        cancelled=lambda: len(seen) >= 2,
    )
    assert [d for d, _t, _n in seen] == [1, 2] and all(t == 4 for _d, t, _n in seen)
    assert len(files) == 2 and all(f.exists() for f in files)


def test_who_may_print_and_what_is_refused(circuit: Circuit, tmp_path: Path) -> None:
    assert run_sheets.gather(circuit.db, circuit.admin, DAY).rotas
    for who in (circuit.a1, circuit.qa):
        with pytest.raises(PermissionDenied):
            run_sheets.gather(circuit.db, who, DAY)
    with pytest.raises(UserError, match="There is no circuit plan for 2 December 2026"):
        run_sheets.write(circuit.db, circuit.manager, DAY.replace(day=2), tmp_path / "never")
    assert not (tmp_path / "never").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(UserError, match="is a file, not a folder"):
        run_sheets.write(circuit.db, circuit.manager, DAY, a_file)
