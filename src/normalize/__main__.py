"""``python -m normalize PATH... | -`` (same as the ``normalize`` command)."""

import sys

from normalize.cli import main

sys.exit(main())
