"""The task and the case material as calm, readable rich text.

Pack text is written in YAML with hard line breaks; here paragraphs flow again to the
width of the pane, list lines ("- ", "1.") stay items, and an opening run of capitals
("REFERRAL", "MASH OUTCOME:") reads as a small heading.
"""

from __future__ import annotations

import html
import re

_ITEM = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s+")
_ROW = re.compile(r"^\s*\|")
_CAPS = re.compile(r"^([A-Z][A-Z0-9'’&/ -]*[A-Z0-9’'])(?=$|[\s:(.,])")


def _paragraphs(text: str) -> list[list[str]]:
    """Blocks of lines separated by blank lines; continuation lines joined to their item."""
    blocks: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        items: list[str] = []
        lines = [line for line in block.splitlines() if line.strip()]
        if len(lines) > 1 and _heading_line(lines[0]):
            blocks.append([lines.pop(0).strip()])
        for line in lines:
            if not items or _ITEM.match(line) or _ROW.match(line):
                items.append(line.strip())
            else:
                items[-1] = f"{items[-1]} {line.strip()}"
        blocks.append(items)
    return blocks


def _heading_line(line: str) -> bool:
    """A line opening with capitals and not running on into a sentence ("REFERRAL (from...)")."""
    caps = _CAPS.match(line.strip())
    if caps is None:
        return False
    head = caps.group(1)
    return len(head) >= 4 and not line.strip()[len(head) :].startswith(":")


def _inline(text: str) -> str:
    caps = _CAPS.match(text)
    if caps and len(caps.group(1)) >= 4 and sum(ch.isalpha() for ch in caps.group(1)) >= 3:
        head = caps.group(1)
        return f"<b>{html.escape(head)}</b>{html.escape(text[len(head) :])}"
    return html.escape(text)


def to_html(text: str) -> str:
    out = []
    for items in _paragraphs(text):
        lead = None if _ITEM.match(items[0]) else items[0]
        listed = items[1:] if lead else items
        if listed and all(_ROW.match(i) for i in listed):
            if lead:
                out.append(f"<p>{_inline(lead)}</p>")
            out.append(_table(listed))
        elif listed and all(_ITEM.match(i) for i in listed):
            if lead:
                out.append(f"<p>{_inline(lead)}</p>")
            rows = "".join(
                f"<tr><td class='mark'>{html.escape(_ITEM.match(i).group(0).strip())}</td>"  # type: ignore[union-attr]
                f"<td>{_inline(_ITEM.sub('', i))}</td></tr>"
                for i in listed
            )
            out.append(f"<table class='items' cellspacing='0' cellpadding='2'>{rows}</table>")
        else:
            out.append(f"<p>{_inline(' '.join(items))}</p>")
    return "\n".join(out)


def _table(rows: list[str]) -> str:
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    cells = [r for r in cells if not all(re.fullmatch(r":?-{2,}:?", c) for c in r if c)]
    body = []
    for n, row in enumerate(cells):
        tag = "th" if n == 0 else "td"
        body.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row) + "</tr>")
    return f"<table class='data' cellspacing='0' cellpadding='4'>{''.join(body)}</table>"


def document_html(
    prompt: str,
    case_material: str,
    *,
    heading: str = "#1f3b5c",
    muted: str = "#566072",
    rule: str = "#e3e7ed",
) -> str:
    """The task, then the case material (the title is in the kiosk's header)."""
    return (
        "<html><head><style>"
        "h1 { font-size: 15pt; font-weight: 600; margin: 0 0 10px 0; }"
        "h2 { font-size: 12.5pt; font-weight: 600; margin: 18px 0 6px 0; color: " + heading + "; }"
        "p { margin: 0 0 9px 0; line-height: 140%; }"
        "td { padding: 1px 4px 3px 0; line-height: 135%; vertical-align: top; }"
        "td.mark { color: " + muted + "; padding-right: 8px; white-space: nowrap; }"
        "table.items { margin: 0 0 9px 0; }"
        "table.data { margin: 0 0 10px 0; border-collapse: collapse; }"
        "table.data th { text-align: left; font-weight: 600; border-bottom: 1px solid " + muted + ";"
        " padding: 3px 10px 3px 0; }"
        "table.data td { border-bottom: 1px solid " + rule + "; padding: 3px 10px 3px 0; }"
        "</style></head><body>"
        f"<h2 style='margin-top: 0'>Your task</h2>{to_html(prompt)}"
        f"<h2>Case material</h2>{to_html(case_material)}"
        "</body></html>"
    )
