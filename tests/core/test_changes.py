"""The change notification's value: what a write changed, and in which sittings."""

from __future__ import annotations

from naas_centre.writes.changes import NOTHING, Changes


def test_a_change_touches_its_own_sitting_only() -> None:
    c = Changes.of("s1", scores=True)
    assert c.touches("s1") and c.touches(None) and not c.touches("s2")


def test_a_change_in_no_sitting_in_particular_touches_every_sitting() -> None:
    assert Changes(reports=True).touches("any")


def test_nothing_touches_nothing() -> None:
    assert NOTHING.empty and not NOTHING.touches("s1") and not Changes.of("s1").touches("s1")


def test_changes_add_up() -> None:
    both = Changes.of("s1", scores=True) | Changes.of("s2", notes=True)
    assert both == Changes(frozenset({"s1", "s2"}), scores=True, notes=True)
    assert NOTHING | Changes.of("s1", clocks=True) == Changes.of("s1", clocks=True)
    assert (Changes.of("s1", scores=True) | Changes(reports=True)).touches("s9")  # any sitting
