"""Drawing the reports (ReportLab platypus): A4, real text in reading order, fonts embedded.

Each ``render`` call returns the PDF bytes and where on the last page the signature
places are, so that ``naas_centre.signing`` can put each visible signature there.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from naas_centre import __version__
from naas_centre.reports import fonts
from naas_centre.reports.chart import profile_chart
from naas_centre.reports.data import (
    DaySummaryData,
    EvidenceNote,
    Judgement,
    KnowledgeMarks,
    KnowledgeReportData,
    LevelName,
    Moderated,
    ObservationReportData,
    OutcomeReportData,
    PhaseTiming,
    ReportData,
    ReportHeader,
    RubricRow,
    SignatureSlot,
    Supersession,
    WrittenReportData,
)
from naas_centre.reports.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MET,
    NOT_MET,
    PageInfo,
    SignatureSlots,
    SlotRect,
    SlotText,
    canvas_maker,
    duration,
    facts,
    grid,
    hm,
    hms,
    long_day,
    minutes,
    p,
    stamp,
    styles,
    with_logo,
)

JUDGEMENT_WORDS: dict[str | None, str] = {
    "met": "Met",
    "not_met": "Not met",
    None: "No judgement given",
    "": "No judgement given",
}


def _jw(judgement: str | None, borderline: bool = False) -> str:
    word = JUDGEMENT_WORDS.get(judgement) or str(judgement)
    return f"{word} (borderline)" if borderline and judgement else word


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    slots: tuple[SlotRect, ...]
    title: str


def render(data: ReportData, *, logo: bytes | None = None) -> RenderedReport:
    """The report as a PDF; ``logo`` is the centre's, drawn beside the first page's title.

    Whoever holds the database reads the logo with ``centre_settings.report_logo`` (or
    ``report_logo_of``) and passes it: drawing needs no database, so it runs in a worker
    process too.
    """
    if isinstance(data, ObservationReportData):
        return _Builder(data.header, logo).observation(data)
    if isinstance(data, WrittenReportData):
        return _Builder(data.header, logo).written(data)
    if isinstance(data, OutcomeReportData):
        return _Builder(data.header, logo).outcome(data)
    if isinstance(data, KnowledgeReportData):
        return _Builder(data.header, logo).knowledge(data)
    return _day_summary(data, logo)


def initials(name: str) -> str:
    parts = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not parts:
        return name[:2]
    return "".join(w[0] for w in parts[-3:]).upper() if len(parts) > 1 else parts[0][:2]


class _Builder:
    def __init__(self, header: ReportHeader, logo: bytes | None = None) -> None:
        self.h = header
        self.logo = logo
        self.st = styles()
        self.width = A4[0] - 2 * MARGIN_X
        self.tz = header.timezone

    # the parts every candidate report shares ------------------------------------------

    def _opening(self, subtitle: str, extra: list[tuple[str, str]]) -> list[Any]:
        h = self.h
        pairs = [
            ("Candidate", h.candidate_name),
            ("Registration", h.registration_number),
            ("Employer", h.employer),
            ("Level, attempt", f"{h.level.capitalize()}, attempt {h.attempt}"),
            ("Date, room", f"{long_day(h.day)}, {h.room}"),
            ("Assessors", ", ".join(h.assessors) or "none assigned"),
            *extra,
            ("Adjustments", h.adjustments or "none"),
            ("Pack", f"{h.pack_title} ({h.pack_name} {h.pack_version})"),
        ]
        heading: list[Any] = [
            p(h.title, self.st["title"], bold=True),
            Spacer(1, 1.5 * mm),
            p(subtitle, self.st["subtitle"]),
        ]
        out: list[Any] = [*with_logo(heading, self.logo, self.width), Spacer(1, 4 * mm)]
        if h.supersedes is not None:
            out += [self._supersedes(h.supersedes), Spacer(1, 3 * mm)]
        out += [
            facts(pairs, self.width, self.st),
            p(f"Pack content sha256 {h.pack_hash}", self.st["small"]),
        ]
        return out

    def _supersedes(self, note: Supersession) -> Table:
        when = f", signed {stamp(note.previous_signed_at, self.tz)}" if note.previous_signed_at else ""
        text = (
            f"Version {note.version}. This report replaces version {note.previous_version}{when}, "
            f"which stays on record unchanged. Why it was replaced: {note.reason.strip().rstrip('.')}."
        )
        return Table(
            [[p(text, self.st["body"], bold=True)]],
            colWidths=[self.width],
            style=TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, NOT_MET),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            ),
        )

    def _timings(self, timings: tuple[PhaseTiming, ...]) -> list[Any]:
        out: list[Any] = [p("Timings", self.st["h2"], bold=True)]
        if not timings:
            out.append(
                p(
                    "Timings not recorded: the phase clock was not used for this station, so no start, "
                    "end, pause or overrun can be shown.",
                    self.st["body"],
                )
            )
            return out
        c = self.st["cell"]
        rows: list[list[Any]] = [
            [
                p(t, self.st["cell_bold"])
                for t in ("Phase", "Planned", "Adjusted", "Start", "End", "Over time")
            ]
        ]
        pauses: list[str] = []
        for t in timings:
            over = duration(t.overrun_seconds) if t.overrun_seconds > 0 else "none"
            if t.started_at is None:
                over = "not run"
            rows.append(
                [
                    p(t.phase, c),
                    p(minutes(t.planned_minutes), c),
                    p(minutes(t.adjusted_minutes), c),
                    p(hms(t.started_at, self.tz), c),
                    p(hms(t.ended_at, self.tz), c),
                    p(over, c, bold=t.overrun_seconds > 0),
                ]
            )
            for pause in t.pauses:
                length = (
                    duration(int((pause.end - pause.start).total_seconds())) if pause.end else "not resumed"
                )
                pauses.append(
                    f"{t.phase}: paused {hms(pause.start, self.tz)}–{hms(pause.end, self.tz)} "
                    f"({length}), reason: {pause.reason}"
                )
            if t.downtime_seconds:
                pauses.append(
                    f"{t.phase}: the app was not running for {duration(t.downtime_seconds)} during this phase"
                )
        w = self.width
        out.append(grid(rows, [w * 0.22, w * 0.13, w * 0.13, w * 0.16, w * 0.16, w * 0.2]))
        out.append(Spacer(1, 1.5 * mm))
        if pauses:
            out += [p(line, self.st["body"]) for line in pauses]
        else:
            out.append(p("No pauses.", self.st["body"]))
        return out

    def _who(self, name: str) -> str:
        return f"{initials(name)}: " if len(self.h.assessors) > 1 else ""

    def _rubric(self, title: str, scale: tuple[LevelName, ...], rubric: tuple[RubricRow, ...]) -> list[Any]:
        c, cb, sm = self.st["cell"], self.st["cell_bold"], self.st["small"]
        legend = "  ·  ".join(f"{lv.value} {lv.label}" for lv in scale)
        out: list[Any] = [
            p(title, self.st["h2"], bold=True),
            p(f"Levels: {legend}", sm),
            p(
                "For each criterion: the level, the rubric's descriptor for that level, and the evidence "
                "the assessor gave for it in their own words (their reason, and the notes they tied to "
                "the criterion).",
                sm,
            ),
            Spacer(1, 1.5 * mm),
        ]
        two = len(self.h.assessors) > 1
        rows: list[list[Any]] = [[p("Criterion", cb), p("Level", cb), p("Descriptor and evidence", cb)]]
        for row in rubric:
            crit = [p(row.criterion_text, c), p(f"KSS area: {row.kss_title}", sm)]
            level: list[Any] = []
            right: list[Any] = []
            if row.agreed:
                s0 = row.scores[0]
                level.append(p(f"{s0.level} {s0.level_label}", cb))
                if two:
                    level.append(p("both assessors", sm))
                right += [p("Descriptor for this level", sm, bold=True), p(s0.descriptor, c)]
            else:
                for sc in row.scores:
                    if sc.level is None:
                        level.append(p(f"{self._who(sc.assessor)}not scored", c))
                    else:
                        level.append(p(f"{self._who(sc.assessor)}{sc.level} {sc.level_label}", c))
                m = row.moderation
                if m is not None and m.level is not None:
                    level.append(p(f"Agreed: {m.level} {m.level_label}", cb))
                    level.append(p("at moderation", sm))
                    right += [
                        p(f"Descriptor for the agreed level ({m.level})", sm, bold=True),
                        p(m.descriptor, c),
                    ]
                else:
                    for sc in row.scores:
                        if sc.level is not None:
                            right += [
                                p(f"{self._who(sc.assessor)}descriptor for level {sc.level}", sm, bold=True),
                                p(sc.descriptor, c),
                            ]
            evidence = [
                (sc.assessor, [x for x in (sc.reason, *sc.evidence) if x.strip()]) for sc in row.scores
            ]
            if not any(said for _, said in evidence):
                right += [
                    p("The assessors' evidence" if two else "The assessor's evidence", sm, bold=True),
                    p("No reason or note was recorded for this criterion.", sm),
                ]
            for who, said in evidence:
                if not said:
                    continue
                right.append(p(f"Evidence, {who}" if two else "The assessor's evidence", sm, bold=True))
                right += [p(f"“{x.strip()}”", c, lines=True) for x in said]
            rows.append([crit, level, right])
        w = self.width
        out.append(grid(rows, [w * 0.3, w * 0.17, w * 0.53], zebra=True))
        if two:
            keys = ", ".join(f"{initials(a)} {a}" for a in self.h.assessors)
            out.append(p(f"Where the assessors differ, each level is shown with their initials: {keys}.", sm))
        out += self._moderation(rubric)
        return out

    def _moderation(self, rubric: tuple[RubricRow, ...]) -> list[Any]:
        differed = [r for r in rubric if not r.agreed and any(s.level is not None for s in r.scores)]
        if len(self.h.assessors) < 2:
            return []
        out: list[Any] = [p("Moderation: where the assessors differed", self.st["h2"], bold=True)]
        if not differed:
            return [
                *out,
                p(
                    "The assessors gave the same level on every criterion; nothing needed moderation.",
                    self.st["body"],
                ),
            ]
        c, cb = self.st["cell"], self.st["cell_bold"]
        rows: list[list[Any]] = [
            [p(t, cb) for t in ("Criterion", "Levels given", "Agreed level", "Moderator and reason")]
        ]
        for r in differed:
            given = [
                p(
                    f"{s.assessor}: {s.level} {s.level_label}"
                    if s.level is not None
                    else f"{s.assessor}: not scored",
                    c,
                )
                for s in r.scores
            ]
            m = r.moderation
            if m is None:
                rows.append(
                    [p(r.criterion_title or r.criterion_text, c), given, p("not yet agreed", cb), p("", c)]
                )
                continue
            rows.append(
                [
                    p(r.criterion_title or r.criterion_text, c),
                    given,
                    p(f"{m.level} {m.level_label}", cb),
                    [p(m.moderator, cb), p(m.reason or "No reason recorded.", c, lines=True)],
                ]
            )
        w = self.width
        out.append(grid(rows, [w * 0.3, w * 0.22, w * 0.14, w * 0.34]))
        out.append(
            p(
                "The outcome uses the agreed level. Both assessors' levels stay on record as they gave them.",
                self.st["small"],
            )
        )
        return out

    def _notes(self, notes: tuple[EvidenceNote, ...]) -> list[Any]:
        out: list[Any] = [p("Evidence notes", self.st["h2"], bold=True)]
        if not notes:
            return [*out, p("No evidence notes were recorded.", self.st["body"])]
        c, cb, sm = self.st["cell"], self.st["cell_bold"], self.st["small"]
        rows: list[list[Any]] = [[p(t, cb) for t in ("Time", "Clock", "By", "Note")]]
        for n in notes:
            body = [p(n.text, c, lines=True)]
            if n.criterion:
                body.append(p(f"Criterion: {n.criterion}", sm))
            if n.recording_ms is not None:
                minutes, seconds = divmod(n.recording_ms // 1000, 60)
                body.append(p(f"In the recording at {minutes:02d}:{seconds:02d}", sm))
            clock = f"{n.clock} {n.phase or ''}".strip() if n.clock else (n.phase or "—")
            rows.append([p(hms(n.written_at, self.tz), c), p(clock, c), p(initials(n.assessor), c), body])
        w = self.width
        out.append(grid(rows, [w * 0.11, w * 0.16, w * 0.07, w * 0.66]))
        if len(self.h.assessors) > 1:
            keys = ", ".join(f"{initials(a)} {a}" for a in self.h.assessors)
            out.append(p(f"By: {keys}.", self.st["small"]))
        return out

    def _judgements(
        self, title: str, judgements: tuple[Judgement, ...], agreed: Moderated | None
    ) -> list[Any]:
        out: list[Any] = [p(title, self.st["h2"], bold=True)]
        if not judgements:
            return [*out, p("No overall judgement has been given.", self.st["body"])]
        for j in judgements:
            out.append(p(f"{j.assessor}: {_jw(j.judgement, j.borderline)}", self.st["h3"], bold=True))
            out.append(p(j.rationale or "No reasons were written.", self.st["body"], lines=True))
        if agreed is not None:
            word = _jw(agreed.judgement)
            out.append(p(f"Agreed at moderation: {word}", self.st["h3"], bold=True))
            out.append(
                p(
                    f"The assessors' judgements differed. {agreed.moderator} agreed “{word}” with them, "
                    f"for this reason: {agreed.reason or 'no reason recorded'}",
                    self.st["body"],
                    lines=True,
                )
            )
        return out

    def _signatures(
        self, slots: tuple[SignatureSlot, ...], found: list[SlotRect], closing: list[Any]
    ) -> list[Any]:
        """The closing judgement and the signatures under it, kept on one page together."""
        boxes = SignatureSlots(
            [SlotText(s.label, s.registration_number, s.declaration) for s in slots], self.width, found
        )
        block = [
            p("Signatures", self.st["h2"], bold=True),
            p(
                "Each signature below is a digital signature from the centre's certificate "
                "authority. Check it with any PDF reader that shows signatures, or with "
                "naas-centre verify and the centre's CA certificate. Beneath each box is what its "
                "signer declares by signing.",
                self.st["small"],
            ),
            Spacer(1, 3 * mm),
            boxes,
        ]
        return [CondPageBreak(boxes.height + 30 * mm), KeepTogether([*closing, *block])]

    def _build(self, story: list[Any], subject: str, closing: list[Any]) -> RenderedReport:
        h = self.h
        found: list[SlotRect] = []
        story = [*story, *self._signatures(h.slots, found, closing)]
        title = f"{h.title}: {h.candidate_name}"
        version = f" · version {h.supersedes.version}" if h.supersedes is not None else ""
        info = PageInfo(
            centre=h.centre_name,
            kind_label=h.kind.label,
            footer_left=f"{h.candidate_name} · {h.registration_number} · {long_day(h.day)}{version}",
            footer_second=f"Pack {h.pack_name} {h.pack_version} · sha256 {h.pack_hash[:16]}…",
        )
        pdf = _write(story, info, title=title, author=h.centre_name, subject=subject, language=h.language)
        return RenderedReport(pdf, tuple(found), title)

    # the reports --------------------------------------------------------------------

    def observation(self, d: ObservationReportData) -> RenderedReport:
        extra = [("Scenario", d.station_title)]
        if d.actor_name:
            extra.append(("Actor", d.actor_name))
        story = self._opening(d.station_title + (f" — {d.setting}" if d.setting else ""), extra)
        story += self._timings(d.timings)
        story += self._rubric("Rubric: the level for each criterion", d.scale, d.rubric)
        story += self._notes(d.notes)
        closing = self._judgements("Overall judgement", d.judgements, d.judgement_moderation)
        return self._build(
            story, f"Observation of {d.station_title}, scored against {self.h.pack_title}", closing
        )

    def written(self, d: WrittenReportData) -> RenderedReport:
        how = {"candidate": "by the candidate", "time_up": "when time ran out"}.get(d.submitted_how or "", "")
        submitted = f"{stamp(d.submitted_at, self.tz)} {how}".strip() if d.submitted_at else "not submitted"
        story = self._opening(d.title, [("Words", str(d.word_count)), ("Submitted", submitted)])
        story += self._timings(d.timings)
        story += [p("The task", self.st["h2"], bold=True), p(d.prompt.strip(), self.st["body"])]
        story += [
            p("The candidate's script", self.st["h2"], bold=True),
            p(f"{d.word_count} words, exactly as submitted.", self.st["small"]),
            Spacer(1, 2 * mm),
        ]
        paragraphs = [x.strip("\n") for x in d.script_text.split("\n\n") if x.strip()]
        if not paragraphs:
            story.append(p("The script is empty.", self.st["body"]))
        story += [_script_paragraph(x, self.st["script"]) for x in paragraphs]
        story += self._rubric("Marking", d.scale, d.rubric)
        if d.notes:
            story += self._notes(d.notes)
        closing = self._judgements("Feedback on the script", d.judgements, d.judgement_moderation)
        if d.summary:
            closing += [p("The marking in brief", self.st["h3"], bold=True)]
            closing += [p(x, self.st["body"]) for x in d.summary]
        return self._build(story, f"Written exercise: {d.title}", closing)

    def outcome(self, d: OutcomeReportData) -> RenderedReport:
        story = self._opening(self.h.pack_title, [])
        story += [Spacer(1, 4 * mm), self._banner(d.met)]
        c, cb, body = self.st["cell"], self.st["cell_bold"], self.st["body"]
        if d.reasons:
            story.append(p("Why the standard was not met", self.st["h2"], bold=True))
            story += [p(f"• {r}", body) for r in d.reasons]
        story.append(p("How this outcome was decided", self.st["h2"], bold=True))
        if d.rationale:
            story.append(p(d.rationale, body))
            story.append(Spacer(1, 1.5 * mm))
        story += [p(f"• {r}", body) for r in d.rule]
        story.append(p("Profile by KSS area", self.st["h2"], bold=True))
        lowest = min(lv.value for lv in d.scale) if d.scale else 0
        highest = max(lv.value for lv in d.scale) if d.scale else 4
        story.append(profile_chart(d.areas, lowest, highest, self.width))
        rows: list[list[Any]] = [[p(t, cb) for t in ("KSS area", "Combined level", "Pass mark", "Result")]]
        for i, a in enumerate(d.areas, 1):
            result = [p("met" if a.met else "not met", c, bold=not a.met)]
            if a.failed_critical:
                result.append(p("a critical criterion is below its level", self.st["small"]))
            rows.append(
                [p(f"{i}. {a.title}", c), p(f"{a.combined:.2f}", c), p(f"{a.pass_mark:g}", c), result]
            )
        w = self.width
        story.append(Spacer(1, 2 * mm))
        story.append(grid(rows, [w * 0.52, w * 0.14, w * 0.11, w * 0.23], zebra=True))
        story += self._station_scores(d)
        story += self._knowledge_results(d.knowledge)
        story += self._feedback(d)
        story += self._station_judgements(d)
        if d.appeal:
            story.append(p("If you disagree with the outcome", self.st["h2"], bold=True))
            for x in d.appeal:
                story += [p(x, body), Spacer(1, 1.8 * mm)]
        word = "met" if d.met else "not met"
        closing = [
            p("The outcome", self.st["h2"], bold=True),
            self._banner(d.met),
            Spacer(1, 1.5 * mm),
            p(
                f"{self.h.candidate_name}, {self.h.level} level, attempt {self.h.attempt}: the standard "
                f"was {word} at the assessment centre on {long_day(self.h.day)}, under the pack "
                f"{self.h.pack_name} {self.h.pack_version}.",
                body,
            ),
        ]
        return self._build(story, f"Outcome of the assessment centre, {self.h.pack_title}", closing)

    def knowledge(self, d: KnowledgeReportData) -> RenderedReport:
        how = {"candidate": "by the candidate", "time_up": "when the time ran out"}.get(d.submitted_how, "")
        allowed = _minutes_text(d.allowed_minutes)
        if abs(d.allowed_minutes - d.minutes) > 1e-9:
            allowed += f" ({_minutes_text(d.minutes)} and the candidate's extra time)"
        story = self._opening(
            d.title,
            [
                ("Questions", str(d.items)),
                ("Time allowed", allowed),
                ("Started", stamp(d.started_at, self.tz)),
                ("Submitted", f"{stamp(d.submitted_at, self.tz)} {how}".strip()),
            ],
        )
        r = d.result
        story += [Spacer(1, 4 * mm), self._knowledge_banner(r)]
        body = self.st["body"]
        story.append(p("How the test was marked", self.st["h2"], bold=True))
        story += [
            p(
                f"Every question carries one mark. The form was drawn for this candidate from the pack's "
                f"question bank by its blueprint, and marked against the pack's keys when it was "
                f"submitted. {d.marking} The pass mark is {d.pass_rule}: {_marks(r.pass_mark)} of "
                f"{r.available}.",
                body,
            ),
            p(
                "This report gives the marks by KSS area and in total. It does not show the questions, "
                "their options, the keys or the candidate's answers, so the bank stays fit for "
                "other candidates.",
                self.st["small"],
            ),
        ]
        story += self._knowledge_table(r)
        word = "reached" if r.passed else "not reached"
        closing = [
            p("The result", self.st["h2"], bold=True),
            self._knowledge_banner(r),
            Spacer(1, 1.5 * mm),
            p(
                f"{self.h.candidate_name} scored {_marks(r.marks)} of {r.available} marks in the knowledge "
                f"test “{d.title}” on {long_day(self.h.day)}; the pass mark of {_marks(r.pass_mark)} was "
                f"{word}. The knowledge test is one part of the outcome: the outcome report says whether "
                "the standard was met.",
                body,
            ),
        ]
        return self._build(story, f"Knowledge test: {d.title}", closing)

    def _knowledge_banner(self, r: KnowledgeMarks) -> Table:
        word = "REACHED" if r.passed else "NOT REACHED"
        return Table(
            [[p(f"Pass mark {word}: {_marks(r.marks)} of {r.available}", self.st["result"], bold=True)]],
            colWidths=[self.width],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                    ("BACKGROUND", (0, 0), (-1, -1), MET if r.passed else NOT_MET),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            ),
        )

    def _knowledge_table(self, r: KnowledgeMarks) -> list[Any]:
        """The marks of one form by KSS area, then the total against the pass mark."""
        c, cb = self.st["cell"], self.st["cell_bold"]
        rows: list[list[Any]] = [[p(x, cb) for x in ("KSS area", "Marks", "Of", "Share")]]
        for a in r.areas:
            rows.append(
                [
                    p(a.title, c),
                    p(_marks(a.marks), c),
                    p(str(a.available), c),
                    p(_share(a.marks, a.available), c),
                ]
            )
        rows.append(
            [
                p("Total", cb),
                p(_marks(r.marks), cb),
                p(str(r.available), cb),
                p(_share(r.marks, r.available), cb),
            ]
        )
        rows.append(
            [
                p("Pass mark", c),
                p(_marks(r.pass_mark), c),
                p(str(r.available), c),
                p("reached" if r.passed else "not reached", c, bold=not r.passed),
            ]
        )
        w = self.width
        return [Spacer(1, 2 * mm), grid(rows, [w * 0.55, w * 0.15, w * 0.12, w * 0.18], zebra=True)]

    def _knowledge_results(self, tests: tuple[KnowledgeMarks, ...]) -> list[Any]:
        """The knowledge test in the outcome: each form's marks by area, never an item."""
        out: list[Any] = []
        for r in tests:
            out.append(p(f"The knowledge test: {r.title}", self.st["h2"], bold=True))
            word = "reached" if r.passed else "did not reach"
            out.append(
                p(
                    f"{_marks(r.marks)} of {r.available} marks, which {word} the pass mark of "
                    f"{_marks(r.pass_mark)}. The knowledge-test report gives how and when it was sat.",
                    self.st["body"],
                )
            )
            out += self._knowledge_table(r)
        return out

    def _banner(self, met: bool) -> Table:
        word = "MET" if met else "NOT MET"
        return Table(
            [[p(f"Outcome: standard {word}", self.st["result"], bold=True)]],
            colWidths=[self.width],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                    ("BACKGROUND", (0, 0), (-1, -1), MET if met else NOT_MET),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            ),
        )

    def _feedback(self, d: OutcomeReportData) -> list[Any]:
        body, sm = self.st["body"], self.st["small"]
        out: list[Any] = [
            p("Feedback for each KSS area", self.st["h2"], bold=True),
            p(
                "For every area: what the assessors saw you do well, and where to go next. Where an "
                "area was not met, the development feedback says what to work on with your supervisor "
                "before a further attempt.",
                sm,
            ),
        ]
        if not d.met:
            out.insert(1, p("Development feedback for each KSS area", self.st["h3"], bold=True))
        for i, a in enumerate(d.areas, 1):
            part: list[Any] = [p(f"{i}. {a.title}", self.st["h3"], bold=True)]
            if a.met:
                part.append(
                    p(f"Met: combined level {a.combined:.2f} against the pass mark of {a.pass_mark:g}.", body)
                )
            else:
                why = f"combined level {a.combined:.2f} against the pass mark of {a.pass_mark:g}"
                if a.failed_critical:
                    names = "; ".join(f"“{x}”" for x in a.failed_critical)
                    why += f"; the critical criterion {names} is below the level it must reach"
                part.append(p(f"Not met: {why}.", body, bold=True))
            if a.strengths:
                part += [p("Strengths", sm, bold=True), p(a.strengths, body)]
            if a.next_steps:
                part += [p("Next steps", sm, bold=True), p(a.next_steps, body)]
            if not a.met or a.needs_development:
                text = a.development_feedback or "The pack gives no development feedback for this area."
                part += [p("Development feedback", sm, bold=True), p(" ".join(text.split()), body)]
            # the heading stays with its result; each labelled part stays with its text
            out.append(KeepTogether(part[:2]))
            out += [KeepTogether(part[k : k + 2]) for k in range(2, len(part), 2)]
        return out

    def _station_scores(self, d: OutcomeReportData) -> list[Any]:
        """Each station's score against its pass mark, and the cohort's median and quartiles."""
        if not d.station_scores:
            return []
        c, cb, sm = self.st["cell"], self.st["cell_bold"], self.st["small"]
        out: list[Any] = [p("Station scores against their pass marks", self.st["h2"], bold=True)]
        heads = ("Station", "Score", "Pass mark", "Result", "Cohort: lower quartile, median, upper quartile")
        rows: list[list[Any]] = [[p(x, cb) for x in heads]]
        for st in d.station_scores:
            if st.pass_mark is None:
                mark, result = p("none in force", c), p("—", c)
            else:
                mark = p(f"{st.pass_mark:g}", c)
                result = p("reached" if st.reaches else "not reached", c, bold=not st.reaches)
            if st.median is not None:
                cohort = p(
                    f"{st.lower_quartile:g} · {st.median:g} · {st.upper_quartile:g} (of {st.cohort_n})", c
                )
            else:
                cohort = p("not given", c)
            rows.append([p(st.station, c), p(f"{st.score} of {st.most}", c), mark, result, cohort])
        w = self.width
        out.append(grid(rows, [w * 0.34, w * 0.12, w * 0.12, w * 0.14, w * 0.28], zebra=True))
        shown = [st for st in d.station_scores if st.median is not None]
        note = "A station's score is the sum of its agreed criterion levels. "
        if shown:
            note += (
                f"The cohort is {shown[0].cohort}: half of them scored between the quartiles, and "
                "nobody in it is named."
            )
        else:
            note += "Fewer than 5 candidates sat this pack that day, so no cohort figures are given."
        out.append(p(note, sm))
        return out

    def _station_judgements(self, d: OutcomeReportData) -> list[Any]:
        if not d.stations and not d.station_judgements:
            return []
        c, cb = self.st["cell"], self.st["cell_bold"]
        out: list[Any] = [p("Overall judgements by station", self.st["h2"], bold=True)]
        if d.judgement_note:
            out.append(p(d.judgement_note, self.st["body"]))
            out.append(Spacer(1, 1.5 * mm))
        w = self.width
        if d.stations:
            rows: list[list[Any]] = [[p(t, cb) for t in ("Station", "Each assessor", "Agreed")]]
            for st in d.stations:
                given = [p(f"{who}: {_jw(j, who in st.borderline)}", c) for who, j in st.judgements]
                values = {j for _, j in st.judgements}
                if st.moderation is not None:
                    agreed: list[Any] = [
                        p(_jw(st.moderation.judgement), cb),
                        p(
                            f"at moderation by {st.moderation.moderator}: {st.moderation.reason}",
                            self.st["small"],
                        ),
                    ]
                elif len(values) == 1:
                    agreed = [p(_jw(values.pop()), cb)]
                else:
                    agreed = [p("not yet agreed", cb)]
                rows.append([p(st.station, c), given, agreed])
            out.append(grid(rows, [w * 0.36, w * 0.32, w * 0.32]))
        else:
            rows = [[p(t, cb) for t in ("Station", "Assessor", "Judgement")]]
            rows += [[p(a, c), p(b, c), p(_jw(j), c)] for a, b, j in d.station_judgements]
            out.append(grid(rows, [w * 0.5, w * 0.28, w * 0.22]))
        return out


def _marks(value: float) -> str:
    """Marks as people write them: 31, 31.5, 31.33 (per-option marking gives fractions)."""
    return f"{round(value, 2):g}"


def _share(marks: float, available: int) -> str:
    return f"{marks / available * 100:.0f}%" if available else "—"


def _minutes_text(value: float) -> str:
    whole = round(value)
    if abs(value - whole) < 1e-9:
        return f"{whole} minute{'s' if whole != 1 else ''}"
    return f"{value:.1f} minutes"


def _script_paragraph(text: str, style: Any) -> Paragraph:
    return p(text, style, lines=True)


def _day_summary(d: DaySummaryData, logo: bytes | None = None) -> RenderedReport:
    st = styles()
    size = landscape(A4)
    width = size[0] - 2 * MARGIN_X
    c, cb, sm = st["cell"], st["cell_bold"], st["small"]
    heading: list[Any] = [
        p(d.title, st["title"], bold=True),
        p(f"{d.centre_name} · {len(d.rows)} sittings", st["subtitle"]),
    ]
    story: list[Any] = [*with_logo(heading, logo, width), Spacer(1, 4 * mm)]
    headings = (
        "Start",
        "Room",
        "Candidate",
        "Level",
        "Pack",
        "Assessors",
        "Status",
        "Scored",
        "Outcome",
        "Signed",
    )
    rows: list[list[Any]] = [[p(t, cb) for t in headings]]
    for r in d.rows:
        rows.append(
            [
                p(hm(r.starts_at, d.timezone), c),
                p(r.room, c),
                [p(r.candidate_name, cb), p(r.employer, sm)],
                p(f"{r.level}, attempt {r.attempt}", c),
                p(r.pack, c),
                p(", ".join(r.assessors), c),
                p(r.status.replace("_", " "), c),
                p(r.scored, c),
                p(r.outcome, c, bold=r.outcome in ("met", "not met")),
                p(r.reports_signed, c),
            ]
        )
    fractions = (0.06, 0.09, 0.16, 0.1, 0.13, 0.14, 0.08, 0.07, 0.09, 0.08)
    story.append(grid(rows, [width * f for f in fractions], zebra=True))
    met = sum(1 for r in d.rows if r.outcome == "met")
    not_met = sum(1 for r in d.rows if r.outcome == "not met")
    pending = len(d.rows) - met - not_met
    found: list[SlotRect] = []
    boxes = SignatureSlots(
        [SlotText(s.label, s.registration_number, s.declaration) for s in d.slots], width, found
    )
    story += [
        CondPageBreak(boxes.height + 30 * mm),
        KeepTogether(
            [
                Spacer(1, 3 * mm),
                p(
                    f"Outcomes: {met} met, {not_met} not met, {pending} not yet decided.",
                    st["body"],
                    bold=True,
                ),
                p("Signatures", st["h2"], bold=True),
                Spacer(1, 2 * mm),
                boxes,
            ]
        ),
    ]
    info = PageInfo(
        centre=d.centre_name,
        kind_label="Day summary",
        footer_left=f"{d.centre_name} · {long_day(d.day)}",
        footer_second=f"naas-centre {__version__}",
    )
    pdf = _write(
        story,
        info,
        title=d.title,
        author=d.centre_name,
        subject=f"Sittings, outcomes and reports of {long_day(d.day)}",
        language=d.language,
        pagesize=size,
    )
    return RenderedReport(pdf, tuple(found), d.title)


def _write(
    story: list[Any],
    info: PageInfo,
    *,
    title: str,
    author: str,
    subject: str,
    language: str,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    fonts.register()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator=f"naas-centre {__version__}",
        lang=language,
        displayDocTitle=1,
        initialFontName=fonts.SANS,
        initialFontSize=9,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        pagesize[0] - 2 * MARGIN_X,
        pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    with fonts.DRAWING:  # one document at a time: the fonts' subsets are shared
        doc.build(story, canvasmaker=canvas_maker(info))
    return buf.getvalue()
