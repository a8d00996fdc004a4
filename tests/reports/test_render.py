"""The reports as PDFs: fonts embedded, every name extractable as text, metadata set."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from naas_centre.reports import data as rdata
from naas_centre.reports import fonts
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, day_summary, gather, refs_for_sitting
from naas_centre.reports.render import render
from naas_centre.services import scoring
from tests.reports.conftest import NAMES, NOT_MET, UNTIMED, Centre, pdffonts, pdftotext


def _write(tmp_path: Path, name: str, pdf: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def test_fonts_ship_with_the_package() -> None:
    for name in (fonts.SANS, fonts.SANS_BOLD, fonts.CJK):
        path = fonts.font_path(name)
        assert path.is_file() and path.stat().st_size > 100_000
        assert "naas_centre" in str(path)


def test_mixed_text_is_split_by_script_and_arabic_is_shaped() -> None:
    runs = fonts.runs("陈美玲 (Oldham Council)")
    assert runs[0] == (fonts.CJK, "陈美玲 ")
    assert runs[1][0] == fonts.SANS
    shaped = fonts.shape("Candidate: ليلى حداد")
    assert shaped.startswith("Candidate: ")
    assert "\u00a0" in shaped  # the name's words stay together, in order
    assert all(0xFE70 <= ord(ch) <= 0xFEFF for ch in shaped[11:] if ch != "\u00a0")  # joined forms
    assert fonts.markup("a < b & c") == "a &lt; b &amp; c"


def test_every_report_embeds_its_fonts_and_shows_every_name(centre: Centre, tmp_path: Path) -> None:
    manager = centre.login("manager")
    seen = ""
    for name, sid in centre.sitting_of.items():
        for ref in refs_for_sitting(centre.db, manager, sid):
            if name == UNTIMED and ref.kind != ReportKind.WRITTEN:
                continue  # its stations were never started: see test_no_report_for_a_station_never_held
            path = _write(
                tmp_path,
                f"{ref.kind.value}-{ref.station_id}-{sid}.pdf",
                render(gather(centre.db, manager, ref)).pdf,
            )
            rows = pdffonts(path)
            assert rows, path
            # columns: name type [type…] encoding emb sub uni object ID
            assert all(row[-5] == "yes" for row in rows), rows
            if ref.kind == ReportKind.OUTCOME:
                text = pdftotext(path)
                assert name in text
                seen += text
    summary = _write(tmp_path, "day.pdf", render(day_summary(centre.db, manager, centre.day)).pdf)
    text = pdftotext(summary)
    for name in NAMES:
        assert name in seen
        assert name in text
    assert all(row[-5] == "yes" for row in pdffonts(summary))


def test_observation_report_content_and_metadata(centre: Centre, tmp_path: Path) -> None:
    manager = centre.login("manager")
    sid = centre.sitting_of["Gwenllian Prŷs-Dafydd"]
    ref = refs_for_sitting(centre.db, manager, sid)[0]
    data = gather(centre.db, manager, ref)
    assert isinstance(data, rdata.ObservationReportData)
    assert [t.phase for t in data.timings] == ["Reading", "Role-play", "Discussion"]
    assert data.timings[1].pauses[0].reason == "fire alarm"
    reading = data.timings[0]
    assert reading.adjusted_minutes == reading.planned_minutes * 1.25  # her 25% extra time
    other = gather(centre.db, manager, refs_for_sitting(centre.db, manager, centre.sitting_of[NAMES[1]])[0])
    assert isinstance(other, rdata.ObservationReportData)
    assert other.timings[1].adjusted_minutes == other.timings[1].planned_minutes
    assert other.timings[1].overrun_seconds == 75
    pdf = render(data).pdf
    assert b"/Lang (en-GB)" in pdf
    path = _write(tmp_path, "obs.pdf", pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    info = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}
    assert info["Title"] == "Observation report: Gwenllian Prŷs-Dafydd"
    assert info["Author"] == "Pennine Assessment Centre (demo)"
    assert info["Page size"].endswith("(A4)")
    text = pdftotext(path)
    for expected in (
        "Timings",
        "fire alarm",
        "12.5 min",
        "Evidence notes",
        "Overall judgement",
        "Page 1 of",
        "Signatures",
    ):
        assert expected in text, expected
    first = data.rubric[0]
    assert " ".join(first.scores[0].descriptor.split())[:40] in " ".join(text.split())


def test_no_report_for_a_station_never_held(centre: Centre) -> None:
    """A station whose clock was never started was never held: nothing to report or sign."""
    manager = centre.login("manager")
    refs = refs_for_sitting(centre.db, manager, centre.sitting_of[UNTIMED])
    for ref in refs:
        if ref.kind in (ReportKind.WRITTEN, ReportKind.KNOWLEDGE):  # neither rests on a station
            continue
        with pytest.raises(NotReady, match="never started"):
            gather(centre.db, manager, ref)


def test_missing_timings_are_shown_as_not_recorded(centre: Centre, tmp_path: Path) -> None:
    manager = centre.login("manager")
    ref = refs_for_sitting(centre.db, manager, centre.sitting_of[NAMES[0]])[0]
    data = gather(centre.db, manager, ref)
    assert isinstance(data, rdata.ObservationReportData) and data.timings
    untimed = dataclasses.replace(data, timings=())
    text = pdftotext(_write(tmp_path, "untimed.pdf", render(untimed).pdf))
    assert "Timings not recorded" in text


def test_outcome_report_for_not_met_gives_feedback_per_area(centre: Centre, tmp_path: Path) -> None:
    manager = centre.login("manager")
    ref = ReportRef(ReportKind.OUTCOME, centre.sitting_of[NOT_MET])
    data = gather(centre.db, manager, ref)
    assert isinstance(data, rdata.OutcomeReportData) and data.met is False
    assert data.reasons and any(a.needs_development for a in data.areas)
    text = " ".join(pdftotext(_write(tmp_path, "outcome.pdf", render(data).pdf)).split())
    assert "standard NOT MET" in text
    assert "Development feedback for each KSS area" in text
    for area in data.areas:
        assert area.strengths and area.next_steps, area.title
        if area.needs_development:
            assert area.development_feedback
            assert " ".join(area.development_feedback.split())[:60] in text


def test_written_report_holds_the_script(centre: Centre, tmp_path: Path) -> None:
    manager = centre.login("manager")
    refs = refs_for_sitting(centre.db, manager, centre.sitting_of["陈美玲"])
    written = next(r for r in refs if r.kind == ReportKind.WRITTEN)
    data = gather(centre.db, manager, written)
    assert isinstance(data, rdata.WrittenReportData) and data.word_count > 50
    text = pdftotext(_write(tmp_path, "written.pdf", render(data).pdf))
    assert "Record of home visit" in text and "Question for supervision" in text


def test_report_data_survives_its_json_snapshot(centre: Centre) -> None:
    manager = centre.login("manager")
    for ref in refs_for_sitting(centre.db, manager, centre.sitting_of["Małgorzata Żółkowska"]):
        data = gather(centre.db, manager, ref)
        again = rdata.from_json(type(data), rdata.to_json(data))
        assert again == data
    summary = day_summary(centre.db, manager, centre.day)
    assert rdata.from_json(rdata.DaySummaryData, rdata.to_json(summary)) == summary


def test_no_report_before_every_score_is_in(centre: Centre) -> None:
    """A re-sit planned for one candidate, with one level recorded and nothing submitted."""
    manager = centre.login("manager")
    from naas_centre.demo.centre import demo_packs
    from naas_centre.services import sittings

    sid = centre.sitting_of["Daniel Okonkwo-Reid"]
    detail = sittings.sitting_detail(centre.db, manager, sid)
    new = sittings.plan_sitting(
        centre.db,
        manager,
        detail.candidate.id,
        demo_packs()["practitioner"],
        _room(centre),
        detail.summary.starts_at,
        attempt=2,
    )
    assessor = centre.login("assessor3")
    sittings.assign_assessor(centre.db, manager, new, assessor.account_id)
    station = demo_packs()["practitioner"].scenarios[0]
    scoring.record_level(centre.db, assessor, new, station.id, station.rubric.criteria[0].id, 3)
    for ref in refs_for_sitting(centre.db, manager, new):
        with pytest.raises(NotReady, match="cannot be made or signed yet"):
            gather(centre.db, manager, ref)


def _room(centre: Centre) -> str:
    from sqlalchemy import select

    from db.models import RoomRow

    with centre.db.read() as s:
        return str(s.scalars(select(RoomRow.id)).first())
