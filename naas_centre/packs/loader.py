"""Loading scenario packs from YAML, with every problem collected and none raised.

A pack that fails to load is still returned, with its problems, so the app can list it
beside the good ones and start anyway. Each problem names the file, the field path and,
where the YAML tells us, the line: ``scenarios/x.yaml: scenarios[1].timing.reading
(line 40): must be greater than 0``.

A valid pack is identified by its name, version and content hash: the sha256 of its
canonical JSON, so reformatting the YAML keeps the hash and any change of content
alters it. The database stores that canonical JSON, frozen, with each sitting.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from naas_centre.packs import question_bank
from naas_centre.packs.blueprint import BANK_PATH
from naas_centre.packs.schema import FORMAT_VERSION, Pack, reference_problems
from naas_centre.paths import NotRegularFile, read_regular

BUILTIN_PACKAGE = "scenarios"
PACK_SUFFIXES = (".yaml", ".yml")
# Packs are a few hundred kilobytes at most; a far larger file is the wrong file.
MAX_PACK_BYTES = 10 * 1024 * 1024
# Problems listed for one file; past this, one line says how many more there are.
MAX_PROBLEMS = 100

Segment = str | int


@dataclass(frozen=True)
class PackProblem:
    """One thing wrong with a pack file, in words an author can act on.

    ``path`` is a dotted field path such as ``scenarios[1].rubric.criteria[0].kss``, or
    ``""`` when the problem is not about one field (an unreadable file, a YAML syntax
    error). ``line`` and ``column`` are 1-based, when known.
    """

    file: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            pos = f"line {self.line}" if self.column is None else f"line {self.line}, column {self.column}"
            where = f"{where} ({pos})" if where else pos
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


@dataclass(frozen=True)
class LoadedPack:
    """A pack file and what came of loading it.

    ``pack`` and ``content_hash`` are set only when the pack has no problems at all, so
    a pack with problems can never be used by mistake: ``ok`` says which case this is.
    """

    file: Path
    pack: Pack | None = field(repr=False)
    problems: tuple[PackProblem, ...]
    content_hash: str | None
    builtin: bool = False

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.problems

    @property
    def display_name(self) -> str:
        """The file as problems name it: ``scenarios/x.yaml`` for a built-in pack."""
        return f"{BUILTIN_PACKAGE}/{self.file.name}" if self.builtin else str(self.file)


# ---------------------------------------------------------------------------------------
# Identity: canonical JSON and its hash


def canonical_json(pack: Pack) -> str:
    """The pack as compact JSON with sorted keys: what is hashed and stored."""
    return json.dumps(pack.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(pack: Pack) -> str:
    """sha256 (hex) of the pack's canonical JSON: same content, same hash."""
    return hashlib.sha256(canonical_json(pack).encode("utf-8")).hexdigest()


def parse_pack_json(content: str, expected_hash: str | None = None) -> Pack:
    """Rebuild a pack stored as canonical JSON.

    Raises pydantic's ValidationError if the JSON is not a pack, and ValueError if
    ``expected_hash`` is given and the content does not hash to it (stored content that
    changed under its recorded hash).
    """
    pack = Pack.model_validate_json(content)
    if expected_hash is not None:
        actual = content_hash(pack)
        if actual != expected_hash:
            raise ValueError(f"stored pack content hashes to {actual}, not the recorded {expected_hash}")
    return pack


# ---------------------------------------------------------------------------------------
# Loading one pack


def load_pack_file(path: str | os.PathLike[str]) -> LoadedPack:
    """Load and check one pack file; never raises for a bad or missing file."""
    file = Path(path)
    name = str(path)
    try:
        data = read_regular(file, MAX_PACK_BYTES + 1)  # a FIFO is refused, not waited on
    except OSError as e:
        return _failed(file, PackProblem(name, "", _os_error(e)))
    return load_pack_bytes(data, name, file=file, folder=file.parent)


def load_pack_bytes(
    data: bytes, name: str, file: Path | None = None, builtin: bool = False, folder: Traversable | None = None
) -> LoadedPack:
    """Load a pack from the bytes of a file; ``name`` is how problems name the file.

    ``folder`` is where the files a pack names (its question bank, media) are found.
    """
    file = Path(name) if file is None else file
    if len(data) > MAX_PACK_BYTES:
        size = f"{MAX_PACK_BYTES // (1024 * 1024)} MB"
        return _failed(file, PackProblem(name, "", f"larger than {size}: not a scenario pack"), builtin)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8"
        return _failed(file, PackProblem(name, "", message, line=line), builtin)
    return load_pack_text(text, name, file=file, builtin=builtin, folder=folder)


def load_pack_text(
    text: str, name: str, file: Path | None = None, builtin: bool = False, folder: Traversable | None = None
) -> LoadedPack:
    """Load a pack from YAML text; ``name`` is how problems name the file."""
    file = Path(name) if file is None else file
    parsed = _parse_yaml(text, name)
    if isinstance(parsed, PackProblem):
        return _failed(file, parsed, builtin)
    root, data, problems = parsed
    if root is None or data is None:
        return _failed(
            file, PackProblem(name, "", "the file is empty; a pack starts with 'format: 1'"), builtin
        )
    if not isinstance(data, dict):
        message = f"the top level must be a mapping of keys such as 'format:' and 'name:', not {_kind(data)}"
        return _failed(file, PackProblem(name, "", message, line=root.start_mark.line + 1), builtin)

    beside = _Beside(folder, name, root)
    data = beside.read_bank(data, problems)
    try:
        pack = Pack.model_validate(data)
    except ValidationError as e:
        problems += map(beside.relocate, _validation_problems(e, data, root, name))
        return LoadedPack(file, None, tuple(problems), None, builtin)

    for path, message in reference_problems(pack):
        problems.append(
            beside.relocate(PackProblem(name, path, message, line=_line_of(root, _parse_path(path))))
        )
    if pack.knowledge_test is not None:
        media_problems, digests = question_bank.media_digests(
            pack.knowledge_test.bank, BANK_PATH, beside.read_media
        )
        problems += (beside.relocate(PackProblem(name, path, message)) for path, message in media_problems)
        if digests and not problems:
            question_bank.with_digests(data["knowledge_test"]["bank"], digests)
            pack = Pack.model_validate(data)
    if problems:
        return LoadedPack(file, None, tuple(problems), None, builtin)
    return LoadedPack(file, pack, (), content_hash(pack), builtin)


def _failed(file: Path, problem: PackProblem, builtin: bool = False) -> LoadedPack:
    return LoadedPack(file, None, (problem,), None, builtin)


def _os_error(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, IsADirectoryError):
        return "is a folder, not a pack file"
    if isinstance(e, PermissionError):
        return "cannot read the file: permission denied"
    if isinstance(e, NotRegularFile):
        return "not a regular file (a pipe or a device); a pack is a file"
    return f"cannot read the file: {e.strerror or e}"


# ---------------------------------------------------------------------------------------
# Files beside the pack: its question bank and media


class _Beside:
    """Reads the files a pack names, relative to its folder, and says where problems are.

    A problem inside a bank read from its own file names that file, the field path
    within it and its line there, not the pack's ``bank:`` line.
    """

    def __init__(self, folder: Traversable | None, name: str, root: yaml.Node) -> None:
        self.folder = folder
        self.name = name
        self.root = root
        self.bank_name: str | None = None
        self.bank_root: yaml.Node | None = None

    def _entry(self, relative: str) -> Traversable:
        assert self.folder is not None
        entry = self.folder
        for part in relative.split("/"):  # one name at a time: an installed package's folders take no more
            entry = entry / part
        return entry

    def _display(self, relative: str) -> str:
        return str(Path(self.name).parent / relative)

    def read_bank(self, data: dict[Any, Any], problems: list[PackProblem]) -> dict[Any, Any]:
        """The pack's data with a bank named by file replaced by that file's content."""
        test = data.get("knowledge_test")
        if not isinstance(test, dict) or not isinstance(test.get("bank"), str):
            return data
        relative: str = test["bank"]
        where = BANK_PATH
        line = _line_of(self.root, ["knowledge_test", "bank"])
        without = {k: v for k, v in data.items() if k != "knowledge_test"}
        if not question_bank.is_relative_path(relative):
            message = (
                "must be a path inside the pack's folder, with '/' between folders and no '..', "
                f"not {relative!r}"
            )
            problems.append(PackProblem(self.name, where, message, line=line))
            return without
        if self.folder is None:
            message = f"the bank file {relative!r} cannot be found: this pack was not read from a folder"
            problems.append(PackProblem(self.name, where, message, line=line))
            return without
        display = self._display(relative)
        try:
            raw = self._read(relative, MAX_PACK_BYTES + 1)
        except FileNotFoundError:
            message = f"no such bank file {relative!r} beside the pack"
            problems.append(PackProblem(self.name, where, message, line=line))
            return without
        except question_bank.UnreadableFile as e:
            problems.append(PackProblem(display, "", f"cannot read the bank file: {e}"))
            return without
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            message = f"not UTF-8 text (byte 0x{raw[e.start]:02x}); save the file as UTF-8"
            problems.append(PackProblem(display, "", message, line=raw[: e.start].count(b"\n") + 1))
            return without
        parsed = _parse_yaml(text, display, _BANK_LOADER)
        if isinstance(parsed, PackProblem):
            problems.append(parsed)
            return without
        bank_root, bank, bank_problems = parsed
        if bank_root is None or not isinstance(bank, dict):
            problems.append(
                PackProblem(display, "", "a question bank is a mapping with 'items:', a list of items")
            )
            return without
        problems += bank_problems
        self.bank_name, self.bank_root = display, bank_root
        return {**data, "knowledge_test": {**test, "bank": bank}}

    def relocate(self, problem: PackProblem) -> PackProblem:
        """A problem at ``knowledge_test.bank…`` of a bank file, moved into that file."""
        if self.bank_name is None or not (
            problem.path == BANK_PATH or problem.path.startswith(BANK_PATH + ".")
        ):
            return problem
        inner = problem.path.removeprefix(BANK_PATH).removeprefix(".")
        line = _line_of(self.bank_root, _parse_path(inner))
        return PackProblem(self.bank_name, inner, problem.message, line=line)

    def read_media(self, relative: str) -> bytes:
        if self.folder is None:
            raise question_bank.UnreadableFile("this pack was not read from a folder")
        return self._read(relative, question_bank.MAX_MEDIA_BYTES + 1)

    def _read(self, relative: str, limit: int) -> bytes:
        """A file's bytes; FileNotFoundError, or UnreadableFile saying why in plain words."""
        entry = self._entry(relative)
        try:
            if isinstance(entry, Path):
                data = read_regular(entry, limit)
            elif not entry.is_file():
                raise FileNotFoundError(relative)
            else:
                data = entry.read_bytes()
        except FileNotFoundError:
            raise
        except IsADirectoryError as e:
            raise question_bank.UnreadableFile("it is a folder, not a file") from e
        except PermissionError as e:
            raise question_bank.UnreadableFile("permission denied") from e
        except NotRegularFile as e:
            raise question_bank.UnreadableFile("not a regular file (a pipe or a device)") from e
        except OSError as e:
            raise question_bank.UnreadableFile(str(e.strerror or e)) from e
        if len(data) >= limit:
            raise question_bank.UnreadableFile(f"larger than {(limit - 1) // (1024 * 1024)} MB")
        return data


# ---------------------------------------------------------------------------------------
# Finding packs


def builtin_pack_dir() -> Traversable:
    """The folder of built-in packs, wherever the app is installed (or frozen)."""
    return resources.files(BUILTIN_PACKAGE)


def pack_files(folder: Path) -> list[Path]:
    """The *.yaml and *.yml files directly in ``folder``, sorted by name."""
    return sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in PACK_SUFFIXES and p.is_file()),
        key=lambda p: p.name,
    )


def builtin_packs() -> list[LoadedPack]:
    """Every built-in pack, sorted by file name; never raises."""
    try:
        folder = builtin_pack_dir()
        entries = sorted(
            (e for e in folder.iterdir() if e.name.lower().endswith(PACK_SUFFIXES) and e.is_file()),
            key=lambda e: e.name,
        )
    except (ImportError, OSError) as e:
        message = f"the built-in scenario packs cannot be found ({e}); the installation is incomplete"
        return [_failed(Path(BUILTIN_PACKAGE), PackProblem(BUILTIN_PACKAGE, "", message), builtin=True)]
    out: list[LoadedPack] = []
    for entry in entries:
        display = f"{BUILTIN_PACKAGE}/{entry.name}"
        file = entry if isinstance(entry, Path) else Path(display)
        try:
            data = entry.read_bytes()
        except OSError as e:
            out.append(_failed(file, PackProblem(display, "", _os_error(e)), builtin=True))
            continue
        out.append(load_pack_bytes(data, display, file=file, builtin=True, folder=folder))
    return out


def discover_packs(extra_dirs: Sequence[Path]) -> list[LoadedPack]:
    """The built-in packs, then the packs in each extra folder, each folder sorted by name.

    Never raises: a missing folder, an unreadable file or a bad pack comes back as a
    LoadedPack with problems. A pack whose name and version are already taken by an
    earlier one with different content is marked as a problem, since a corrected pack
    must carry a new version.
    """
    packs = builtin_packs()
    for folder in extra_dirs:
        folder = Path(folder)
        try:
            if not folder.is_dir():
                message = "no such folder" if not folder.exists() else "not a folder"
                packs.append(_failed(folder, PackProblem(str(folder), "", message)))
                continue
            files = pack_files(folder)
        except OSError as e:
            packs.append(_failed(folder, PackProblem(str(folder), "", _os_error(e))))
            continue
        packs.extend(load_pack_file(f) for f in files)
    return flag_version_conflicts(packs)


def flag_version_conflicts(packs: Iterable[LoadedPack]) -> list[LoadedPack]:
    """Mark a pack that reuses an earlier pack's name and version with other content."""
    first: dict[tuple[str, str], LoadedPack] = {}
    out: list[LoadedPack] = []
    for lp in packs:
        if lp.pack is None:
            out.append(lp)
            continue
        key = (lp.pack.name, lp.pack.version)
        earlier = first.setdefault(key, lp)
        if earlier is not lp and earlier.content_hash != lp.content_hash:
            message = (
                f"pack {key[0]} {key[1]} is already defined, with different content, by "
                f"{earlier.display_name}; a corrected pack needs a new version number"
            )
            lp = replace(
                lp, pack=None, content_hash=None, problems=(PackProblem(lp.display_name, "version", message),)
            )
        out.append(lp)
    return out


# ---------------------------------------------------------------------------------------
# YAML: parsing, duplicate keys, and lines for field paths


# A question bank is several times the size of a pack: libyaml parses it about ten
# times faster than pure-Python PyYAML, with the same nodes and marks.
_BANK_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(
    text: str, name: str, loader_class: type[yaml.SafeLoader] = yaml.SafeLoader
) -> tuple[yaml.Node | None, Any, list[PackProblem]] | PackProblem:
    """The node tree, the data and any duplicate-key problems; or the syntax problem."""
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as e:
        # A control character, say: PyYAML checks the whole text before parsing.
        return _reader_problem(text, name, e)
    try:
        try:
            root = loader.get_single_node()
        except yaml.reader.ReaderError as e:  # libyaml meets it while parsing
            return _reader_problem(text, name, e)
        if root is None:
            return None, None, []
        # Before constructing: the constructor rewrites mappings that use merge keys.
        problems: list[PackProblem] = []
        _duplicate_keys(root, [], name, problems, set())
        data = loader.construct_document(root)
        return root, data, problems
    except yaml.MarkedYAMLError as e:
        message = e.problem or str(e)
        mark = e.problem_mark or e.context_mark
        if e.context == "expected a single document in the stream":
            message = "a second YAML document starts here ('---'); a pack file holds one document"
        elif e.context:
            at = ""
            if e.context_mark is not None and (mark is None or e.context_mark.line != mark.line):
                at = f" at line {e.context_mark.line + 1}"
            message = f"{message} ({e.context}{at})"
        if mark is None:
            return PackProblem(name, "", message)
        return PackProblem(name, "", message, line=mark.line + 1, column=mark.column + 1)
    except yaml.YAMLError as e:
        return PackProblem(name, "", f"not valid YAML: {e}")
    except ValueError as e:
        # PyYAML lets some bad scalars through as ValueError (say, a date 2024-13-45).
        return PackProblem(name, "", f"a value cannot be read: {e}")
    except RecursionError:
        return PackProblem(name, "", "nested too deeply to be a scenario pack")
    finally:
        loader.dispose()


def _reader_problem(text: str, name: str, e: yaml.reader.ReaderError) -> PackProblem:
    line = text[: e.position].count("\n") + 1
    character = e.character if isinstance(e.character, int) else ord(e.character)
    return PackProblem(name, "", f"{e.reason} (character #x{character:04x})", line=line)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _duplicate_keys(
    node: yaml.Node, path: list[Segment], name: str, out: list[PackProblem], seen: set[int]
) -> None:
    """YAML keeps only the last of two equal keys; a pack author must hear about it."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.tag == _MERGE_TAG:
                    continue
                line = key.start_mark.line + 1
                at = first.setdefault((key.tag, key.value), line)
                if at != line:
                    message = (
                        f"duplicate key {key.value!r} (first at line {at}); only the last value would count"
                    )
                    out.append(PackProblem(name, _format_path([*path, key.value]), message, line=line))
                _duplicate_keys(value, [*path, key.value], name, out, seen)
            else:
                _duplicate_keys(value, path, name, out, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _duplicate_keys(item, [*path, i], name, out, seen)


_KeyIndex = dict[int, dict[str, tuple[yaml.Node, int]]]


def _line_of(
    root: yaml.Node | None, segments: Sequence[Segment], index: _KeyIndex | None = None
) -> int | None:
    """The line of the deepest part of ``segments`` found in the YAML node tree.

    ``index`` keeps each mapping's keys once looked up, so that finding the lines of many
    problems in one wide mapping (thousands of unknown keys) stays linear in their number.
    """
    if root is None:
        return None
    index = {} if index is None else index
    node: yaml.Node = root
    line = root.start_mark.line + 1
    for seg in segments:
        if isinstance(node, yaml.MappingNode):
            keys = index.get(id(node))
            if keys is None:
                # The last of equal keys is the one that counts, as in the constructor.
                keys = {
                    key.value: (value, key.start_mark.line + 1)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode)
                }
                index[id(node)] = keys
            found = keys.get(str(seg))
            if found is None:
                break
            node, line = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int) and 0 <= seg < len(node.value):
            node = node.value[seg]
            line = node.start_mark.line + 1
        else:
            break
    return line


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _parse_path(path: str) -> list[Segment]:
    """``scenarios[1].rubric.criteria[0].kss`` → ``["scenarios", 1, "rubric", "criteria", 0, "kss"]``."""
    return [int(index) if index else key for index, key in _PATH_PART.findall(path)]


def _format_path(segments: Sequence[Segment]) -> str:
    out = ""
    for seg in segments:
        if isinstance(seg, int) or seg.isdigit():
            out += f"[{seg}]"
        elif seg.isidentifier():
            out += f".{seg}" if out else seg
        else:
            out += f"[{seg!r}]"
    return out


# ---------------------------------------------------------------------------------------
# Schema errors in plain words


def _validation_problems(
    error: ValidationError, data: dict[Any, Any], root: yaml.Node, name: str
) -> list[PackProblem]:
    """One problem per pydantic error; the alternatives of a union become one problem."""
    entries: list[tuple[str, int | None, list[str], Any]] = []
    unions: dict[str, int] = {}
    lines: _KeyIndex = {}
    unlisted: set[str] = set()  # past MAX_PROBLEMS only counted, not put into words
    for e in error.errors(include_url=False):
        segments, via_union = _data_segments(e["loc"], data)
        path = _format_path(segments)
        if path in unlisted:
            continue
        if via_union and path in unions:
            entries[unions[path]][2].append(_plain(e, segments, via_union))
            continue
        if len(entries) >= MAX_PROBLEMS:
            # A union's alternatives are one problem; any other error is one of its own.
            unlisted.add(path if via_union else f"{path}\0{len(unlisted)}")
            continue
        if via_union:
            unions[path] = len(entries)
        value = e["input"] if via_union else _NO_INPUT
        message = _plain(e, segments, via_union)
        entries.append((path, _line_of(root, segments, lines), [message], value))
    problems = []
    for path, line, messages, value in entries:
        message = messages[0]
        for alternative in messages[1:]:
            message += " or " + alternative.removeprefix("must be ")
        if value is not _NO_INPUT and isinstance(value, str | int | float):
            message += f", not {value!r}"
        problems.append(PackProblem(name, path, message, line=line))
    if unlisted:
        more = len(unlisted)
        problems.append(PackProblem(name, "", f"and {more} more problem(s) like these, not listed"))
    return problems


_NO_INPUT = object()


def _data_segments(loc: tuple[Segment, ...], data: Any) -> tuple[list[Segment], bool]:
    """The parts of an error location that are keys and indices in the data.

    pydantic adds parts that are not in the data: the tag of a union member (say
    ``literal['all']``) and ``[key]`` for an error in a mapping key. Those are dropped;
    the second value says whether a union tag was among them.
    """
    segments: list[Segment] = []
    via_union = False
    current: Any = data
    for i, seg in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict):
            if seg in current:
                segments.append(seg)
                current = current[seg]
                continue
            if last and isinstance(seg, str) and seg != "[key]":  # a missing field
                segments.append(seg)
                current = None
                continue
        elif isinstance(current, list) and isinstance(seg, int) and 0 <= seg < len(current):
            segments.append(seg)
            current = current[seg]
            continue
        if seg != "[key]":
            via_union = True
    return segments, via_union


_ID_HELP = "must be an id: lower-case letters, digits, '-' and '_', starting with a letter or digit"
_VERSION_HELP = "must be a version number such as 1, 1.2 or 1.2.3 (in quotes: '1.0')"


def _plain(e: ErrorDetails, segments: Sequence[Segment], via_union: bool = False) -> str:
    kind = e["type"]
    ctx: dict[str, Any] = dict(e.get("ctx") or {})
    value = e["input"]
    message = _MESSAGES.get(kind, "")
    if kind == "missing":
        message = "required field missing"
    elif kind == "extra_forbidden":
        key = str(e["loc"][-1])
        message = f"unknown key {key!r}"
        close = difflib.get_close_matches(key, _known_keys(segments[:-1]), n=1, cutoff=0.7)
        if close:
            message += f"; did you mean {close[0]!r}?"
    elif kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "a-z0-9" in pattern:
            message = f"{_ID_HELP}, not {value!r}"
        elif segments and segments[-1] == "version":
            message = f"{_VERSION_HELP}, not {value!r}"
        else:
            message = f"does not match the pattern {pattern}"
    elif kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        message = "must be text; put the value in quotes"
    elif kind in ("literal_error", "enum"):
        if list(segments) == ["format"]:
            message = f"unsupported pack format {value!r}; this naas-centre reads format {FORMAT_VERSION}"
        else:
            message = f"must be {ctx.get('expected')}"
            if not via_union:
                message += f", not {value!r}"
    elif kind in ("too_short", "too_long"):
        n = int(ctx.get("min_length" if kind == "too_short" else "max_length", 0))
        entries = "entry" if n == 1 else "entries"
        message = (
            f"must have at least {n} {entries}" if kind == "too_short" else f"must have at most {n} {entries}"
        )
    elif kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        message = f"must be {word} {_bound(ctx.get(key))}"
    elif kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        message = f"{message}, not {_kind(value)}"
    if not message:
        message = e["msg"]
    if "[key]" in e["loc"]:
        message = f"key {segments[-1]!r}: {message}" if segments else f"key: {message}"
    return message


def _bound(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}

_MESSAGES = {
    "string_too_short": "must not be empty",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "recursion_loop": "refers to itself (a YAML alias loop)",
    "invalid_key": "keys must be text",
}


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def _known_keys(segments: Sequence[Segment]) -> list[str]:
    """The field names of the model found at ``segments`` from the top of a pack."""
    tp: Any = Pack
    for seg in segments:
        tp = _unwrap(tp)
        if _is_model(tp):
            info = tp.model_fields.get(seg) if isinstance(seg, str) else None
            if info is None:
                return []
            tp = info.annotation
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if _is_model(tp) else []


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional; of a union, keep the member a mapping or list can fill."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        options = [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
        structured = [a for a in options if _is_model(a) or typing.get_origin(a) in (list, dict)]
        return structured[0] if structured else tp
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)
