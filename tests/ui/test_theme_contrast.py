"""Every theme meets WCAG 2.x AA: 4.5:1 for text, 3:1 for the edges of controls and for
icons and focus marks. The style sheets are read rule by rule (the shipped ones and the
kiosk's, made from the theme's colours), every foreground is paired with the background
it is drawn on, and the contrast is computed from relative luminance as WCAG defines it.
Disabled controls are exempt from the minimum, but must still look different."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import pytest
from PySide6.QtWidgets import QApplication

from ui.common import theme
from ui.written.kiosk_panels import kiosk_style

TEXT = 4.5
NON_TEXT = 3.0
DISABLED_LEGIBLE = 2.5  # not a WCAG minimum (disabled controls are exempt): readable still

CONTROLS = ("QLineEdit", "QDateEdit", "QComboBox", "QSpinBox", "QDoubleSpinBox", "QPushButton")


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x): sRGB channels linearised, weighted 0.2126/0.7152/0.0722."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_gives_the_known_figures() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the famous near miss
    assert contrast("#595959", "#ffffff") == pytest.approx(7.0, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@dataclass(frozen=True)
class Rule:
    selector: str
    props: dict[str, str]

    @property
    def base(self) -> str:
        """The selector without its pseudo-states: ``QPushButton[role="primary"]:hover`` is
        drawn on what ``QPushButton[role="primary"]`` says unless it says otherwise."""
        return re.sub(r":[!a-z-]+", "", self.selector)

    @property
    def disabled(self) -> bool:
        return ":disabled" in self.selector


def rules(sheet: str) -> list[Rule]:
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    out: list[Rule] = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        props = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                key, value = declaration.split(":", 1)
                props[key.strip()] = value.strip()
        out += [Rule(s.strip(), props) for s in selectors.split(",") if s.strip()]
    return out


def colour_of(value: str) -> str | None:
    """The colour in a value (``1px solid #b8c1cd``); None for transparent or none."""
    found = re.search(r"#[0-9a-fA-F]{6}\b", value)
    return found.group(0).lower() if found else None


def background(rule: Rule | None) -> str | None:
    if rule is None:
        return None
    return colour_of(rule.props.get("background", rule.props.get("background-color", "")))


def border(rule: Rule) -> str | None:
    for key in ("border-color", "border"):
        found = colour_of(rule.props.get(key, ""))
        if found:
            return found
    return None


class Sheet:
    """A style sheet with what each rule is drawn on."""

    def __init__(self, text: str, c: theme.Colours) -> None:
        self.rules = rules(text)
        self.c = c
        self.by_selector = {r.selector: r for r in self.rules}

    def grounds(self, rule: Rule) -> list[str]:
        """The backgrounds a rule's text can sit on: its own; its base selector's; its
        container's (``QFrame[role="alert"] QLabel``); else the window and the cards."""
        for candidate in (rule, self.by_selector.get(rule.base)):
            found = background(candidate)
            if found:
                return [found]
        if " " in rule.selector:
            found = background(self.by_selector.get(rule.selector.split(" ")[0]))
            if found:
                return [found]
        return [self.c.window, self.c.surface]

    def text_colour(self, rule: Rule) -> str:
        for candidate in (rule, self.by_selector.get(rule.base)):
            if candidate is not None and colour_of(candidate.props.get("color", "")):
                return str(colour_of(candidate.props["color"]))
        return self.c.text

    def failures(self) -> list[str]:
        found: list[str] = []
        for rule in self.rules:
            if "color" in rule.props or self._holds_text(rule):
                found += self._text(rule)
            selection = colour_of(rule.props.get("selection-color", ""))
            selected = colour_of(rule.props.get("selection-background-color", ""))
            if selection and selected and contrast(selection, selected) < TEXT:
                found.append(f"{rule.selector}: selected text {selection} on {selected}")
            alternate = colour_of(rule.props.get("alternate-background-color", ""))
            if alternate and contrast(self.text_colour(rule), alternate) < TEXT:
                found.append(f"{rule.selector}: text on the alternate rows {alternate}")
            if rule.selector == "QProgressBar::chunk":
                trough = background(self.by_selector.get("QProgressBar")) or self.c.window
                if contrast(str(background(rule)), trough) < NON_TEXT:
                    found.append(
                        f"{rule.selector}: the bar is {contrast(str(background(rule)), trough):.2f}:1"
                    )
            edge = border(rule)
            if edge and not rule.disabled and rule.selector.startswith(CONTROLS):
                found += self._edge(rule, edge)
        return found

    def _holds_text(self, rule: Rule) -> bool:
        """A background that text is drawn on: not a part with no text (a progress bar's
        chunk, a splitter's handle), nor a container whose labels have a colour of their own."""
        if not background(rule) or "::chunk" in rule.selector or "::handle" in rule.selector:
            return False
        inner = [r for r in self.rules if r.selector.startswith(rule.selector + " ") and "color" in r.props]
        return not inner

    def _text(self, rule: Rule) -> list[str]:
        found = []
        fg = self.text_colour(rule)
        least = DISABLED_LEGIBLE if rule.disabled else TEXT
        for bg in self.grounds(rule):
            ratio = contrast(fg, bg)
            if ratio < least:
                found.append(f"{rule.selector}: text {fg} on {bg} is {ratio:.2f}:1 (needs {least})")
        if rule.disabled and contrast(fg, self.c.text) < 1.5:
            found.append(f"{rule.selector}: disabled text {fg} looks like enabled text")
        return found

    def _edge(self, rule: Rule, edge: str) -> list[str]:
        """A control is told from its surroundings by its edge, or by its fill where it is
        filled (a primary button)."""
        found = []
        fill = background(rule) or background(self.by_selector.get(rule.base))
        for bg in (self.c.window, self.c.surface):
            best = max(contrast(edge, bg), contrast(fill, bg) if fill else 1.0)
            if best < NON_TEXT:
                found.append(f"{rule.selector}: edge {edge} on {bg} is {best:.2f}:1 (needs {NON_TEXT})")
        return found


def sheets(qapp: QApplication, name: str) -> list[tuple[str, str]]:
    theme.apply(qapp, name, 11)
    return [(f"{name}.qss", theme.resource_text(f"{name}.qss")), (f"{name} kiosk", kiosk_style())]


def test_the_reading_finds_the_pairs() -> None:
    """The checker itself: a sheet with one faint label and one faint edge fails twice."""
    sheet = Sheet(
        'QLabel[role="faint"] { color: #aaaaaa; }\nQLineEdit { border: 1px solid #eeeeee; }',
        theme.LIGHT,
    )
    problems = sheet.failures()
    assert len([p for p in problems if "faint" in p]) == 2  # on the window and on a card
    assert any(p.startswith("QLineEdit: edge #eeeeee") for p in problems)


@pytest.mark.parametrize("name", theme.THEMES)
def test_every_pair_in_the_style_sheets_meets_aa(qapp: QApplication, name: str) -> None:
    failures = [
        f"{where}: {problem}"
        for where, text in sheets(qapp, name)
        for problem in Sheet(text, theme.colours()).failures()
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", theme.THEMES)
def test_the_colours_painted_by_hand_meet_aa(qapp: QApplication, name: str) -> None:
    theme.apply(qapp, name, 11)
    c = theme.colours()
    text_pairs = [
        ("text", "window"), ("text", "surface"), ("text", "area"), ("text", "chosen"),
        ("muted", "window"), ("muted", "surface"), ("muted", "area"),
        ("area_text", "area"), ("accent_text", "accent"),
        ("saved", "surface"), ("saved", "chosen"), ("pending", "surface"), ("pending", "chosen"),
        ("error", "surface"), ("error", "chosen"), ("error", "window"),
    ]  # fmt: skip
    marks = [
        ("focus", "surface"), ("accent", "surface"), ("accent", "window"), ("accent", "chosen"),
        ("chosen_border", "surface"), ("chosen_border", "chosen"), ("progress", "area"),
        ("disabled", "surface"),
    ]  # fmt: skip
    low = [
        f"{fg} on {bg}: {contrast(getattr(c, fg), getattr(c, bg)):.2f}:1"
        for pairs, least in ((text_pairs, TEXT), (marks, NON_TEXT))
        for fg, bg in pairs
        if contrast(getattr(c, fg), getattr(c, bg)) < least
    ]
    assert not low, "\n".join(low)
    # Disabled text is fainter than enabled text, so a disabled control looks disabled.
    assert contrast(c.disabled, c.surface) < contrast(c.text, c.surface)


def test_every_theme_names_every_colour() -> None:
    for colours in (theme.LIGHT, theme.DARK, theme.HIGH_CONTRAST):
        for field in fields(colours):
            assert re.fullmatch(r"#[0-9a-f]{6}", getattr(colours, field.name)), field.name


def test_the_high_contrast_theme_keeps_text_above_seven_to_one(qapp: QApplication) -> None:
    theme.apply(qapp, "high-contrast", 11)
    c = theme.colours()
    for fg in (c.text, c.muted, c.area_text, c.saved, c.pending, c.error):
        assert contrast(fg, c.window) >= 7.0
