"""``naas-centre scenarios validate PATH...``: check pack files and say what is wrong.

The CLI prints the lines and exits 0 when every pack is valid, 2 otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from naas_centre.packs.loader import LoadedPack, flag_version_conflicts, load_pack_file, pack_files
from naas_centre.packs.schema import Pack


def validate_paths(paths: Sequence[str]) -> tuple[list[str], bool]:
    """Lines to print, one per valid pack or per problem, and whether all are valid.

    A folder stands for every *.yaml and *.yml file directly inside it. A path that does
    not exist, or a folder with no pack files, is a problem too. Packs given together
    must not reuse a name and version with different content.
    """
    if not paths:
        return ["nothing to validate: name one or more pack files or folders"], False
    items: list[str | LoadedPack] = []
    for arg in paths:
        path = Path(arg)
        try:
            if path.is_dir():
                files = pack_files(path)
                if not files:
                    items.append(f"{arg}: no *.yaml or *.yml files in this folder")
                items.extend(load_pack_file(f) for f in files)
            elif path.exists():
                items.append(load_pack_file(path))
            else:
                items.append(f"{arg}: no such file or folder")
        except OSError as e:
            items.append(f"{arg}: cannot read: {e.strerror or e}")

    checked = iter(flag_version_conflicts(i for i in items if isinstance(i, LoadedPack)))
    lines: list[str] = []
    all_ok = True
    for item in items:
        if isinstance(item, str):
            lines.append(item)
            all_ok = False
            continue
        loaded = next(checked)
        if loaded.ok and loaded.pack is not None and loaded.content_hash is not None:
            lines.append(f"{loaded.display_name}: ok ({summary(loaded.pack, loaded.content_hash)})")
        else:
            lines.extend(str(p) for p in loaded.problems)
            all_ok = False
    return lines, all_ok


def summary(pack: Pack, content_hash: str) -> str:
    """``naas-practitioner 1.0.0, 3 scenarios + written exercise, 19 criteria, sha256 1a2b3c4d…``"""
    n = len(pack.scenarios)
    parts = f"{pack.name} {pack.version}, {n} scenario{'' if n == 1 else 's'}"
    if pack.written_exercise is not None:
        parts += " + written exercise"
    c = len(pack.criteria())
    return f"{parts}, {c} criteri{'on' if c == 1 else 'a'}, sha256 {content_hash[:8]}…"
