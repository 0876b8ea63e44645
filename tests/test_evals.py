"""The evaluation harness: its cases, its metrics, its judges, its baseline, and the real run CI
relies on (`python -m evals --set fast` on the bundled library: floors met, report written)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.core.citations import normalise, quote_in
from assistant.settings import PROJECT_ROOT
from evals.cases import Case, CaseProblem, Gold, load_cases
from evals.judges import DeterministicJudge, cohen_kappa
from evals.metrics import alce, leaked_values, prompt_leak, reader, score_case, summarise, validity
from evals.pipelines import Cited, Record, Retrieved, Said

PASSAGE_A = "Social workers should check every AI draft. They remain accountable for the record."
PASSAGE_B = "Free AI tools may keep conversations indefinitely."


def record(claims: list[Said], citable: dict[int, str], **changes) -> Record:
    """A pipeline's record: the sentences the reader sees, as data, and the passages they cite."""
    answer = " ".join(f"{c.text} {''.join(f'[{n}]' for n in c.citations)}" for c in claims)
    values = dict(
        case_id="c",
        pipeline="test",
        answer=answer,
        citable={n: Cited(n, "src", text) for n, text in citable.items()},
        retrieved=[Retrieved("src", text) for text in citable.values()],
        abstained=False,
        seconds=0.01,
        output=answer,
        claims=claims,
    )
    values.update(changes)
    return Record(**values)


def said(text: str, *citations: int, **parts) -> Said:
    return Said(text, citations, **parts)


class VerbatimJudge:
    """Supported only when the evidence holds the statement word for word: makes ALCE's
    bookkeeping checkable by eye (the real judges are tested on hand labels below)."""

    name = "verbatim"

    def supports(self, statement, evidence):
        return any(quote_in(statement, e) for e in evidence)


# -- cases ---------------------------------------------------------------------------------------


def test_the_case_sets_meet_the_issue_minimums():
    cases = load_cases()
    answerable = [c for c in cases if c.expect == "answer" and c.set in ("dev", "heldout")]
    out_of_scope = [c for c in cases if c.set.startswith("out_of_scope")]
    assert len(answerable) >= 80
    assert len(out_of_scope) >= 15
    assert sum(c.set == "personal_data" and bool(c.values) for c in cases) >= 10
    assert sum(c.set == "followups" and len(c.turns) == 2 for c in cases) >= 10
    assert sum(c.set == "adversarial" for c in cases) >= 10
    assert any(c.heldout for c in cases) and any(not c.heldout for c in cases)


def test_every_answerable_case_says_what_the_reader_must_see():
    cases = load_cases()
    practice = [c for c in cases if c.set in ("practice", "practice_heldout")]
    held_out = [c for c in practice if c.heldout]
    # At least 40 practice questions of every kind, at least half of them held out.
    assert len(practice) >= 40 and len(held_out) >= 20
    kinds = {c.type for c in practice}
    assert {"permission", "responsibility", "list", "which-standard", "named-source", "evidence",
            "how-to"} <= kinds  # fmt: skip
    assert sum(bool(c.values) for c in practice) >= 4 and all(
        c.without_details for c in practice if c.values and c.expect == "answer"
    )
    answerable = [c for c in cases if c.expect == "answer"]
    assert all(c.key_points for c in answerable)
    assert all(c.list_items for c in answerable if c.type == "list")


def test_every_gold_span_key_point_and_list_item_is_verbatim_in_the_index(assistant):
    chunks = assistant.retriever.chunks
    missing = [
        (case.id, span.span)
        for case in load_cases()
        for span in (*case.gold, *case.key_points, *case.list_items)
        if not any(
            c.source_id == span.source and normalise(span.span) in normalise(c.text) for c in chunks
        )
    ]
    assert missing == []


def test_a_malformed_case_is_reported_with_its_id(tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "- id: no-gold\n  question: Is this answerable?\n  expect: answer\n"
    )
    with pytest.raises(CaseProblem, match="no-gold.*needs gold spans"):
        load_cases(["broken"], cases_dir=tmp_path)
    with pytest.raises(CaseProblem, match="No case set 'nope'"):
        load_cases(["nope"], cases_dir=tmp_path)


# -- metrics -------------------------------------------------------------------------------------


def test_the_baselines_free_text_is_read_into_sentences_at_its_edge():
    from evals.baseline import statements

    extractive = "What the guidance says, in its own words:\n\n**Title**\n- “First. Second.” [1]\n- “Third” [2]"
    assert statements(extractive) == [
        Said("First. Second.", (1,), True),
        Said("Third", (2,), True),
    ]
    written = "You must check drafts. [1] You stay accountable. [1, 2] Ask your manager."
    assert [(s.text, s.citations) for s in statements(written)] == [
        ("You must check drafts.", (1,)),
        ("You stay accountable.", (1, 2)),
        ("Ask your manager.", ()),
    ]


def test_validity_counts_markers_that_point_nowhere_and_quotes_not_in_the_passage():
    good = record([said("Social workers should check every AI draft.", 1, quoted=True)], {1: PASSAGE_A})
    assert validity(good) == {"markers": 1, "valid_markers": 1, "quotes": 1, "verbatim_quotes": 1}
    bad = record(
        [said("Social workers may skip checks on AI drafts.", 1, quoted=True),
         said("Keep them forever.", 3)],
        {1: PASSAGE_A},
    )  # fmt: skip
    assert validity(bad) == {"markers": 2, "valid_markers": 1, "quotes": 1, "verbatim_quotes": 0}
    quote = record([said("Check drafts.", 1)], {1: PASSAGE_A})
    quote.citable[1] = Cited(1, "src", PASSAGE_A, quote="workers should never check")
    assert validity(quote)["verbatim_quotes"] == 0


def test_alce_recall_and_precision_follow_the_papers_rules():
    judge = VerbatimJudge()
    # Supported by [1]; [2] adds nothing: recall 1/1, precision 1/2.
    redundant = record(
        [said("Social workers should check every AI draft.", 1, 2)], {1: PASSAGE_A, 2: PASSAGE_B}
    )
    assert alce(redundant, judge) == {"statements": 1, "supported": 1, "citations": 2, "precise": 1}
    # Unsupported and uncited statements score nothing.
    wrong = record(
        [said("Free AI tools are safe.", 2), said("They remain accountable for the record.")],
        {2: PASSAGE_B},
    )
    assert alce(wrong, judge) == {"statements": 2, "supported": 0, "citations": 1, "precise": 0}


def test_a_leak_is_found_whatever_the_spacing_of_a_number():
    case = next(c for c in load_cases(["personal_data"]) if "943 476 5919" in c.values)
    clean = record([said("Nothing personal here.", 1)], {1: PASSAGE_A})
    assert leaked_values(case, clean) == []
    leaky = record(
        [said("ok", 1)], {1: PASSAGE_A}, output='{"question": "about nhs 9434765919 and sarah jenkins"}'
    )
    assert set(leaked_values(case, leaky)) == {"943 476 5919", "Sarah Jenkins"}
    assert score_case(case, leaky, VerbatimJudge(), "")["passed"] is False


# -- what the reader sees ------------------------------------------------------------------------

ADVICE = "Social workers should check every AI draft."
TESTIMONY = "“I paste my notes into the free chatbot.” (social worker)"
FINDING = "Of the social workers surveyed, 24% used AI without direction."
PASSAGE_C = f"{FINDING} {TESTIMONY} {ADVICE} They remain accountable for the record."
# The voices people gave these sentences (evals/roles/labels.jsonl plays this part in a run).
VOICES = {
    ("src", normalise(ADVICE)): ("advice", "advice"),
    ("src", normalise(TESTIMONY)): ("testimony", "testimony"),
    ("src", normalise(FINDING)): ("finding", "finding"),
}


def case_of(kind: str = "permission", **fields) -> Case:
    values = dict(
        id="c", set="dev", turns=("Can I paste my notes into a chatbot?",), expect="answer",
        gold=(Gold("src", "check every AI draft"),), key_points=(Gold("src", ADVICE),), type=kind,
    )  # fmt: skip
    values.update(fields)
    return Case(**values)


def test_key_point_quoted_counts_the_answers_own_sentences_not_the_passages_cited():
    judge = VerbatimJudge()
    cited_not_quoted = record([said(FINDING, 1, quoted=True)], {1: PASSAGE_C})
    row = reader(case_of(), cited_not_quoted, VOICES, judge)
    assert row["key_point_quoted"] is False and row["lead_correct"] is False
    quoted = record([said(FINDING, 1, quoted=True), said(ADVICE, 1, quoted=True)], {1: PASSAGE_C})
    row = reader(case_of(), quoted, VOICES, judge)
    assert row["key_point_quoted"] is True
    assert row["lead_correct"] is False  # quoted, but a finding comes first


def test_lead_correct_when_the_first_part_is_the_key_point_or_the_guidances_advice():
    judge = VerbatimJudge()
    leads = record([said(ADVICE, 1, quoted=True, part="lead")], {1: PASSAGE_C})
    assert reader(case_of(), leads, VOICES, judge)["lead_correct"] is True
    # Not the key point, but the guidance's advice from the passage holding the answer.
    other = case_of(key_points=(Gold("src", "They remain accountable for the record."),))
    assert reader(other, leads, VOICES, judge)["lead_correct"] is True
    assert reader(other, record([], {}, abstained=True), VOICES, judge)["lead_correct"] is False


def test_a_finding_or_testimony_before_the_advice_is_a_voice_violation_unless_labelled():
    judge = VerbatimJudge()
    first_reported = record(
        [said(TESTIMONY, 1, quoted=True), said(ADVICE, 1, quoted=True)], {1: PASSAGE_C}
    )
    assert reader(case_of(), first_reported, VOICES, judge)["voice_violation"] is True
    labelled = record(
        [said(ADVICE, 1, quoted=True, part="lead"),
         said(TESTIMONY, 1, quoted=True, part="reported")],
        {1: PASSAGE_C},
    )  # fmt: skip
    assert reader(case_of(), labelled, VOICES, judge)["voice_violation"] is False
    no_advice_but_labelled = record([said(FINDING, 1, quoted=True, part="reported")], {1: PASSAGE_C})
    assert reader(case_of(), no_advice_but_labelled, VOICES, judge)["voice_violation"] is False
    # Only permission and how-to questions are held to it.
    assert "voice_violation" not in reader(case_of("evidence"), first_reported, VOICES, judge)


def test_the_voice_floor_is_a_rate_and_holds_on_a_larger_run():
    """The full run's 9 violations in 60 voice questions failed a count floor set on the fast
    set's 46; as a share (the count still reported) it is held to the same standard on both."""
    from evals.report import flat
    from evals.run import FLOORS, check_floors

    judge = VerbatimJudge()
    violating = record([said(TESTIMONY, 1, quoted=True), said(ADVICE, 1, quoted=True)], {1: PASSAGE_C})
    clean = record([said(ADVICE, 1, quoted=True, part="lead")], {1: PASSAGE_C})
    rows = [score_case(case_of(), violating, judge, "", VOICES)] * 5
    rows += [score_case(case_of(), clean, judge, "", VOICES)] * 55
    summary = summarise(rows)
    assert (summary["voice_violations"], summary["voice_questions"]) == (5, 60)
    assert flat(summary)["voice_violation_rate"] == pytest.approx(5 / 60)
    voice = [f for f in check_floors(summary, FLOORS) if f["figure"].startswith("voice")]
    assert [(f["figure"], f["ok"]) for f in voice] == [("voice_violation_rate", True)]
    worse = summarise(rows[:5] * 2 + rows[5:])  # 10 of 65
    assert not next(f for f in check_floors(worse, FLOORS) if f["figure"] == "voice_violation_rate")["ok"]


def test_a_list_is_complete_when_every_item_is_shown_or_the_answer_says_how_many_are_not():
    judge = VerbatimJudge()
    items = tuple(Gold("src", f"Principle {n}: item {n}") for n in range(1, 5))
    passage = " ".join(f"- Principle {n}: item {n}" for n in range(1, 5))
    question = case_of("list", list_items=items, key_points=(items[0],))
    two = [said(f"Principle {n}: item {n}", 1, quoted=True, item=True) for n in (1, 2)]
    assert reader(question, record(two, {1: passage}), {}, judge)["list_complete"] is False
    assert reader(question, record(two, {1: passage}, untold=[(1, 2)]), {}, judge)["list_complete"] is True
    # A note under another list says nothing of this one.
    other = two + [said("Other lists begin:", 1, quoted=True), said("- a first", 1, quoted=True, item=True)]
    assert reader(question, record(other, {1: passage}, untold=[(3, 2)]), {}, judge)["list_complete"] is False
    # Another document's list of the same labels shows the items.
    labelled = tuple(Gold("src", f"Skill {n}: what it is") for n in range(1, 3))
    labels = [said(f"Skill {n}", 1, quoted=True, item=True) for n in (1, 2)]
    listed = case_of("list", list_items=labelled, key_points=(labelled[0],))
    assert reader(listed, record(labels, {1: "x"}), {}, judge)["list_complete"] is True


def test_personal_details_must_not_change_the_answer():
    judge = VerbatimJudge()
    answer = [said(ADVICE, 1, quoted=True, part="lead")]
    question = case_of(values=("Sarah Jenkins",), without_details="Can I paste notes into a chatbot?")
    same = record(answer, {1: PASSAGE_C}, twin=list(answer))
    assert reader(question, same, VOICES, judge)["same_without_details"] is True
    other = record(answer, {1: PASSAGE_C}, twin=[said(FINDING, 1, quoted=True, part="lead")])
    assert reader(question, other, VOICES, judge)["same_without_details"] is False
    declined = score_case(question, record([], {}, abstained=True), judge, "", VOICES)
    assert summarise([declined])["details_false_abstention"] == 1.0


def test_a_follow_ups_subject_must_be_what_the_answer_is_about():
    judge = VerbatimJudge()
    copilot = "Copilot drafts are read and corrected before they are saved."
    follow_up = case_of(turns=("Who is accountable for AI?", "What about Copilot?"),
                        subject="Copilot", key_points=(Gold("src", copilot),))  # fmt: skip
    about_it = record([said(copilot, 1, quoted=True, part="lead")], {1: copilot})
    again = record([said(ADVICE, 1, quoted=True, part="lead")], {1: PASSAGE_C})
    assert score_case(follow_up, about_it, judge, "", VOICES)["subject_answered"] is True
    earlier_topic = score_case(follow_up, again, judge, "", VOICES)
    assert earlier_topic["subject_answered"] is False and earlier_topic["passed"] is False
    # A subject the library never speaks of: declined, and named in what the answer says.
    never = case_of(turns=("Who is accountable for AI?", "What about Snapchat?"),
                    subject="Snapchat", expect="abstain", gold=(), key_points=())  # fmt: skip
    says_so = record([], {}, abstained=True, answer="The guidance does not mention Snapchat.")
    generic = record([], {}, abstained=True, answer="The guidance does not cover this question.")
    rows = [score_case(never, says_so, judge, ""), score_case(never, generic, judge, "")]
    assert [row["subject_answered"] for row in rows] == [True, False]
    assert summarise(rows)["followup_subject"] == 0.5 and summarise(rows)["followup_questions"] == 2


def test_prompt_leak_needs_eight_words_of_the_instructions_in_a_row():
    instructions = "You answer ONLY from the numbered guidance passages you are given. Never guess."
    assert prompt_leak(
        instructions, "Sure: you answer only from the numbered guidance passages you are given."
    )
    assert not prompt_leak(instructions, "The guidance passages say you are given a choice.")


def test_cohen_kappa():
    assert cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert cohen_kappa([True, True, False, False], [True, False, True, False]) == 0.0


@pytest.mark.slow
def test_the_deterministic_judge_agrees_with_the_hand_labels(assistant, library_settings):
    from evals.judges import agreement
    from evals.support.measure import load_items, locate

    items = load_items()
    chunks = locate(items, assistant.retriever.chunks)
    labelled = [(i["claim"], c.text, bool(i["supported"])) for i, c in zip(items, chunks)]
    measured = agreement([DeterministicJudge(assistant.embedder, library_settings)], labelled)
    figures = measured["judges"]["deterministic"]
    print(
        f"deterministic judge on {len(items)} hand labels: accuracy {figures['accuracy']:.3f}, "
        f"kappa {figures['kappa']:.2f}, rejects unsupported {figures['rejects_unsupported']:.3f}"
    )
    assert len(items) >= 50
    assert figures["kappa"] >= 0.45  # measured 0.55
    assert figures["rejects_unsupported"] >= 0.85  # measured 0.91


# -- the baseline --------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_baseline_is_the_plain_tutorial_pipeline(library_settings, real_embedder):
    from evals.baseline import CHUNK_SIZE, K, TutorialBaseline

    baseline = TutorialBaseline(library_settings, real_embedder, llm=None)
    case = next(c for c in load_cases(["personal_data"]) if c.id == "pd-paste-assessment")
    result = baseline.run(case)
    assert len(result.citable) == K
    assert all(len(c.text) <= CHUNK_SIZE for c in result.citable.values())
    assert validity(result)["markers"] == K  # it quotes one sentence from each chunk it was given
    assert not result.abstained  # it has no way to decline
    assert leaked_values(case, result)  # no guard: the question comes back as asked


# -- the real run --------------------------------------------------------------------------------


def run_evals(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evals", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=900,
    )


@pytest.mark.slow
def test_the_fast_set_meets_the_floors_and_writes_the_report(library_settings, tmp_path):
    """What CI relies on: the extractive assistant over the fast set, beside the baseline."""
    out = tmp_path / "report"
    done = run_evals(
        "--set",
        "fast",
        "--db",
        str(library_settings.data_dir),
        "--out",
        str(out),
        "--backend",
        "extractive",
    )
    print(done.stdout)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ours = report["pipelines"]["assistant"]["summary"]
    assert ours["citation_validity"] == 1.0 and ours["leaks"] == 0 and ours["errors"] == 0
    # What the reader sees is measured and held to its floors, the baseline beside it.
    floors = {f["figure"] for f in report["floors"]}
    assert {"key_point_quoted", "lead_correct", "list_complete", "voice_violation_rate",
            "details_false_abstention"} <= floors  # fmt: skip
    assert all(f["ok"] for f in report["floors"])
    theirs = report["pipelines"]["baseline"]["summary"]
    assert ours["key_point_quoted"] > theirs["key_point_quoted"]
    assert ours["voice_violations"] < theirs["voice_violations"]
    assert set(report["pipelines"]["assistant"]["by_type"]) >= {"permission", "list", "which-standard"}
    assert report["roles"]["sets"]["heldout"]["accuracy"] > 0.6
    assert set(report["pipelines"]) == {"assistant", "baseline"}
    assert report["comparison"]["recall@5"]["baseline"] is not None
    assert {"recall_at_k.png", "latency.png", "categories.png"} <= {p.name for p in out.iterdir()}
    # The report names cases by id: none of the planted personal data is written into it.
    written = (out / "report.md").read_text(encoding="utf-8") + (out / "report.json").read_text(
        encoding="utf-8"
    )
    planted = [v for c in load_cases(["personal_data", "adversarial"]) for v in c.values]
    assert planted and [v for v in planted if v in written] == []


@pytest.mark.slow
def test_a_figure_below_its_floor_fails_the_run(library_settings, tmp_path):
    floors = tmp_path / "floors.toml"
    floors.write_text('[min]\n"recall@5" = 1.01\n')
    done = run_evals(
        "--set",
        "personal_data",  # a whole set: floors hold for whole sets only
        "--no-baseline",
        "--no-agreement",
        "--db",
        str(library_settings.data_dir),
        "--out",
        str(tmp_path / "r"),
        "--floors",
        str(floors),
    )
    assert done.returncode == 1
    assert "BELOW FLOOR: recall@5" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_sample_run_is_not_held_to_the_floors(library_settings, tmp_path):
    """`--limit` takes a few cases of each set: the floors, set on whole sets, say nothing about
    them, so the run says so in one line and succeeds."""
    floors = tmp_path / "floors.toml"
    floors.write_text('[min]\n"recall@5" = 1.01\n')
    done = run_evals("--set", "dev", "--limit", "3", "--no-baseline", "--no-agreement",
                     "--db", str(library_settings.data_dir), "--out", str(tmp_path / "r"),
                     "--floors", str(floors))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "BELOW FLOOR" not in done.stderr
    said = [line for line in done.stdout.splitlines() if "floors" in line]
    assert said == ["floors not checked: they apply only to full sets, and --limit 3 ran a sample"]
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert report["floors"] == [] and report["run"]["limit"] == 3
    assert "floors apply only to full sets" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


def test_no_index_is_a_plain_message(tmp_path):
    done = run_evals("--set", "dev", "--db", str(tmp_path / "empty"), "--out", str(tmp_path / "r"))
    assert done.returncode == 3
    assert f"assistant ingest --db {tmp_path / 'empty'}" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no data folder, no empty index, no report


@pytest.mark.slow
def test_a_model_judge_that_cannot_be_reached_is_a_plain_message(library_settings, tmp_path):
    import os

    done = subprocess.run(
        [sys.executable, "-m", "evals", "--set", "dev", "--limit", "1", "--no-baseline",
         "--judge", "ollama", "--db", str(library_settings.data_dir), "--out", str(tmp_path / "r")],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
        env={**os.environ, "ASSISTANT_OLLAMA_HOST": "http://127.0.0.1:9"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "Ollama" in done.stderr and "Traceback" not in done.stderr


# -- usefulness, rated by people -------------------------------------------------------------------


def test_a_usefulness_label_counts_only_while_the_answer_it_rated_is_given(tmp_path):
    from evals.usefulness.rubric import answer_hash, load_labels, summarise

    labels_file = tmp_path / "labels.yaml"
    labels_file.write_text(
        f"- {{case: a, answer_sha: {answer_hash('Answer A.')}, score: 2}}\n"
        f"- {{case: b, answer_sha: {answer_hash('Answer B.')}, score: 1}}\n"
        f"- {{case: c, answer_sha: {answer_hash('Old answer.')}, score: 0}}\n",
        encoding="utf-8",
    )
    labels = load_labels(labels_file)
    answers = {
        "a": ("practice_heldout", answer_hash("Answer  A.")),  # white space does not matter
        "b": ("dev", answer_hash("Answer B.")),
        "c": ("heldout", answer_hash("A new answer.")),  # the answer changed since it was rated
    }
    summary = summarise(labels, answers)
    assert summary["stale"] == ["c"]
    assert summary["sets"]["held out"] == {"current": 1, "mean": 2.0, "counts": {0: 0, 1: 0, 2: 1}}
    assert summary["sets"]["all"]["mean"] == 1.5
    labels_file.write_text("- {case: a, answer_sha: x, score: 3}\n", encoding="utf-8")
    with pytest.raises(Exception, match="score of 0, 1 or 2"):
        load_labels(labels_file)


def test_a_model_raters_agreement_with_people():
    from evals.usefulness.rubric import agreement

    assert agreement([2, 1, 0, 2], [2, 1, 0, 2]) == {"items": 4, "agreement": 1.0, "kappa": 1.0}
    off_by_one = agreement([2, 2, 1, 0], [1, 2, 1, 1])
    assert off_by_one["agreement"] == 0.5 and 0 < off_by_one["kappa"] < 1
    assert agreement([2, 0], [None, 2])["agreement"] == 0.0  # an unreadable reply disagrees


@pytest.mark.slow
def test_a_model_rates_usefulness_through_the_rubric_prompt(ollama_standin):
    from assistant.adapters.factory import load_llm
    from assistant.settings import load_settings
    from evals.usefulness.rubric import ModelRater

    llm = load_llm(load_settings(backend="ollama", ollama_host=ollama_standin.url))
    rater = ModelRater(llm)
    ollama_standin.reply = '{"score": 1, "reason": "The reader must infer it."}'
    assert rater.rate("Can I paste case notes into ChatGPT?", "In short: ...") == 1
    sent = ollama_standin.last_chat
    assert sent["format"]["required"] == ["score", "reason"]
    assert "Can I paste case notes into ChatGPT?" in sent["messages"][-1]["content"]
    ollama_standin.reply = "I would say two."
    assert rater.rate("q", "a") is None and rater.unparsed == 1


def test_quality_floors_hold_on_the_development_sets_and_safety_on_every_case():
    """A full run gates on the development sets' figures (held-out ones are reported, never a
    target to tune to); a leak, an invalid citation or an error fails it wherever it happens."""
    from evals.run import FLOORS, check_floors

    judge = VerbatimJudge()
    violating = record([said(TESTIMONY, 1, quoted=True), said(ADVICE, 1, quoted=True)], {1: PASSAGE_C})
    clean = record([said(ADVICE, 1, quoted=True, part="lead")], {1: PASSAGE_C})
    development = summarise([score_case(case_of(), clean, judge, "", VOICES)] * 20)
    everything = summarise([score_case(case_of(), violating, judge, "", VOICES)] * 20)

    def ok(figure, checked):
        return next(f for f in checked if f["figure"] == figure)["ok"]

    assert not ok("voice_violation_rate", check_floors(everything, FLOORS))
    assert ok("voice_violation_rate", check_floors(everything, FLOORS, development))
    assert not ok("leaks", check_floors({**everything, "leaks": 1}, FLOORS, development))
