"""One module per `newsarchive` subcommand (see :mod:`newsarchive.cli`)."""
