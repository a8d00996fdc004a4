"""The demo centre's past: weekly assessment days before the demo's own day (half a year
by default, a year of two days a week when large).

So that every quality-assurance figure has something real to show: many candidates
from many employers, equality monitoring for most, two assessors in every room who
agree well but not perfectly, one lenient assessor, one stringent, one whose marks rise
through the day, a station whose levels barely follow the candidate's ability, and one
employer whose candidates pass less often (``content/history.yaml`` says who and how
much; ``history_levels`` how levels are drawn).

The centre is set up through the services as in real use: past assessors' accounts,
candidates with their employers' endorsements, each day's plan, stations, bookings
and rota (``planning``), so every rule of booking and the rota holds. What the day's
assessors did (the clocks, the written script, levels, judgements, submissions, the
moderation of every difference, the statuses) goes through ``history_rows``, the bulk
path that writes the same rows and audit entries, so ``audit verify`` holds. Some who
did not meet the standard re-sit weeks later, booked once their first outcome is
signed through the signing service; the large past also has its last days' reports
signed.

It is deterministic: the seed gives the same past, candidate for candidate.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.engine import Database
from db.models import (
    AccountRow,
    ActorRow,
    CandidateRow,
    EqualityMonitoringRow,
    RoomRow,
)
from naas_centre.demo import data
from naas_centre.demo.data import DemoAccount
from naas_centre.demo.history_content import HistoryContent, HistorySize, Marking, history
from naas_centre.demo.history_people import PastCandidate, People
from naas_centre.demo.history_score import DayScore, score_day
from naas_centre.demo.history_signing import Signers, sign_days, sign_outcome
from naas_centre.errors import UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, candidates, planning
from naas_centre.services.views import Actor, Role

LONDON = ZoneInfo("Europe/London")
ASSESSOR_PASSWORD = next(a.password for a in data.centre().accounts if a.role == Role.ASSESSOR)
_TRIES = 30  # assessor arrangements tried for a day before giving up
_ENDORSERS = ("Practice lead", "Principal social worker", "Head of service", "Team manager")
_IMPORT_HEADINGS = (
    "Full name",
    "Registration number",
    "Employer",
    "Level",
    "Endorsed by",
    "Endorsed on",
    "Extra time (%)",
    "Break between scenarios",
    "Adjustment notes",
)


@dataclass
class HistorySummary:
    days: list[date] = field(default_factory=list)
    sittings: int = 0
    met: int = 0
    moderated: int = 0
    signatures: int = 0
    resits: int = 0


def past_accounts() -> list[DemoAccount]:
    """The past's assessors who still work at the centre, as the demo lists its accounts."""
    return [
        DemoAccount(a.username, ASSESSOR_PASSWORD, Role.ASSESSOR, a.display_name, a.employer, a.registration)
        for a in history().accounts
        if not a.left
    ]


def past_days(today: date, size: HistorySize, content: HistoryContent | None = None) -> list[date]:
    """The past days, oldest first: the size's weekdays of each week before ``today``'s."""
    content = content or history()
    spec = content.sizes[size]
    monday = today - timedelta(days=today.weekday())
    days = [
        monday - timedelta(weeks=week) + timedelta(days=weekday)
        for week in range(1, spec.weeks + 1)
        for weekday in spec.weekdays
    ]
    return sorted(days)


class _Centre:
    """The demo's people and places, by name, as the history needs them."""

    def __init__(self, db: Database, content: HistoryContent) -> None:
        self.db = db
        self.content = content
        centre = data.centre()
        self.passwords = {a.username: a.password for a in centre.accounts}
        self.passwords |= {a.username: ASSESSOR_PASSWORD for a in content.accounts}
        self.admin = self.login(centre.accounts[0].username)
        self.manager = self.login(next(a.username for a in centre.accounts if a.role == Role.CENTRE_MANAGER))
        self.centre = centre

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, self.passwords[username])

    def load(self) -> None:
        with self.db.read() as s:
            self.rooms = {r.name: r.id for r in s.scalars(select(RoomRow))}
            self.actors = {a.full_name: a.id for a in s.scalars(select(ActorRow))}
            rows = s.scalars(
                select(AccountRow).where(AccountRow.role == Role.ASSESSOR.value).order_by(AccountRow.username)
            ).all()
            self.assessors = {a.username: a.id for a in rows}
            self.usernames = {a.id: a.username for a in rows}


def add_history(
    db: Database,
    pack: Pack,
    today: date,
    size: HistorySize = HistorySize.DEFAULT,
    *,
    data_dir: Path | None = None,
) -> HistorySummary:
    """Writes the demo's past before ``today`` into a demo centre ``create_demo`` has set up."""
    summary = HistorySummary()
    if size == HistorySize.NONE:
        return summary
    content = history()
    rng = random.Random(f"{content.seed}:{size.value}")
    c = _Centre(db, content)
    for acc in content.accounts:
        accounts.create_account(
            db,
            c.admin,
            acc.username,
            acc.display_name,
            Role.ASSESSOR,
            ASSESSOR_PASSWORD,
            acc.employer,
            registration_number=acc.registration,
            temporary=False,  # as the demo's own: the password is published, nothing real is signed
        )
    c.load()
    days = past_days(today, size, content)
    spec = content.sizes[size]
    taken = {cand.registration for cand in c.centre.candidates}
    taken |= {a.registration_number for a in c.centre.accounts if a.registration_number}
    people = People(content, rng, taken)
    forms: list[tuple[str, PastCandidate, datetime]] = []
    abilities: dict[str, float] = {}
    leaving = {a.username for a in content.accounts if a.left}
    signers = Signers(db, c.passwords, data_dir) if data_dir is not None else None
    resits: dict[date, list[str]] = defaultdict(list)
    for n, day in enumerate(days):
        # Those who have left assessed in the first half of the year only.
        working = [u for u in c.assessors if not (u in leaving and n >= len(days) // 2)]
        again = resits.pop(day, [])
        booked = _book(c, rng, people, day, spec.candidates - len(again), forms)
        abilities |= {cid: p.ability for cid, p, _ in forms[-len(booked) :]} if booked else {}
        for cid in again:  # back better prepared, with their employer's support
            abilities[cid] += content.resits.gain
        _plan(c, rng, pack, day, working, again + booked)
        scored = score_day(db, c.manager, pack, day, _markings(content, c), rng, content, abilities)
        _tally(summary, day, scored)
        if signers is not None:
            back = _resit_later(c, rng, signers, days, day, scored, resits, spec.candidates // 3)
            summary.resits += back
            summary.signatures += back  # each first outcome, signed by its lead assessor
    _record_forms(db, forms)
    signed = content.signed.get(size)
    if signers is not None and signed is not None and signed.days:
        usernames = [u for u in c.assessors if u not in leaving]
        usernames.append(c.manager.username)  # who countersigns, last
        summary.signatures += sign_days(signers, days[-signed.days :], signed.reports, usernames)
    for acc in content.accounts:
        if acc.left:  # after the year's first half, so they sign nothing of the latest days
            accounts.set_active(db, c.admin, c.assessors[acc.username], False)
    return summary


def _resit_later(
    c: _Centre,
    rng: random.Random,
    signers: Signers,
    days: list[date],
    day: date,
    scored: DayScore,
    resits: dict[date, list[str]],
    most: int,
) -> int:
    """Books some of the day's candidates who did not meet the standard onto a later day,
    their outcome signed first (booking a re-sit needs it); returns how many."""
    rule = c.content.resits
    booked = 0
    for p in scored.played:
        if p.met or rng.random() * 100 >= rule.share:
            continue
        earliest = day + timedelta(weeks=rng.randint(*rule.after_weeks))
        later = next((d for d in days if d >= earliest and len(resits[d]) < most), None)
        if later is None:
            continue  # the past ends before they would have come back
        sign_outcome(signers, c.usernames[p.lead], p.sitting_id)
        resits[later].append(p.candidate_id)
        booked += 1
    return booked


def _markings(content: HistoryContent, c: _Centre) -> dict[str, Marking]:
    return {aid: content.assessors.get(username, Marking()) for aid, username in c.usernames.items()}


def _tally(summary: HistorySummary, day: date, scored: DayScore) -> None:
    summary.days.append(day)
    summary.sittings += scored.sittings
    summary.met += scored.met
    summary.moderated += scored.moderated


def _book(
    c: _Centre,
    rng: random.Random,
    people: People,
    day: date,
    count: int,
    forms: list[tuple[str, PastCandidate, datetime]],
) -> list[str]:
    """The day's candidates, imported as a centre does from its employers' list: each
    with the endorsement their employer gave weeks before (one transaction)."""
    if count <= 0:
        return []
    drawn = [people.draw() for _ in range(count)]
    endorsed = [day - timedelta(days=rng.randint(28, 70)) for _ in drawn]
    leads = [rng.choice(_ENDORSERS) for _ in drawn]
    with tempfile.TemporaryDirectory(prefix="naas-demo-") as folder:
        path = Path(folder) / f"candidates-{day.isoformat()}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(_IMPORT_HEADINGS)
            for p, on, lead in zip(drawn, endorsed, leads, strict=True):
                out.writerow(
                    [
                        p.name,
                        p.registration,
                        p.employer,
                        "practitioner",
                        f"{lead}, {p.employer}",
                        on.isoformat(),
                        p.extra_time_percent,
                        "yes" if p.break_between_scenarios else "no",
                        p.adjustment_notes,
                    ]
                )
        candidates.import_candidates(c.db, c.manager, path)
    with c.db.read() as s:
        rows = s.execute(
            select(CandidateRow.registration_number, CandidateRow.id).where(
                CandidateRow.registration_number.in_([p.registration for p in drawn])
            )
        )
        ids = {str(reg): str(cid) for reg, cid in rows}
    for p, on in zip(drawn, endorsed, strict=True):
        # The form comes in with the booking, a few days after the endorsement.
        forms.append(
            (
                ids[p.registration],
                p,
                datetime.combine(on + timedelta(days=rng.randint(2, 9)), time(10), LONDON),
            )
        )
    return [ids[p.registration] for p in drawn]


def _plan(
    c: _Centre, rng: random.Random, pack: Pack, day: date, working: list[str], booked: list[str]
) -> None:
    """The day's plan and rota through the planning service, as a manager makes it: two
    assessors to a room, drawn afresh each day, and an actor who can play each part."""
    content = c.centre
    first = datetime.combine(day, content.first_slot, LONDON)
    lunch = planning.BreakSpec(content.lunch_after_slot, content.lunch_minutes, "Lunch")
    planning.save_plan(
        c.db,
        c.manager,
        day,
        pack,
        first,
        breaks=[lunch],
        written_room_id=c.rooms[content.written_room],
        written_seats=content.written_seats,
    )
    players: dict[str, list[str]] = defaultdict(list)
    for a in content.actors:
        for part in a.parts:
            players[part].append(a.name)
    planning.add_candidates(c.db, c.manager, day, booked)
    for _ in range(_TRIES):
        chosen = rng.sample(working, 2 * len(content.stations))
        specs = [
            planning.StationSpec(
                c.rooms[st.room],
                st.station,
                (c.assessors[chosen[2 * k]], c.assessors[chosen[2 * k + 1]]),
                c.actors[rng.choice(players[f"{pack.name}/{st.station}"])],
            )
            for k, st in enumerate(content.stations)
        ]
        planning.set_stations(c.db, c.manager, day, specs)
        try:
            planning.build(c.db, c.manager, day)
            return
        except UserError:
            continue  # no rota keeps every assessor from their own employer's candidates: others
    raise RuntimeError(f"no rota could be built for the demo's past day {day}")


def _record_forms(db: Database, forms: list[tuple[str, PastCandidate, datetime]]) -> None:
    """The equality forms, each as it was entered at booking (the row is not audited:
    monitoring is kept apart from the trail as from everything else)."""
    with db.write() as s:
        for cid, p, at in forms:
            if p.monitoring is None:
                continue
            m = p.monitoring
            s.add(
                EqualityMonitoringRow(
                    candidate_id=cid,
                    age_band=m.age_band,
                    ethnicity=m.ethnicity,
                    disability=m.disability,
                    sex=m.sex,
                    created_at=at,
                    updated_at=at,
                )
            )
