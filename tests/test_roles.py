"""Sentence roles (assistant/core/roles.py) and question types (assistant/core/question.py): the rules on
small documents whose answer is plain, and their measure against the hand labels."""

from __future__ import annotations

import pytest

from assistant.core.question import gives_a_figure, question_type, read_question, unknown_owner, unknown_speaker, who_can_help
from assistant.core.roles import REPORTED, SentenceInContext, label


def roles_of(*lines: tuple[str, str]) -> list[tuple[str, str]]:
    return label([SentenceInContext(text, kind) for text, kind in lines])


def test_a_list_its_lead_in_and_its_items_take_the_lists_voice():
    found = roles_of(
        ("There is a role for practice supervisors to:", "paragraph"),
        ("- quality assure AI outputs", "list_item"),
        ("- support social workers to maintain ownership of their work", "list_item"),
        ("Respondents indicated that they agree with the following statements:", "paragraph"),
        ("- AI can help reduce administrative burden (83%)", "list_item"),
    )
    assert [role for role, _ in found] == ["list_lead", "list_item", "list_item", "list_lead", "list_item"]
    assert [voice for _, voice in found[:3]] == ["advice"] * 3
    assert found[4][1] == "finding"


def test_an_item_over_its_own_sub_items_leads_them_when_it_says_so():
    # "- Social work employers: organisations that employ social workers, such as:" over
    # "  - NHS Trusts": the item introduces its sub-items; an item with a colon over the next
    # item of the same list does not.
    found = label([
        SentenceInContext("- Practising social workers: registered with Social Work England", "list_item"),
        SentenceInContext("- Social work employers: organisations that employ social workers, such as:", "list_item"),
        SentenceInContext("  - local authority adult social care", "list_item", depth=1),
        SentenceInContext("  - NHS Trusts", "list_item", depth=1),
        SentenceInContext("- Educators: those who teach social work, for example:", "list_item"),
        SentenceInContext("- Students: people studying social work", "list_item"),
    ])  # fmt: skip
    assert [role for role, _ in found] == [
        "list_item", "list_lead", "list_item", "list_item", "list_item", "list_item",
    ]  # fmt: skip


def test_an_item_over_sub_items_speaks_in_its_lists_voice():
    # "Use in completing assignments:" names a use case the research found; read alone, "Use"
    # opens an instruction, and the sub-items under it would have become advice.
    found = label([
        SentenceInContext("Research found these potential use cases of AI in education:", "paragraph"),
        SentenceInContext("- Use in completing assignments and course work:", "list_item"),
        SentenceInContext("  - writing assistant", "list_item", depth=1),
        SentenceInContext("  - grading and feedback on assignments with predetermined answers", "list_item", depth=1),
        SentenceInContext("- Skills and knowledge for practice", "list_item"),
    ])  # fmt: skip
    assert [voice for _, voice in found] == ["finding"] * 5


def test_examples_under_an_item_of_a_list_of_findings_are_findings():
    # The item's scare quotes ("AI-proof") read as someone's words; the examples it introduces
    # are still what the research found, like the list they belong to.
    found = label([
        SentenceInContext("A variety of approaches were identified in the literature review:", "paragraph"),
        SentenceInContext("- Rethinking how learning is assessed: some universities are redesigning "
                          "assessments to be “AI-proof”.", "list_item"),
        SentenceInContext("Some examples include:", "list_item", first_in_block=False),
        SentenceInContext("  - presentations where students demonstrate their learning", "list_item", depth=1),
    ])  # fmt: skip
    assert found[2] == ("list_lead", "finding") and found[3] == ("list_item", "finding")


def test_an_item_that_advises_under_a_plain_lead_in_is_advice():
    # "...as set out in the standards:" / "- Social workers should be responsible for...": the
    # item says what to do although its lead-in only sets the scene; under a survey's lead-in the
    # same kind of item stays what respondents reported.
    found = roles_of(
        ("This is a social worker's responsibility, as set out in the professional standards:", "paragraph"),
        ("- Social workers should be responsible for the accuracy of their case recordings", "list_item"),
        ("- Reflect on how AI is used in recording", "list_item"),
        ("Respondents said that:", "paragraph"),
        ("- employers should provide training before roll out", "list_item"),
    )
    assert [voice for _, voice in found[:3]] == ["context", "advice", "advice"]
    assert found[4][1] in REPORTED and found[4][1] == found[3][1]


def test_one_person_reported_is_testimony_and_one_advised_is_advice():
    found = roles_of(
        ("A social work educator experienced in using GenAI emphasised that transcripts miss non-verbal cues.", "paragraph"),
        ("A social worker should check every AI summary before it goes on the record.", "paragraph"),
    )
    assert [voice for _, voice in found] == ["testimony", "advice"]


def test_a_slides_title_line_is_navigation_and_a_defined_item_is_not():
    found = roles_of(
        ("Review of our work to date: Oxford project on responsible use of AI in social care", "paragraph"),
        ("Social workers should check every AI summary before it goes on the record.", "paragraph"),
        ("The study found three factors:", "paragraph"),
        ("- Self-confidence: a user's confidence in their own ability to perform the task", "list_item"),
    )
    assert [role for role, _ in found] == ["navigation", "advice", "list_lead", "list_item"]


def test_testimony_findings_advice_and_navigation_are_told_apart():
    found = roles_of(
        ("“I paste my notes into the free chatbot every night.” (social worker)", "paragraph"),
        ("Some focus group participants shared examples where notes were pasted into ChatGPT.", "paragraph"),
        ("Of the 155 social workers that responded, 24% (37) used GenAI without direction.", "paragraph"),
        ("Social work employers should consult with partner agencies before implementing GenAI.", "paragraph"),
        ("12:40 – 13:00 | The impact of AI on social work | Andrew Reece", "table_row"),
        ("4 Department for Science, 'AI Opportunities Action Plan' (13 January 2025) accessed 4 July 2025.", "paragraph"),
        ("- 3.11 Maintain clear, accurate, legible and up to date records", "list_item"),
    )
    assert [role for role, _ in found] == [
        "testimony", "testimony", "finding", "advice", "navigation", "navigation", "standard",
    ]  # fmt: skip
    assert {found[0][1], found[2][1]} <= REPORTED


def test_a_surveys_count_of_what_people_said_is_a_finding_and_their_words_are_testimony():
    """"24% (37) said they have used GenAI..." is what the survey measured (it was testimony, and
    a question asking how many was answered with a finding further down); a quotation with a
    figure in it is still someone's words."""
    found = roles_of(
        ("Of the 155 social workers that responded to this survey question, 24% (37) said they have used"
         " GenAI without direction from their employer.", "paragraph"),
        ("40% said they have used AI with direction from their employer", "paragraph"),
        ("Practice educators said students were using AI to write their reflective logs.", "paragraph"),
        ("“About 30% of my week goes on notes,” said one social worker.", "paragraph"),
    )
    assert [voice for _, voice in found] == ["finding", "finding", "testimony", "testimony"]


def test_one_person_and_one_organisation_reported_are_what_people_reported():
    found = roles_of(
        ("One foster carer pointed out that the checks took longer than the visits themselves.", "paragraph"),
        ("Consequently, the council decided to stop using the tool for court reports.", "paragraph"),
        ("Councils should decide which tools may be used for court reports.", "paragraph"),
    )
    assert [role for role, _ in found] == ["testimony", "finding", "advice"]


def test_a_slides_bulletless_list_is_still_a_list():
    found = roles_of(
        ("There are risks specific to students and apprentices.", "paragraph"),
        ("Writing skills", "paragraph"),
        ("Critical thinking skills", "paragraph"),
        ("Academic integrity issues", "paragraph"),
    )
    assert [role for role, _ in found] == ["list_lead", "list_item", "list_item", "list_item"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Can I paste my case notes into ChatGPT?", "permission"),
        ("My manager is off. Is it ok to use Copilot for my supervision notes?", "permission"),
        ("Who is responsible for the accuracy of case records drafted with AI?", "responsibility"),
        ("What are the ten principles of the government's AI Playbook?", "list"),
        ("Which professional standard is about keeping accurate records?", "which-standard"),
        ("According to BASW, what should employers put in place?", "named-source"),
        ("How many social workers use AI without their employer's direction?", "evidence"),
        ("How should I check an AI transcript before it goes on the file?", "how-to"),
        ("What is the Tech Pledge?", "definition"),
        ("Do free AI tools keep conversations?", "general"),
        # How practitioners ask without the textbook forms (written for these rules, stop 21).
        ("I'm going to paste my notes into the free chatbot tonight, that's fine, isn't it?", "permission"),
        ("Am I alright to switch the transcription tool on in a strategy meeting?", "permission"),
        ("If the software gets the summary wrong, who carries the can?", "responsibility"),
        ("Is checking AI-written records part of my role as a supervisor?", "responsibility"),
        ("Is it only down to me to check what the note-taker writes?", "responsibility"),
        ("Would it be reasonable to ask for an AI tool as an adjustment?", "permission"),
        ("How are other councils checking AI-written case notes?", "how-to"),
        ("Is there a framework I could use to teach students about AI?", "how-to"),
        ("Is there actually any evidence that transcription saves time?", "evidence"),
        ("Which Social Work England professional standards apply to sharing records?", "which-standard"),
        ("Which of Social Work England's professional standards does that touch on?", "which-standard"),
        ("Which working groups did the progress update list?", "list"),
        ("What approaches did employers take to evaluating their pilots? List them.", "list"),
        # A request to the assistant is not a question whether someone may do something.
        ("Can you summarise recommendation 4 of the research?", "general"),
        ("Could you list the principles of the playbook?", "list"),
        ("Can you use ChatGPT for case notes?", "permission"),
        # "Responsible" before what it qualifies asks about a practice, not about someone's duty.
        ("What is the Oxford Statement's definition of responsible use of AI in social care?", "definition"),
        ("Is the council responsible for training staff in AI?", "responsibility"),
    ],
)
def test_question_types(question, kind):
    assert read_question(question).type == kind


@pytest.mark.parametrize(
    ("question", "listed"),
    [
        ("What are the principles in the UK government's AI playbook?", "principles"),
        ("Beyond data protection, what are the wider risks of adopting AI? Please list them.", "risks"),
        ("List all the values in the Oxford statement", "values"),
        ("Which working groups did the progress update list?", "groups"),
        ("What roles do practice supervisors have around AI? Give me the full list.", "roles"),
        ("Can I paste my case notes into ChatGPT?", ""),  # not a list question: nothing listed
    ],
)
def test_a_list_question_says_what_it_wants_listed(question, listed):
    assert read_question(question).listed == listed


def test_a_named_body_is_found_and_read_with_its_document():
    asked = read_question("What does BASW expect employers to put in place?")
    assert [b.id for b in asked.bodies] == ["basw"] and asked.bodies[0].document == "basw-ai-guidance"
    assert question_type("What does the playbook say about security?", names_a_body=True) == "named-source"
    assert read_question("How many social workers use AI?").asks_for_a_number


def test_research_published_for_a_body_is_one_of_the_librarys_sources():
    import tomllib

    from assistant.core.question import known_bodies
    from assistant.settings import PROJECT_ROOT

    manifest = tomllib.loads((PROJECT_ROOT / "corpus" / "sources.toml").read_text(encoding="utf-8"))
    listed = {source["id"] for source in manifest["source"]}
    swe = next(body for body in known_bodies() if body.id == "swe")
    assert swe.published_for == ("rip-swe-ai-research-2025",)
    assert all(set(body.published_for) <= listed for body in known_bodies())


def test_an_organisations_own_policy_the_library_never_names_is_not_in_it():
    library = "Social Work England's professional standards; BASW's guidance; Scottish Care"
    mentions = lambda phrase: phrase.lower() in library.lower()  # noqa: E731
    assert unknown_owner("What does Kirklees Council's AI acceptable use policy say?", mentions) == "Kirklees Council"
    assert unknown_owner("What does Social Work England's guidance say about AI?", mentions) == ""
    scottish = "What does the Scottish Social Services Council's guidance say about AI?"
    assert unknown_owner(scottish, mentions) == "Scottish Social Services Council"


def test_a_body_or_law_the_library_never_names_cannot_be_spoken_for():
    library = {"social", "work", "england", "basw", "oxford", "statement", "ai", "playbook", "GDS", "ChatGPT"}
    has = lambda word: word in library or word.lower() in library  # noqa: E731
    unknown = lambda text: unknown_speaker(read_question(text), has)  # noqa: E731
    assert unknown("What does the Online Safety Act 2023 require platforms to do?") == "Online Safety Act 2023"
    assert unknown("Which AI tools has NICE approved for reading X-rays?") == "NICE"
    assert unknown("How does CQC look at AI care planning during an inspection?") == "CQC"
    assert unknown("According to the SSSC, can social workers use AI?") == "SSSC"
    assert unknown("What are the Caldicott principles?") == "Caldicott"
    assert unknown("Under the EU AI Act, is a benefits algorithm high-risk?") == "EU AI Act"
    # Names the library uses, and questions that name no speaker, are left to the search.
    assert unknown("What does the GDS AI Playbook say about human oversight?") == ""
    assert unknown("According to BASW, should I tell families I used AI?") == ""
    assert unknown("What did Social Work England's research find?") == ""
    assert unknown("Can I use Otter to transcribe a home visit?") == ""
    # Asked what to do, a law named is the setting, not the question: the guidance may still answer.
    assert unknown("Under the Care Act, can I use AI to draft an assessment?") == ""


def test_a_figure_is_a_number_a_share_or_an_amount():
    for text in ("Only 37% had training.", "203 people responded.", "It costs £40 a month.",
                 "Six of the ten principles apply.", "It saved two hours a week.", "About half said so.",
                 "It saves 2 hours per visit."):  # fmt: skip
        assert gives_a_figure(text), text
    for text in ("5.6 Use technology unlawfully", "Magic Notes is a transcription tool.", "Principle 4 says so."):
        assert not gives_a_figure(text), text


def test_who_can_help_comes_from_the_referrals_file():
    assert "pharmacist" in who_can_help("What dose of paracetamol can I give a resident?")[0]
    assert any("housing" in who for who in who_can_help("Can the landlord evict my client?"))
    assert who_can_help("Can I paste case notes into ChatGPT?") == []


@pytest.mark.slow
def test_a_publishers_imprint_and_a_reference_lists_authors_are_navigation():
    found = roles_of(
        ("Registered in England and Wales No. 952717.", "paragraph"),
        ("Part of the National Children's Bureau - Registered charity No. 258825.", "paragraph"),
        ("A Company Limited by Guarantee.", "paragraph"),
        ("- Kissinger, H.A., Schmidt, E., Mundie, C. and Ferguson, N., 'Genesis' (Little, Brown, 2024)", "list_item"),
        ("Kissinger and others, 'Genesis: Artificial Intelligence, Hope, and the Human Spirit' (2024).", "paragraph"),
        ("Registered social workers must keep their records accurate and up to date.", "paragraph"),
        ("Social workers should be responsible, accountable and open about their use of AI.", "paragraph"),
    )
    assert [role for role, _ in found][:5] == ["navigation"] * 5
    assert "navigation" not in [role for role, _ in found][5:]


def test_thanks_dates_and_links_to_recordings_are_navigation():
    found = roles_of(
        ("Our thanks go to each of the project teams for their time in contributing to this work.", "paragraph"),
        ("The recording for this webinar can be found here.", "paragraph"),
        ("23rd April 2026", "paragraph"),
        ("- Wed 20 May 2026, Birmingham (free to attend)", "list_item"),
        ("Social workers should thank families for agreeing to be recorded.", "paragraph"),
        ("By 23rd April 2026 every team should have checked its tools.", "paragraph"),
    )
    assert [role for role, _ in found][:4] == ["navigation"] * 4
    assert "navigation" not in [role for role, _ in found][4:]


def test_the_roles_against_every_hand_labelled_sentence_of_the_library(assistant):
    from evals.roles.measure import indexed_roles, load_labels, measure, render

    result = measure(load_labels(), indexed_roles(assistant.retriever.chunks))
    print(render(result))
    assert result["unmatched"] <= 10  # the labels are of this library, split as it is split
    held_out = result["sets"]["heldout"]
    # Measured on the held-out half (never tuned or trained on): see evals/README.md. The rules
    # alone found 69% of what people reported; read again by the model (role_model.py), 82%.
    assert held_out["reported_precision"] >= 0.78 and held_out["reported_recall"] >= 0.78
    assert held_out["accuracy"] >= 0.76  # rules alone 0.74
    assert held_out["roles"]["standard"]["recall"] == 1.0
    assert held_out["roles"]["list_item"]["recall"] >= 0.9
