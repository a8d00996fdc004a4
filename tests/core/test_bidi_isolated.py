"""Right-to-left names inside left-to-right text: each run isolated, nothing else changed."""

from __future__ import annotations

from naas_centre.formatting import FSI, PDI, bidi_isolated


def test_latin_text_is_left_alone() -> None:
    assert bidi_isolated("Helen Brady (2) · 09:00") == "Helen Brady (2) · 09:00"
    assert bidi_isolated("") == ""


def test_a_name_is_isolated_whole_with_its_spaces() -> None:
    assert bidi_isolated("ليلى حداد (2)") == f"{FSI}ليلى حداد{PDI} (2)"


def test_each_run_is_isolated_and_the_rest_kept() -> None:
    text = "09:00 · عمر خليل · Room 1 · مريم الحسن"
    assert bidi_isolated(text) == f"09:00 · {FSI}عمر خليل{PDI} · Room 1 · {FSI}مريم الحسن{PDI}"
    # Taking the isolates out gives back what was written.
    assert bidi_isolated(text).replace(FSI, "").replace(PDI, "") == text


def test_hebrew_too_and_never_twice() -> None:
    once = bidi_isolated("שרה לוי, 3")
    assert once == f"{FSI}שרה לוי{PDI}, 3"
    assert bidi_isolated(once) == once
