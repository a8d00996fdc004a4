"""``naas-centre`` with the video commands, for the CLI tests: ``python -m tests.video.run_cli ...``.

Adds ``cli_video`` to the command line's extensions when ``naas_centre.cli`` does not list
it yet, then runs ``cli.main`` as the installed command does.
"""

from __future__ import annotations

import sys

from naas_centre import cli, cli_video

if cli_video not in cli.EXTENSIONS:
    cli.EXTENSIONS = (*cli.EXTENSIONS, cli_video)

if __name__ == "__main__":
    sys.exit(cli.main())
