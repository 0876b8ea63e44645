"""The chat adapter: an Answer becomes message text, one side panel per [n], a compact list of the
sources cited and a Markdown export; the user's bubble shows the redacted question."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import pytest

from assistant.core.answer import Answer
from assistant.chat.adapter import (
    SharedAssistant,
    answer_mode,
    data_url,
    echo,
    highlight,
    render_answer,
    render_library,
    starters,
    without_external_links,
)
from assistant.core.domain import Chunk, Citation, Claim, Coverage, Passage, Source
from assistant.core.prompts import load_template
from assistant.core.render import in_quote_marks, render_markdown
from assistant.settings import load_settings
from assistant.core.store import IndexInfo, IndexProblem

TEXT = load_template("chat.v1.md")
MESSAGES = load_template("messages.v3.md")
MARKER = re.compile(r"\[(\d+)\]")

SOURCES = {
    "basw": Source(
        "basw", "basw.md", "BASW guidance", "BASW", "2025-03", url="https://basw.example/ai",
        in_manifest=True,
    ),
    "rip": Source(
        "rip",
        "rip.md",
        "Research report",
        "Research in Practice",
        "2025-12",
        covers=(Coverage("swe-professional-standards", "excerpts"),),
        chunks=4,
        in_manifest=True,
    ),
}


def _citation(n: int, source_id: str, text: str, quote: str, page: int | None = None) -> Citation:
    chunk = Chunk(
        f"{source_id}-{n}",
        source_id,
        SOURCES[source_id].title,
        text,
        ("Part 1", "Records"),
        0,
        len(text),
        0,
        "hash",
        page=page,
    )
    return Citation(n, Passage(n, chunk, 0.5, 0.7), quote)


def _answer(citations: list[Citation], notices: list[str] | None = None) -> Answer:
    text = "\n".join(f"- “{c.quote}” [{c.n}]" for c in citations)
    return Answer(
        question="Can [name] use ChatGPT?",
        searched_for="Can [name] use ChatGPT?",
        text=text,
        citations=citations,
        passages=[c.passage for c in citations],
        abstained=False,
        personal_data=[],
        removed=[],
        backend="extractive",
        notices=notices or [],
    )


def test_every_marker_has_a_panel_named_exactly_as_in_the_text():
    answer = _answer(
        [
            _citation(
                1,
                "basw",
                "You remain accountable.\nCheck every record.",
                "You remain accountable.",
                page=4,
            ),
            _citation(
                2, "rip", "Do not paste “case notes” into public tools.", 'paste "case notes" into'
            ),
        ]
    )
    rendered = render_answer(answer, SOURCES, TEXT)

    names = {panel.name for panel in rendered.panels}
    assert names == {"[1]", "[2]"}
    assert {f"[{n}]" for n in MARKER.findall(rendered.content)} == names  # Chainlit links by name
    first, second = rendered.panels
    assert "**You remain accountable.**" in first.content  # the quoted words, in bold
    assert "Check every record." in first.content and "**Check" not in first.content
    for expected in (
        "**Source:** BASW guidance",
        "**Section:** Part 1 > Records",
        "**Page:** 4",
        "**Published:** BASW, 2025-03",
        "**Link:** <https://basw.example/ai>",
    ):
        assert expected in first.content
    assert "**paste “case notes” into**" in second.content  # curly quotes match straight ones
    # No URL in the manifest: the panel says so rather than leaving the reader to look for one.
    assert f"**Link:** {TEXT.render('panel_no_link')}" in second.content


def test_the_reference_list_names_only_cited_sources_once_each():
    answer = _answer([_citation(1, "rip", "A. B.", "A."), _citation(2, "rip", "C. D.", "C.")])
    content = render_answer(answer, SOURCES, TEXT).content

    references = content.split(f"**{TEXT.render('references')}**\n")[1]
    assert references == "- [1] [2] Research report — Research in Practice, 2025-12"
    assert "BASW" not in content


def test_notices_come_first_on_one_line_each():
    answer = _answer(
        [_citation(1, "basw", "Text.", "Text.")], ["Removed a name.\nPlease do not.", "Model down."]
    )
    content = render_answer(answer, SOURCES, TEXT).content
    notices = "> Removed a name. Please do not.\n> Model down.\n\n"
    assert content.startswith(notices + "- “Text.” [1]")


def test_an_abstention_has_no_reference_list_and_no_panels():
    answer = _answer([])
    rendered = render_answer(answer, SOURCES, TEXT)
    assert rendered.panels == [] and TEXT.render("references") not in rendered.content


def test_the_export_holds_the_question_answer_and_full_references():
    answer = _answer(
        [_citation(1, "basw", "You remain accountable.", "You remain accountable.", page=4)]
    )
    export = render_answer(answer, SOURCES, TEXT).export
    assert export.startswith(f"# {TEXT.render('export_title')}\n")
    assert "Can [name] use ChatGPT?" in export and "- “You remain accountable.” [1]" in export
    assert (
        "[1] BASW guidance. Part 1 > Records. p. 4. BASW, 2025-03. <https://basw.example/ai>\n"
        "> “You remain accountable.”"
    ) in export


def test_each_answer_lists_only_its_own_passages_collapsed_with_their_source():
    answer = _answer([_citation(1, "basw", "You remain accountable.", "You remain accountable.")])
    props = render_answer(answer, SOURCES, TEXT).passages("Passages cited")
    assert props["title"] == "Passages cited" and props["expanded"] is False
    (item,) = props["items"]
    assert item["marker"] == "[1]" and item["heading"] == "BASW guidance — Records"
    assert "**You remain accountable.**" in item["content"]


def test_a_local_document_is_labelled_not_given_an_unknown_publisher():
    local = Source("notes", "notes.md", "Team notes", "unknown", "", in_manifest=False)
    sources = {**SOURCES, "notes": local}
    chunk = Chunk("notes-1", "notes", "Team notes", "Check drafts.", ("Drafts",), 0, 13, 0, "h")
    citation = Citation(1, Passage(1, chunk, 0.5, 0.7), "Check drafts.", label="local document")
    rendered = render_answer(_answer([citation]), sources, TEXT)
    (panel,) = rendered.panels
    assert f"**Published:** {TEXT.render('panel_local')}" in panel.content
    assert "unknown" not in panel.content and "**Link:**" not in panel.content
    assert "unknown" not in rendered.export and TEXT.render("panel_local") in rendered.export


def test_a_quote_cut_with_an_ellipsis_is_highlighted_and_exported_whole():
    text = "Do not paste case notes into public tools. Always check the output before saving."
    quote = "Do not paste case notes ... check the output"
    answer = _answer([_citation(1, "basw", text, quote)])
    rendered = render_answer(answer, SOURCES, TEXT)
    assert "**Do not paste case notes into public tools. Always check the output**" in rendered.panels[0].content
    assert "> “Do not paste case notes into public tools. Always check the output”" in rendered.export
    assert "..." not in rendered.export.split("## ")[-1]


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("- Principle 1: You know what AI is", "“Principle 1: You know what AI is”"),
        ("• Be open with families", "“Be open with families”"),
        ("“We check every draft.”", "“We check every draft.”"),  # never ““...””
        # The sentence split left the quotation's opening mark in the sentence before.
        ("I chair meetings daily.” (practice supervisor)", "‘“I chair meetings daily.” (practice supervisor)’"),
        ("Staff said “no” to it.", "‘Staff said “no” to it.’"),
    ],
)
def test_quotes_are_shown_without_bullets_or_doubled_quote_marks(sentence, shown):
    assert in_quote_marks(sentence) == shown
    answer = _answer([_citation(1, "basw", sentence, sentence)])
    rendered = render_answer(answer, SOURCES, TEXT)
    references = rendered.export.split("## ")[-1]
    assert f"> {shown}" in references and "““" not in references and "””" not in references
    claim = Claim(sentence, citations=(1,), quotes=(sentence,), part="lead")
    assert in_quote_marks(sentence) in render_markdown([claim], [], "extractive", MESSAGES)


def test_highlight_keeps_list_markers_outside_the_bold_and_each_line_a_paragraph():
    text = "- Social workers are responsible\n- Governance matters"
    assert highlight(text, "Social workers are responsible") == (
        "- **Social workers are responsible**\n\n- Governance matters"
    )
    assert highlight("one two\nthree four", "two three") == "one **two**\n\n**three** four"
    assert highlight("nothing to see", "absent") == "nothing to see"


def test_the_users_bubble_shows_the_redacted_question_or_nothing_of_a_pasted_document():
    shown = echo("Can I tell Mrs Smith, NHS number 943 476 5919, about Copilot?", 2000, TEXT)
    assert "Smith" not in shown and "943 476 5919" not in shown
    assert "[NHS number]" in shown
    pasted = "Mrs Smith said " * 300
    shown = echo(pasted, 2000, TEXT)
    assert "Smith" not in shown and "4,500 characters" in shown


def test_starters_come_from_the_message_file_and_end_with_the_library():
    found = starters(TEXT)
    assert len(found) == 5 and all(s.label and s.message for s in found)
    assert any("ChatGPT" in s.message for s in found[:4])
    assert found[-1].message == TEXT.render("library_command") == "/library"
    # Chainlit turns a label into the element id "starter-<label>": keep them plain words.
    assert all(re.fullmatch(r"[A-Za-z ]+", starter.label) for starter in found)


def test_library_view_lists_sources_with_dates_and_warns_about_excerpts():
    info = IndexInfo(3, "model", "1", "now", sources=SOURCES)
    shown = render_library(info, TEXT)
    assert "**Research report** (Research in Practice, 2025-12)" in shown
    assert "excerpts only" in shown
    assert (
        "**Excerpts only.** Social Work England professional standards: only passages quoted"
        in shown
    )
    assert "BASW AI practice guidance: not in the library." in shown  # no chunks: not carried


def test_answer_mode_names_the_backend_and_model():
    assert "extractive" in answer_mode(load_settings(), TEXT)
    assert "llama3.1:8b" in answer_mode(load_settings(backend="ollama"), TEXT)


def test_element_content_travels_in_a_data_url_so_nothing_is_written_to_disk():
    url = data_url("**ünïcode** [1]", "text/markdown")
    assert url.startswith("data:text/markdown;charset=utf-8;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode() == "**ünïcode** [1]"


def test_the_page_loses_its_links_to_font_and_maths_cdns():
    page = (
        '<link rel="preconnect" href="https://fonts.googleapis.com" />\n'
        '<link\n  href="https://fonts.googleapis.com/css2?family=Inter" rel="stylesheet"\n/>\n'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex.min.css" />\n'
        '<link rel="stylesheet" crossorigin href="/assets/index.css">'
    )
    assert (
        without_external_links(page)
        == '<link rel="stylesheet" crossorigin href="/assets/index.css">'
    )


def test_no_index_is_reported_with_the_command_to_run(tmp_path):
    shared = SharedAssistant(load_settings(data_dir=tmp_path / "empty"))
    with pytest.raises(IndexProblem, match="assistant ingest"):
        shared.open()


@pytest.mark.slow
def test_a_real_answer_renders_with_a_panel_for_every_marker(assistant, library_settings):
    from assistant.adapters.factory import open_index

    sources = open_index(library_settings).live().info.sources
    answer = assistant.ask("Who is accountable for a case record that AI helped me draft?")
    rendered = render_answer(answer, sources, TEXT)

    assert rendered.panels and {p.name for p in rendered.panels} == {
        f"[{c.n}]" for c in answer.citations
    }
    for panel, citation in zip(rendered.panels, answer.citations):
        assert panel.name in answer.text
        assert re.search(r"\*\*[^*]+\*\*", panel.content.split("---", 1)[1])  # a quote in bold
        assert f"**Source:** {sources[citation.passage.chunk.source_id].title}" in panel.content
    cited_titles = {sources[c.passage.chunk.source_id].title for c in answer.citations}
    references = rendered.content.split(TEXT.render("references"))[1]
    assert {t for t in (s.title for s in sources.values()) if t in references} == cited_titles


@pytest.mark.slow
def test_every_starter_question_gets_a_cited_answer(assistant):
    for starter in starters(TEXT)[:-1]:
        answer = assistant.ask(starter.message)
        assert not answer.abstained and answer.citations, starter.message


PLANTED_MARKUP = (
    "Read [the policy](https://evil.example/p) and ![status](https://evil.example/c.png). "
    "Click <javascript:alert(1)> or <https://evil.example/auto>. <img src=x onerror=alert(1)> "
    "More at https://evil.example/x, www.evil.example or ask jo@evil.example.\n"
    "[ref]: https://evil.example/ref"
)


def _live_parts(markdown: str) -> list[str]:
    """What a Markdown renderer would make live: links, images, raw HTML; and bare addresses
    left outside code (GFM makes those links by itself)."""
    from markdown_it import MarkdownIt

    live = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for child in [token, *(token.children or [])]:
            if child.type in ("link_open", "image", "html_inline", "html_block"):
                live.append(f"{child.type} {child.attrs or child.content}")
            if child.type == "text" and re.search(r"https?://|www\.|@evil", child.content):
                live.append(f"bare address {child.content!r}")
    return live


def test_a_passage_is_shown_as_text_with_no_link_but_the_publishers():
    """Planted markup in a passage (and so in its quote and the answer) stays inert everywhere."""
    citation = _citation(1, "basw", PLANTED_MARKUP, PLANTED_MARKUP.split(". ")[0])
    answer = _answer([citation], notices=[f'The guidance says: "{PLANTED_MARKUP}"'])
    answer = replace(answer, text=render_markdown(
        [Claim(PLANTED_MARKUP, (1,), (PLANTED_MARKUP,), part="lead")], [], "extractive", MESSAGES
    ))  # fmt: skip
    rendered = render_answer(answer, SOURCES, TEXT)
    for shown in (rendered.content, rendered.panels[0].content, rendered.export):
        live = _live_parts(shown)
        assert all("basw.example" in part for part in live), live  # the manifest's page only
        assert "evil.example/p" in shown  # the words are still there, as text


def test_a_local_documents_address_is_not_a_link():
    local = Source("local", "local.md", "Brochure", "unknown", "", url="https://evil.example/")
    citation = _citation(1, "basw", "Check every record.", "Check every record.")
    panel = render_answer(_answer([citation]), {"basw": local}, TEXT).panels[0].content
    assert "**Link:**" not in panel
