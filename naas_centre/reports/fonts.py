"""Fonts that render any candidate's name, shipped with the package and embedded in every PDF.

Three faces cover the scripts a centre meets (see ``fonts/README.md``): DejaVu Sans for
Latin with diacritics, Greek, Cyrillic, Hebrew and Arabic, and WenQuanYi Micro Hei for
Chinese, Japanese and Korean. Text is split into runs by which font has the glyphs, so
mixed text ("陈美玲 (Oldham Council)") renders in one line.

Arabic is shaped before it is drawn: letters take their joined forms
(``arabic-reshaper``) and right-to-left runs are put in visual order (``python-bidi``).
Spaces inside a short right-to-left run become no-break spaces, so a name is never
split across lines (which would put its words in the wrong order) and text extraction
(poppler's ``pdftotext``) gives the name back in reading order.

The joined forms are only how the letters look. Each embedded font's ToUnicode map
(what a reader extracts, copies or searches) maps every Arabic presentation form back
to the letters it stands for (its compatibility decomposition), so the text taken
from the PDF is the name as stored, not its look-alike forms. A reader puts the
letters back in reading order from their direction, as poppler does.
"""

from __future__ import annotations

import contextlib
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]
from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

SANS = "NaasSans"
SANS_BOLD = "NaasSans-Bold"
CJK = "NaasCJK"
FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf", CJK: "wqy-microhei.ttc"}
# A right-to-left run longer than this keeps its spaces so that it can wrap.
_NOBREAK_RTL_MAX = 60

_files = contextlib.ExitStack()  # keeps extracted font files alive (zip installs, frozen bundles)
_registered = False

# ReportLab's embedded fonts are shared by every document in the process and record,
# as a document is drawn, which glyphs its subset holds: two documents drawn at once in
# two threads corrupt each other's subsets (seen: KeyError in makeSubset while a
# report's preview and another report were drawn together). Every drawing holds this.
DRAWING = threading.RLock()


def font_path(name: str) -> Path:
    """The shipped file of one of our fonts, as a real path."""
    ref = resources.files("naas_centre.reports") / "fonts" / FILES[name]
    return Path(_files.enter_context(resources.as_file(ref)))


def _is_presentation_form(code: int) -> bool:
    return 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """A ToUnicode CMap for one font subset, with presentation forms mapped to their letters."""

    def target(code: int) -> str:
        text = chr(code)
        if _is_presentation_form(code):
            # A ligature's letters are given in drawing (visual) order, as its glyph is
            # placed in a right-to-left run: a reader reversing the run reverses them too.
            text = unicodedata.normalize("NFKC", text)[::-1]
        return "".join(f"{b:02X}" for b in text.encode("utf-16-be"))

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{target(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


class LogicalTextFont(TTFont):
    """A TrueType font whose extracted text is the logical letters, not the joined forms."""

    def addObjects(self, doc: Any) -> None:
        state = self.state.get(doc)
        subsets = [list(x) for x in state.subsets] if state is not None else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            if not any(_is_presentation_form(code) for code in subset):
                continue
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                stream.content = to_unicode_cmap(base, subset)


def register() -> None:
    """Registers the fonts with ReportLab once per process (cheap after the first call)."""
    global _registered
    if _registered:
        return
    for name in (SANS, SANS_BOLD):
        pdfmetrics.registerFont(LogicalTextFont(name, str(font_path(name))))
    pdfmetrics.registerFont(TTFont(CJK, str(font_path(CJK)), subfontIndex=0))
    # <b> in a paragraph picks the bold face; CJK has one weight only.
    for family, bold in ((SANS, SANS_BOLD), (CJK, CJK)):
        addMapping(family, 0, 0, family)
        addMapping(family, 0, 1, family)
        addMapping(family, 1, 0, bold)
        addMapping(family, 1, 1, bold)
    addMapping(SANS_BOLD, 0, 0, SANS_BOLD)
    addMapping(SANS_BOLD, 1, 0, SANS_BOLD)
    # Charts start every drawing from this font even when each string names its own:
    # left as Helvetica, the PDF would reference a font it does not embed.
    shapes.STATE_DEFAULTS["fontName"] = SANS
    _registered = True


@lru_cache(maxsize=4)
def _cmap(name: str) -> frozenset[int]:
    register()
    font: Any = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def shape(text: str, *, base: str = "L") -> str:
    """Text as it is drawn: Arabic joined and every right-to-left run in visual order.

    ``base`` is the paragraph direction: left to right ("L") for the English reports, so
    a line that starts with an Arabic name keeps its other parts where they belong.
    """
    if not any(_is_rtl(ch) for ch in text):
        return text
    text = _keep_rtl_runs_together(text)
    return str(get_display(_reshaper().reshape(text), base_dir=base))


# The ligatures Arabic requires (lam with alef); optional ones such as the word Allah
# as one glyph are left out: DejaVu has no glyph for most of them.
_LAM_ALEF = (
    "ARABIC LIGATURE LAM WITH ALEF",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
)


@lru_cache(maxsize=1)
def _reshaper() -> Any:
    """Joins Arabic letters, keeps every vowel mark (a name is spelled as stored)."""
    from arabic_reshaper import ligatures

    config: dict[str, Any] = {"delete_harakat": False, "support_ligatures": True}
    config.update({name: False for name, _ in ligatures.LIGATURES})
    both = _cmap(SANS) & _cmap(SANS_BOLD)
    for name, (_, forms) in ligatures.LIGATURES:
        if name in _LAM_ALEF and all(ord(f) in both for f in forms if f):
            config[name] = True
    return arabic_reshaper.ArabicReshaper(configuration=config)


def _keep_rtl_runs_together(text: str) -> str:
    out = list(text)
    i = 0
    while i < len(out):
        if not _is_rtl(out[i]):
            i += 1
            continue
        j = i
        last_rtl = i
        while j < len(out) and (_is_rtl(out[j]) or out[j] == " " or unicodedata.category(out[j]) == "Mn"):
            if _is_rtl(out[j]):
                last_rtl = j
            j += 1
        if last_rtl - i < _NOBREAK_RTL_MAX:
            for k in range(i, last_rtl):
                if out[k] == " ":
                    out[k] = "\u00a0"
        i = last_rtl + 1
    return "".join(out)


def _font_for(ch: str, base: str) -> str | None:
    """The font for one character, or None for a space or mark that can go with its neighbours."""
    if ch.isspace() or unicodedata.category(ch) in ("Mn", "Zs"):
        return None
    code = ord(ch)
    if code in _cmap(base):
        return base
    if code in _cmap(CJK):
        return CJK
    return base  # no face has it: the base font's empty box shows something is missing


def runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """(font name, text in drawing order) for each run of the shaped text."""
    base = SANS_BOLD if bold else SANS
    out: list[tuple[str, str]] = []
    current: str | None = None
    buf: list[str] = []
    for ch in shape(text):
        font = _font_for(ch, base)
        if font is not None and current is not None and font != current:
            out.append((current, "".join(buf)))
            buf = []
        if font is not None:
            current = font
        buf.append(ch)
    if buf:
        out.append((current or base, "".join(buf)))
    return out


def markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for plain text: escaped, shaped, with a font tag for each foreign run.

    Newlines become line breaks. The paragraph's own font is assumed to be ``SANS``.
    """
    lines = text.split("\n")
    return "<br/>".join(_line_markup(line, bold) for line in lines)


def _line_markup(line: str, bold: bool) -> str:
    parts = []
    for font, chunk in runs(line, bold=bold):
        esc = escape(chunk)
        if font == SANS:
            parts.append(esc)
        else:
            parts.append(f'<font name="{font}">{esc}</font>')
    return "".join(parts)


def string_width(text: str, size: float, *, bold: bool = False) -> float:
    return sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in runs(text, bold=bold))


def draw_string(
    canvas: Any, x: float, y: float, text: str, size: float, *, bold: bool = False, align: str = "left"
) -> float:
    """Draws one line on a ReportLab canvas with per-run fonts; returns its width."""
    pieces = runs(text, bold=bold)
    width = sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in pieces)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for font, chunk in pieces:
        canvas.setFont(font, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, font, size)
    return width


def fit(text: str, size: float, max_width: float, *, bold: bool = False) -> str:
    """The text, cut with an ellipsis if it is wider than ``max_width`` (for one-line labels)."""
    if string_width(text, size, bold=bold) <= max_width:
        return text
    cut = text
    while cut and string_width(cut + "…", size, bold=bold) > max_width:
        cut = cut[:-1]
    return cut.rstrip() + "…"
