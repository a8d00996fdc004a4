"""The knowledge test's result, end to end: in the outcome (open until submitted, its pass
mark counted), in the score sheets, and in its own signed report, which shows marks by
KSS area and never an item, a stem, a key or an answer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import KnowledgeFormRow
from naas_centre.exports.score_sheets import Filters, ScoreSheetQuery
from naas_centre.packs.schema import Pack
from naas_centre.reports import data as rdata
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, day_summary, gather, refs_for_sitting
from naas_centre.reports.render import render
from naas_centre.reports.states import read_sitting_reports
from naas_centre.services import knowledge, signatures
from tests.reports.conftest import NAMES, PASSWORDS, Centre, nss_trusting, pdftotext
from tests.reports.filling import sit_knowledge
from tests.reports.test_cli import cli
from tests.reports.test_report_content import _sit


def _knowledge_ref(centre: Centre, sid: str) -> ReportRef:
    (ref,) = [
        r for r in refs_for_sitting(centre.db, centre.login("manager"), sid) if r.kind == ReportKind.KNOWLEDGE
    ]
    return ref


def _outcome_of(centre: Centre, sid: str) -> str:
    with centre.db.read() as s:
        (row,) = [r for r in ScoreSheetQuery.open(s, Filters()).results() if r.sitting_id == sid]
    return row.outcome


def _item_texts(pack: Pack) -> list[str]:
    """Every stem, option text and rationale of the bank: none may appear in a report."""
    assert pack.knowledge_test is not None
    out: list[str] = []
    for item in pack.knowledge_test.bank.items:
        out.append(item.stem)
        out += [o.text for o in item.options]
        if item.rationale:
            out.append(item.rationale)
    # Short texts ("Yes", "Section 47") could stand in any sentence: a phrase of some length.
    return [" ".join(t.split())[:60] for t in out if len(" ".join(t.split())) >= 30]


# In the outcome ----------------------------------------------------------------------


def test_the_outcome_stays_open_until_the_knowledge_test_is_submitted(centre: Centre) -> None:
    manager = centre.login("manager")
    sitting = _sit(centre, NAMES[1], lambda st, c: 3, sit_test=False)
    outcome = ReportRef(ReportKind.OUTCOME, sitting.id)
    with pytest.raises(NotReady, match=r"not started the knowledge test “Knowledge test”"):
        gather(centre.db, manager, outcome)
    ref = _knowledge_ref(centre, sitting.id)
    with pytest.raises(NotReady, match="not started the knowledge test"):
        gather(centre.db, manager, ref)
    assert _outcome_of(centre, sitting.id) == "not yet complete"

    # Opened and answered, but not yet submitted: still open, never "met".
    start = knowledge.open_and_start(centre.db, sitting.assessors[0], sitting.id)
    knowledge.answer(centre.db, start.grant, start.items[0].id, [start.items[0].options[0][0]])
    with pytest.raises(NotReady, match="not submitted the knowledge test"):
        gather(centre.db, manager, outcome)
    with pytest.raises(NotReady, match="not submitted the knowledge test"):
        gather(centre.db, manager, ref)
    assert _outcome_of(centre, sitting.id) == "not yet complete"
    states = {s.ref.kind: s for s in read_sitting_reports(centre.db, manager, sitting.id).reports}
    assert states[ReportKind.OUTCOME].not_ready and not states[ReportKind.OUTCOME].can_sign
    assert states[ReportKind.KNOWLEDGE].subject == "Knowledge test: marks by KSS area"
    assert states[ReportKind.KNOWLEDGE].status_text == "Not ready"
    verdicts = [
        r.outcome for r in day_summary(centre.db, manager, centre.day).rows if r.candidate_name == NAMES[1]
    ]
    assert sorted(verdicts) == ["met", "pending"]  # the first attempt, then this one

    knowledge.submit(centre.db, start.grant, "candidate")  # one right answer at most: below the mark
    data = gather(centre.db, manager, outcome)
    assert isinstance(data, rdata.OutcomeReportData) and data.met is False
    assert _outcome_of(centre, sitting.id) == "not met"


def test_the_knowledge_test_alone_can_fail_the_outcome_and_its_reason_gives_totals_only(
    centre: Centre, tmp_path: Path
) -> None:
    manager = centre.login("manager")
    sitting = _sit(centre, NAMES[1], lambda st, c: 4, knowledge_right=5)
    data = gather(centre.db, manager, ReportRef(ReportKind.OUTCOME, sitting.id))
    assert isinstance(data, rdata.OutcomeReportData) and data.met is False
    assert all(a.met for a in data.areas)  # every area met: the knowledge test is the only reason
    (test,) = data.knowledge
    assert test.marks == 5 and not test.passed and test.pass_mark == pytest.approx(0.7 * test.available)
    assert data.reasons == (
        f"The knowledge test “Knowledge test” scored 5 of {test.available} marks, below its pass mark "
        f"of {test.pass_mark:g}.",
    )
    assert sum(a.available for a in test.areas) == test.available
    assert _outcome_of(centre, sitting.id) == "not met"
    path = tmp_path / "outcome.pdf"
    path.write_bytes(render(data).pdf)
    text = " ".join(pdftotext(path).split())
    assert "The knowledge test: Knowledge test" in text and "did not reach the pass mark" in text
    assert "must also be submitted and reach its pass mark" in text
    for phrase in _item_texts(sitting.pack):
        assert phrase not in text, phrase


def test_a_passed_knowledge_test_with_the_areas_met_meets_the_standard(centre: Centre) -> None:
    manager = centre.login("manager")
    sitting = _sit(centre, NAMES[1], lambda st, c: 4)
    data = gather(centre.db, manager, ReportRef(ReportKind.OUTCOME, sitting.id))
    assert isinstance(data, rdata.OutcomeReportData) and data.met is True and not data.reasons
    (test,) = data.knowledge
    assert test.passed and test.marks == test.available
    assert [a.area_id for a in test.areas] == [
        a.id for a in sitting.pack.kss_areas if a.id in {x.area_id for x in test.areas}
    ]
    assert _outcome_of(centre, sitting.id) == "met"
    # And a passed knowledge test does not make up for an area not met.
    low = _sit(centre, NAMES[2], lambda st, c: 1)
    failed = gather(centre.db, manager, ReportRef(ReportKind.OUTCOME, low.id))
    assert isinstance(failed, rdata.OutcomeReportData) and failed.met is False and failed.knowledge[0].passed


# Its own report ------------------------------------------------------------------------


def test_the_knowledge_report_says_how_it_was_sat_and_its_marks_by_area_never_an_item(
    centre: Centre, tmp_path: Path
) -> None:
    manager = centre.login("manager")
    sid = centre.sitting_of[NAMES[0]]
    data = gather(centre.db, manager, _knowledge_ref(centre, sid))
    assert isinstance(data, rdata.KnowledgeReportData)
    assert data.submitted_how == "candidate" and data.submitted_at >= data.started_at
    assert data.result.passed and data.result.marks == data.result.available == data.items
    assert data.pass_rule == "70% of the marks"
    path = tmp_path / "knowledge.pdf"
    path.write_bytes(render(data).pdf)
    text = " ".join(pdftotext(path).split())
    assert "Knowledge-test report" in text and NAMES[0] in text
    assert f"Questions {data.items}" in text
    assert data.minutes == 75 and data.allowed_minutes == pytest.approx(75 * 1.25)  # the demo's 25%
    assert "Time allowed 93.8 minutes (75 minutes and the candidate's extra time)" in text
    assert "by the candidate" in text and "Pass mark REACHED" in text
    assert f"{data.items} of {data.items} marks" in text
    for area in data.result.areas:
        assert area.title in text
    assert "does not show the questions" in text
    pack = refs_pack(centre, sid)
    for phrase in _item_texts(pack):
        assert phrase not in text, phrase
    with centre.db.read() as s:
        form = s.scalar(select(KnowledgeFormRow).where(KnowledgeFormRow.sitting_id == sid))
        assert form is not None
    assert form.seed not in text and form.items[:40] not in text
    # The page as a reader sees it: drawn, one page or more, nothing empty.
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "page")], check=True)
    assert sorted(tmp_path.glob("page*.png"))


def refs_pack(centre: Centre, sid: str) -> Pack:
    from naas_centre.services import packs

    return packs.pack_for_sitting(centre.db, centre.login("manager"), sid)


def test_extra_time_and_time_up_are_on_the_report(centre: Centre, tmp_path: Path) -> None:
    from datetime import timedelta

    from db.models import CandidateRow, SittingRow

    manager = centre.login("manager")
    sitting = _sit(centre, NAMES[3], lambda st, c: 3, sit_test=False)
    with centre.db.write() as s:
        row = s.get(SittingRow, sitting.id)
        assert row is not None
        candidate = s.get(CandidateRow, row.candidate_id)
        assert candidate is not None
        candidate.extra_time_percent = 25
    start = knowledge.open_and_start(centre.db, sitting.assessors[0], sitting.id)
    knowledge.submit(centre.db, start.grant, "time_up", at=start.deadline() + timedelta(seconds=40))
    data = gather(centre.db, manager, _knowledge_ref(centre, sitting.id))
    assert isinstance(data, rdata.KnowledgeReportData) and data.submitted_how == "time_up"
    assert data.allowed_minutes == pytest.approx(75 * 1.25)
    assert data.submitted_at == start.deadline() and not data.result.passed and data.result.marks == 0
    path = tmp_path / "late.pdf"
    path.write_bytes(render(data).pdf)
    text = " ".join(pdftotext(path).split())
    assert "93.8 minutes (75 minutes and the candidate's extra time)" in text
    assert "when the time ran out" in text and "Pass mark NOT REACHED" in text
    assert "25% extra time" in text


def test_the_knowledge_report_signs_and_verifies_with_pdfsig_and_naas_centre_verify(
    centre: Centre, tmp_path: Path
) -> None:
    sid = centre.sitting_of[NAMES[2]]
    ref = _knowledge_ref(centre, sid)
    signers = centre.assessors_of(NAMES[2])[:1]  # who handed the kiosk over signs, then the manager
    for user in (*signers, "manager"):
        actor = centre.login(user)
        identity = signatures.unlock_signer(centre.db, actor, PASSWORDS[user], centre.data_dir)
        view = signatures.sign_report(centre.db, actor, identity, ref)
    assert view.kind == ReportKind.KNOWLEDGE and len(view.signers) == len(signers) + 1
    path = tmp_path / "knowledge.pdf"
    path.write_bytes(signatures.document_pdf(centre.db, actor, view.id))
    ca_file = tmp_path / "ca.pem"
    signatures.export_ca(centre.db, centre.data_dir, ca_file)
    run = cli("verify", "--ca", str(ca_file), str(path))
    assert run.returncode == 0 and f"{path}: VALID" in run.stdout, run.stdout + run.stderr
    out = nss_trusting(tmp_path / "nss", ca_file).pdfsig(path)
    assert out.count("Signature Validation: Signature is Valid.") == len(signers) + 1, out
    assert "Certificate Validation: Certificate is Trusted." in out
    states = {s.ref.kind: s for s in read_sitting_reports(centre.db, centre.login("manager"), sid).reports}
    assert states[ReportKind.KNOWLEDGE].status_text == "Signed v1"


def test_the_reports_command_writes_the_knowledge_report_and_refuses_it_plainly_when_not_in(
    centre: Centre, tmp_path: Path
) -> None:
    sitting = _sit(centre, NAMES[1], lambda st, c: 3, sit_test=False)
    out = tmp_path / "out"
    common = ("--db", str(centre.path), "--data-dir", str(centre.data_dir))
    run = cli("reports", *common, "--sitting", sitting.id, "--out", str(out))
    assert "Traceback" not in run.stderr
    assert not any("knowledge" in p.name for p in out.iterdir())
    said = run.stdout + run.stderr
    assert f"knowledge/{sitting.id}/knowledge: not written" in said, said
    assert "not started the knowledge test “Knowledge test”" in said
    sit_knowledge(centre.db, sitting.assessors[0], sitting.id, sitting.pack)
    run = cli("reports", *common, "--sitting", sitting.id, "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    (written,) = [p for p in out.iterdir() if "_knowledge_" in p.name]
    assert "Pass mark REACHED" in " ".join(pdftotext(written).split())
