"""The personal-data guard: the measured targets on the labelled synthetic set, and the cases a
social worker would type."""

from __future__ import annotations

import pytest

from assistant.core.guard import nhs_number_is_valid, redact, without_details
from assistant.core.lexical import BM25
from evals.pii.measure import (
    MAX_CLEAN_ALTERED,
    TARGETS,
    VARIANT_TARGET,
    load_cases,
    load_clean,
    measure,
)


@pytest.fixture(scope="module")
def measured():
    return measure(load_cases(), load_clean())


def test_recall_and_clean_questions_meet_the_targets(measured):
    result = measured
    assert sum(result["counts"].values()) >= 1000
    for kind, recall in result["recall"].items():
        assert recall >= TARGETS.get(kind, 0.95), (kind, recall)
    assert result["clean_altered"] <= MAX_CLEAN_ALTERED, result["clean_altered_examples"]


def test_identifiers_pasted_from_word_and_outlook_meet_the_target(measured):
    result = measured
    assert sum(result["variant_counts"].values()) >= 250
    assert set(result["paste_recall"]) == {"nbsp", "unicode space", "zero-width", "fullwidth"}
    assert result["variant_overall"] >= VARIANT_TARGET, result["variant_recall"]
    assert result["variant_lost"] == [], "found in the plain case, missed once pasted"
    assert result["pasted_clean_altered"] <= MAX_CLEAN_ALTERED, result["pasted_clean_altered_examples"]


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("can i paste jamal's notes into copilot", {"NAME"}),
        ("My service user kwabena mensah wants a copy", {"NAME"}),
        ("the child, Amira, lives at 14 Acacia Avenue, LS6 2QT", {"NAME", "ADDRESS", "POSTCODE"}),
        ("Mrs Okafor rang from +44 7700 900123", {"NAME", "PHONE"}),
        ("NI QQ 12 34 56 C, NHS 943 476 5919, born 3rd March 2015", {"NI_NUMBER", "NHS_NUMBER", "DATE_OF_BIRTH"}),
        ("email j.smith@council.gov.uk about case ref 448812", {"EMAIL", "ID_NUMBER"}),
        ("her student no. 2318845 and his staff ID 99231", {"ID_NUMBER"}),
        ("Jade Thompson, born 04/07/2012, wants a copy", {"NAME", "DATE_OF_BIRTH"}),
        # A month's name is still a person's after a verb or a role; two names listed stay names.
        ("I visited April Jones on Tuesday", {"NAME"}),
        ("My client April wants a copy of the notes", {"NAME"}),
        ("I visited Tom and April yesterday", {"NAME"}),
        ("I left the form in April's room", {"NAME"}),
        ("Can I record Ellie and Mason at the review?", {"NAME"}),
        # A double-barrelled given name whose parts are also in the word list (a fresh practice
        # set's question leaked "Ellie-Mae Robson").
        ("I'm the allocated worker for Ellie-Mae Robson, in foster care", {"NAME"}),
    ],
)
def test_what_a_social_worker_might_type(question, kinds):
    redaction = redact(question)
    assert {item.type for item in redaction.found} == kinds
    for item in redaction.found:
        assert question[item.start : item.end] not in redaction.text


@pytest.mark.parametrize(
    "question",
    [
        "Can I use Claude or ChatGPT to draft a letter?",
        "What does the Ada Lovelace Institute say about transcription?",
        "What are BASW's recommendations for employers about AI?",
        "Is standard 3.11 about records?",
        "Will AI replace social workers by 2030?",
        "The notes Copilot gives me miss bits out. Is there a knack?",
        # A name that is an everyday word, in lower case after "parent" or "client", is the word.
        "How do I get consent before using AI to transcribe, where a parent may lack capacity?",
        "Can my service user mark the AI notes as wrong?",
        # A month after "by" or before a year, and a language listed with another (a fresh
        # practice set found "April" and "Mirpuri" taken for names, and the answers changed).
        "Our DCS wants the note-taker live in every team by April. Is that reasonable?",
        "We went live in May 2025 without a policy. Is that a problem?",
        "Visits often switch into Punjabi or Mirpuri. Can I rely on the transcription app?",
        # A verb after "colleague" or "client" is not a name because the word list lacks its
        # form: the dev set's "a colleague reckons you can..." lost "reckons" to a [name].
        "A colleague reckons you can get the AI to draft the analysis. Am I OK to do that?",
        "My client wants the AI notes deleted. Can I do that?",
    ],
)
def test_guidance_questions_are_left_alone(question):
    assert redact(question).found == ()


def test_a_name_typed_in_lower_case_is_still_found():
    found = redact("The referral form has my client grace williams on it. Can I upload it to an AI app?")
    assert found.text == "The referral form has my client [name] on it. Can I upload it to an AI app?"


def test_a_lower_case_name_after_a_cue_is_found_whatever_follows():
    found = redact("my client kayden said no to the transcription app, can I still use it?")
    assert found.text.startswith("my client [name] said no")


def test_nhs_check_digit():
    assert nhs_number_is_valid("943 476 5919")
    assert not nhs_number_is_valid("943 476 5918")


def test_a_word_the_library_uses_is_not_taken_for_a_name():
    library = BM25(["Fallsight is an AI tool that predicts falls. Staff may use Copilot."]).uses
    question = "Who has to approve Fallsight before Amara's team uses it?"
    assert redact(question).text == "Who has to approve [name] before [name]'s team uses it?"
    assert redact(question, library).text == "Who has to approve Fallsight before [name]'s team uses it?"
    # Titles, cues and known given names still win over the library's words.
    assert redact("Mrs Fallsight asked about Copilot", library).text == "[name] asked about Copilot"


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        (
            "My client Sarah Jenkins, NHS number 943 476 5919, lives at 14 Elm Road, Leeds LS6 2AB. "
            "Can I paste her assessment into ChatGPT?",
            "Can I paste her assessment into ChatGPT?",
        ),
        (
            "The AI draft for Lily-Mae Robinson (born 04/09/2024, NHS 186 091 3903) has details I "
            "never recorded. Can AI make things up in case recordings?",
            "Can AI make things up in case recordings?",
        ),
        (  # the question leans on its context ("it"): what is left of the context stays
            "The AI transcript of my visit to Mr Kwabena Mensah (DOB 19/11/1948) has come back. "
            "What should I check before it goes on the file?",
            "The AI transcript of my visit to them has come back. What should I check before it goes on the file?",
        ),
        ("Can I paste Jamal's notes (NHS number 943 476 5919) into ChatGPT?", "Can I paste their notes into ChatGPT?"),
        # A person named inside the question reads as anyone ("their", "them"); a verb before the
        # name ("email") is a word of the question, not a cue for the detail.
        ("Can I put Mrs Jane Okafor's assessment, NHS number 943 476 5919, into Copilot?",
         "Can I put their assessment, into Copilot?"),
        ("Can I email Dr Patel the AI summary of the meeting?", "Can I email them the AI summary of the meeting?"),
        ("Can I paste my case notes into ChatGPT?", "Can I paste my case notes into ChatGPT?"),
        # An age beside the name goes with it; nothing is left of a list of details but its end.
        ("Mr John Smith (aged 79) wants an AI companion at home. Should I recommend one?",
         "The person wants an AI companion at home. Should I recommend one?"),
        ("Mrs Margaret Hale, 88, keeps leaving the house at night. Is a GPS tracker OK in her plan?",
         "The person keeps leaving the house at night. Is a GPS tracker OK in her plan?"),
        ("Voice note from my visit to Kayden Marsh, born 17/05/2013, NHS number 401 023 4563. "
         "Can I run it through the free version of Gemini?",
         "Voice note from my visit to them. Can I run it through the free version of Gemini?"),
        # Details in brackets go with their brackets; the town goes with the street.
        ("Can I record my visit to Mr Tom Reilly (DOB 02/03/1950, 9 Ash Grove, Preston) on my phone "
         "for the AI app?", "Can I record my visit to them on my phone for the AI app?"),
    ],
)
def test_a_question_with_details_is_searched_as_it_reads_without_them(question, searched):
    assert without_details(redact(question).text) == searched


@pytest.mark.parametrize(
    ("question", "redacted"),
    [
        ("She lives at 9 Ash Grove, Preston, with her son.", "She lives at [address], with her son."),
        ("Visit to 27 Larch Close, Wigan) went well.", "Visit to [address]) went well."),
        ("Her address is 5 Orchard Close, Norwich NR3 1PQ.", "Her address is [address] [postcode]."),
        ("He lives at 3 Church Walk and likes it there.", "He lives at [address] and likes it there."),
        # The sentence runs on after the town (a fresh practice set's question leaked "Rotherham").
        ("My visit to Flat 3, 22 Kenworthy Road, Rotherham last week", "My visit to [address] last week"),
    ],
)
def test_the_town_after_a_street_is_part_of_the_address(question, redacted):
    # Left behind, "[address], Preston" still says where the person lives.
    assert redact(question).text == redacted


def _library_words():
    from evals.pii.measure import library_uses

    return library_uses()


@pytest.mark.parametrize(
    "question, redacted",
    [
        # "Tariq" is in the frequent-word list and in no name list; "Hussain" is a family name.
        ("Is it ok to record my home visit with Tariq Hussain on the work phone?",
         "Is it ok to record my home visit with [name] on the work phone?"),
        # "Mohamud" is a name the lists hold; the given name before it goes with it.
        ("Can I put Tariq Mohamud's assessment into ChatGPT?", "Can I put [name]'s assessment into ChatGPT?"),
        # A question that opens with a name no list knows.
        ("Priyanka asked if the AI notes of her review were accurate. Can I check them with Copilot?",
         "[name] asked if the AI notes of her review were accurate. Can I check them with Copilot?"),
    ],
)  # fmt: skip
def test_names_the_lists_do_not_know_are_found_by_where_they_stand(question, redacted):
    assert redact(question, _library_words()).text == redacted


@pytest.mark.parametrize(
    "question",
    [
        "Does Leeds Town Hall allow staff to use AI?",
        "Can staff at Bradford Royal Infirmary use AI notes?",
        "Do Adult Social Care teams use AI for case notes?",
        "Wht does BASW say about AI?",
        "Deepfakes are they covered by the guidance?",
        "Transcribing is it allowed on a visit?",
        # A role's acronym in the plural is no name, after "for" or "with" either.
        "I'm running a CPD session for ASYEs on AI-drafted case records: which standards apply?",
        "Should NQSWs be allowed to use Copilot in their first year?",
        "Can our team meeting with the CSWs be transcribed by AI?",
        # A service's acronym after "adult" or "child" is no initials.
        "I manage an adult LD team: can we approve a transcription tool?",
        "Can the child CP plan be drafted with Copilot?",
    ],
)
def test_places_services_and_typos_are_not_taken_for_names(question):
    assert redact(question, _library_words()).text == question
