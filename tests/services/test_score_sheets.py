"""Score sheets out: read back with the csv module, openpyxl and LibreOffice; the same
levels and outcomes as the reports' own rules; nothing of equality monitoring; who may
export; cancelled and bad exports leave nothing."""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntryRow, CandidateRow, SignedDocumentRow, SittingRow
from naas_centre.core.completeness import MissingKind
from naas_centre.core.outcome import CriterionSpec, OutcomeRuleSpec, evaluate
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.exports.score_sheets import FastRule, Filters, ScoreSheetQuery
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.outcome_adapter import area_ids, criteria_from_pack, evaluate_pack, rule_from_pack
from naas_centre.qa.disclosure import Period, PeriodNotPublishable
from naas_centre.services import (
    accounts,
    audit,
    completeness,
    equality,
    exports,
    knowledge,
    moderation,
    packs,
)
from naas_centre.services.views import Actor
from tests.conftest import WORKSTATION
from tests.services.conftest import password_of

PASSWORDS = {a.username: a.password for a in ACCOUNTS}
NOT_MET = "ليلى حداد"  # the demo's candidate who does not meet the standard


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo day: as planned, played through (not moderated), and moderated and signed."""
    from naas_centre.demo.play import fill_scored_day
    from naas_centre.demo.signing import sign_day

    folder = tmp_path_factory.mktemp("score-sheets")
    made = create_demo(folder / "planned.db", data_dir=folder)
    made.db.dispose()
    shutil.copy(folder / "planned.db", folder / "scored.db")
    db = Database(folder / "scored.db", WORKSTATION)
    fill_scored_day(db, made.day)
    db.dispose()
    shutil.copy(folder / "scored.db", folder / "signed.db")
    db = Database(folder / "signed.db", WORKSTATION)
    sign_day(db, made.day, folder)
    db.dispose()
    return {k: folder / f"{k}.db" for k in ("planned", "scored", "signed")}


def _open(tmp_path: Path, templates: dict[str, Path], which: str) -> Iterator[Database]:
    path = tmp_path / f"{which}.db"
    shutil.copy(templates[which], path)
    db = Database(path, WORKSTATION)
    yield db
    db.dispose()


@pytest.fixture
def signed(tmp_path: Path, templates: dict[str, Path]) -> Iterator[Database]:
    yield from _open(tmp_path, templates, "signed")


@pytest.fixture
def scored(tmp_path: Path, templates: dict[str, Path]) -> Iterator[Database]:
    yield from _open(tmp_path, templates, "scored")


@pytest.fixture
def planned(tmp_path: Path, templates: dict[str, Path]) -> Iterator[Database]:
    yield from _open(tmp_path, templates, "planned")


def login(db: Database, username: str) -> Actor:
    return accounts.authenticate(db, username, PASSWORDS[username])


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# What the rows say ------------------------------------------------------------------


def test_csv_has_one_row_per_sitting_with_outcomes_levels_and_signed_reports(
    signed: Database, tmp_path: Path
) -> None:
    manager = login(signed, "manager")
    out = tmp_path / "sheets.csv"
    result = exports.export_score_sheets(signed, manager, out, "csv", password=password_of(manager))
    rows = read_csv(out)
    assert result.rows == len(rows) == 6
    by_name = {r["Candidate"]: r for r in rows}
    assert by_name[NOT_MET]["Outcome"] == "not met"
    assert {r["Outcome"] for n, r in by_name.items() if n != NOT_MET} == {"met"}
    # Each KSS area has a result, and the one the candidate missed is named.
    areas = {k: v for k, v in by_name[NOT_MET].items() if k.startswith("KSS: ") and v}
    assert len(areas) == 10 and "not met" in areas.values()
    with signed.read() as s:
        newest: dict[tuple[str, str], SignedDocumentRow] = {}
        for d in s.scalars(select(SignedDocumentRow).where(SignedDocumentRow.sitting_id.is_not(None))):
            key = (str(d.sitting_id), d.kind if d.kind == "outcome" else str(d.station_id))
            if key not in newest or d.version > newest[key].version:
                newest[key] = d
        sittings = dict(s.execute(select(SittingRow.id, SittingRow.attempt)).all())
    for r in rows:
        assert r["Sitting"] in sittings and r["Attempt"] == "1"
        assert date.fromisoformat(r["Day"])
        outcome_doc = newest[(r["Sitting"], "outcome")]
        assert r["Outcome report — id"] == outcome_doc.id
        assert r["Outcome report — SHA-256"] == outcome_doc.sha256
        levels = [v for k, v in r.items() if " — " in k and "report" not in k and v]
        assert levels and all(v.isdigit() for v in levels)
    # Only the packs sat give columns: the demo day is all practitioners.
    assert {r["Level"] for r in rows} == {"practitioner"}
    assert not any("Drift" in h or "briefing" in h for h in rows[0])


def agree_with_the_services(db: Database, batch: int) -> list[str]:
    """Each sitting's row against the reports' own rules; returns the outcomes."""
    with db.read() as s:
        query = ScoreSheetQuery.open(s, Filters())
        results = list(query.results(batch=batch))  # several batches
        assert len(results) == query.total
        for r in results:
            sitting = s.get(SittingRow, r.sitting_id)
            assert sitting is not None
            pack = packs.pack_by_id(s, sitting.pack_id)
            # The sheets' gaps; a knowledge test not in is checked below, by the outcome rule.
            missing = [
                m
                for m in completeness.missing_in(s, r.sitting_id)
                if m.kind not in (MissingKind.KNOWLEDGE_NOT_SAT, MissingKind.KNOWLEDGE_NOT_SUBMITTED)
            ]
            final, _ = moderation.final_levels_in(s, r.sitting_id, pack)
            tests = knowledge.outcome_marks_in(s, r.sitting_id, pack)
            shown = {k.rsplit("/", 1)[1]: v for k, v in r.knowledge.items()}
            assert shown == {f: "passed" if m.passed else "not passed" for f, m in tests.items() if m}
            if missing:
                assert r.outcome == "not yet complete" and not r.areas, r.sitting_id
            else:
                outcome = evaluate_pack(pack, final, knowledge=tests or None)
                if outcome.missing_knowledge:  # the sheets are final; the knowledge test is not in
                    assert r.outcome == "not yet complete", r.sitting_id
                else:
                    assert r.outcome == ("met" if outcome.met else "not met"), r.sitting_id
                assert list(r.areas.values()) == ["met" if a.met else "not met" for a in outcome.areas]
            if r.levels:
                shown = {key.rsplit("/", 1)[1]: lv for key, lv in r.levels.items()}
                assert shown == {c: lv for c, lv in final.items() if lv is not None}, r.sitting_id
    return [r.outcome for r in results]


@pytest.mark.parametrize("which", ["planned", "scored", "signed"])
def test_levels_and_outcomes_are_the_reports_own(
    which: str, tmp_path: Path, templates: dict[str, Path]
) -> None:
    """Bulk, but by the same rules: completeness, final levels and the pack's outcome."""
    for db in _open(tmp_path, templates, which):
        outcomes = agree_with_the_services(db, batch=4)
        assert len(outcomes) == 6
        expected = {"planned": {"not yet complete"}, "scored": None, "signed": {"met", "not met"}}[which]
        if expected is not None:
            assert set(outcomes) == expected


def test_a_generated_centre_agrees_with_the_services_sitting_by_sitting(tmp_path: Path) -> None:
    """Every level, at every level of practice: sheets that agree, differ, differ and are
    moderated, and are not all submitted (the benchmark's centre, small)."""
    from tests.bench._national import national_centre

    made = national_centre(tmp_path / "national.db", 150)
    try:
        outcomes = agree_with_the_services(made.db, batch=64)
    finally:
        made.db.dispose()
    assert {"met", "not met", "not yet complete"} <= set(outcomes)


def test_the_fast_verdict_agrees_with_the_rule() -> None:
    rnd = random.Random(7)
    for loaded in builtin_packs():
        pack = loaded.pack
        crits, rule, areas = criteria_from_pack(pack), rule_from_pack(pack), area_ids(pack)
        fast = FastRule(crits, rule, areas)
        for _ in range(300):
            levels = [rnd.randint(0, 4) for _ in crits]
            want = evaluate(crits, dict(zip(fast.ids, levels, strict=True)), rule, areas=areas)
            assert fast.verdict(levels) == (want.met, tuple(bool(a.met) for a in want.areas))
    crits = tuple(CriterionSpec(f"c{i}", f"a{i % 3}") for i in range(9))
    for _ in range(400):
        rule = OutcomeRuleSpec(
            combine=rnd.choice(["mean", "median", "minimum"]),
            area_pass_mark=rnd.choice([1.5, 2, 2.5, 3]),
            areas_met=rnd.choice(["all", 1, 2, 3]),
            floor_level=rnd.choice([None, 1, 2]),
            critical=tuple((f"c{rnd.randrange(9)}", rnd.randint(1, 4)) for _ in range(rnd.randint(0, 2))),
            standard_level=3,
            max_below_standard=rnd.choice([None, 0, 2, 4]),
        )
        fast = FastRule(crits, rule, ("a0", "a1", "a2"))
        levels = [rnd.randint(0, 4) for _ in crits]
        want = evaluate(crits, dict(zip(fast.ids, levels, strict=True)), rule, areas=("a0", "a1", "a2"))
        assert fast.verdict(levels) == (want.met, tuple(bool(a.met) for a in want.areas))


# XLSX, read back two ways -----------------------------------------------------------


def test_xlsx_has_a_frozen_header_dates_as_dates_and_numbers_as_numbers(
    signed: Database, tmp_path: Path
) -> None:
    import openpyxl

    out = tmp_path / "sheets.xlsx"
    exports.export_score_sheets(
        signed, login(signed, "admin"), out, "xlsx", password=password_of(login(signed, "admin"))
    )
    book = openpyxl.load_workbook(out)
    sheet = book.active
    assert sheet is not None
    assert sheet.freeze_panes == "B2"
    header = [c.value for c in sheet[1]]
    assert header[:7] == [
        "Candidate",
        "Registration number",
        "Employer",
        "Level",
        "Day",
        "Attempt",
        "Outcome",
    ]
    assert sheet.cell(1, 1).font.b
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    for row in rows:
        assert isinstance(row[4], datetime)
        assert isinstance(row[5], int)
        levels = [v for h, v in zip(header, row, strict=True) if " — " in str(h) and "report" not in str(h)]
        assert any(isinstance(v, int) for v in levels)
        assert all(v is None or isinstance(v, int) for v in levels)
    assert sheet.column_dimensions["A"].width > 20


def test_libreoffice_reads_the_xlsx_as_the_csv_says(signed: Database, tmp_path: Path, soffice: str) -> None:
    manager = login(signed, "manager")
    exports.export_score_sheets(
        signed, manager, tmp_path / "sheets.csv", "csv", password=password_of(manager)
    )
    exports.export_score_sheets(
        signed, manager, tmp_path / "sheets.xlsx", "xlsx", password=password_of(manager)
    )
    converted = tmp_path / "lo"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(converted),
            str(tmp_path / "sheets.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    with open(converted / "sheets.csv", encoding="utf-8-sig", newline="") as fh:
        theirs = list(csv.reader(fh))
    with open(tmp_path / "sheets.csv", encoding="utf-8-sig", newline="") as fh:
        ours = list(csv.reader(fh))
    assert theirs[0] == ours[0]
    day = ours[0].index("Day")
    for a, b in zip(theirs[1:], ours[1:], strict=True):
        assert datetime.strptime(a[day], "%d/%m/%Y").date() == date.fromisoformat(b[day])
        assert a[:day] + a[day + 1 :] == b[:day] + b[day + 1 :]


# Equality monitoring ----------------------------------------------------------------


def test_equality_monitoring_never_appears_in_a_score_sheet(signed: Database, tmp_path: Path) -> None:
    manager = login(signed, "manager")
    with signed.read() as s:
        cids = list(s.scalars(select(CandidateRow.id)))
    for cid in cids:
        equality.record(
            signed,
            manager,
            cid,
            equality.Monitoring("Zq age 41-50", "Zq ethnicity", "Zq disability", "Zq sex"),
        )
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"sheets.{fmt}"
        exports.export_score_sheets(signed, manager, out, fmt, password=password_of(manager))  # type: ignore[arg-type]
        data = out.read_bytes()
        if fmt == "xlsx":
            import zipfile

            with zipfile.ZipFile(out) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        assert b"Zq " not in data
        # (a KSS area title speaks of disability: the monitoring's own fields are what must not appear)
        for word in (b"age_band", b"Age band", b"thnicity", b"Monitoring"):
            assert word not in data


def test_equality_is_exported_for_a_closed_period_only(signed: Database, tmp_path: Path) -> None:
    """The figures themselves are held to the fairness service's in ``test_fairness``."""
    out = tmp_path / "equality.csv"
    today = date.today()
    period = Period(today - timedelta(days=400), today - timedelta(days=1))
    for who in ("manager", "admin", "assessor1"):
        with pytest.raises(PermissionDenied):
            exports.export_equality(
                signed, login(signed, who), out, period, password=password_of(login(signed, who))
            )
    demo_day = Period(today, today)  # the demo's own day: six candidates
    with pytest.raises(PeriodNotPublishable, match="fewer than the 20"):
        exports.export_equality(
            signed,
            login(signed, "qa"),
            out,
            demo_day,
            today=today + timedelta(days=1),
            password=password_of(login(signed, "qa")),
        )
    with pytest.raises(PeriodNotPublishable, match="has not ended yet"):
        exports.export_equality(
            signed,
            login(signed, "qa"),
            out,
            Period(period.start, today),
            password=password_of(login(signed, "qa")),
        )
    assert not out.exists()


# Who may, and what is refused -------------------------------------------------------


def test_only_managers_and_administrators_export_score_sheets(signed: Database, tmp_path: Path) -> None:
    out = tmp_path / "sheets.csv"
    for who in ("assessor1", "qa", "kiosk"):
        with pytest.raises(PermissionDenied):
            exports.export_score_sheets(
                signed, login(signed, who), out, "csv", password=password_of(login(signed, who))
            )
    assert not out.exists() and not leftovers(tmp_path)
    exports.export_score_sheets(
        signed, login(signed, "admin"), out, "csv", password=password_of(login(signed, "admin"))
    )
    assert out.exists()


def test_each_export_is_in_the_audit_trail(signed: Database, tmp_path: Path) -> None:
    manager = login(signed, "manager")
    exports.export_score_sheets(
        signed,
        manager,
        tmp_path / "a.csv",
        "csv",
        Filters(employer="Wigan Council"),
        password=password_of(manager),
    )
    with signed.read() as s:
        entry = s.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq.desc())).first()
    assert entry is not None and entry.action == "export.score_sheets"
    assert entry.account_id == manager.account_id
    assert '"rows":1' in (entry.after or "") and '"employer":"Wigan Council"' in (entry.after or "")
    assert audit.verify(signed).ok


def test_filters_by_employer_level_and_day(signed: Database, tmp_path: Path) -> None:
    manager = login(signed, "manager")
    with signed.read() as s:
        day = s.scalar(select(SittingRow.day))
    f = exports.filters_for(signed, employer="  leeds city   COUNCIL ")
    assert f.employer == "Leeds City Council"
    exports.export_score_sheets(
        signed, manager, tmp_path / "leeds.csv", "csv", f, password=password_of(manager)
    )
    assert {r["Employer"] for r in read_csv(tmp_path / "leeds.csv")} == {"Leeds City Council"}
    f = exports.filters_for(signed, level="Practitioner ")
    exports.export_score_sheets(
        signed, manager, tmp_path / "prac.csv", "csv", f, password=password_of(manager)
    )
    assert len(read_csv(tmp_path / "prac.csv")) == 6
    with pytest.raises(UserError, match=r"^No sitting at leader level: nothing to export"):
        exports.export_score_sheets(
            signed, manager, tmp_path / "l.csv", "csv", Filters(level="leader"), password=password_of(manager)
        )
    assert not (tmp_path / "l.csv").exists()
    exports.export_score_sheets(
        signed, manager, tmp_path / "day.csv", "csv", Filters(day=day), password=password_of(manager)
    )
    assert len(read_csv(tmp_path / "day.csv")) == 6


def test_bad_filters_and_targets_are_refused_plainly(signed: Database, tmp_path: Path) -> None:
    manager = login(signed, "manager")
    with pytest.raises(
        UserError, match=r"^No employer called «Narnia» \(known: Bury Council, .*Wigan Council\)\.$"
    ):
        exports.filters_for(signed, employer="Narnia")
    with pytest.raises(
        UserError, match=r"^No level called «expert» \(known: practitioner, supervisor, leader\)\.$"
    ):
        exports.filters_for(signed, level="expert")
    with pytest.raises(UserError, match="No sitting on 01 January 2020: nothing to export"):
        exports.export_score_sheets(
            signed,
            manager,
            tmp_path / "x.csv",
            "csv",
            Filters(day=date(2020, 1, 1)),
            password=password_of(manager),
        )
    with pytest.raises(UserError, match="is a folder"):
        exports.export_score_sheets(signed, manager, tmp_path, "csv", password=password_of(manager))
    with pytest.raises(UserError, match="no such folder"):
        exports.export_score_sheets(
            signed, manager, tmp_path / "nowhere" / "x.csv", "csv", password=password_of(manager)
        )
    with pytest.raises(UserError, match="No export format called «pdf»"):
        exports.export_score_sheets(signed, manager, tmp_path / "x.pdf", "pdf", password=password_of(manager))  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signed.db"] or not leftovers(tmp_path)
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_cancelled_export_leaves_no_file_and_keeps_the_old_one(
    signed: Database, tmp_path: Path, fmt: str
) -> None:
    manager = login(signed, "manager")
    out = tmp_path / f"sheets.{fmt}"
    with pytest.raises(exports.ExportCancelled):
        exports.export_score_sheets(
            signed, manager, out, fmt, cancelled=lambda: True, password=password_of(manager)
        )  # type: ignore[arg-type]
    assert not out.exists() and not leftovers(tmp_path)
    out.write_bytes(b"the sheets sent last week")
    with pytest.raises(exports.ExportCancelled):
        exports.export_score_sheets(
            signed, manager, out, fmt, cancelled=lambda: True, password=password_of(manager)
        )  # type: ignore[arg-type]
    assert out.read_bytes() == b"the sheets sent last week" and not leftovers(tmp_path)

    def broken(done: int, total: int) -> None:
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError):
        exports.export_score_sheets(signed, manager, out, fmt, progress=broken, password=password_of(manager))  # type: ignore[arg-type]
    assert out.read_bytes() == b"the sheets sent last week" and not leftovers(tmp_path)


def test_progress_is_reported_to_the_end(signed: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    exports.export_score_sheets(
        signed,
        login(signed, "manager"),
        tmp_path / "s.csv",
        "csv",
        progress=lambda d, t: seen.append((d, t)),
        password=password_of(login(signed, "manager")),
    )
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)


def test_a_text_a_spreadsheet_would_run_is_written_as_text(signed: Database, tmp_path: Path) -> None:
    with signed.write() as s:
        row = s.scalars(select(CandidateRow)).first()
        assert row is not None
        row.full_name = '=HYPERLINK("http://example.invalid")'
    exports.export_score_sheets(
        signed,
        login(signed, "manager"),
        tmp_path / "s.csv",
        "csv",
        password=password_of(login(signed, "manager")),
    )
    names = [r["Candidate"] for r in read_csv(tmp_path / "s.csv")]
    assert '\'=HYPERLINK("http://example.invalid")' in names


def test_an_unplayed_day_is_not_yet_complete_with_no_levels(planned: Database, tmp_path: Path) -> None:
    exports.export_score_sheets(
        planned,
        login(planned, "manager"),
        tmp_path / "s.csv",
        "csv",
        password=password_of(login(planned, "manager")),
    )
    rows = read_csv(tmp_path / "s.csv")
    assert {r["Outcome"] for r in rows} == {"not yet complete"}
    assert not any(v for r in rows for k, v in r.items() if " — " in k)
