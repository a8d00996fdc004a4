"""The bundle's entry: the same as the ``naas-centre`` command."""

import multiprocessing
import sys

from ui.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # `reports` signs on worker processes; a frozen child starts here
    sys.exit(main())
