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
    LevelName,
    ObservationReportData,
    OutcomeReportData,
    PhaseTiming,
    ReportData,
    ReportHeader,
    RubricRow,
    SignatureSlot,
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
    canvas_maker,
    duration,
    facts,
    grid,
    hm,
    hms,
    long_day,
    minutes,
    p,
    styles,
)

JUDGEMENT_WORDS = {"met": "Met", "not_met": "Not met", None: "No judgement given"}


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    slots: tuple[SlotRect, ...]
    title: str


def render(data: ReportData) -> RenderedReport:
    if isinstance(data, ObservationReportData):
        return _Builder(data.header).observation(data)
    if isinstance(data, WrittenReportData):
        return _Builder(data.header).written(data)
    if isinstance(data, OutcomeReportData):
        return _Builder(data.header).outcome(data)
    return _day_summary(data)


def initials(name: str) -> str:
    parts = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not parts:
        return name[:2]
    return "".join(w[0] for w in parts[-3:]).upper() if len(parts) > 1 else parts[0][:2]


class _Builder:
    def __init__(self, header: ReportHeader) -> None:
        self.h = header
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
        return [
            p(h.title, self.st["title"], bold=True),
            Spacer(1, 1.5 * mm),
            p(subtitle, self.st["subtitle"]),
            Spacer(1, 4 * mm),
            facts(pairs, self.width, self.st),
            p(f"Pack content sha256 {h.pack_hash}  ·  sitting {h.sitting_id}", self.st["small"]),
        ]

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

    def _rubric(self, title: str, scale: tuple[LevelName, ...], rubric: tuple[RubricRow, ...]) -> list[Any]:
        c, cb, sm = self.st["cell"], self.st["cell_bold"], self.st["small"]
        legend = "  ·  ".join(f"{lv.value} {lv.label}" for lv in scale)
        out: list[Any] = [p(title, self.st["h2"], bold=True), p(f"Levels: {legend}", sm), Spacer(1, 1.5 * mm)]
        two = len(self.h.assessors) > 1
        rows: list[list[Any]] = [
            [p("Criterion", cb), p("Level", cb), p("What the assessor observed at this level", cb)]
        ]
        for row in rubric:
            crit = [p(row.criterion_text, c), p(f"KSS {row.kss_id}: {row.kss_title}", sm)]
            if row.agreed:
                s = row.scores[0]
                level = [p(f"{s.level} {s.level_label}", cb)]
                if two:
                    level.append(p("both assessors", sm))
                descriptor = [p(s.descriptor, c)]
            else:
                level, descriptor = [], []
                for s in row.scores:
                    who = initials(s.assessor) + " " if two else ""
                    if s.level is None:
                        level.append(p(f"{who}not scored", c))
                        continue
                    level.append(p(f"{who}{s.level} {s.level_label}", cb))
                    descriptor.append(p(f"{who}{s.descriptor}" if two else s.descriptor, c))
            rows.append([crit, level, descriptor])
        w = self.width
        out.append(grid(rows, [w * 0.36, w * 0.17, w * 0.47], zebra=True))
        if two:
            keys = ", ".join(f"{initials(a)} {a}" for a in self.h.assessors)
            out.append(p(f"Where the assessors differ, each level is shown with their initials: {keys}.", sm))
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
            clock = f"{n.clock} {n.phase or ''}".strip() if n.clock else (n.phase or "—")
            rows.append([p(hms(n.written_at, self.tz), c), p(clock, c), p(initials(n.assessor), c), body])
        w = self.width
        out.append(grid(rows, [w * 0.11, w * 0.16, w * 0.07, w * 0.66]))
        return out

    def _judgements(self, title: str, judgements: tuple[Judgement, ...]) -> list[Any]:
        out: list[Any] = [p(title, self.st["h2"], bold=True)]
        if not judgements:
            return [*out, p("No overall judgement has been given.", self.st["body"])]
        for j in judgements:
            out.append(
                p(f"{j.assessor}: {JUDGEMENT_WORDS.get(j.judgement, j.judgement)}", self.st["h3"], bold=True)
            )
            out.append(p(j.rationale or "No reasons were written.", self.st["body"], lines=True))
        return out

    def _signatures(self, slots: tuple[SignatureSlot, ...], found: list[SlotRect]) -> list[Any]:
        return [
            CondPageBreak(SignatureSlots([], self.width, []).height + 22 * mm),
            KeepTogether(
                [
                    p("Signatures", self.st["h2"], bold=True),
                    p(
                        "Each signature below is a digital signature from the centre's certificate "
                        "authority. Check it with any PDF reader that shows signatures, or with "
                        "naas-centre verify and the centre's CA certificate.",
                        self.st["small"],
                    ),
                    Spacer(1, 3 * mm),
                    SignatureSlots([s.label for s in slots], self.width, found),
                ]
            ),
        ]

    def _build(self, story: list[Any], subject: str) -> RenderedReport:
        h = self.h
        found: list[SlotRect] = []
        story = [*story, *self._signatures(h.slots, found)]
        title = f"{h.title}: {h.candidate_name}"
        info = PageInfo(
            centre=h.centre_name,
            kind_label=h.kind.label,
            footer_left=f"{h.candidate_name} · {h.registration_number} · {long_day(h.day)}",
            footer_second=(
                f"Pack {h.pack_name} {h.pack_version} · sha256 {h.pack_hash[:16]}… · sitting {h.sitting_id}"
            ),
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
        story += self._judgements("Overall judgement", d.judgements)
        return self._build(story, f"Observation of {d.station_title}, scored against {self.h.pack_title}")

    def written(self, d: WrittenReportData) -> RenderedReport:
        how = {"candidate": "by the candidate", "time_up": "when time ran out"}.get(d.submitted_how or "", "")
        submitted = f"{hms(d.submitted_at, self.tz)} {how}".strip() if d.submitted_at else "not submitted"
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
        story += self._judgements("Feedback", d.judgements)
        if d.notes:
            story += self._notes(d.notes)
        return self._build(story, f"Written exercise: {d.title}")

    def outcome(self, d: OutcomeReportData) -> RenderedReport:
        story = self._opening(self.h.pack_title, [])
        word = "MET" if d.met else "NOT MET"
        banner = Table(
            [[p(f"Outcome: standard {word}", self.st["result"], bold=True)]],
            colWidths=[self.width],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                    ("BACKGROUND", (0, 0), (-1, -1), MET if d.met else NOT_MET),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            ),
        )
        story += [Spacer(1, 4 * mm), banner]
        if d.reasons:
            story.append(p("Why the standard was not met", self.st["h2"], bold=True))
            story += [p(f"• {r}", self.st["body"]) for r in d.reasons]
        story.append(p("Profile by KSS area", self.st["h2"], bold=True))
        lowest = min(lv.value for lv in d.scale) if d.scale else 0
        highest = max(lv.value for lv in d.scale) if d.scale else 4
        story.append(profile_chart(d.areas, lowest, highest, self.width))
        c, cb = self.st["cell"], self.st["cell_bold"]
        rows: list[list[Any]] = [[p(t, cb) for t in ("KSS area", "Combined level", "Pass mark", "Result")]]
        for i, a in enumerate(d.areas, 1):
            rows.append(
                [
                    p(f"{i}. {a.title}", c),
                    p(f"{a.combined:.2f}", c),
                    p(f"{a.pass_mark:g}", c),
                    p("met" if a.met else "not met", c, bold=not a.met),
                ]
            )
        w = self.width
        story.append(Spacer(1, 2 * mm))
        story.append(grid(rows, [w * 0.58, w * 0.15, w * 0.12, w * 0.15], zebra=True))
        story.append(p("How the outcome is decided", self.st["h2"], bold=True))
        story += [p(f"• {r}", self.st["body"]) for r in d.rule]
        if not d.met:
            story.append(p("Development feedback for each KSS area", self.st["h2"], bold=True))
            for i, a in enumerate(d.areas, 1):
                story.append(p(f"{i}. {a.title}", self.st["h3"], bold=True))
                if a.met:
                    story.append(
                        p(f"Met: combined level {a.combined:.2f} against {a.pass_mark:g}.", self.st["body"])
                    )
                else:
                    text = a.development_feedback or "The pack gives no development feedback for this area."
                    story.append(
                        p(
                            f"Not met: combined level {a.combined:.2f} against {a.pass_mark:g}.",
                            self.st["body"],
                            bold=True,
                        )
                    )
                    story.append(p(" ".join(text.split()), self.st["body"]))
        if d.station_judgements:
            story.append(p("Overall judgements by station", self.st["h2"], bold=True))
            rows = [[p(t, cb) for t in ("Station", "Assessor", "Judgement")]]
            rows += [[p(a, c), p(b, c), p(JUDGEMENT_WORDS.get(j, j), c)] for a, b, j in d.station_judgements]
            story.append(grid(rows, [w * 0.5, w * 0.28, w * 0.22]))
        return self._build(story, f"Outcome of the assessment centre, {self.h.pack_title}")


def _script_paragraph(text: str, style: Any) -> Paragraph:
    return p(text, style, lines=True)


def _day_summary(d: DaySummaryData) -> RenderedReport:
    st = styles()
    size = landscape(A4)
    width = size[0] - 2 * MARGIN_X
    c, cb, sm = st["cell"], st["cell_bold"], st["small"]
    story: list[Any] = [
        p(d.title, st["title"], bold=True),
        p(f"{d.centre_name} · {len(d.rows)} sittings", st["subtitle"]),
        Spacer(1, 4 * mm),
    ]
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
    story += [
        Spacer(1, 3 * mm),
        p(f"Outcomes: {met} met, {not_met} not met, {pending} not yet decided.", st["body"], bold=True),
    ]
    found: list[SlotRect] = []
    story += [
        CondPageBreak(SignatureSlots([], width, []).height + 20 * mm),
        KeepTogether(
            [
                p("Signatures", st["h2"], bold=True),
                Spacer(1, 2 * mm),
                SignatureSlots([s.label for s in d.slots], width, found),
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
    doc.build(story, canvasmaker=canvas_maker(info))
    return buf.getvalue()
