from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AccountRow
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import access, accounts, packs, sittings
from naas_centre.services.views import Actor
from tests.conftest import WORKSTATION
from tests.reports.filling import complete

PASSWORDS = {a.username: a.password for a in ACCOUNTS}
USERNAMES = {a.display_name: a.username for a in ACCOUNTS}
DISPLAY = {a.username: a.display_name for a in ACCOUNTS}
NAMES = ("Gwenllian Prŷs-Dafydd", "Małgorzata Żółkowska", "ليلى حداد", "陈美玲")
NOT_MET = "ليلى حداد"  # scored low, so her outcome report carries development feedback
UNTIMED = "Daniel Okonkwo-Reid"  # no phase clock used: timings show as not recorded


@dataclass
class Centre:
    db: Database
    day: date
    data_dir: Path
    path: Path
    sitting_of: dict[str, str] = field(default_factory=dict)  # candidate name → sitting id

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])

    def assessors_of(self, candidate: str) -> list[str]:
        """The usernames of the assessors of a candidate's sitting, in assignment order."""
        detail = sittings.sitting_detail(self.db, self.login("manager"), self.sitting_of[candidate])
        return [USERNAMES[name] for name in detail.summary.assessors]


def observers_of(db: Database, sitting_id: str, station_id: str) -> tuple[str, ...]:
    """The usernames of the assessors who observe one station of a sitting, in assignment
    order: those who sign that station's report."""
    manager = accounts.authenticate(db, "manager", PASSWORDS["manager"])
    pack = packs.pack_for_sitting(db, manager, sitting_id)
    with db.read() as s:
        ids = access.observers(s, sitting_id, pack)[station_id]
        usernames = {
            str(aid): str(name)
            for aid, name in s.execute(
                select(AccountRow.id, AccountRow.username).where(AccountRow.id.in_(ids))
            )
        }
    return tuple(usernames[i] for i in ids)


def _fill(folder: Path) -> tuple[Path, date, dict[str, str]]:
    result = create_demo(folder / "centre.db", data_dir=folder)
    db = result.db
    manager = accounts.authenticate(db, "manager", PASSWORDS["manager"])
    ids = {}
    for i, s in enumerate(sittings.day_overview(db, manager, result.day).sittings):
        assessors = [accounts.authenticate(db, USERNAMES[n], PASSWORDS[USERNAMES[n]]) for n in s.assessors]
        complete(
            db, s.id, assessors, seed=i, low=s.candidate_name == NOT_MET, timed=s.candidate_name != UNTIMED
        )
        ids[s.candidate_name] = s.id
    db.dispose()
    return folder / "centre.db", result.day, ids


@pytest.fixture(scope="session")
def scored_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date, dict[str, str]]:
    return _fill(tmp_path_factory.mktemp("scored"))


@pytest.fixture
def centre(tmp_path: Path, scored_template: tuple[Path, date, dict[str, str]]) -> Iterator[Centre]:
    """The demo day, every sitting scored and submitted by both assessors; no CA yet."""
    src, day, ids = scored_template
    path = tmp_path / "centre.db"
    shutil.copy(src, path)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db = Database(path, WORKSTATION)
    yield Centre(db, day, data_dir, path, dict(ids))
    db.dispose()


def pdftotext(pdf: Path) -> str:
    """The text poppler extracts, normalised: Arabic presentation forms to letters, no bidi marks."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = unicodedata.normalize("NFKC", out)
    return "".join(ch for ch in out if ch not in "\u202a\u202b\u202c\u202d\u202e\u200e\u200f")


def pdffonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


@dataclass
class Nss:
    folder: Path

    def pdfsig(self, pdf: Path) -> str:
        run = subprocess.run(
            ["pdfsig", "-nssdir", f"sql:{self.folder}", str(pdf)], capture_output=True, text=True, check=False
        )
        return run.stdout + run.stderr


def nss_trusting(folder: Path, ca_pem: Path) -> Nss:
    """An NSS database that trusts the centre CA: the only way pdfsig trusts a CA."""
    folder.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{folder}", "-n", "centre-ca", "-t", "CT,C,C", "-i", str(ca_pem)],
        check=True,
    )
    return Nss(folder)
