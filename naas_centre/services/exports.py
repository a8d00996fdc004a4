"""Exporting score sheets (for employers) and equality monitoring in aggregate (for QA).

Score sheets carry names and results: a centre manager or an administrator exports
them. Equality monitoring leaves the centre only as counts, and only through the
quality-assurance lead. Each export is noted in the audit trail (who, what, how many
rows, which file), as personal data leaving the centre should be. A filter that names
no known employer or level is refused before anything is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from db.base import new_id
from db.engine import Database
from db.models import CandidateRow, EmployerRow, SittingRow
from naas_centre.errors import UserError
from naas_centre.exports import equality as equality_export
from naas_centre.exports import writers
from naas_centre.exports.atomic import check_target
from naas_centre.exports.score_sheets import Filters, ScoreSheetQuery
from naas_centre.exports.writers import ExportCancelled, Format
from naas_centre.packs.schema import Level
from naas_centre.qa.disclosure import Period
from naas_centre.services import accounts, audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

__all__ = [
    "EXPORTERS",
    "ExportCancelled",
    "ExportChoices",
    "ExportResult",
    "Filters",
    "choices",
    "export_equality",
    "export_score_sheets",
    "filters_for",
]

EXPORTERS = capabilities.EXPORT
LEVELS = tuple(lv.value for lv in Level)


@dataclass(frozen=True)
class ExportChoices:
    """What the filters can name: days with sittings, employers, levels."""

    days: tuple[date, ...]
    employers: tuple[str, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    format: str
    filters: Filters


def _known_employers(db: Database) -> list[str]:
    with db.read() as s:
        names = set(s.scalars(select(EmployerRow.name)))
        names |= set(s.scalars(select(CandidateRow.employer).distinct()))
    return sorted(n for n in names if n)


def choices(db: Database, actor: Actor) -> ExportChoices:
    require(actor, *EXPORTERS, *capabilities.EQUALITY)
    with db.read() as s:
        days = tuple(s.scalars(select(SittingRow.day).distinct().order_by(SittingRow.day)))
    return ExportChoices(days, tuple(_known_employers(db)), LEVELS)


def filters_for(
    db: Database, day: date | None = None, employer: str | None = None, level: str | None = None
) -> Filters:
    """The filters as stored names, or UserError naming what is not known."""
    if employer is not None:
        known = _known_employers(db)
        wanted = " ".join(employer.split()).casefold()
        match = next((k for k in known if " ".join(k.split()).casefold() == wanted), None)
        if match is None:
            listed = ", ".join(known) if known else "none yet"
            raise UserError(f"No employer called «{employer}» (known: {listed}).")
        employer = match
    if level is not None:
        wanted = level.strip().casefold()
        if wanted not in LEVELS:
            raise UserError(f"No level called «{level}» (known: {', '.join(LEVELS)}).")
        level = wanted
    return Filters(day, employer, level)


def _target(target: Path) -> Path:
    """The file to write, refused plainly before any work when it cannot be."""
    target = Path(target).expanduser()
    try:
        check_target(target)
    except IsADirectoryError:
        raise UserError(
            f"{target} is a folder; give a file name such as {target / 'score-sheets.csv'}."
        ) from None
    except FileNotFoundError:
        raise UserError(f"{target.parent}: no such folder.") from None
    except OSError as exc:
        raise UserError(f"{target}: {exc.strerror or exc}.") from None
    return target


def export_score_sheets(
    db: Database,
    actor: Actor,
    target: Path,
    fmt: Format,
    filters: Filters = Filters(),  # noqa: B008 - frozen, so one default is safe
    progress: writers.Progress | None = None,
    cancelled: writers.Cancelled | None = None,
    *,
    password: str | None = None,
) -> ExportResult:
    """Writes the score sheets the filters select, one row per sitting.

    Names and scores leave the centre: the person's ``password`` again first.
    ``progress(done, total)`` is called every few hundred rows, and ``cancelled()``
    asked at the same points: when it says so, ``ExportCancelled`` is raised and no
    file is left behind. Equality monitoring never appears in a score sheet."""
    require(actor, *EXPORTERS)
    if fmt not in writers.FORMATS:
        raise UserError(f"No export format called «{fmt}» (known: {', '.join(writers.FORMATS)}).")
    target = _target(target)
    accounts.reconfirm_person(db, actor, password, doing="exporting score sheets")
    write = writers.write_csv if fmt == "csv" else writers.write_xlsx
    with db.read() as s:
        query = ScoreSheetQuery.open(s, filters)
        if not query.total:
            raise UserError(f"No sitting {filters.in_words()}: nothing to export, and no file was written.")
        rows = write(target, query.columns, query.rows(), query.total, progress, cancelled)
    _note(db, actor, "export.score_sheets", target, fmt, filters, rows)
    return ExportResult(target, rows, fmt, filters)


def export_equality(
    db: Database,
    actor: Actor,
    target: Path,
    period: Period,
    *,
    today: date | None = None,
    password: str | None = None,
) -> ExportResult:
    """Outcomes by age band, ethnicity, disability, sex and employer for a closed period,
    suppressed as the fairness figures are, as CSV: for the quality-assurance lead only.
    An open period, or one of fewer than ``MIN_PERIOD_CANDIDATES``, is refused."""
    from naas_centre.services import fairness

    require(actor, *capabilities.EQUALITY)
    target = _target(target)
    accounts.reconfirm_person(db, actor, password, doing="exporting equality figures")
    figures = fairness.fairness_figures(db, actor, period, today=today)
    rows = equality_export.write_csv(target, figures)
    detail = {"file": str(target), "format": "csv", "rows": rows}
    detail |= {"from": period.start.isoformat(), "to": period.end.isoformat()}
    with db.write() as s:
        audit.note(s, actor if actor.account_id else None, "export.equality", "export", new_id(), detail)
    return ExportResult(target, rows, "csv", Filters())


def _note(
    db: Database, actor: Actor, action: str, target: Path, fmt: str, filters: Filters, rows: int
) -> None:
    detail = {
        "file": str(target),
        "format": fmt,
        "rows": rows,
        "day": filters.day.isoformat() if filters.day else None,
        "employer": filters.employer,
        "level": filters.level,
    }
    with db.write() as s:
        # The command line acts without an account of its own: the entry names none.
        audit.note(s, actor if actor.account_id else None, action, "export", new_id(), detail)
