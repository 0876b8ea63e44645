"""A document's terminal escape sequences (colour, OSC 52 clipboard writes, cursor moves) and
bidirectional overrides reach neither the index nor the terminal: `ingest`, `sources` and `ask`
print the document's text and file name without them."""

from __future__ import annotations

import json

import pytest

from assistant.core.printable import printable
from tests.support import run_cli

OSC52 = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"  # "put this in the clipboard"
COLOUR = "\x1b[2J\x1b[31m"  # clear the screen, then red
BIDI = "\u202e"  # right-to-left override
ORDINARY = (
    "Recordings are kept for 30 days and then deleted. People are told when a tool is used, in "
    "plain words, and may refuse it without any change to the support they receive.\n\n"
)


def test_printable_drops_control_characters_and_keeps_lines():
    assert printable(f"Check{OSC52} the{COLOUR} output{BIDI}.\nNext\tline") == "Check the output.\nNext\tline"


@pytest.mark.slow
def test_no_escape_sequence_from_a_document_reaches_the_index_or_the_terminal(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = f"notes{COLOUR}.md"
    (corpus / name).write_text(
        f"# Transcription{OSC52} tools\n\nTranscripts made by AI tools are drafts{COLOUR}: the "
        f"social worker checks every transcript{BIDI} before it goes on the case record.\n\n"
        + ORDINARY * 8,  # a few escapes in a long document: not taken for a binary file
        encoding="utf-8",
    )
    where = ["--db", str(tmp_path / "data")]
    ingested = run_cli("ingest", "--corpus", str(corpus), *where)
    listed = run_cli("sources", *where)
    asked = run_cli("ask", *where, "Do AI transcripts have to be checked before they go on the case record?")
    for result in (ingested, listed, asked):
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and BIDI not in result.stdout
    assert "checks every transcript" in " ".join(asked.stdout.split())

    answer = json.loads(run_cli("ask", *where, "--json", "Must AI transcripts be checked?").stdout)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "\x1b" not in shown and "\\u001b" not in shown and BIDI not in shown
