"""The candidate's editor: a word count kept per paragraph that always equals a full
count, however the text is changed."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from naas_centre.material import document_html, to_html
from naas_centre.services.written import word_count
from ui.written.script_editor import ScriptEditor, count_words


@pytest.fixture
def editor(qapp: QApplication) -> Iterator[ScriptEditor]:
    e = ScriptEditor()
    yield e
    e.deleteLater()


def test_the_count_is_the_services_count(editor: ScriptEditor) -> None:
    text = "Risk\u00a0is moderate.\n\n  Plan:\tvisit weekly\u2028and review.  "
    editor.load(text)
    assert editor.word_count == count_words(editor.toPlainText()) == word_count(editor.toPlainText())


def test_the_incremental_count_matches_a_full_count_after_any_edits(editor: ScriptEditor) -> None:
    rng = random.Random(7)
    words = ["risk", "plan", "Hana", "Yusuf", "section 17", "", " ", "\n", "\n\n", "school,", "—"]
    editor.load("The family were seen at home.\nBoth parents spoke.\n\nA plan follows.")
    counts = []
    editor.word_count_changed.connect(counts.append)
    for _ in range(400):
        cursor = editor.textCursor()
        size = len(editor.toPlainText())
        cursor.setPosition(rng.randint(0, size))
        action = rng.random()
        if action < 0.55:
            cursor.insertText(rng.choice(words) + rng.choice(["", " ", "\n"]))
        elif action < 0.8:
            end = min(size, cursor.position() + rng.randint(1, 25))
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        elif action < 0.9:
            editor.setTextCursor(cursor)
            editor.undo()
        else:
            editor.setTextCursor(cursor)
            editor.redo()
        assert editor.word_count == count_words(editor.toPlainText())
    assert counts and counts[-1] == editor.word_count


def test_loading_a_large_script_counts_it(editor: ScriptEditor) -> None:
    text = "\n\n".join(" ".join(f"w{i}" for i in range(100)) for _ in range(200))
    editor.load(text)
    assert editor.word_count == 20_000
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.insertPlainText(" more words")
    assert editor.word_count == 20_002


def test_case_material_reads_as_paragraphs_lists_and_tables() -> None:
    material = (
        "REFERRAL (from the school)\nYusuf, 9, is autistic.\nHe uses an app.\n\n"
        "CHRONOLOGY\n- 2020: diagnosed.\n- 2021: Hana born;\n  postnatal depression.\n\n"
        "Figures:\n| Measure | Q1 |\n|---|---|\n| Held <1 day | 64% |"
    )
    html = to_html(material)
    assert "<p><b>REFERRAL</b> (from the school)</p>" in html
    assert "<p>Yusuf, 9, is autistic. He uses an app.</p>" in html
    assert "<td>2021: Hana born; postnatal depression.</td>" in html
    assert "<th>Measure</th>" in html and "<td>Held &lt;1 day</td>" in html and "---" not in html
    assert "Your task" in document_html("Write a plan.", material)
