"""``python -m normalize PATH... | -`` (same as the ``normalize`` command)."""

import sys

from normalize.cli import main

if __name__ == "__main__":
    sys.exit(main())
