"""``python -m ui``: the same as the ``naas-centre`` command."""

import sys

from ui.main import main

sys.exit(main())
