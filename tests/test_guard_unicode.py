"""The personal-data guard reads identifiers as Word and Outlook paste them: non-breaking and thin
spaces, zero-width and other invisible format characters, fullwidth forms and ligatures. Offsets
and replacements refer to the text as typed, and nothing of the identifier is left behind."""

from __future__ import annotations

import re

import pytest

from assistant.core.guard import redact

NBSP, THIN, NARROW_NBSP, FIGURE, IDEOGRAPHIC, MATHS = "\u00a0", "\u2009", "\u202f", "\u2007", "\u3000", "\u205f"
ZWSP, ZWNJ, ZWJ, WORD_JOINER, BOM, SOFT_HYPHEN = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"


@pytest.mark.parametrize(
    ("question", "redacted"),
    [
        # Spaces Word and Outlook put inside numbers and postcodes.
        (f"Her NHS number is 943{NBSP}476{NBSP}5919, can I use Copilot?", "Her NHS number is [NHS number], can I use Copilot?"),
        (f"They moved to LS1{NBSP}4AB last week", "They moved to [postcode] last week"),
        (f"NI QQ{NBSP}12{NBSP}34{NBSP}56{NBSP}C on the form", "NI [NI number] on the form"),
        (f"NHS 943{THIN}476{THIN}5919 here", "NHS [NHS number] here"),
        (f"NHS 943{NARROW_NBSP}476{NARROW_NBSP}5919 here", "NHS [NHS number] here"),
        (f"NHS 943{FIGURE}476{FIGURE}5919 here", "NHS [NHS number] here"),
        (f"NHS 943{IDEOGRAPHIC}476{IDEOGRAPHIC}5919 here", "NHS [NHS number] here"),
        (f"postcode SW1A{MATHS}1AA please", "postcode [postcode] please"),
        (f"NI qq\u200512\u200534\u200556\u2005c", "NI [NI number]"),
        # Zero-width and format characters inside e-mail addresses, phone numbers and names.
        (f"email jo{ZWSP}.bloggs@example.com about it", "email [email] about it"),
        (f"email jo.bloggs@exa{ZWJ}mple.com about it", "email [email] about it"),
        (f"call 07700{ZWSP}900123 today", "call [phone] today"),
        (f"call 07700{WORD_JOINER}900{ZWNJ}123 today", "call [phone] today"),
        (f"Ja{ZWSP}de Thompson, born 04/07/2012, wants a copy", "[name], born [date], wants a copy"),
        (f"My client Kwa{SOFT_HYPHEN}bena Mensah wants a copy", "My client [name] wants a copy"),
        (f"Can I paste ja{ZWJ}mal's notes into Copilot?", "Can I paste [name]'s notes into Copilot?"),
        (f"NHS 943{ZWSP}476{ZWSP}5919 here", "NHS [NHS number] here"),
        (f"NHS \u202d943 476 5919\u202c here", "NHS [NHS number] here"),  # bidi controls
        # Invisible but not format characters: a combining grapheme joiner, a variation selector.
        ("Ja\u034fde Thompson, born 04/07/2012", "[name], born [date]"),
        ("call 07700\ufe0f900123 today", "call [phone] today"),
        # Word's non-breaking hyphen, and the figure dash made for phone numbers.
        ("NHS 943\u2011476\u20115919 here", "NHS [NHS number] here"),
        ("call 0161\u2012496\u20120000 today", "call [phone] today"),
        # A byte-order mark before the question, and a non-breaking space after a title.
        (f"{BOM}Mrs{NBSP}Okafor rang from +44{NBSP}7700{NBSP}900123", "[name] rang from [phone]"),
        # Fullwidth forms (an IME, a PDF) and a ligature that is one character for two letters:
        # offsets after it must still land on the original text.
        ("NHS ９４３ ４７６ ５９１９ and postcode ＬＳ１ ４ＡＢ", "NHS [NHS number] and postcode [postcode]"),
        ("email jo.bloggs＠example.com", "email [email]"),
        ("the o\ufb03ce manager said LS1 4AB is Mrs O\ufb00ord's", "the o\ufb03ce manager said [postcode] is [name]'s"),
        (
            f"Ja{ZWSP}de Thompson (NHS 943{NBSP}476{NBSP}5919) lives at LS6{THIN}2QT. Can I use AI?",
            "[name] (NHS [NHS number]) lives at [postcode]. Can I use AI?",
        ),
    ],
)
def test_identifiers_pasted_with_unicode_spaces_and_invisible_characters(question, redacted):
    redaction = redact(question)
    assert redaction.text == redacted
    # The offsets are the original text's: replacing them gives the redacted text.
    rebuilt, position = [], 0
    for item in redaction.found:
        rebuilt += [question[position : item.start], f"<{item.type}>"]
        position = item.end
    rebuilt.append(question[position:])
    placeholders = re.sub(r"\[[^\]]+\]", "<>", redacted)
    assert re.sub(r"<[A-Z_]+>", "<>", "".join(rebuilt)) == placeholders


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (f"email jo{ZWSP}.bloggs@example.com about it", f"jo{ZWSP}.bloggs@example.com"),
        (f"call 07700{ZWSP}900123 today", f"07700{ZWSP}900123"),
        (f"Ja{ZWSP}de Thompson, born 04/07/2012", f"Ja{ZWSP}de Thompson"),
        (f"NHS 943{NBSP}476{NBSP}5919 here", f"943{NBSP}476{NBSP}5919"),
    ],
)
def test_nothing_of_the_identifier_is_left_behind(question, value):
    text = redact(question).text
    for piece in re.split(rf"[\s{ZWSP}.@]+", value):
        assert piece not in text, piece
    start = question.index(value)
    found = redact(question).found
    assert any(item.start <= start and item.end >= start + len(value) for item in found)


@pytest.mark.parametrize(
    "question",
    [
        f"Can I use Copilot{NBSP}to summarise a meeting?",
        f"What does the Ada{NBSP}Lovelace Institute say about transcription?",
        f"Is standard 3.11{THIN}about records?",
        f"Will AI{ZWSP} replace social workers by{NBSP}2030?",
        f"{BOM}Can I paste my case notes into ChatGPT?",
        "Can I use the oﬃce laptop for Copilot?",
        "What changed in the guidance between 2019–2024?",  # an en dash joins a range
    ],
)
def test_guidance_questions_pasted_from_word_are_left_alone(question):
    assert redact(question).found == ()
    assert redact(question).text == question
