"""The answer's shape: a lead, what the guidance says, then what people reported; lists complete
across passages; the same shape for a model's tagged sentences. First on small documents chunked
by the real chunker (roles decided as at ingest), then on the bundled library."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from assistant.core.compose import arrange
from assistant.core.domain import Chunk, Passage
from assistant.core.embeddings import pack_vectors
from assistant.core.extractive import extractive_draft
from assistant.core.generate import parse_model_output
from assistant.core.prompts import load_template
from assistant.core.question import read_question
from assistant.core.render import render_markdown
from assistant.core.retrieve import Retrieval
from assistant.core.roles import REPORTED
from assistant.settings import load_settings
from ingest.chunk import ChunkShape, chunk_document
from ingest.document import Element
from tests.support import HashingEmbedder

EMBEDDER = HashingEmbedder()
SETTINGS = load_settings()


def chunked(elements: list[Element], target: int = 150, largest: int = 180) -> list[Chunk]:
    """A document chunked as ingest does it, each chunk with its sentence vectors."""
    _, chunks = chunk_document("doc", "A document", elements, ChunkShape(target, largest, 1), lambda t: True)
    return [
        Chunk(**{**c.__dict__, "sentence_vectors": pack_vectors(EMBEDDER.embed_batch(c.sentence_texts()))})
        for c in chunks
    ]


def retrieval_of(chunks: list[Chunk], scores: dict[str, float], question: str) -> Retrieval:
    """The first chunk retrieved, its sentences as close to the question as `scores` says (by the
    sentence's opening words), others 0.3."""
    passage = Passage(1, chunks[0], 1.0, 1.0)
    similarity = [
        next((value for opening, value in scores.items() if text.lstrip("- ").startswith(opening)), 0.3)
        for text in chunks[0].sentence_texts()
    ]
    return Retrieval([passage], True, max(similarity), 1.0, EMBEDDER.embed_batch([question])[0],
                     {chunks[0].id: similarity}, {})  # fmt: skip


def drafted(chunks: list[Chunk], question, scores: dict[str, float], runs_on: bool = False):
    """The extractive draft for `question` from the first chunk, scored as `scores` says; with
    `runs_on`, lists continue into the chunks that follow."""
    retrieval = retrieval_of(chunks, scores, question.text)
    return extractive_draft(retrieval, question, SETTINGS, following(chunks) if runs_on else lambda chunk: None)


def following(chunks: list[Chunk]):
    return lambda chunk: next((c for c in chunks if c.start > chunk.start), None)


def principles(count: int) -> list[Element]:
    return [
        Element("heading", "Principles", level=1),
        Element("paragraph", f"The playbook defines {count} common principles to guide the safe use of AI:"),
        *[Element("list_item", f"Principle {n}: You keep rule number {n} in mind") for n in range(1, count + 1)],
    ]


def test_a_list_asked_for_is_completed_from_the_passages_that_follow():
    chunks = chunked(principles(10), target=30, largest=40)
    assert len(chunks) >= 3  # the list runs over several passages
    question = read_question("What are the playbook's principles?")
    draft = extractive_draft(
        retrieval_of(chunks, {"The playbook defines": 0.9}, question.text), question, SETTINGS,
        following(chunks),
    )  # fmt: skip
    items = [c.text for c in draft.claims if c.item]
    assert draft.claims[0].part == "lead" and draft.claims[0].text.startswith("The playbook defines 10")
    assert items == [f"Principle {n}: You keep rule number {n} in mind" for n in range(1, 11)]
    assert draft.extra_passages and not draft.lists  # cites the passages it continued into
    assert {c.citations[0] for c in draft.claims} == {1, *(p.rank for p in draft.extra_passages)}


def test_a_lead_in_last_in_its_passage_finds_its_items_in_the_next():
    # Chunks overlap by a sentence: the next passage opens with the lead-in again, then the items.
    chunks = chunked([
        Element("heading", "Risks", level=1),
        Element("paragraph", "Social workers answered a survey about AI in their practice this year."),
        Element("paragraph", "Most people said there were equal or more benefits to using AI than there are risks:"),
        *[Element("list_item", f"{n}% believe item number {n} about the risks of AI") for n in (36, 34, 15, 12)],
    ], target=25, largest=35)  # fmt: skip
    assert chunks[0].sentence_texts()[-1] == chunks[1].sentence_texts()[0]  # the lead-in, twice
    question = read_question("What are the risks of using AI?")
    scores = {"Most people said": 0.9}
    draft = drafted(chunks, question, scores, runs_on=True)
    assert draft.claims[0].text.startswith("Most people said")
    assert [c.text[:3] for c in draft.claims if c.item] == ["36%", "34%", "15%", "12%"]


@pytest.mark.parametrize("known", [0, 2], ids=["no roles", "some roles"])
def test_a_passage_stored_without_all_its_roles_is_answered_all_the_same(known):
    # An index written before roles were stored, or by other code (the scale benchmark's
    # synthetic library once), holds chunks with fewer roles than sentences: read as context.
    chunks = [Chunk(**{**c.__dict__, "roles": c.roles[:known]}) for c in chunked(principles(3), 200, 250)]
    assert len(chunks[0].sentences) > known
    question = read_question("What are the playbook's principles?")
    draft = drafted(chunks, question, {"The playbook defines": 0.9})
    assert draft.answered and draft.claims[0].text.startswith("The playbook defines 3")


def test_a_list_longer_than_an_answer_shows_says_how_many_items_are_not_shown():
    chunks = chunked(principles(15), target=40, largest=60)
    question = read_question("What are the playbook's principles?")
    draft = extractive_draft(
        retrieval_of(chunks, {"The playbook defines": 0.9}, question.text), question, SETTINGS,
        following(chunks),
    )  # fmt: skip
    [note] = draft.lists
    assert (note.shown, note.total) == (12, 15) and sum(c.item for c in draft.claims) == 12
    assert note.section == "Principles"


def ways(count: int) -> list[Element]:
    """A box of long items: too long to be shown whole for any question but a list question."""
    return [
        Element("heading", "Box 6: Involving people", level=1),
        Element("paragraph", "Some examples of ways to involve people with lived experience, include:"),
        *[
            Element("list_item", f"Way {n}: People with lived experience take part in step {n} of buying and"
                    f" testing AI systems, so that each system is shaped by the people it affects most.")
            for n in range(1, count + 1)
        ],
    ]


def test_a_list_shown_in_part_says_how_many_items_are_not_shown_and_where():
    """Shown the one or two items closest to the question, a reader must not take them for the
    whole list: the answer says how many are left out (it said nothing)."""
    chunks = chunked(ways(6), target=400, largest=500)
    question = read_question("How can people with lived experience take part in buying AI?")
    draft = drafted(chunks, question, {"Way 2": 0.9, "Way 5": 0.85})
    shown = [c.text for c in draft.claims]
    assert any(t.startswith("Way 2") for t in shown) and len([t for t in shown if t.startswith("Way")]) < 6
    [note] = draft.lists
    assert (note.shown, note.total) == (len([t for t in shown if t.startswith("Way")]), 6)
    assert note.section == "Box 6: Involving people" and note.citation == 1
    assert draft.claims[note.after].text.startswith("Way")  # the note is under the last item shown
    text = render_markdown(draft.claims, draft.lists, "extractive", load_template("messages.v3.md"))
    assert f"{6 - note.shown} more items of this list are not shown here: see [1], Box 6" in text
    one = render_markdown(draft.claims, [replace(note, shown=5)], "extractive", load_template("messages.v3.md"))
    assert "1 more item of this list is not shown here" in one
    # Asked for the list, every item is shown and nothing is said to be missing.
    whole = drafted(chunks, read_question("What are the ways to involve people with lived experience?"),
                    {"Some examples": 0.9})  # fmt: skip
    assert len([c for c in whole.claims if c.text.startswith("Way")]) == 6 and not whole.lists


def test_a_lead_in_that_leads_brings_its_list_however_long_its_items():
    """A named body's list leads a question about that body: its lead-in came alone when the
    items were long ("Any updates should:" and nothing after it)."""
    chunks = chunked([
        Element("heading", "BASW guidance for employers", level=1),
        Element("paragraph", "BASW expects employers to put the following in place:"),
        *[Element("list_item", f"Measure {n}: a written procedure that every team follows when it uses an AI"
                  f" tool with personal information, reviewed each year by the employer") for n in (1, 2, 3)],
    ], target=400, largest=500)  # fmt: skip
    question = read_question("What does BASW expect employers to put in place?")
    assert question.type == "named-source"
    draft = drafted(chunks, question, {"BASW expects": 0.9})
    assert draft.claims[0].text.startswith("BASW expects") and draft.claims[0].part == "lead"
    assert [c.text[:9] for c in draft.claims if c.item] == ["Measure 1", "Measure 2", "Measure 3"]
    assert not draft.lists


def test_the_lead_brings_the_rest_of_its_point_up_to_two_more_sentences_of_its_paragraph():
    """"...social care is behind health. Anecdotally, there are several possible reasons... It
    might also be because there are fewer technical experts to draw on.": the third sentence was
    dropped, and a reader saw two of three reasons."""
    chunks = chunked([
        Element("heading", "Adoption", level=1),
        Element("paragraph", "Social care is behind health in adopting new tools. One reason is that providers"
                " are small and scattered. Another reason is that there are fewer technical experts."
                " The weather was mild that year."),
    ], target=400, largest=500)  # fmt: skip
    draft = drafted(chunks, read_question("Is social care behind health in adopting new tools?"),
                    {"Social care is behind": 0.9})  # fmt: skip
    lead = [c.text for c in draft.claims if c.part == "lead"]
    assert lead == [
        "Social care is behind health in adopting new tools.",
        "One reason is that providers are small and scattered.",
        "Another reason is that there are fewer technical experts.",
    ]


def test_a_permission_question_is_led_by_advice_and_reported_behaviour_comes_after():
    chunks = chunked([
        Element("heading", "Privacy", level=1),
        Element("paragraph",
                "Some focus group participants shared examples where case notes were pasted into ChatGPT. "
                "Social workers should not share people's personal information with publicly available AI tools. "
                "Of the social workers surveyed, 24% said they used public AI without direction."),
    ])  # fmt: skip
    question = read_question("Can I paste my case notes into ChatGPT?")
    assert question.type == "permission"
    scores = {"Some focus group": 0.80, "Social workers should": 0.74, "Of the social": 0.70}
    draft = drafted(chunks, question, scores)
    parts = [(c.part, c.role) for c in draft.claims]
    assert parts[0] == ("lead", "advice")
    assert all(part == "reported" for part, role in parts if role in REPORTED)


def test_the_list_whose_lead_in_names_what_was_asked_for_leads_a_list_answer():
    chunks = chunked([
        Element("heading", "Critical thinking", level=1),
        Element("paragraph", "Higher confidence in GenAI is associated with less critical thinking by workers."),
        Element("paragraph", "The study found there are three factors that influence critical thinking:"),
        Element("list_item", "Self-confidence: confidence in one's own ability"),
        Element("list_item", "Trust in GenAI: trust that the tool does the task well"),
        Element("list_item", "Confidence in evaluation: confidence in judging the output"),
    ])  # fmt: skip
    question = read_question("What are the factors that decide whether people use critical thinking with GenAI?")
    assert question.type == "list" and question.listed == "factors"
    scores = {"Higher confidence": 0.90, "The study found": 0.68}
    draft = drafted(chunks, question, scores)
    assert draft.claims[0].part == "lead" and draft.claims[0].text.startswith("The study found")
    assert [c.text.split(":")[0] for c in draft.claims if c.item] == [
        "Self-confidence", "Trust in GenAI", "Confidence in evaluation"]


def test_a_lead_that_runs_on_into_a_list_brings_the_whole_list_as_a_list():
    from markdown_it import MarkdownIt

    chunks = chunked([
        Element("heading", "Barriers", level=1),
        Element("paragraph", "Employers' survey responses indicate a range of barriers to adopting AI. "
                             "In order of priority, these are:"),
        *[Element("list_item", item) for item in ("Cost", "Gaps in understanding", "Organisational culture")],
    ])  # fmt: skip
    question = read_question("What barriers stop social work employers adopting AI?")
    scores = {"Employers' survey": 0.9, "In order of priority": 0.4}
    draft = drafted(chunks, question, scores)
    assert [c.text for c in draft.claims if c.item] == ["Cost", "Gaps in understanding", "Organisational culture"]
    assert all(c.part == "lead" for c in draft.claims)
    text = render_markdown(draft.claims, draft.lists, "extractive", load_template("messages.v3.md"))
    html = MarkdownIt("commonmark").render(text)
    assert html.count("<li>") == 3 and "In order of priority" in html.split("<ul>")[0]


def test_a_lead_sentence_after_a_shortened_list_is_a_paragraph_of_its_own():
    from markdown_it import MarkdownIt

    from assistant.core.domain import Claim, ListNote

    def lead(text: str, item: bool = False) -> Claim:
        return Claim(text, (1,), (text,), part="lead", item=item)

    claims = [lead("The barriers are:"), lead("Cost", item=True), lead("Culture", item=True),
              lead("Employers should plan training before a tool is bought.")]  # fmt: skip
    note = ListNote(after=2, shown=2, total=5, citation=1, section="Barriers")
    html = MarkdownIt("commonmark").render(
        render_markdown(claims, [note], "extractive", load_template("messages.v3.md"))
    )
    # the sentence is neither in the list's last line (the note) nor in an item
    assert "3 more items" in html.split("</ul>")[0]
    assert "Employers should plan" not in html.split("</ul>")[0]
    assert html.split("</ul>")[1].strip().startswith("<p>") and "Employers should plan" in html.split("</ul>")[1]
    without_note = MarkdownIt("commonmark").render(
        render_markdown(claims, [], "extractive", load_template("messages.v3.md"))
    )
    assert "Employers should plan" not in without_note.split("</ul>")[0]


def test_what_a_study_set_out_to_find_does_not_answer_what_it_found():
    chunks = chunked([
        Element("heading", "About this research", level=1),
        Element("paragraph", "The aim of this research into the use of AI in social work was to better understand:"),
        *[Element("list_item", item) for item in (
            "the types of AI being used in social work settings",
            "the potential opportunities, risks and challenges of using AI in social work",
            "how confident social workers feel to use AI ethically",
        )],
        Element("paragraph", "The main risks of AI in social work practice are three:"),
        *[Element("list_item", item) for item in ("Privacy and data protection", "Bias in outputs", "Over-reliance")],
    ], target=400, largest=500)  # fmt: skip
    question = read_question("What are the main risks of AI in social work?")
    scores = {"The aim of this research": 0.8, "the potential opportunities, risks": 0.8, "The main risks": 0.6}
    draft = drafted(chunks, question, scores)
    shown = " ".join(c.text for c in draft.claims)
    assert draft.claims[0].text.startswith("The main risks") and "aim of this research" not in shown
    # ...but it answers a question about the study's aims
    asked = read_question("What did the research aim to understand?")
    assert drafted(chunks, asked, scores).claims[0].text.startswith("The aim of this research")


def nested_list() -> list[Element]:
    return [
        Element("heading", "The case for AI", level=1),
        Element("paragraph", "Speakers set out the case for and against AI in social work:"),
        Element("list_item", "There are significant risks, without shared guardrails AI use can drift"),
        *[Element("list_item", item, level=1) for item in ("unfair outcomes", "hard to explain", "exclusion")],
        Element("list_item", "An opportunity to reduce admin burden and support learning and planning"),
        Element("list_item", "Practice improvement"),
        *[Element("list_item", item, level=1) for item in ("Person centred", "Relationship enhancing")],
    ]


def test_a_nested_list_is_shown_nested_under_its_items():
    from markdown_it import MarkdownIt

    question = read_question("What are the arguments for and against AI in social work?")
    assert question.type == "list"
    draft = drafted(chunked(nested_list()), question, {"Speakers set out": 0.9})
    items = [(c.text, c.level) for c in draft.claims if c.item]
    assert items == [
        ("There are significant risks, without shared guardrails AI use can drift", 0),
        ("unfair outcomes", 1), ("hard to explain", 1), ("exclusion", 1),
        ("An opportunity to reduce admin burden and support learning and planning", 0),
        ("Practice improvement", 0), ("Person centred", 1), ("Relationship enhancing", 1),
    ]  # fmt: skip
    text = render_markdown(draft.claims, draft.lists, "extractive", load_template("messages.v3.md"))
    html = MarkdownIt("commonmark").render(text)
    # three items in the outer list, two of them with a list of their own
    assert html.count("<ul>") == 3 and html.count("<li>") == 8
    assert "hard to explain" in html.split("<li>")[1 + 2] and "Practice improvement" not in html.split("</ul>")[0]


def test_an_item_over_sub_items_introduces_them_and_no_more():
    question = read_question("What risks are there without shared guardrails for AI use?")
    draft = drafted(chunked(nested_list()), question, {"There are significant risks": 0.9})
    assert draft.claims[0].part == "lead" and draft.claims[0].text.startswith("There are significant risks")
    # its own sub-items, not the outer list's next item
    assert [(c.text, c.level) for c in draft.claims if c.item] == [
        ("unfair outcomes", 0), ("hard to explain", 0), ("exclusion", 0),
    ]  # fmt: skip


def test_a_sub_item_shown_without_its_list_comes_after_the_item_it_is_under():
    chunks = chunked([
        Element("heading", "Assessment", level=1),
        Element("paragraph", "Educators described several approaches to assessment in the age of AI:"),
        Element("list_item", "Rethinking how learning is assessed: some universities are redesigning their "
                             "assessments to be AI-proof or to use AI meaningfully in learning."),
        Element("list_item", "creating assignments that require personal reflection that AI struggles to "
                             "replicate", level=1),
        Element("list_item", "in-person examinations and knowledge tests", level=1),
        Element("list_item", "Personalised learning pathways can support learning at the student's own pace."),
    ])  # fmt: skip
    question = read_question("How can assignments be designed so that AI cannot write them?")
    draft = drafted(chunks, question, {"creating assignments": 0.9})
    texts = [c.text for c in draft.claims]
    shown = texts.index("creating assignments that require personal reflection that AI struggles to replicate")
    assert texts[shown - 1].startswith("Rethinking how learning is assessed")


def test_a_lead_in_that_follows_a_lone_lead_comes_with_its_list():
    long_items = [
        "creating assignments that require personal reflection and specific application of learning",
        "presentations (video or in person) where students demonstrate their learning to the tutors",
    ]
    chunks = chunked([
        Element("heading", "Assessment", level=1),
        Element("list_item", "Rethinking how learning is assessed: some universities are redesigning "
                             "assessments to be AI-proof. Some examples include:"),
        *[Element("list_item", item, level=1) for item in long_items],
    ])  # fmt: skip
    question = read_question("How are universities making assessments AI-proof?")
    draft = drafted(chunks, question, {"Rethinking how": 0.9})
    texts = [c.text for c in draft.claims]
    assert texts[0].startswith("Rethinking how") and texts[1] == "Some examples include:"
    assert [c.text for c in draft.claims if c.item] == long_items  # not the lead-in alone


def test_a_sentence_that_points_back_to_what_people_reported_does_not_open_the_answer():
    # Alone, "This creates issues..." refers to nothing; with the sentence before it, the answer
    # would open with what participants feared, not with the guidance.
    chunks = chunked([
        Element("heading", "Records", level=1),
        Element("paragraph", "Participants were concerned that case systems could fill with unchecked "
                             "records. This creates issues with the reliability of case records."),
        Element("paragraph", "AI-generated records remain the responsibility of the worker who saves them."),
    ])  # fmt: skip
    question = read_question("Can I save AI notes straight onto the case record?")
    assert question.type == "permission"
    draft = drafted(chunks, question, {"This creates": 0.9, "Participants": 0.5, "AI-generated": 0.6})
    assert draft.claims[0].part == "lead" and draft.claims[0].text.startswith("AI-generated records")


def test_a_list_whose_lead_in_names_what_is_asked_for_leads_before_a_closer_list():
    chunks = chunked([
        Element("heading", "Students", level=1),
        Element("paragraph", "Students using AI tools for assignments follow these steps:"),
        *[Element("list_item", f"{step} using AI tools") for step in ("plan", "try", "check")],
        Element("paragraph", "There are some additional risks specific to students:"),
        *[Element("list_item", item) for item in ("Writing skills", "Critical thinking skills", "Equity and access")],
    ])  # fmt: skip
    question = read_question("What are the risks of students using AI tools for assignments?")
    assert question.type == "list" and question.listed == "risks"
    draft = drafted(chunks, question, {})
    assert draft.claims[0].text == "There are some additional risks specific to students:"
    assert [c.text for c in draft.claims if c.item][:3] == ["Writing skills", "Critical thinking skills", "Equity and access"]


def test_a_lead_that_leans_on_the_sentence_before_is_shown_after_it():
    chunks = chunked([
        Element("heading", "Reflective logs", level=1),
        Element("paragraph", "There can be doubts about the ownership and authenticity of reflections written with AI. "
                             "Consequently, some universities have banned GenAI from reflective logs."),
    ])  # fmt: skip
    question = read_question("Can I use ChatGPT to polish my reflective logs?")
    scores = {"There can be doubts": 0.5, "Consequently": 0.9}
    draft = drafted(chunks, question, scores)
    lead = [c.text.split()[0] for c in draft.claims if c.part == "lead"]
    assert lead == ["There", "Consequently,"]


def test_a_sentence_that_points_back_to_a_quotation_is_shown_with_it_as_reported():
    chunks = chunked([
        Element("heading", "Time", level=1),
        Element("paragraph", "Social work employers should consult partner agencies before using AI in meetings."),
        Element("paragraph", "“I chair strategy discussions daily and without this AI I would drown in admin.” (practice supervisor)"),
        Element("paragraph", "These time savings allowed some social workers more face-to-face time with families."),
    ])  # fmt: skip
    question = read_question("Can we use AI to take the minutes of strategy meetings?")
    scores = {"Social work employers": 0.70, "“I chair": 0.60, "These time savings": 0.75}
    draft = drafted(chunks, question, scores)
    shown = [(c.part, c.text.split()[0]) for c in draft.claims]
    assert shown[0] == ("lead", "Social")
    # The quotation comes with the sentence that leans on it, both under what people reported.
    assert ("reported", "“I") in shown and ("reported", "These") in shown
    assert shown.index(("reported", "“I")) + 1 == shown.index(("reported", "These"))


def test_a_models_tag_is_checked_against_what_it_quotes():
    chunk = chunked([
        Element("paragraph", "“I paste my notes into the free chatbot every night.” (social worker)"),
        Element("paragraph", "Social workers should not share people's personal information with public AI tools."),
    ])[0]  # fmt: skip
    passages = [Passage(1, chunk, 1.0, 1.0)]
    reply = json.dumps({
        "answered": True,
        "lead": {"text": "Social workers pasted notes into chatbots every night.", "role": "advice",
                 "citations": [{"n": 1, "quote": "I paste my notes into the free chatbot"}]},
        "sentences": [{"text": "Do not share personal information with public AI tools.", "role": "advice",
                       "citations": [{"n": 1, "quote": "should not share people's personal information"}]}],
    })  # fmt: skip
    draft = parse_model_output(reply, "m")
    assert draft.claims[0].part == "lead"
    shaped = arrange(draft.claims, passages, "permission")
    # The "advice" lead quotes someone's words: it is testimony, shown after the advice.
    assert [(c.part, c.role) for c in shaped] == [("lead", "advice"), ("reported", "testimony")]
    assert shaped[0].text.startswith("Do not share")


# -- on the bundled library -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["Can I paste my case notes into the free version of ChatGPT?", "Can I paste my case notes into ChatGPT?"],
)
def test_the_case_notes_question_leads_with_the_guidance_not_with_what_people_did(assistant, question):
    answer = assistant.ask(question)
    assert answer.question_type == "permission" and answer.lead is not None
    assert answer.lead.role not in REPORTED
    assert all(c.part == "reported" for c in answer.claims if c.role in REPORTED)
    assert answer.text.startswith("**In short:**") and "personal" in answer.text and "publicly available" in answer.text
    if any(c.part == "reported" for c in answer.claims):
        assert "What practitioners and research reported" in answer.text
    data = answer.to_dict()
    assert data["question_type"] == "permission" and data["lead"]["part"] == "lead"
    assert {c["part"] for c in data["claims"]} <= {"lead", "guidance", "reported"}


@pytest.mark.slow
def test_the_case_notes_answer_says_what_sharing_with_public_ai_does(assistant):
    answer = assistant.ask("Can I paste my case notes into ChatGPT?")
    assert "effectively release this information into the public domain" in answer.text


@pytest.mark.slow
def test_the_playbooks_principles_are_all_shown_though_they_run_over_two_passages(assistant):
    answer = assistant.ask("What are the principles in the UK government's AI playbook?")
    items = [c.text for c in answer.claims if c.item]
    assert [item.split(":")[0] for item in items] == [f"Principle {n}" for n in range(1, 11)]
    cited = {c.passage.chunk.id for c in answer.citations}
    assert len(cited) >= 2 and cited <= {p.chunk.id for p in answer.passages}
    # "playbook" without "the" before it names the playbook too: this was declined as off-subject.
    short = assistant.ask("List the ten playbook principles")
    assert [c.text.split(":")[0] for c in short.claims if c.item] == [f"Principle {n}" for n in range(1, 11)]


@pytest.mark.slow
def test_one_item_asked_for_by_its_number_leads_alone(assistant):
    # "What does principle 4 say?" was answered with the list of ten, and "What is standard
    # 3.11?" with 3.11 and 2.2 run together as the lead.
    principle = assistant.ask("What does principle 4 of the AI Playbook say?")
    lead = [c.text for c in principle.claims if c.part == "lead"]
    assert lead == ["Principle 4: You have meaningful human control at the right stage"]
    standard = assistant.ask("What is standard 3.11?")
    lead = [c.text for c in standard.claims if c.part == "lead"]
    assert len(lead) == 1 and lead[0].startswith("3.11 Maintain clear, accurate, legible and up to date records")


@pytest.mark.slow
def test_an_item_that_is_a_heading_is_answered_with_what_stands_under_it(assistant):
    answer = assistant.ask("What does recommendation 2 say?")
    assert not answer.abstained and not answer.loosely_matched
    assert answer.lead.text.startswith("Social Work England should consider where updates may be necessary")
    cited = {c.passage.chunk.heading_path[-1] for c in answer.citations}
    assert cited == {"Recommendation 2"}  # nothing else that only shares the question's few words
    items = [c.text for c in answer.claims if c.item]
    assert "clarify the position of the regulator on the use of AI by social workers" in items


@pytest.mark.slow
def test_which_standard_names_the_standard_and_its_number(assistant):
    answer = assistant.ask("Which professional standard is about keeping accurate records?")
    assert answer.question_type == "which-standard"
    assert answer.lead.text.startswith("3.11 Maintain clear, accurate, legible and up to date records")
    # The document runs "...my decisions. 2.2 Respect and maintain..." on one line: two standards.
    assert [c.text[:4] for c in answer.claims if c.part == "lead"] == ["3.11"]
    # "confidentiality" is the question's word, "confidential information" the standard's.
    answer = assistant.ask("Which standard covers confidentiality?")
    assert not answer.abstained and answer.lead.text.startswith("2.6 Treat information about people")


@pytest.mark.slow
def test_a_standard_that_says_what_not_to_do_is_said_to_be_one(assistant):
    """"5.6 Use technology ... unlawfully" is, in Social Work England's standards, something a
    social worker will not do; the library quotes it without those words, and an answer leading
    with it alone read as the opposite."""
    answer = assistant.ask(
        "Which professional standard is about not using technology or social media in a way that"
        " brings the profession into disrepute?"
    )
    assert answer.claims[0].text.startswith("5.6 Use technology")
    [notice] = [n for n in answer.notices if "must not do" in n]
    assert "standards 5.1 and 5.6" in notice and '"As a social worker, I will not:"' in notice
    others = assistant.ask("What does the GDS AI Playbook say about human control?")
    assert not any("must not do" in n for n in others.notices)


@pytest.mark.slow
def test_a_list_not_asked_for_is_only_as_close_as_its_closest_sentence(assistant):
    """Asked how many newly qualified social workers use AI, a list of eight training themes
    with their figures ("Those who did receive support said their education focused on...:")
    led, its items' words together outscoring the sentence that answers."""
    answer = assistant.ask(
        "For my seminar on the ASYE year - how many newly qualified social workers are already"
        " using AI in practice, and did they get any preparation for it?"
    )
    lead = " ".join(c.text for c in answer.claims if c.part == "lead")
    # Either part of the question answered first: how many use AI, or that most had no preparation
    # (the adapter of the written questions leads with the second); the first is shown either way.
    assert "60% have gone on to use AI in practice" in lead or "did not receive any specific preparation" in lead
    assert any("60% have gone on to use AI in practice" in c.text for c in answer.claims)
    assert "following themes" not in lead
    # Asked for a list, the list as a whole still answers.
    listed = assistant.ask("What themes did the AI teaching of those who got some preparation cover?")
    assert any(c.item for c in listed.claims)


@pytest.mark.slow
def test_a_questions_context_counts_less_than_what_it_asks(assistant):
    """"We're about to go out to procurement for a tool that will process people's case
    records." says where the question comes from; "how should we be involving people who use our
    services?" is what it asks. With every word counted alike it was declined: the passages the
    context's words found did not cover the question."""
    answer = assistant.ask(
        "We're about to go out to procurement for a tool that will process people's case records."
        " Practically, how should we be involving people who use our services in that process?"
    )
    assert not answer.abstained
    assert any("lived experience" in c.text or "people who provide care and support" in c.text for c in answer.claims)


@pytest.mark.slow
def test_asked_for_the_risks_the_answer_is_not_a_list_of_benefits(assistant):
    """"Potential benefits include:" was read with the sentence before it ("...more benefits ...
    than there are risks") and led "What are the risks of AI in social work?"; the slide that
    lists the risks had its bullets under its title only, with no sentence to introduce them."""
    answer = assistant.ask("What are the risks of AI in social work?")
    shown = [c.text for c in answer.claims]
    assert not any("Potential benefits include" in text for text in shown)
    lead = [c.text for c in answer.claims if c.part == "lead"]
    assert lead[0] == "Potential risks of AI in social work"
    assert "Privacy and data protection" in lead and "Accountability and responsibility" in lead


@pytest.mark.slow
def test_a_named_body_is_searched_first_and_its_excerpts_said_plainly(assistant):
    answer = assistant.ask("What should my employer put in place before I use AI, according to BASW?")
    lead_part = [c.text for c in answer.claims if c.part == "lead"]
    assert "Clear mandate to use from DASS/DCS" in lead_part and "Training before roll out" in lead_part
    assert any("BASW" in n and "only as excerpts" in n for n in answer.notices)
    assert not any("research published for" in n for n in answer.notices)  # BASW's is not in it


@pytest.mark.slow
def test_a_body_whose_research_the_library_holds_whole_is_not_said_to_be_only_excerpts(assistant):
    # "What did Social Work England's research find...": the report published for it is in the
    # library in full; only its professional standards are excerpts.
    answer = assistant.ask("What did Social Work England's research find about students using AI?")
    (notice,) = [n for n in answer.notices if "Social Work England" in n]
    assert "holds in full the research published for Social Work England" in notice
    assert "Understanding the emerging use of artificial intelligence" in notice
    assert "professional standards only as the excerpts" in notice
    # The excerpts are quoted in that same report: its long title is said once.
    assert notice.count("Understanding the emerging use of artificial intelligence") == 1


@pytest.mark.slow
def test_personal_details_do_not_change_the_answer(assistant):
    plain = assistant.ask("Can I put her assessment into ChatGPT?")
    detailed = assistant.ask(
        "Jade Thompson, born 04/07/2012, NHS number 943 476 5919, lives at 22 Mill Lane, "
        "Bradford BD4 7TR. Can I put her assessment into ChatGPT?"
    )
    assert not detailed.abstained and detailed.notices
    # A notice is one paragraph, for the terminal and the JSON as for the chat.
    assert not any("\n" in notice for notice in detailed.notices)
    assert [c.text for c in detailed.claims] == [c.text for c in plain.claims]
    assert "Jade" not in json.dumps(detailed.to_dict()) and "Thompson" not in json.dumps(detailed.to_dict())


@pytest.mark.slow
def test_details_taken_out_with_their_sentence_leave_the_question_about_ai(assistant):
    # The sentence carrying the details goes from the search ("I wrote up a visit to [name]...
    # using our AI tool."), and with it the only word saying the question is about AI: it was
    # then held to the bar for questions about something else, and declined.
    detailed = assistant.ask(
        "I wrote up a visit to Mrs Janet Holloway (DOB 02/05/1950), 8 Kings Road, Hull HU3 2PL "
        "using our AI tool. Which professional standard covers keeping my records accurate?"
    )
    plain = assistant.ask(
        "I wrote up a visit to an older woman using our AI tool. Which professional standard "
        "covers keeping my records accurate?"
    )
    assert not plain.abstained and plain.claims[0].text.startswith("3.11 ")
    assert not detailed.abstained and detailed.claims[0].text == plain.claims[0].text
    # Without AI anywhere in it, a question about something else keeps the stricter bar.
    declined = assistant.ask(
        "Ahmed Hussain's NI number is JG 10 37 52 A. Can you tell me which benefits form he should fill in?"
    )
    assert declined.abstained


@pytest.mark.slow
def test_a_practice_question_the_library_does_not_cover_is_declined_not_answered_with_ai(assistant):
    # Their words are in the library ("eligibility criteria", "carers", "care leavers"), in
    # sentences about AI: close enough by the cosine and by words, but no sentence fits as an answer.
    for question in (
        "What are the eligibility criteria for a carers assessment?",
        "What does a good care plan for a care leaver include?",
    ):
        assert assistant.ask(question).abstained
        found = assistant.search(read_question(question))  # the other bars alone would answer it
        assert found.best_similarity >= assistant.settings.min_similarity
        assert found.word_coverage >= assistant.settings.min_word_coverage_not_about_ai
    assert not assistant.ask("Which professional standard is about keeping accurate records?").abstained


@pytest.mark.slow
def test_a_declined_question_says_who_can_help(assistant):
    answer = assistant.ask("What dose of paracetamol can I give a resident with a headache?")
    assert answer.abstained and "pharmacist" in answer.text
    policy = assistant.ask("What does Kirklees Council's AI acceptable use policy say about Copilot?")
    assert policy.abstained and any("Kirklees Council" in n for n in policy.notices)
    law = assistant.ask("What does the Online Safety Act 2023 require social media platforms to do about self-harm content?")
    assert law.abstained and any("never mentions Online Safety Act 2023" in n for n in law.notices)


@pytest.mark.slow
def test_asked_for_a_figure_an_answer_without_one_says_so(assistant):
    price = assistant.ask("How much does Copilot cost for a council?")
    assert not price.abstained and any("You asked for a figure" in n for n in price.notices)
    saved = assistant.ask("How much time does AI save on case notes?")
    assert not any("You asked for a figure" in n for n in saved.notices)


@pytest.mark.slow
def test_a_question_about_neither_ai_nor_a_standard_is_not_answered_with_a_standard(assistant):
    """The library quotes the professional standards only where they bear on AI: a general
    practice question that a standard's few words happen to match is declined, as a question
    asking for the standard is not."""
    assert assistant.ask("How do I write a good supervision agenda?").abstained
    asked = assistant.ask("Is there a professional standard about using supervision?")
    assert not asked.abstained and asked.claims[0].text.startswith("4.2 Use supervision")


def test_a_lead_in_that_leans_on_the_sentence_before_is_named_by_it():
    # "...indicate a range of barriers. In order of priority, these are:" lists the barriers,
    # though its lead-in does not say so; a list of other things under a closer lead-in is not it.
    chunks = chunked([
        Element("heading", "Barriers", level=1),
        Element("paragraph", "Employers reported that AI tools brought many resources and a range of barriers."),
        Element("paragraph", "In order of priority, these are:"),
        *[Element("list_item", text) for text in ("Cost", "Gaps in expertise", "Data quality")],
        Element("paragraph", "What did employers get with AI tools? Employers got:"),
        *[Element("list_item", text) for text in ("What employers get with AI tools", "What employers did with AI tools")],
    ], target=200, largest=220)  # fmt: skip
    question = read_question("What barriers did employers report with AI tools?")
    assert question.listed == "barriers"
    draft = drafted(chunks, question, {})

    assert [c.text for c in draft.claims if c.item and c.part == "lead"] == ["Cost", "Gaps in expertise", "Data quality"]


def test_a_lead_in_where_the_asked_for_word_does_something_else_is_not_its_list():
    # "Our working groups will also be publishing ... including:" lists what the groups publish;
    # "four working groups ... :" lists the groups, though its own words are further from the question.
    chunks = chunked([
        Element("heading", "Working groups", level=1),
        Element("paragraph", "Our working groups will also be publishing a range of new resources including:"),
        *[Element("list_item", text) for text in ("A revised ethical framework", "A supplier pledge")],
        Element("paragraph", "We also have four working groups, each facilitated by a different body:"),
        *[Element("list_item", text) for text in ("Care Worker Working Group", "Care Provider Working Group",
                                                  "Tech Supplier Working Group", "Ethics Working Group")],
    ], target=200, largest=220)  # fmt: skip
    question = read_question("Which working groups did the progress update list, and who chairs each?")
    assert question.type == "list" and question.listed == "groups"
    draft = drafted(chunks, question, {"Our working groups": 0.6, "We also have": 0.5})

    assert draft.claims[0].text.startswith("We also have four working groups")
    assert [c.text for c in draft.claims if c.item and c.part == "lead"][:2] == [
        "Care Worker Working Group", "Care Provider Working Group"]
