"""What `assistant` and `python -m evals` exit with, defined once: scripts and CI act on these
numbers, and each command's --help lists the ones it uses."""

from __future__ import annotations

import argparse

OK = 0
NOTHING_INGESTED = 1  # ingest: not one file could be indexed
BELOW_FLOOR = 1  # eval: a figure of a full run fell outside its floor
USAGE = 2  # a wrong option or input, a busy ingest, an index another version built
NO_INDEX = 3  # nothing to read from: the message gives the command that builds the index
DOWNLOAD_FAILED = 4  # ingest --fetch: a document could not be downloaded; the rest was ingested

# Said the same by every command that reads the index.
NO_INDEX_MEANING = (NO_INDEX, "no index in the data folder (the message gives the command that builds it)")


def listed_in_help(*meanings: tuple[int, str]) -> dict:
    """argparse options for a command whose --help ends with its exit codes, one a line."""
    epilog = "exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in meanings)
    return {"epilog": epilog, "formatter_class": argparse.RawDescriptionHelpFormatter}
