"""The completeness rule on plain facts: no database, no pack file."""

from __future__ import annotations

from naas_centre.core.completeness import (
    JUDGEMENT,
    CriterionFacts,
    Missing,
    MissingKind,
    ScriptFacts,
    SheetFacts,
    SittingFacts,
    StationFacts,
    concerning,
    differs,
    in_words,
    missing,
)

HOME = StationFacts(
    "home",
    "Home visit",
    "role_play",
    (
        CriterionFacts("purpose", "Explains\n  the purpose"),
        CriterionFacts("child", "Keeps the child in view"),
    ),
    started=True,
)
WRITTEN = StationFacts("record", "Case record", "written", (CriterionFacts("analysis", "Weighs risk"),), True)


def sheet(aid: str, name: str, *, submitted: bool = True, level: int = 3, **levels: int) -> SheetFacts:
    return SheetFacts(
        aid,
        name,
        {
            ("home", "purpose"): levels.get("purpose", level),
            ("home", "child"): levels.get("child", level),
            ("record", "analysis"): level,
        },
        {},
        {"home": "met", "record": "met"},
        submitted,
    )


def facts(*sheets: SheetFacts, **kw: object) -> SittingFacts:
    args: dict[str, object] = {
        "stations": (HOME, WRITTEN),
        "sheets": sheets,
        "script": ScriptFacts(True, True),
        "standard": 3,
        **kw,
    }
    return SittingFacts(**args)  # type: ignore[arg-type]


def test_values_differ_only_when_more_than_one_distinct_value_is_given() -> None:
    assert not differs([3, 3]) and not differs([]) and not differs(["met"])
    assert differs([3, 4]) and differs(["met", "not_met"]) and differs([None, 2])


def test_a_complete_sitting_lacks_nothing() -> None:
    assert missing(facts(sheet("a", "Priya Shah"), sheet("b", "Gareth Hughes"))) == ()


def test_pack_text_reads_as_one_line() -> None:
    f = facts(sheet("a", "Priya Shah", submitted=False, purpose=1))
    assert missing(f)[0].text == (
        "Home visit: Priya Shah gave level 1 for “Explains the purpose”, below the standard (3), "
        "without a written reason."
    )


def test_a_reason_is_asked_only_of_a_sheet_still_open() -> None:
    """A sheet submitted before the rule existed is read-only: it cannot hold a sitting up."""
    assert missing(facts(sheet("a", "Priya Shah", purpose=1))) == ()


def test_a_script_submitted_empty_after_the_writing_time_is_the_candidates_answer() -> None:
    empty = ScriptFacts(False, True)
    assert missing(facts(sheet("a", "Priya Shah"), script=empty)) == ()
    never = StationFacts(WRITTEN.id, WRITTEN.title, "written", WRITTEN.criteria, started=False)
    [item] = missing(facts(sheet("a", "Priya Shah"), script=empty, stations=(HOME, never)))
    assert item.kind == MissingKind.WRITTEN_NOT_WRITTEN


def test_moderation_waits_for_every_sheet_and_clears_when_agreed() -> None:
    a, b = sheet("a", "Priya Shah", purpose=3), sheet("b", "Gareth Hughes", purpose=4)
    b_open = sheet("b", "Gareth Hughes", purpose=4, submitted=False)
    assert [m.kind for m in missing(facts(a, b_open))] == [MissingKind.ASSESSOR_NOT_SUBMITTED]
    [item] = missing(facts(a, b))
    assert (item.kind, item.station_id, item.criterion_id) == (
        MissingKind.MODERATION_OUTSTANDING,
        "home",
        "purpose",
    )
    assert missing(facts(a, b, moderated=frozenset({("home", "purpose")}))) == ()
    # A judgement row does not settle a level, nor a level row a judgement.
    assert missing(facts(a, b, moderated=frozenset({("home", JUDGEMENT)})))


def test_an_assessor_sees_only_their_own_sheet_in_detail() -> None:
    a = sheet("a", "Priya Shah", submitted=False)
    b = SheetFacts("b", "Gareth Hughes", {}, {}, {}, False)
    items = missing(facts(a, b, detail_for=frozenset({"a"})))
    assert [m.text for m in items] == [
        "Priya Shah has not submitted their scores.",
        "Gareth Hughes has not submitted their scores.",
    ]


def test_a_station_report_waits_for_its_own_station_and_for_submissions() -> None:
    items = (
        Missing(MissingKind.STATION_NOT_STARTED, "home", "Home visit", None, "Home visit: never started."),
        Missing(MissingKind.WRITTEN_NOT_SUBMITTED, "record", "Case record", None, "Case record: not in."),
        Missing(MissingKind.ASSESSOR_NOT_SUBMITTED, "", "", None, "Priya Shah has not submitted."),
    )
    assert [m.station_id for m in concerning(items, "home")] == ["home", ""]
    assert concerning(items, None) == items
    assert in_words(items[:1]) == "Still missing: Home visit: never started."
    assert (
        in_words(items, shown=1) == "Still missing: Home visit: never started; and 2 more things to finish."
    )
    assert in_words(()) == ""
