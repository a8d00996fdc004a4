"""The centre's own settings: its name, its logo on reports, its re-sit rule.

The logo is checked as it comes in (a PNG or a JPEG that really decodes, at most 1 MB),
so a report never fails at print time over a picture. The centre row holds the logo's
bytes, which the audit trail's row snapshot cannot carry; each change is therefore
audited as a note naming what changed, before and after, with the logo by its hash.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import CentreRow
from naas_centre import paths
from naas_centre.errors import NotFound, UserError
from naas_centre.services import audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor, Role

MAX_LOGO_BYTES = 1024 * 1024
MAX_WAIT_WEEKS = 520  # ten years: anything longer is a typing slip
MAX_ATTEMPTS = 20
READERS = (Role.ADMINISTRATOR, Role.CENTRE_MANAGER)


@dataclass(frozen=True)
class CentreSettings:
    id: str
    name: str
    is_demo: bool
    logo: bytes | None
    logo_kind: str | None  # "PNG" or "JPEG"
    resit_wait_weeks: int  # 0: no wait after a not-met outcome
    max_attempts: int  # 0: no limit

    @property
    def resit_rule_text(self) -> str:
        wait = (
            "no wait after a not-met outcome"
            if not self.resit_wait_weeks
            else f"{self.resit_wait_weeks} {'week' if self.resit_wait_weeks == 1 else 'weeks'} "
            "after a not-met outcome"
        )
        most = "no limit on attempts" if not self.max_attempts else f"at most {self.max_attempts} attempts"
        return f"{wait.capitalize()}; {most} at one level."


def _row(s: Session) -> CentreRow:
    row = s.scalar(select(CentreRow).limit(1))
    if row is None:
        raise NotFound("This database holds no centre yet.")
    return row


def _settings(row: CentreRow) -> CentreSettings:
    kind = logo_kind(row.logo) if row.logo else None
    return CentreSettings(
        row.id, row.name, row.is_demo, row.logo, kind, row.resit_wait_weeks, row.max_attempts
    )


def _note(s: Session, actor: Actor, action: str, row: CentreRow, before: Any, after: Any) -> None:
    audit.note(s, actor, action, CentreRow.__tablename__, row.id, {"before": before, "after": after})


def centre_settings(db: Database, actor: Actor) -> CentreSettings:
    require(actor, *READERS)
    with db.read() as s:
        return _settings(_row(s))


def resit_rule(s: Session) -> tuple[int, int]:
    """(weeks to wait after a not-met outcome, most attempts at one level); 0 means none."""
    row = s.scalar(select(CentreRow).limit(1))
    return (row.resit_wait_weeks, row.max_attempts) if row is not None else (0, 0)


def report_logo(s: Session) -> bytes | None:
    """The logo for the first page of a report, or None."""
    return s.scalar(select(CentreRow.logo).limit(1))


def report_logo_of(db: Database) -> bytes | None:
    """``report_logo`` in a read of its own, for code that holds a database, not a session."""
    with db.read() as s:
        return report_logo(s)


def rename_centre(db: Database, actor: Actor, name: str) -> CentreSettings:
    require(actor, *capabilities.ADMINISTER)
    clean = " ".join(name.split())
    if not clean:
        raise UserError("The centre needs a name: it heads every report.")
    if len(clean) > 200:
        raise UserError("The centre's name has at most 200 characters.")
    with db.write() as s:
        row = _row(s)
        if row.name != clean:
            _note(s, actor, "centre.rename", row, {"name": row.name}, {"name": clean})
            row.name = clean
        return _settings(row)


def set_resit_rule(db: Database, actor: Actor, wait_weeks: int, max_attempts: int) -> CentreSettings:
    require(actor, *capabilities.ADMINISTER)
    if wait_weeks < 0:
        raise UserError("The wait after a not-met outcome cannot be a negative number of weeks.")
    if wait_weeks > MAX_WAIT_WEEKS:
        raise UserError(f"The wait after a not-met outcome is at most {MAX_WAIT_WEEKS} weeks.")
    if max_attempts < 0:
        raise UserError("The most attempts at one level cannot be negative (0 means no limit).")
    if max_attempts > MAX_ATTEMPTS:
        raise UserError(f"The most attempts at one level is at most {MAX_ATTEMPTS} (0 means no limit).")
    with db.write() as s:
        row = _row(s)
        before = {"resit_wait_weeks": row.resit_wait_weeks, "max_attempts": row.max_attempts}
        after = {"resit_wait_weeks": wait_weeks, "max_attempts": max_attempts}
        if before != after:
            row.resit_wait_weeks, row.max_attempts = wait_weeks, max_attempts
            _note(s, actor, "centre.resit_rule", row, before, after)
        return _settings(row)


def logo_kind(data: bytes) -> str | None:
    """ "PNG" or "JPEG" by the file's signature, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


def check_logo(data: bytes, where: str = "The logo") -> str:
    """The logo's kind, or a refusal saying what is wrong with it."""
    if len(data) > MAX_LOGO_BYTES:
        raise UserError(f"{where} is {len(data) / 1024 / 1024:.1f} MB; a logo is at most 1 MB.")
    kind = logo_kind(data)
    if kind is None:
        raise UserError(f"{where} is not a PNG or JPEG picture.")
    from PIL import Image, UnidentifiedImageError  # only when a logo is set

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes it all: a truncated file fails here, not in a report
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UserError(f"{where} is a damaged {kind} file: {exc}.") from exc
    if width < 1 or height < 1:
        raise UserError(f"{where} has no pixels.")
    return kind


def set_logo(db: Database, actor: Actor, data: bytes | None) -> CentreSettings:
    """A new logo (checked) or, with None, no logo."""
    require(actor, *capabilities.ADMINISTER)
    if data is not None:
        check_logo(data)
    with db.write() as s:
        row = _row(s)
        before, after = _logo_fact(row.logo), _logo_fact(data)
        if before != after:
            row.logo = data
            _note(s, actor, "centre.logo", row, before, after)
        return _settings(row)


def set_logo_from_file(db: Database, actor: Actor, path: Path | str) -> CentreSettings:
    """The logo read from a file (in a worker): a refusal names the file."""
    require(actor, *capabilities.ADMINISTER)
    try:
        data = paths.read_regular(path, MAX_LOGO_BYTES + 1)
    except OSError as exc:
        raise UserError(f"{path}: cannot be read: {exc.strerror or exc}.") from exc
    if len(data) > MAX_LOGO_BYTES:
        raise UserError(f"{path} is over 1 MB; a logo is at most 1 MB.")
    check_logo(data, str(path))
    return set_logo(db, actor, data)


def _logo_fact(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "kind": logo_kind(data)}
