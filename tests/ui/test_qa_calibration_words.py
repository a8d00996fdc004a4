"""What the QA dashboard's examiners page says of calibration against the panel."""

from __future__ import annotations

from naas_centre.qa.calibration import CalibrationOffset
from ui.qa.qa_examiners import calibration_words

NAMES = {"a1": "Priya Shah", "a2": "Gareth Hughes", "a3": "Ruth Allen"}


def test_everyone_within_the_panel_is_said_in_one_line() -> None:
    offsets = [
        CalibrationOffset("a1", 1, 6, 0.0, 1.0, 6.0, None, None),
        CalibrationOffset("a2", 1, 6, 1.0, 0, 0, None, None),
    ]
    assert calibration_words(offsets, NAMES) == [
        "2 assessors scored calibration recordings against the levels a panel agreed. "
        "Across all of them, 50% of the levels given were the agreed one.",
        "No assessor differs from the panel consistently (every interval includes zero).",
    ]


def test_an_interval_that_excludes_zero_names_the_assessor_and_the_way_they_lean() -> None:
    offsets = [
        CalibrationOffset("a1", 3, 18, 0.2, 0.5, 2.0, 1.1, 2.9),
        CalibrationOffset("a2", 4, 24, 0.5, -0.4, -3.0, -4.5, -1.5),
        CalibrationOffset("a3", 4, 24, 0.9, 0.0, 0.1, -0.5, 0.7),
    ]
    words = calibration_words(offsets, NAMES)
    assert words[1:] == [
        "Gareth Hughes scores more strictly than the panel: -3.0 points a station on average over "
        "4 exercises (95% interval -4.5 to -1.5).",
        "Priya Shah scores more leniently than the panel: +2.0 points a station on average over "
        "3 exercises (95% interval +1.1 to +2.9).",
    ]
