"""`python -m ingest`: the same as `assistant ingest`."""

import sys

from assistant.cli import main

sys.exit(main(["ingest", *sys.argv[1:]]))
