"""Question banks and blueprints in packs: each bad case says what and where; the shipped banks fill
their forms."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from naas_centre.core.test_form import assemble_form
from naas_centre.packs import question_bank, schema
from naas_centre.packs.blueprint import bank_entries, form_plan
from naas_centre.packs.loader import (
    LoadedPack,
    builtin_packs,
    canonical_json,
    content_hash,
    load_pack_file,
    parse_pack_json,
)
from naas_centre.packs.question_bank import DecisionType, ItemType
from naas_centre.packs.validate import validate_paths

MINIMAL = Path(__file__).parents[1] / "core" / "packs" / "minimal.yaml"
BANK = "knowledge/bank.yaml"
CASE = "knowledge/cases/case-01.md"

Data = dict[str, Any]


def single(item_id: str, kss: str = "p1", key: str = "b") -> Data:
    return {
        "id": item_id,
        "version": 1,
        "type": "single",
        "stem": f"Question {item_id}?",
        "options": [{"id": o, "text": f"Option {o} of {item_id}"} for o in "abcd"],
        "key": key,
        "kss": kss,
        "topic": "Section 47 enquiries",
        "difficulty": "medium",
        "source": "Children Act 1989, s.47(1)",
    }


def bank_data() -> Data:
    multiple = single("m1", "p2") | {
        "type": "multiple",
        "options": [{"id": o, "text": f"Option {o}"} for o in "abcdef"],
        "choose": 3,
        "keys": ["a", "c", "e"],
    }
    del multiple["key"]
    yes_no = single("y1", "p2") | {"type": "yes_no", "options": [], "key": "no"}
    video = single("v1", "p1") | {"type": "video", "decision": "single", "media": [{"path": CASE}]}
    return {"items": [single("s1"), single("s2"), single("s3", "p2"), multiple, yes_no, video]}


def knowledge() -> Data:
    return {
        "bank": BANK,
        "multiple_marking": "per_option",
        "forms": [
            {
                "id": "knowledge",
                "title": "Knowledge test",
                "minutes": 30,
                "pass_mark": {"share": 0.6},
                "video_replays": 2,
                "cells": [
                    {"kss": "p1", "type": "single", "count": 2},
                    {"kss": "p2", "type": "single", "count": 1},
                    {"kss": "p2", "type": "multiple", "count": 1},
                    {"kss": "p2", "type": "yes_no", "count": 1},
                    {"kss": "p1", "type": "video", "count": 1},
                ],
            }
        ],
    }


def write_pack(folder: Path, bank: Data | str | None = None, test: Data | None = None) -> Path:
    """A pack folder: the minimal pack with a knowledge test, its bank file and a case file."""
    pack = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    pack["knowledge_test"] = knowledge() if test is None else test
    (folder / "knowledge" / "cases").mkdir(parents=True, exist_ok=True)
    (folder / CASE).write_text("# Case file\n\nAmir, 7, lives with his mother.\n", encoding="utf-8")
    bank = bank_data() if bank is None else bank
    text = bank if isinstance(bank, str) else yaml.safe_dump(bank, sort_keys=False)
    (folder / BANK).write_text(text, encoding="utf-8")
    path = folder / "pack.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    return path


def only_problem(loaded: LoadedPack) -> str:
    assert not loaded.ok
    assert len(loaded.problems) == 1, "\n".join(map(str, loaded.problems))
    return str(loaded.problems[0])


def with_item(change: dict[str, Any], index: int = 0) -> Data:
    bank = bank_data()
    bank["items"][index] |= change
    return bank


# --- a good bank --------------------------------------------------------------------------


def test_a_pack_with_a_bank_file_loads_with_every_item_and_the_media_hashed(tmp_path: Path) -> None:
    loaded = load_pack_file(write_pack(tmp_path))
    assert loaded.ok, "\n".join(map(str, loaded.problems))
    assert loaded.pack is not None and loaded.pack.knowledge_test is not None
    items = loaded.pack.knowledge_test.bank.items
    assert [i.id for i in items] == ["s1", "s2", "s3", "m1", "y1", "v1"]
    assert items[5].answer_type is DecisionType.SINGLE and items[5].type is ItemType.VIDEO
    assert items[4].option_ids() == ("yes", "no")
    case = (tmp_path / CASE).read_bytes()
    assert items[5].media[0].sha256 == hashlib.sha256(case).hexdigest()


def test_the_content_hash_covers_the_bank_and_its_media(tmp_path: Path) -> None:
    first = load_pack_file(write_pack(tmp_path)).content_hash
    (tmp_path / CASE).write_text("# Case file\n\nAmir, 8, lives with his mother.\n", encoding="utf-8")
    after_media = load_pack_file(tmp_path / "pack.yaml").content_hash
    write_pack(tmp_path, with_item({"stem": "Question s1, reworded?"}))
    after_stem = load_pack_file(tmp_path / "pack.yaml").content_hash
    assert first is not None and after_media is not None and after_stem is not None
    assert len({first, after_media, after_stem}) == 3


def test_a_stored_pack_with_a_bank_rebuilds_to_the_same_hash_without_its_files(tmp_path: Path) -> None:
    loaded = load_pack_file(write_pack(tmp_path))
    assert loaded.pack is not None and loaded.content_hash is not None
    stored = canonical_json(loaded.pack)
    for f in (tmp_path / CASE, tmp_path / BANK):
        f.unlink()
    assert content_hash(parse_pack_json(stored, expected_hash=loaded.content_hash)) == loaded.content_hash


def test_a_pack_without_a_knowledge_test_keeps_its_canonical_json(tmp_path: Path) -> None:
    loaded = load_pack_file(MINIMAL)
    assert loaded.pack is not None
    assert "knowledge_test" not in canonical_json(loaded.pack)


def test_the_bank_may_be_written_inline(tmp_path: Path) -> None:
    test = knowledge() | {"bank": bank_data()}
    path = write_pack(tmp_path, test=test)
    (tmp_path / BANK).unlink()
    assert load_pack_file(path).ok


def test_the_id_pattern_is_the_packs_own() -> None:
    assert question_bank.Id.__metadata__[0].pattern == schema.Id.__metadata__[0].pattern  # type: ignore[attr-defined]


# --- located problems ---------------------------------------------------------------------


def bank_line(folder: Path, text: str) -> int:
    """The line of the bank file where ``text`` first appears."""
    lines = (folder / BANK).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_a_key_that_is_not_an_option(tmp_path: Path) -> None:
    message = only_problem(load_pack_file(write_pack(tmp_path, with_item({"key": "e"}, 1))))
    line = bank_line(tmp_path, "key: e")
    assert message == (
        f"{tmp_path / BANK}: items[1].key (line {line}): the key 'e' is not one of the options (a, b, c, d)"
    )


def test_a_multiple_key_that_is_not_an_option(tmp_path: Path) -> None:
    message = only_problem(load_pack_file(write_pack(tmp_path, with_item({"keys": ["a", "c", "z"]}, 3))))
    assert re.search(
        r"items\[3\]\.keys\[2\] \(line \d+\): the key 'z' is not one of the options \(a, b, c, d, e, f\)$",
        message,
    )


def test_a_multiple_item_with_the_wrong_number_of_keys(tmp_path: Path) -> None:
    message = only_problem(load_pack_file(write_pack(tmp_path, with_item({"keys": ["a", "c"]}, 3))))
    assert re.search(
        r"items\[3\]\.keys \(line \d+\): the item asks for 3 \(choose: 3\) but lists 2 key\(s\)$", message
    )


def test_a_multiple_item_without_its_count(tmp_path: Path) -> None:
    bank = bank_data()
    del bank["items"][3]["choose"]
    message = only_problem(load_pack_file(write_pack(tmp_path, bank)))
    assert "items[3].choose" in message and "how many options the candidate chooses" in message


def test_a_single_item_without_exactly_four_options(tmp_path: Path) -> None:
    bank = bank_data()
    bank["items"][0]["options"] = bank["items"][0]["options"][:3]
    message = only_problem(load_pack_file(write_pack(tmp_path, bank)))
    assert re.search(
        r"items\[0\]\.options \(line \d+\): a single-answer item has exactly 4 options; this one has 3$",
        message,
    )
    bank["items"][0]["options"] = [{"id": o, "text": o} for o in "abcde"]
    assert "this one has 5" in only_problem(load_pack_file(write_pack(tmp_path, bank)))


def test_a_duplicate_item_id(tmp_path: Path) -> None:
    message = only_problem(load_pack_file(write_pack(tmp_path, with_item({"id": "s1"}, 1))))
    assert re.search(r"items\[1\]\.id \(line \d+\): duplicate item id 's1' \(also at items\[0\]\)$", message)


def test_an_unknown_kss_area(tmp_path: Path) -> None:
    bank = bank_data()
    bank["items"].append(single("s9", "p11"))
    message = only_problem(load_pack_file(write_pack(tmp_path, bank)))
    line = bank_line(tmp_path, "kss: p11")
    assert message.endswith(
        f"items[6].kss (line {line}): unknown KSS area 'p11'; the pack's areas are p1, p2"
    )


def test_a_yes_no_item_with_options_or_another_key(tmp_path: Path) -> None:
    loaded = load_pack_file(
        write_pack(tmp_path, with_item({"options": [{"id": "a", "text": "A"}], "key": "a"}, 4))
    )
    messages = {p.path: p.message for p in loaded.problems}
    assert set(messages) == {"items[4].options", "items[4].key"}
    assert messages["items[4].key"] == "the key of a yes/no item is yes or no, not 'a'"


def test_a_video_item_without_its_decision_type(tmp_path: Path) -> None:
    bank = bank_data()
    del bank["items"][5]["decision"]
    assert "items[5].decision" in only_problem(load_pack_file(write_pack(tmp_path, bank)))


def test_a_blueprint_the_bank_cannot_fill_says_which_cell_and_how_many_short(tmp_path: Path) -> None:
    test = knowledge()
    test["forms"][0]["cells"][0]["count"] = 5
    message = only_problem(load_pack_file(write_pack(tmp_path, test=test)))
    pack_lines = (tmp_path / "pack.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(pack_lines, 1) if "count: 5" in text)
    assert message == (
        f"{tmp_path / 'pack.yaml'}: knowledge_test.forms[0].cells[0].count (line {line}): "
        "the bank cannot fill p1 (Relationships and effective direct work) × single: "
        "it has 2 such item(s), 3 short of the 5 asked for"
    )


def test_a_blueprint_cell_of_an_unknown_area_or_given_twice(tmp_path: Path) -> None:
    test = knowledge()
    cells = test["forms"][0]["cells"]
    cells.append(dict(cells[1]))
    cells.append({"kss": "p9", "type": "single", "count": 1})
    loaded = load_pack_file(write_pack(tmp_path, test=test))
    assert {(p.path, p.message) for p in loaded.problems} == {
        ("knowledge_test.forms[0].cells[5]", "p2 × single is given twice; give each area × type once"),
        ("knowledge_test.forms[0].cells[6].kss", "unknown KSS area 'p9'"),
    }


def test_a_pass_mark_needs_one_of_share_or_count_and_a_reachable_count(tmp_path: Path) -> None:
    test = knowledge()
    test["forms"][0]["pass_mark"] = {"share": 0.6, "count": 3}
    assert "pass_mark (line 71): give the pass mark as a share or as a count, not both" in only_problem(
        load_pack_file(write_pack(tmp_path, test=test))
    )
    test["forms"][0]["pass_mark"] = {"count": 7}
    assert only_problem(load_pack_file(write_pack(tmp_path, test=test))).endswith(
        "7 marks cannot be reached on a form of 6 items"
    )
    test["forms"][0]["pass_mark"] = {"share": 1.5}
    assert "knowledge_test.forms[0].pass_mark.share" in only_problem(
        load_pack_file(write_pack(tmp_path, test=test))
    )


def test_a_missing_media_file(tmp_path: Path) -> None:
    path = write_pack(tmp_path)
    (tmp_path / CASE).unlink()
    message = only_problem(load_pack_file(path))
    line = bank_line(tmp_path, CASE)
    assert (
        message
        == f"{tmp_path / BANK}: items[5].media[0].path (line {line}): no such file '{CASE}' beside the pack"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_media_file(tmp_path: Path) -> None:
    path = write_pack(tmp_path)
    (tmp_path / CASE).chmod(0)
    try:
        message = only_problem(load_pack_file(path))
    finally:
        (tmp_path / CASE).chmod(0o644)
    assert message.endswith(
        f"items[5].media[0].path (line {bank_line(tmp_path, CASE)}): cannot read '{CASE}': permission denied"
    )


def test_a_media_path_that_is_a_pipe_is_refused_unread(tmp_path: Path) -> None:
    path = write_pack(tmp_path)
    (tmp_path / CASE).unlink()
    os.mkfifo(tmp_path / CASE)
    message = only_problem(load_pack_file(path))
    assert message.endswith(f"cannot read '{CASE}': not a regular file (a pipe or a device)")


def test_a_media_path_that_is_a_folder_or_not_text(tmp_path: Path) -> None:
    path = write_pack(tmp_path)
    (tmp_path / CASE).unlink()
    (tmp_path / CASE).mkdir()
    assert only_problem(load_pack_file(path)).endswith(f"cannot read '{CASE}': it is a folder, not a file")
    (tmp_path / CASE).rmdir()
    (tmp_path / CASE).write_bytes(b"Amir \xe9t\xe9")
    assert "not UTF-8 text (byte 0xe9)" in only_problem(load_pack_file(path))


def test_a_media_path_outside_the_pack_folder(tmp_path: Path) -> None:
    bank = with_item({"media": [{"path": "../secret.md"}]}, 5)
    message = only_problem(load_pack_file(write_pack(tmp_path, bank)))
    assert "items[5].media[0].path" in message and "must be a path inside the pack's folder" in message


def test_a_written_sha256_must_match_the_file(tmp_path: Path) -> None:
    bank = with_item({"media": [{"path": CASE, "sha256": "0" * 64}]}, 5)
    assert "has changed since its sha256 was written" in only_problem(
        load_pack_file(write_pack(tmp_path, bank))
    )


def test_a_missing_bank_file_and_a_bank_file_with_bad_yaml(tmp_path: Path) -> None:
    path = write_pack(tmp_path)
    (tmp_path / BANK).unlink()
    assert re.search(
        r"pack\.yaml: knowledge_test\.bank \(line \d+\): "
        r"no such bank file 'knowledge/bank\.yaml' beside the pack$",
        only_problem(load_pack_file(path)),
    )
    write_pack(tmp_path, "items:\n  - id: a\n    id: b\n")
    problems = [str(p) for p in load_pack_file(path).problems]
    assert (
        f"{tmp_path / BANK}: items[0].id (line 3): "
        "duplicate key 'id' (first at line 2); only the last value would count" in problems
    )


def test_a_bank_file_with_a_control_character_or_a_second_document(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "items:\n  - id: a\x07\n")
    assert only_problem(load_pack_file(path)) == (
        f"{tmp_path / BANK}: line 2: control characters are not allowed (character #x0007)"
    )
    write_pack(tmp_path, "items: []\n---\nitems: []\n")
    assert "a second YAML document starts here" in only_problem(load_pack_file(path))


def test_a_misspelt_key_in_a_bank_file_is_named_there_with_a_suggestion(tmp_path: Path) -> None:
    bank = bank_data()
    bank["items"][2]["topik"] = bank["items"][2].pop("topic")
    problems = {str(p) for p in load_pack_file(write_pack(tmp_path, bank)).problems}
    line = bank_line(tmp_path, "topik:")
    assert (
        f"{tmp_path / BANK}: items[2].topik (line {line}): unknown key 'topik'; did you mean 'topic'?"
        in problems
    )


def test_every_problem_of_a_bank_is_listed_at_once(tmp_path: Path) -> None:
    bank = bank_data()
    bank["items"][0]["key"] = "e"
    bank["items"][1]["id"] = "s1"
    bank["items"][3]["keys"] = ["a"]
    assert len(load_pack_file(write_pack(tmp_path, bank)).problems) == 3


def test_scenarios_validate_shows_bank_problems_like_the_others(tmp_path: Path) -> None:
    write_pack(tmp_path, with_item({"key": "e"}, 1))
    lines, ok = validate_paths([str(tmp_path)])
    assert not ok
    assert lines == [
        f"{tmp_path / BANK}: items[1].key (line {bank_line(tmp_path, 'key: e')}): "
        "the key 'e' is not one of the options (a, b, c, d)"
    ]


# --- the shipped banks --------------------------------------------------------------------


SHIPPED = {"practitioner.yaml": (90, 10), "supervisor.yaml": (40, 8), "leader.yaml": (40, 6)}


@pytest.fixture(scope="module")
def shipped() -> dict[str, LoadedPack]:
    return {lp.file.name: lp for lp in builtin_packs()}


@pytest.mark.parametrize("file_name", sorted(SHIPPED))
def test_a_shipped_bank_validates_and_fills_its_blueprint(
    shipped: dict[str, LoadedPack], file_name: str
) -> None:
    loaded = shipped[file_name]
    assert loaded.ok, "\n".join(map(str, loaded.problems))
    assert loaded.pack is not None and loaded.pack.knowledge_test is not None
    test = loaded.pack.knowledge_test
    items = test.bank.items
    least, areas = SHIPPED[file_name]
    assert len(items) >= least
    assert len({i.kss for i in items}) == areas, "every KSS area of the pack has items"
    types = {t: sum(i.type is t for i in items) for t in ItemType}
    assert types[ItemType.SINGLE] > len(items) / 2 and all(types[t] >= 2 for t in ItemType)
    for form in test.forms:
        assert form.size() >= (60 if file_name == "practitioner.yaml" else 40)
        plan = form_plan(test, form)
        assembled = assemble_form(bank_entries(test.bank), plan.cells, seed="any candidate")
        assert len({i.id for i in assembled.items}) == form.size()


@pytest.mark.parametrize("file_name", sorted(SHIPPED))
def test_a_shipped_bank_cites_a_source_and_gives_a_rationale_for_every_item(
    shipped: dict[str, LoadedPack], file_name: str
) -> None:
    pack = shipped[file_name].pack
    assert pack is not None and pack.knowledge_test is not None
    for item in pack.knowledge_test.bank.items:
        assert item.rationale, f"{item.id} has no rationale"
        text = " ".join([item.stem, *(o.text for o in item.options)]).lower()
        assert "all of the above" not in text and "none of the above" not in text, item.id
        assert item.id.startswith(file_name[0]), f"{item.id}: ids say their level"
    video = [i for i in pack.knowledge_test.bank.items if i.type is ItemType.VIDEO]
    assert video and all(m.sha256 for i in video for m in i.media)
    clips = [m for i in video for m in i.media if m.path.endswith(".mp4")]
    assert all(m.captions and m.captions_sha256 for m in clips)
    assert clips or file_name != "practitioner.yaml"  # the practitioner bank plays its clips


def test_the_levels_have_their_own_items(shipped: dict[str, LoadedPack]) -> None:
    stems: dict[str, set[str]] = {}
    for name, loaded in shipped.items():
        assert loaded.pack is not None and loaded.pack.knowledge_test is not None
        # A case-file item is its case and its question; others, their stem.
        stems[name] = {
            i.stem + "".join(m.path for m in i.media) for i in loaded.pack.knowledge_test.bank.items
        }
    names = sorted(stems)
    for a in names:
        for b in names:
            assert a == b or not stems[a] & stems[b]


@pytest.mark.parametrize("file_name", sorted(SHIPPED))
def test_a_shipped_key_is_not_given_away_by_being_the_longest_option(
    shipped: dict[str, LoadedPack], file_name: str
) -> None:
    # Test-wise candidates pick the longest, most qualified option; the key must not be it
    # much more often than chance, and never by a clear margin.
    pack = shipped[file_name].pack
    assert pack is not None and pack.knowledge_test is not None
    singles = [i for i in pack.knowledge_test.bank.items if i.answer_type is DecisionType.SINGLE]
    longest, clearly = 0, []
    for item in singles:
        lengths = sorted((len(o.text), o.id) for o in item.options)
        if lengths[-1][1] == item.key:
            longest += 1
            if lengths[-2][0] < 0.8 * lengths[-1][0]:
                clearly.append(item.id)
    assert clearly == []
    assert longest <= len(singles) / 2, f"the key is the longest option in {longest} of {len(singles)} items"
