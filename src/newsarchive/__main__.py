import sys

from newsarchive.cli import main

sys.exit(main())
