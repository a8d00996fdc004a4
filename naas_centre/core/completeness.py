"""What a sitting still lacks before it can have an outcome or be offered for signing.

Pure: the service (``naas_centre.services.completeness``) reads the facts from the
database and this module says, in plain words with names, what is missing. One rule,
used by the sitting screen before submit, by moderation and by the reports, so no
screen can call a sitting complete that another would call incomplete.

The outcome rule uses every criterion level and every station's overall judgement, so
a difference between two submitted sheets on either is missing until it is moderated.

In a circuit each station has its own assessors: a sheet is expected over the stations
its assessor observes (``SheetFacts.stations``), differences are between the sheets of
one station, and a station that no one observes is itself missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")

JUDGEMENT_WORDS = {"met": "met", "not_met": "not met"}
# The criterion id under which a station's overall judgement is moderated.
JUDGEMENT = ""


class MissingKind(StrEnum):
    STATION_NOT_STARTED = "station_not_started"
    UNSCORED = "unscored"
    NO_JUDGEMENT = "no_judgement"
    REASON_NEEDED = "reason_needed"
    WRITTEN_NOT_WRITTEN = "written_not_written"
    WRITTEN_NOT_SUBMITTED = "written_not_submitted"
    NO_ASSESSOR = "no_assessor"
    ASSESSOR_NOT_SUBMITTED = "assessor_not_submitted"
    MODERATION_OUTSTANDING = "moderation_outstanding"
    KNOWLEDGE_NOT_SAT = "knowledge_not_sat"
    KNOWLEDGE_NOT_SUBMITTED = "knowledge_not_submitted"


# Items an assessor puts right on their own sheet (the rest concern the sitting).
ON_THE_SHEET = frozenset({MissingKind.UNSCORED, MissingKind.NO_JUDGEMENT, MissingKind.REASON_NEEDED})


@dataclass(frozen=True)
class Missing:
    """One thing still missing, with where it is and a sentence that says it.

    ``station_id`` and ``station_title`` are "" for an item about the whole sitting (an
    assessor who has not submitted). ``criterion_id`` is None for an item about a
    station (not started, no judgement, a judgement to moderate). ``assessor_id`` and
    ``assessor_name`` say whose sheet it concerns, None when it is no one's sheet.
    """

    kind: MissingKind
    station_id: str
    station_title: str
    criterion_id: str | None
    text: str
    assessor_id: str | None = None
    assessor_name: str | None = None


@dataclass(frozen=True)
class CriterionFacts:
    id: str
    text: str

    def __post_init__(self) -> None:
        # Pack texts are folded YAML: one line each in a sentence.
        object.__setattr__(self, "text", " ".join(self.text.split()))


@dataclass(frozen=True)
class StationFacts:
    """A station of the pack, in sitting order. ``kind``: role_play, reflective or written.

    ``started``: the main phase (the role-play or conversation; for a written exercise,
    the writing) has a start recorded.
    """

    id: str
    title: str
    kind: str
    criteria: tuple[CriterionFacts, ...]
    started: bool


@dataclass(frozen=True)
class SheetFacts:
    """One assessor's sheet. Keys of ``levels`` and ``reasons``: (station id, criterion id).

    ``stations``: the stations the assessor observes; None, every station.
    """

    assessor_id: str
    assessor_name: str
    levels: Mapping[tuple[str, str], int | None]
    reasons: Mapping[tuple[str, str], str]
    judgements: Mapping[str, str | None]
    submitted: bool
    stations: frozenset[str] | None = None

    def observes(self, station_id: str) -> bool:
        return self.stations is None or station_id in self.stations


def observing(sheets: Sequence[SheetFacts], station_id: str) -> tuple[SheetFacts, ...]:
    """The sheets of the assessors who observe one station, in sheet order."""
    return tuple(sh for sh in sheets if sh.observes(station_id))


@dataclass(frozen=True)
class ScriptFacts:
    """The candidate's written script: ``None`` for the whole object when there is none."""

    has_text: bool
    submitted: bool


@dataclass(frozen=True)
class KnowledgeFacts:
    """A knowledge-test form the candidate must sit: ``started`` once it was drawn for
    them (the kiosk opened it), ``submitted`` once it is in and marked."""

    form_id: str
    title: str
    started: bool
    submitted: bool


@dataclass(frozen=True)
class SittingFacts:
    stations: tuple[StationFacts, ...]
    sheets: tuple[SheetFacts, ...]
    script: ScriptFacts | None
    # (station id, criterion id or JUDGEMENT) for each difference already moderated.
    moderated: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    standard: int | None = None  # below this, a level on an unsubmitted sheet needs a reason
    # Whose item-level gaps to list; None: everyone's. Others' gaps appear only as
    # "has not submitted", so an assessor learns nothing of a colleague's sheet.
    detail_for: frozenset[str] | None = None
    # The pack's knowledge-test forms, in pack order; empty when it has none.
    knowledge: tuple[KnowledgeFacts, ...] = ()


def concerning(items: Sequence[Missing], station_id: str | None) -> tuple[Missing, ...]:
    """What stands between one report and signing: for a station's report (``station_id``)
    what concerns that station and every assessor's submission; for the outcome
    (``None``), everything."""
    if station_id is None:
        return tuple(items)
    return tuple(m for m in items if m.station_id in (station_id, ""))


def in_words(items: Sequence[Missing], shown: int = 3) -> str:
    """One plain paragraph: the first few items, and how many more."""
    if not items:
        return ""
    head = [m.text.rstrip(".") for m in items[:shown]]
    rest = len(items) - len(head)
    text = "; ".join(head)
    if rest:
        text += f"; and {rest} more thing{'s' if rest > 1 else ''} to finish"
    return f"Still missing: {text}."


def differs(values: Sequence[T | None]) -> bool:
    """Whether submitted sheets disagree: more than one distinct value among them."""
    return len(set(values)) > 1


def missing(facts: SittingFacts) -> tuple[Missing, ...]:
    """Everything missing, station by station, the knowledge test, then submissions, then
    moderation."""
    out: list[Missing] = []
    for st in facts.stations:
        out += _station(facts, st)
    out += _knowledge(facts.knowledge)
    if not facts.sheets:
        out.append(
            Missing(
                MissingKind.ASSESSOR_NOT_SUBMITTED,
                "",
                "",
                None,
                "No assessor is assigned to this sitting, so no one has scored it.",
            )
        )
    for sh in facts.sheets:
        if not sh.submitted:
            out.append(
                Missing(
                    MissingKind.ASSESSOR_NOT_SUBMITTED,
                    "",
                    "",
                    None,
                    f"{sh.assessor_name} has not submitted their scores.",
                    sh.assessor_id,
                    sh.assessor_name,
                )
            )
    # Independence: nothing is compared until every assessor of the sitting has submitted.
    if facts.sheets and all(sh.submitted for sh in facts.sheets) and len(facts.sheets) > 1:
        out += _moderation(facts)
    return tuple(out)


def _knowledge(forms: Sequence[KnowledgeFacts]) -> list[Missing]:
    """A form not yet in. Its ``station_id`` is the form's id, so it holds back the
    outcome and never a station's observation report, nor an assessor's submission."""
    out: list[Missing] = []
    for k in forms:
        if k.submitted:
            continue
        kind = MissingKind.KNOWLEDGE_NOT_SUBMITTED if k.started else MissingKind.KNOWLEDGE_NOT_SAT
        done = "submitted" if k.started else "started"
        text = f"the candidate has not {done} the knowledge test “{k.title}”, which the outcome rule counts."
        out.append(Missing(kind, k.form_id, k.title, None, text))
    return out


def _station(facts: SittingFacts, st: StationFacts) -> list[Missing]:
    out: list[Missing] = []

    def item(
        kind: MissingKind, text: str, criterion: str | None = None, sheet: SheetFacts | None = None
    ) -> None:
        out.append(
            Missing(
                kind,
                st.id,
                st.title,
                criterion,
                f"{st.title}: {text}",
                sheet.assessor_id if sheet else None,
                sheet.assessor_name if sheet else None,
            )
        )

    if st.kind == "written":
        script = facts.script
        if script is None or (not script.has_text and not (script.submitted and st.started)):
            item(MissingKind.WRITTEN_NOT_WRITTEN, "the candidate has not written the exercise.")
        elif not script.submitted:
            item(MissingKind.WRITTEN_NOT_SUBMITTED, "the candidate's script has not been submitted.")
    elif not st.started:
        what = "the role-play" if st.kind == "role_play" else "the conversation"
        item(MissingKind.STATION_NOT_STARTED, f"{what} was never started.")

    sheets = observing(facts.sheets, st.id)
    if facts.sheets and not sheets:
        out.append(
            Missing(
                MissingKind.NO_ASSESSOR,
                st.id,
                st.title,
                None,
                f"No assessor observes “{st.title}” in this sitting; assign one to the station.",
            )
        )
    for sh in sheets:
        if facts.detail_for is not None and sh.assessor_id not in facts.detail_for:
            continue
        who = sh.assessor_name
        for c in st.criteria:
            level = sh.levels.get((st.id, c.id))
            if level is None:
                item(MissingKind.UNSCORED, f"{who} has not scored “{c.text}”.", c.id, sh)
            elif (
                # Submit refuses such a level without a reason; a sheet submitted before
                # that rule (an older database) is read-only and is not held up by it.
                not sh.submitted
                and facts.standard is not None
                and level < facts.standard
                and not sh.reasons.get((st.id, c.id), "").strip()
            ):
                item(
                    MissingKind.REASON_NEEDED,
                    f"{who} gave level {level} for “{c.text}”, below the standard ({facts.standard}), "
                    "without a written reason.",
                    c.id,
                    sh,
                )
        if sh.judgements.get(st.id) is None:
            item(MissingKind.NO_JUDGEMENT, f"{who} has not given an overall judgement.", None, sh)
    return out


def _moderation(facts: SittingFacts) -> list[Missing]:
    out: list[Missing] = []
    for st in facts.stations:
        sheets = observing(facts.sheets, st.id)
        for c in st.criteria:
            given = [sh.levels.get((st.id, c.id)) for sh in sheets]
            if differs(given) and (st.id, c.id) not in facts.moderated:
                who = ", ".join(f"{sh.assessor_name} {lv}" for sh, lv in zip(sheets, given, strict=True))
                out.append(
                    Missing(
                        MissingKind.MODERATION_OUTSTANDING,
                        st.id,
                        st.title,
                        c.id,
                        f"{st.title}: the assessors differ on “{c.text}” ({who}); "
                        "agree a level at moderation.",
                    )
                )
        verdicts = [sh.judgements.get(st.id) for sh in sheets]
        if differs(verdicts) and (st.id, JUDGEMENT) not in facts.moderated:
            who = ", ".join(
                f"{sh.assessor_name} “{JUDGEMENT_WORDS.get(v or '', v or 'none')}”"
                for sh, v in zip(sheets, verdicts, strict=True)
            )
            out.append(
                Missing(
                    MissingKind.MODERATION_OUTSTANDING,
                    st.id,
                    st.title,
                    None,
                    f"{st.title}: the assessors' overall judgements differ ({who}); "
                    "agree a judgement at moderation.",
                )
            )
    return out
