"""The readable copy of a subject access export: what the centre holds about one
candidate, table by table, in the house style of the reports.

The JSON file beside it is the complete, machine-readable record; this copy says the
same in words a candidate can read: each kind of record with its count, every record's
own fields, and the audit trail's entries about them as a list of who did what when.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer

from naas_centre import __version__
from naas_centre.reports import fonts
from naas_centre.reports.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PageInfo,
    canvas_maker,
    facts,
    grid,
    p,
    stamp,
    styles,
)

TZ = "Europe/London"
# What each table is, in the candidate's words, in the order they read.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("candidates", "Who you are, as the centre records it"),
    ("endorsements", "Your employer's endorsements"),
    ("conflicts", "Conflicts of interest declared by assessors"),
    ("equality_monitoring", "Equality monitoring (read by quality assurance only, in aggregate)"),
    ("legal_holds", "Holds on your data"),
    ("sittings", "Your bookings and sittings"),
    ("sitting_visits", "Your timetable"),
    ("sitting_assessors", "Your assessors"),
    ("sitting_actors", "The actors in your role-plays"),
    ("phase_events", "Timings of each station"),
    ("scores", "Scores"),
    ("judgements", "Overall judgements"),
    ("moderations", "Moderation where assessors differed"),
    ("evidence_notes", "Assessors' evidence notes"),
    ("scripts", "Your written exercise"),
    ("knowledge_forms", "Knowledge tests"),
    ("knowledge_answers", "Knowledge-test answers"),
    ("recording_consents", "Consent to recording"),
    ("recordings", "Recordings"),
    ("recording_bookmarks", "Reviewers' bookmarks in recordings"),
    ("signed_documents", "Signed reports (each is also a file beside this one)"),
    ("document_signatures", "Signatures on those reports"),
)
_SKIP = {"id", "created_at", "updated_at", "workstation_id", "pdf", "snapshot", "slots", "hash", "prev_hash"}
_PEOPLE = {
    "assessor_id",
    "account_id",
    "recorded_by",
    "placed_by",
    "released_by",
    "moderator_id",
    "signed_by",
    "started_by",
    "deleted_by",
    "made_by",
}


def _value(key: str, value: Any, names: dict[str, str]) -> str:
    if value is None or value == "":
        return "none"
    if key in _PEOPLE and isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):  # bytes, by hash
        return f"{value.get('bytes', '?')} bytes"
    return str(value)


def _record(row: dict[str, Any], names: dict[str, str], st: dict[str, Any]) -> Paragraph:
    parts = [f"{k.replace('_', ' ')}: {_value(k, v, names)}" for k, v in row.items() if k not in _SKIP]
    return p("; ".join(parts), st["cell"])


def render_subject_access(
    centre: str, made: datetime, made_by: str, tables: dict[str, list[dict[str, Any]]], names: dict[str, str]
) -> bytes:
    st = styles()
    width = A4[0] - 2 * MARGIN_X
    cand = tables["candidates"][0]
    story: list[Any] = [
        p("Everything we hold about you", st["title"]),
        p(f"{cand['full_name']} ({cand['registration_number']})", st["subtitle"]),
        Spacer(1, 4 * mm),
        facts(
            [
                ("Centre", centre),
                ("Made", stamp(made, TZ)),
                ("Made by", made_by),
                ("Records", str(sum(len(v) for k, v in tables.items() if k != "audit_entries"))),
                ("Trail entries", str(len(tables.get("audit_entries", [])))),
            ],
            width,
            st,
        ),
        p(
            "This copy lists every record the centre holds about you, grouped by kind. The JSON "
            "file made with it holds the same records in full, for a computer to read; the signed "
            "reports are beside it as they were signed.",
            st["small"],
        ),
    ]
    for table, title in SECTIONS:
        rows = tables.get(table, [])
        story.append(p(f"{title} ({len(rows)})", st["h2"]))
        if not rows:
            story.append(p("None held.", st["small"]))
            continue
        if table == "scripts":
            for row in rows:
                story.append(p(str(row.get("text") or "(blank)"), st["script"], lines=True))
            continue
        story.extend(_record(row, names, st) for row in rows)
    entries = tables.get("audit_entries", [])
    story.append(p(f"The audit trail's entries about these records ({len(entries)})", st["h2"]))
    if entries:
        header = [p(h, st["cell_bold"]) for h in ("When", "Who", "What", "Record")]
        body = [
            [
                p(str(e["at"])[:19].replace("T", " "), st["cell"]),
                p(names.get(e["account_id"] or "", "the workstation"), st["cell"]),
                p(str(e["action"]), st["cell"]),
                p(f"{e['entity']} {str(e['entity_id'])[:8]}", st["cell"]),
            ]
            for e in entries
        ]
        story.append(grid([header, *body], [32 * mm, 40 * mm, 52 * mm, width - 124 * mm], zebra=True))
    info = PageInfo(
        centre, "Subject access", f"{cand['full_name']}: everything held", f"Made {stamp(made, TZ)}"
    )
    return _write(story, info, title=f"Subject access: {cand['full_name']}", author=centre)


def _write(story: list[Any], info: PageInfo, *, title: str, author: str) -> bytes:
    fonts.register()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        creator=f"naas-centre {__version__}",
        lang="en-GB",
        displayDocTitle=1,
        initialFontName=fonts.SANS,
        initialFontSize=9,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        A4[0] - 2 * MARGIN_X,
        A4[1] - MARGIN_TOP - MARGIN_BOTTOM,
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
