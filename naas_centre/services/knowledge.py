"""The knowledge test on the candidate's kiosk: a form drawn once, answered, marked.

An assessor or a centre manager hands the workstation over (``open_form``, the same
rule as the written exercise's kiosk: ``capabilities.HAND_OVER``, a checked-in
candidate, audited as ``kiosk.open``). The form is drawn once from the pack's bank by
the blueprint and a random seed, and stored whole (items, versions, option order): a
resume gets the same form, the same answers and the same clock, which runs from the
instant the form was drawn for the time allowed with the candidate's extra time.

What the candidate sees (``ShownItem``) holds the stem, the options and the media,
never a key, a rationale or an item's KSS area. The result (``result``) is given per
KSS area, never per item. Each answer and flag is one write, made through the kiosk's
ordered, journaled write path (``writes.ops.answer_item``) under the write's own id,
so a replay after a crash is recognised by that id.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import CandidateRow, KnowledgeAnswerRow, KnowledgeFormRow, SittingRow
from naas_centre.core import test_form
from naas_centre.core.outcome import KnowledgeMark
from naas_centre.core.timing import Adjustment, adjusted_ms
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.packs.blueprint import Blueprint, KnowledgeTest, bank_entries, form_plan
from naas_centre.packs.question_bank import Item, Media
from naas_centre.packs.schema import Pack
from naas_centre.services import access, accounts, audit, capabilities, packs
from naas_centre.services.views import Actor, Role

STARTERS = capabilities.HAND_OVER
SUBMIT_HOWS = ("candidate", "time_up")
# An answer clicked in the last instant may reach the disk a moment after time up.
LATE_GRACE = timedelta(seconds=2)


class NoKnowledgeTest(UserError):
    """The sitting's pack has no knowledge test, or no form by that id."""


@dataclass(frozen=True)
class KnowledgeGrant:
    """What a knowledge-test kiosk may touch: one sitting's form, opened by a named person."""

    sitting_id: str
    form_id: str
    opened_by: Actor

    @property
    def actor(self) -> Actor:
        return Actor(self.opened_by.account_id, "kiosk", "Candidate", Role.CANDIDATE_KIOSK)


@dataclass(frozen=True)
class ShownMedia:
    """A clip (``kind`` "clip", its file and captions) or a case file (its text)."""

    kind: str
    path: Path | None
    captions: Path | None
    text: str


@dataclass(frozen=True)
class ShownItem:
    """One item as the candidate sees it: no key, no rationale, no area."""

    id: str
    answer_type: str  # single, multiple or yes_no
    stem: str
    options: tuple[tuple[str, str], ...]  # (option id, text) in the order shown
    choose: int  # how many options to choose (1 but for a multiple item)
    media: tuple[ShownMedia, ...]


@dataclass(frozen=True)
class AnswerState:
    item_id: str
    chosen: tuple[str, ...]
    flagged: bool
    answered_at: datetime | None


@dataclass(frozen=True)
class KnowledgeStart:
    """All the knowledge kiosk needs to appear, read in one go."""

    grant: KnowledgeGrant
    candidate_name: str
    title: str
    items: tuple[ShownItem, ...]
    answers: tuple[AnswerState, ...]  # only items answered or flagged
    started_at: datetime
    allowed_ms: int
    submitted_at: datetime | None
    video_replays: int

    def deadline(self) -> datetime:
        return self.started_at + timedelta(milliseconds=self.allowed_ms)


@dataclass(frozen=True)
class AreaKnowledge:
    kss: str
    title: str
    marks: Fraction
    available: int


@dataclass(frozen=True)
class KnowledgeResult:
    """A submitted form's marks, overall and per KSS area (never per item)."""

    form_id: str
    title: str
    marks: Fraction
    available: int
    needed: Fraction
    passed: bool
    areas: tuple[AreaKnowledge, ...]
    submitted_at: datetime


# -- the pack's side ----------------------------------------------------------------------------


def _test(pack: Pack) -> KnowledgeTest:
    if pack.knowledge_test is None:
        raise NoKnowledgeTest("This sitting's pack has no knowledge test.")
    return pack.knowledge_test


def _blueprint(pack: Pack, form_id: str) -> Blueprint:
    for form in _test(pack).forms:
        if form.id == form_id:
            return form
    known = ", ".join(f.id for f in _test(pack).forms)
    raise NoKnowledgeTest(f"The pack's knowledge test has no form {form_id!r} (its forms: {known}).")


def _items_by_version(pack: Pack) -> dict[tuple[str, int], Item]:
    return {(i.id, i.version): i for i in _test(pack).bank.items}


def assembly_entries(test: KnowledgeTest) -> list[test_form.BankEntry]:
    """The bank as assembly draws from it: retired items are never drawn again."""
    live = {(i.id, i.version) for i in test.bank.items if not i.retired}
    return [e for e in bank_entries(test.bank) if (e.id, e.version) in live]


def media_file(path: str, sha256: str | None) -> Path | None:
    """A media file of a built-in pack, if it is there and is the file the pack hashed."""
    from naas_centre.packs.loader import builtin_pack_dir

    candidate = Path(str(builtin_pack_dir())) / path
    try:
        data = candidate.read_bytes()
    except OSError:
        return None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        return None
    return candidate


def _shown_media(media: Media) -> ShownMedia:
    file = media_file(media.path, media.sha256)
    if media.path.lower().endswith((".md", ".txt")):
        text = file.read_text(encoding="utf-8-sig") if file is not None else ""
        return ShownMedia("case", file, None, text or "(The case file cannot be found on this workstation.)")
    captions = media_file(media.captions, media.captions_sha256) if media.captions else None
    return ShownMedia("clip", file, captions, "")


def _shown(item: Item, options: list[str]) -> ShownItem:
    texts = {o.id: o.text for o in item.options}
    kind = item.answer_type.value
    labels = {"yes": "Yes", "no": "No"}
    shown = tuple((o, texts.get(o, labels.get(o, o))) for o in options)
    return ShownItem(
        item.id,
        kind,
        item.stem,
        shown,
        item.choose if kind == "multiple" and item.choose else 1,
        tuple(_shown_media(m) for m in item.media),
    )


# -- opening and resuming -------------------------------------------------------------------------


def open_form(db: Database, actor: Actor, sitting_id: str, form_id: str | None = None) -> KnowledgeGrant:
    """An assessor or manager hands the workstation to the candidate for a knowledge test.

    The form is drawn here, once; opening it again (after a restart) finds the same form.
    """
    accounts.require(actor, *STARTERS)
    with db.write() as s:
        sitting = access.open_sitting(s, actor, sitting_id, STARTERS, "start the knowledge test")
        if sitting.status in ("planned", "withdrawn"):
            raise Conflict("Check the candidate in before starting the knowledge test.")
        pack = packs.pack_by_id(s, sitting.pack_id)
        blueprint = _blueprint(pack, form_id or _test(pack).forms[0].id)
        row = _form_row(s, sitting_id, blueprint.id)
        if row is None:
            row = _draw(s, sitting, pack, blueprint)
        audit.note(s, actor, "kiosk.open", row.__tablename__, row.id, {"sitting": sitting_id})
        return KnowledgeGrant(sitting_id, blueprint.id, actor)


def drawn_items(pack: Pack, form_id: str, seed: str) -> str:
    """The form ``seed`` draws from the pack's bank, as ``KnowledgeFormRow.items`` holds it."""
    test = _test(pack)
    form = test_form.assemble_form(
        assembly_entries(test), form_plan(test, _blueprint(pack, form_id)).cells, seed
    )
    return json.dumps(
        [{"id": i.id, "version": i.version, "options": list(i.options)} for i in form.items],
        separators=(",", ":"),
    )


def _draw(s: Session, sitting: SittingRow, pack: Pack, blueprint: Blueprint) -> KnowledgeFormRow:
    seed = secrets.token_hex(16)
    candidate = s.get(CandidateRow, sitting.candidate_id)
    assert candidate is not None  # a foreign key
    allowed = adjusted_ms(
        blueprint.minutes, Adjustment(candidate.extra_time_percent, candidate.extra_time_minutes)
    )
    row = KnowledgeFormRow(
        sitting_id=sitting.id,
        pack_id=sitting.pack_id,
        form_id=blueprint.id,
        seed=seed,
        items=drawn_items(pack, blueprint.id, seed),
        started_at=utcnow(),
        allowed_ms=allowed,
    )
    s.add(row)
    audit.record(s, None, "knowledge.form_drawn", row, None)  # flushes; the one entry for the row
    return row


def _form_row(s: Session, sitting_id: str, form_id: str) -> KnowledgeFormRow | None:
    return s.scalar(
        select(KnowledgeFormRow).where(
            KnowledgeFormRow.sitting_id == sitting_id, KnowledgeFormRow.form_id == form_id
        )
    )


def _grant_form(s: Session, grant: KnowledgeGrant) -> KnowledgeFormRow:
    row = _form_row(s, grant.sitting_id, grant.form_id)
    if row is None:
        raise NotFound("The knowledge test has not been opened.")
    return row


def _stored_items(row: KnowledgeFormRow) -> list[dict[str, object]]:
    items = json.loads(row.items)
    assert isinstance(items, list)
    return items


def start(db: Database, grant: KnowledgeGrant) -> KnowledgeStart:
    """The form as the candidate sees it, with their answers so far and the clock."""
    with db.read() as s:
        row = _grant_form(s, grant)
        sitting = s.get(SittingRow, grant.sitting_id)
        assert sitting is not None
        candidate = s.get(CandidateRow, sitting.candidate_id)
        assert candidate is not None
        pack = packs.pack_by_id(s, row.pack_id)
        bank = _items_by_version(pack)
        shown = tuple(
            _shown(bank[(str(i["id"]), int(str(i["version"])))], [str(o) for o in i["options"]])  # type: ignore[attr-defined]
            for i in _stored_items(row)
        )
        return KnowledgeStart(
            grant,
            candidate.full_name,
            _blueprint(pack, row.form_id).title,
            shown,
            tuple(_answers(s, row)),
            row.started_at,
            row.allowed_ms,
            row.submitted_at,
            _blueprint(pack, row.form_id).video_replays,
        )


def _answers(s: Session, row: KnowledgeFormRow) -> list[AnswerState]:
    return [
        AnswerState(a.item_id, tuple(json.loads(a.chosen)), a.flagged, a.answered_at)
        for a in s.scalars(select(KnowledgeAnswerRow).where(KnowledgeAnswerRow.knowledge_form_id == row.id))
    ]


def left_open(db: Database) -> KnowledgeGrant | None:
    """The knowledge test this workstation left open (killed or crashed), as a grant, else None.

    The same record as the written exercise's kiosk: the workstation's last kiosk entry
    in the audit trail is an open of a knowledge form. Reopening is audited.
    """
    from db.models import AccountRow, AuditEntryRow
    from naas_centre.services.kiosk import KIOSK_ACTIONS, OPEN_ACTIONS

    with db.write() as s:
        last = s.execute(
            select(
                AuditEntryRow.action, AuditEntryRow.entity, AuditEntryRow.entity_id, AuditEntryRow.account_id
            )
            .where(
                AuditEntryRow.workstation_id == db.workstation_id,
                AuditEntryRow.action.in_(KIOSK_ACTIONS),
            )
            .order_by(AuditEntryRow.seq.desc())
            .limit(1)
        ).first()
        if (
            last is None
            or last.action not in OPEN_ACTIONS
            or last.entity != KnowledgeFormRow.__tablename__
            or last.account_id is None
        ):
            return None
        row = s.get(KnowledgeFormRow, last.entity_id)
        opener = s.get(AccountRow, last.account_id)
        if row is None or opener is None or not opener.active or Role(opener.role) not in STARTERS:
            return None
        actor = accounts.actor_of(opener)
        audit.note(s, actor, "kiosk.resume", row.__tablename__, row.id, {"sitting": row.sitting_id})
        return KnowledgeGrant(row.sitting_id, row.form_id, actor)


# -- answering ----------------------------------------------------------------------------------


def _require_kiosk(grant: KnowledgeGrant) -> None:
    """A grant is opened by an assessor or a manager (a replayed write carries the kiosk's own)."""
    if grant.opened_by.role not in (*STARTERS, Role.CANDIDATE_KIOSK):
        raise PermissionDenied("Only the candidate, on a kiosk staff opened, answers the knowledge test.")


def _open_row(s: Session, grant: KnowledgeGrant, at: datetime) -> KnowledgeFormRow:
    row = _grant_form(s, grant)
    if row.submitted_at is not None:
        raise Conflict("The knowledge test has been submitted and its answers can no longer change.")
    deadline = row.started_at + timedelta(milliseconds=row.allowed_ms)
    if at > deadline + LATE_GRACE:
        raise Conflict("The time for the knowledge test is up; this answer came after it.")
    return row


def _item_of(row: KnowledgeFormRow, item_id: str) -> dict[str, object]:
    for item in _stored_items(row):
        if item["id"] == item_id:
            return item
    raise NotFound(f"The knowledge test has no question {item_id!r}.")


def answer(
    db: Database,
    grant: KnowledgeGrant,
    item_id: str,
    chosen: tuple[str, ...] | list[str],
    *,
    at: datetime | None = None,
    write_id: str | None = None,
) -> AnswerState:
    """Stores the options chosen for one item (empty: no answer), durably."""
    _require_kiosk(grant)
    when = at or utcnow()
    with db.write() as s:
        row = _open_row(s, grant, when)
        item = _item_of(row, item_id)
        options = [str(o) for o in item["options"]]  # type: ignore[attr-defined]
        strange = [c for c in chosen if c not in options]
        if strange or len(set(chosen)) != len(chosen):
            raise UserError(f"Question {item_id!r} has no option {', '.join(strange) or 'twice'}.")
        answer_row = _answer_row(s, row, item)
        # In the order shown, so the same choice reads the same however it was clicked.
        answer_row.chosen = json.dumps([o for o in options if o in chosen])
        answer_row.answered_at = when
        answer_row.write_id = write_id
        return _state(answer_row)


def flag(
    db: Database,
    grant: KnowledgeGrant,
    item_id: str,
    flagged: bool,
    *,
    at: datetime | None = None,
    write_id: str | None = None,
) -> AnswerState:
    """Marks an item for the candidate to come back to (or clears the mark)."""
    _require_kiosk(grant)
    with db.write() as s:
        row = _open_row(s, grant, at or utcnow())
        answer_row = _answer_row(s, row, _item_of(row, item_id))
        answer_row.flagged = flagged
        answer_row.write_id = write_id
        return _state(answer_row)


def already_written(db: Database, grant: KnowledgeGrant, item_id: str, write_id: str) -> AnswerState | None:
    """The answer as it stands if the write ``write_id`` is the one that last set it."""
    with db.read() as s:
        row = _grant_form(s, grant)
        found = s.scalar(
            select(KnowledgeAnswerRow).where(
                KnowledgeAnswerRow.knowledge_form_id == row.id, KnowledgeAnswerRow.item_id == item_id
            )
        )
        return _state(found) if found is not None and found.write_id == write_id else None


def _answer_row(s: Session, row: KnowledgeFormRow, item: Mapping[str, object]) -> KnowledgeAnswerRow:
    found = s.scalar(
        select(KnowledgeAnswerRow).where(
            KnowledgeAnswerRow.knowledge_form_id == row.id, KnowledgeAnswerRow.item_id == item["id"]
        )
    )
    if found is None:
        found = KnowledgeAnswerRow(
            knowledge_form_id=row.id,
            item_id=str(item["id"]),
            item_version=int(str(item["version"])),
            chosen="[]",
            flagged=False,
        )
        s.add(found)
    return found


def _state(row: KnowledgeAnswerRow) -> AnswerState:
    return AnswerState(row.item_id, tuple(json.loads(row.chosen)), row.flagged, row.answered_at)


# -- submitting and marking ---------------------------------------------------------------------


def submit(db: Database, grant: KnowledgeGrant, how: str, *, at: datetime | None = None) -> KnowledgeStart:
    """Submits the form (once) and marks it: ``how`` is "candidate" or "time_up".

    Time up is refused before the time allowed has run out. Submitting again changes
    nothing. The candidate is given no marks: ``result`` is for staff.
    """
    if how not in SUBMIT_HOWS:
        raise UserError(f"Unknown way of submitting {how!r}.")
    _require_kiosk(grant)
    when = at or utcnow()
    with db.write() as s:
        row = _grant_form(s, grant)
        if row.submitted_at is None:
            deadline = row.started_at + timedelta(milliseconds=row.allowed_ms)
            if how == "time_up" and when < deadline:
                raise Conflict("The time for the knowledge test is not up yet.")
            before = audit.snapshot(row)
            marked = _mark(s, row)
            row.submitted_at = min(when, deadline) if how == "time_up" else when
            row.submitted_how = how
            row.marks = str(marked.marks)
            row.passed = marked.passed
            audit.record(s, grant.opened_by, f"knowledge.submit.{how}", row, before)
    return start(db, grant)


def _mark(s: Session, row: KnowledgeFormRow) -> test_form.FormResult:
    answers = {a.item_id: a.chosen for a in _answers(s, row)}
    return mark_answers(packs.pack_by_id(s, row.pack_id), row.form_id, row.seed, row.items, answers)


def mark_answers(
    pack: Pack, form_id: str, seed: str, items_json: str, answers: Mapping[str, tuple[str, ...]]
) -> test_form.FormResult:
    """Marks a drawn form (``KnowledgeFormRow.items``) against the pack's keys."""
    test = _test(pack)
    items = _items_by_version(pack)
    stored = json.loads(items_json)
    form = test_form.Form(
        seed,
        tuple(
            test_form.FormItem(
                str(i["id"]),
                int(str(i["version"])),
                items[(str(i["id"]), int(str(i["version"])))].kss,
                items[(str(i["id"]), int(str(i["version"])))].answer_type.value,
                tuple(str(o) for o in i["options"]),
            )
            for i in stored
        ),
    )
    bank = {(e.id, e.version): e for e in bank_entries(test.bank)}
    return test_form.mark_form(form, bank, answers, form_plan(test, _blueprint(pack, form_id)).rule)


def result(db: Database, actor: Actor, sitting_id: str) -> tuple[KnowledgeResult, ...]:
    """Each submitted form's marks per KSS area, for staff who may reach the sitting."""
    if actor.role is Role.CANDIDATE_KIOSK:
        raise PermissionDenied("The kiosk does not show marks.")
    with db.read() as s:
        access.open_sitting(
            s, actor, sitting_id, (Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD), "see results"
        )
        return _results(s, sitting_id)


def _results(s: Session, sitting_id: str) -> tuple[KnowledgeResult, ...]:
    out: list[KnowledgeResult] = []
    rows = s.scalars(
        select(KnowledgeFormRow)
        .where(KnowledgeFormRow.sitting_id == sitting_id, KnowledgeFormRow.submitted_at.is_not(None))
        .order_by(KnowledgeFormRow.started_at)
    )
    for row in rows:
        assert row.submitted_at is not None
        pack = packs.pack_by_id(s, row.pack_id)
        titles = {a.id: a.title for a in pack.kss_areas}
        marked = _mark(s, row)
        order = {a.id: n for n, a in enumerate(pack.kss_areas)}
        areas = sorted(marked.areas, key=lambda a: order.get(a.kss, len(order)))
        out.append(
            KnowledgeResult(
                row.form_id,
                _blueprint(pack, row.form_id).title,
                marked.marks,
                marked.available,
                marked.needed,
                marked.passed,
                tuple(AreaKnowledge(a.kss, titles.get(a.kss, a.kss), a.marks, a.available) for a in areas),
                row.submitted_at,
            )
        )
    return tuple(out)


def outcome_marks(db: Database, sitting_id: str, pack: Pack) -> dict[str, KnowledgeMark | None]:
    """What the outcome rule needs of the knowledge test: each form of the pack, with its
    marks once submitted (None before). A pack without a knowledge test: empty.

    For the report and export code, which have checked access to the sitting already.
    """
    with db.read() as s:
        return outcome_marks_in(s, sitting_id, pack)


def outcome_marks_in(s: Session, sitting_id: str, pack: Pack) -> dict[str, KnowledgeMark | None]:
    """The same, inside a caller's session (the outcome report's).

    The marks are those recorded when the form was submitted (as the score-sheet export
    reads them), so an outcome rests on the marking the candidate was given."""
    test = pack.knowledge_test
    if test is None:
        return {}
    done = {
        r.form_id: r
        for r in s.scalars(
            select(KnowledgeFormRow).where(
                KnowledgeFormRow.sitting_id == sitting_id, KnowledgeFormRow.submitted_at.is_not(None)
            )
        )
    }
    out: dict[str, KnowledgeMark | None] = {}
    for form in test.forms:
        row = done.get(form.id)
        if row is None or row.marks is None or row.passed is None:
            out[form.id] = None
            continue
        available = len(_stored_items(row))
        rule = form_plan(test, form).rule
        needed = (
            rule.pass_count if rule.pass_count is not None else (rule.pass_share or Fraction(0)) * available
        )
        out[form.id] = KnowledgeMark(
            form.title, float(Fraction(row.marks)), available, float(needed), row.passed
        )
    return out


@dataclass(frozen=True)
class FormRecord:
    """How one form was sat, for its report: when, how it ended, the time allowed."""

    form_id: str
    title: str
    items: int
    minutes: float  # the blueprint's time, before any extra time
    allowed_ms: int  # with the candidate's extra time
    started_at: datetime
    submitted_at: datetime | None
    submitted_how: str | None
    pass_mark: str  # the pack's pass mark in words: "70% of the marks"
    marking: str  # how a multiple-answer item is marked, in words


def form_record_in(s: Session, sitting_id: str, pack: Pack, form_id: str) -> FormRecord | None:
    """The form ``form_id`` of a sitting as drawn (None: never opened). For the reports,
    which have checked access to the sitting already."""
    blueprint = _blueprint(pack, form_id)
    row = _form_row(s, sitting_id, form_id)
    if row is None:
        return None
    mark = blueprint.pass_mark
    if mark.count is not None:
        needed = f"{mark.count:g} marks"
    else:
        needed = f"{float(mark.share or 0) * 100:g}% of the marks"
    marking = (
        "A multiple-answer question earns its mark only when exactly the right options are chosen."
        if _test(pack).multiple_marking.value == "all_or_nothing"
        else "A multiple-answer question earns part of its mark for each option chosen rightly."
    )
    return FormRecord(
        form_id,
        blueprint.title,
        len(_stored_items(row)),
        blueprint.minutes,
        row.allowed_ms,
        row.started_at,
        row.submitted_at,
        row.submitted_how,
        needed,
        marking,
    )


def opened_by_in(s: Session, sitting_id: str, form_id: str) -> str | None:
    """The account that first handed the workstation over for this form (the audit trail's
    first ``kiosk.open`` of it), None if it was never opened."""
    from db.models import AuditEntryRow

    row = _form_row(s, sitting_id, form_id)
    if row is None:
        return None
    return s.scalar(
        select(AuditEntryRow.account_id)
        .where(
            AuditEntryRow.entity == KnowledgeFormRow.__tablename__,
            AuditEntryRow.entity_id == row.id,
            AuditEntryRow.action == "kiosk.open",
        )
        .order_by(AuditEntryRow.seq)
        .limit(1)
    )


def form_title(pack: Pack, form_id: str) -> str:
    """The title of one form of the pack's knowledge test (refuses an unknown form)."""
    return _blueprint(pack, form_id).title


def result_in(s: Session, sitting_id: str, form_id: str) -> KnowledgeResult | None:
    """A submitted form's result (None before), inside a caller's session."""
    return next((r for r in _results(s, sitting_id) if r.form_id == form_id), None)


def results_in(s: Session, sitting_id: str) -> tuple[KnowledgeResult, ...]:
    """Every submitted form's result, inside a caller's session (the reports')."""
    return _results(s, sitting_id)


# -- the kiosk's other doors --------------------------------------------------------------------


def forms_to_sit(db: Database, grant_sitting_id: str) -> tuple[str, ...]:
    """The knowledge-test forms of a sitting's pack not yet submitted (none: no test)."""
    with db.read() as s:
        sitting = s.get(SittingRow, grant_sitting_id)
        if sitting is None:
            raise NotFound("No such sitting.")
        pack = packs.pack_by_id(s, sitting.pack_id)
        if pack.knowledge_test is None:
            return ()
        done = set(
            s.scalars(
                select(KnowledgeFormRow.form_id).where(
                    KnowledgeFormRow.sitting_id == grant_sitting_id,
                    KnowledgeFormRow.submitted_at.is_not(None),
                )
            )
        )
        return tuple(f.id for f in pack.knowledge_test.forms if f.id not in done)


def open_and_start(db: Database, actor: Actor, sitting_id: str, form_id: str | None = None) -> KnowledgeStart:
    """Open (or reopen) the form for the candidate and read all the kiosk shows, in one go."""
    return start(db, open_form(db, actor, sitting_id, form_id))


def find_left_open(db: Database) -> KnowledgeStart | None:
    """The knowledge test this workstation left open, ready to show, if any."""
    grant = left_open(db)
    return start(db, grant) if grant is not None else None


def leave(db: Database, grant: KnowledgeGrant, username: str, password: str) -> Actor:
    """Only an assessor or manager, with their password, takes the workstation back (audited)."""
    try:
        who = accounts.authenticate(db, username, password, door=accounts.KIOSK_EXIT)
    except UserError:
        _audit_exit(db, grant, username, ok=False)
        raise
    if who.role not in STARTERS:
        _audit_exit(db, grant, username, ok=False)
        raise PermissionDenied("Only an assessor or a centre manager can close the candidate's screen.")
    _audit_exit(db, grant, username, ok=True)
    return who


def _audit_exit(db: Database, grant: KnowledgeGrant, username: str, ok: bool) -> None:
    with db.write() as s:
        row = _grant_form(s, grant)
        action = "kiosk.exit" if ok else "kiosk.exit_refused"
        audit.note(s, grant.opened_by, action, row.__tablename__, row.id, {"by": username})
