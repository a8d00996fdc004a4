"""Where data lives: the platform's user data folder, unless told otherwise.

``--data-dir`` (or ``NAAS_DATA_DIR``) overrides it for tests, demos and portable use.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from platformdirs import user_data_path

APP = "naas-centre"


def data_dir(override: Path | str | None = None) -> Path:
    chosen = override or os.environ.get("NAAS_DATA_DIR")
    path = Path(chosen).expanduser() if chosen else user_data_path(APP, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path(folder: Path) -> Path:
    return folder / "centre.db"


def demo_db_path(folder: Path) -> Path:
    # A file of its own, so a real centre's database never receives demo data.
    return folder / "demo-centre.db"


def packs_dir(folder: Path) -> Path:
    """Extra scenario packs a centre adds beside the built-in ones."""
    return folder / "packs"


def workstation_id(folder: Path) -> str:
    """This workstation's id: made once, kept in the data folder, stamped on every row."""
    path = folder / "workstation-id"
    try:
        text = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(text))
    except (OSError, ValueError):
        pass
    new = str(uuid.uuid4())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(new + "\n", encoding="ascii")
    os.replace(tmp, path)
    return new
