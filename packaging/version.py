"""The application's version, read from ``naas_centre.__version__`` without importing it,
and written into the packaging files that cannot read Python (AppStream, Inno Setup).

    python packaging/version.py           print the version
    python packaging/version.py --check   exit 1 if a packaging file carries another version
    python packaging/version.py --stamp   bring them in step (a new AppStream release, dated today)
"""

from __future__ import annotations

import ast
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METAINFO = ROOT / "packaging" / "linux" / "org.naas_centre.NaasCentre.metainfo.xml"
INNO = ROOT / "packaging" / "windows" / "naas-centre.iss"

_RELEASE = re.compile(r'(<release version=")([^"]+)(")')
_INNO = re.compile(r'(#define AppVersion ")([^"]+)(")')


def app_version() -> str:
    tree = ast.parse((ROOT / "naas_centre" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit("naas_centre/__init__.py: no __version__")


def stamped_versions() -> dict[str, str]:
    """The version each packaging file (by name) carries now: the newest release for AppStream."""
    found = {}
    for path, pattern in ((METAINFO, _RELEASE), (INNO, _INNO)):
        match = pattern.search(path.read_text(encoding="utf-8"))
        found[path.name] = match.group(2) if match else ""
    return found


def stamp(version: str) -> None:
    """A new newest ``<release>`` in AppStream (older releases are history and stay) and
    the installer's default version, where they are not the version already."""
    text = METAINFO.read_text(encoding="utf-8")
    match = _RELEASE.search(text)
    if match is None or match.group(2) != version:
        today = datetime.now(UTC).date().isoformat()
        text = text.replace("<releases>", f'<releases>\n    <release version="{version}" date="{today}"/>', 1)
        METAINFO.write_text(text, encoding="utf-8")
    inno = _INNO.sub(rf"\g<1>{version}\g<3>", INNO.read_text(encoding="utf-8"), count=1)
    INNO.write_text(inno, encoding="utf-8")


def main(argv: list[str]) -> int:
    version = app_version()
    if "--stamp" in argv:
        stamp(version)
    if "--check" in argv:
        wrong = {path: found for path, found in stamped_versions().items() if found != version}
        for path, found in wrong.items():
            print(f"{path}: version {found or '(none)'}, not {version}", file=sys.stderr)
        if wrong:
            return 1
    print(version)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
