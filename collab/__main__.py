"""``python -m collab``: see ``collab.cli``."""

import sys

from collab.cli import main

sys.exit(main())
