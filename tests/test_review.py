"""`assistant review`: a policy team's question bank in (text, CSV with their own columns, YAML),
a pack out (HTML a reviewer reads and prints, CSV to sign off, JSON for the next comparison), and
`--compare`: after the library changes, exactly the answers that changed, with the library
changes beside them. Personal details in the bank reach no file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from assistant.review.questions import QuestionFileProblem, read_questions
from tests.support import run_cli

PRACTICE = [
    "Can I paste case notes into ChatGPT?",
    "Who is accountable for a case record that AI helped me draft?",
    "Should I tell a family that I use an AI tool to transcribe a meeting?",
    "What are the principles in the UK government's AI playbook?",
    "What does BASW say employers should put in place for AI?",
    "Can students use generative AI in their assessed work?",
    "What are the risks of AI transcription tools?",
    "Is it OK to use Copilot to summarise a supervision session?",
    "What should I check before I save an AI-generated summary?",
    "What do the professional standards say about AI?",
    "What barriers do social workers face in using AI?",
    "How can AI reduce administrative work in social care?",
    "What is the Oxford Statement on generative AI?",
    "Can AI make decisions about safeguarding?",
    "What training do social workers need on AI?",
    "How should bias in AI outputs be handled?",
    "What are the I and we statements?",
    "Who should approve the use of a new AI tool?",
    "What is the Tech Pledge?",
    "Can I use a free chatbot for a court report?",
    "How does AI affect relationships with people who use services?",
    "What should universities teach about AI?",
    "Is consent needed to record a home visit?",
    "What is the capital of France?",
    "How do I bake sourdough bread?",
    "What does the guidance say about data protection and AI?",
    "How should managers oversee AI use?",
    "What are hallucinations in AI?",
    "Can AI help with assessments of adults?",
]
PLANTED_NAME, PLANTED_NHS = "Okafor", "943 476 5919"
WITH_DETAILS = f"Can I put Mrs {PLANTED_NAME}'s assessment, NHS number {PLANTED_NHS}, into Copilot?"


def _bank(tmp_path: Path) -> Path:
    rows = [{"ref": f"Q{n:02d}", "owner": "Policy team", "question": q} for n, q in enumerate(PRACTICE, 1)]
    rows.append({"ref": "Q30", "owner": f"Mrs {PLANTED_NAME}", "question": WITH_DETAILS})
    path = tmp_path / "bank.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ["ref", "owner", "question"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_question_files_in_three_formats_and_their_mistakes_named_by_line(tmp_path):
    text = tmp_path / "bank.txt"
    text.write_text("# our questions\nCan I use Copilot?\n\nWho is accountable?\n", encoding="utf-8")
    assert [(q.question, q.line) for q in read_questions(text)] == [
        ("Can I use Copilot?", 2), ("Who is accountable?", 4)
    ]  # fmt: skip
    table = tmp_path / "bank.csv"
    table.write_text("Ref,Question,Owner\nA1,Can I use Copilot?,Sam\n", encoding="utf-8")
    (only,) = read_questions(table)
    assert only.question == "Can I use Copilot?" and only.extra == {"Ref": "A1", "Owner": "Sam"}
    listed = tmp_path / "bank.yaml"
    listed.write_text("- Can I use Copilot?\n- question: Who is accountable?\n  ref: B2\n", encoding="utf-8")
    assert [(q.question, q.line, q.extra) for q in read_questions(listed)] == [
        ("Can I use Copilot?", 1, {}), ("Who is accountable?", 2, {"ref": "B2"})
    ]  # fmt: skip

    broken = tmp_path / "broken.yaml"
    broken.write_text("- Can I use Copilot?\n- Who is accountable?\n- question: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuestionFileProblem, match=r"broken.yaml, line \d+: not valid YAML"):
        read_questions(broken)
    no_column = tmp_path / "no_column.csv"
    no_column.write_text("ref,text\nA1,Can I?\n", encoding="utf-8")
    with pytest.raises(QuestionFileProblem, match="line 1: no 'question' column"):
        read_questions(no_column)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("question\nCan I?\nWho, what, where\n", encoding="utf-8")
    with pytest.raises(QuestionFileProblem, match="line 3: more cells"):
        read_questions(ragged)


def test_a_malformed_bank_or_a_pasted_document_is_a_plain_error_naming_the_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("- Can I use Copilot?\n- question: [unclosed\n", encoding="utf-8")
    result = run_cli("review", str(broken), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "broken.yaml, line 2" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
    pasted = tmp_path / "pasted.txt"
    pasted.write_text("Can I use Copilot?\n" + "Mrs Smith said she was fine. " * 120 + "\n", encoding="utf-8")
    result = run_cli("review", str(pasted), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "pasted.txt, line 2" in result.stderr and "Smith" not in result.stderr


@pytest.mark.slow
def test_a_bank_of_30_questions_becomes_a_pack_a_reviewer_can_read_print_and_sign_off(
    tmp_path, library_settings
):
    from tests.support import CHROMIUM, CHROMIUM_ARGS

    out = tmp_path / "pack"
    result = run_cli("review", str(_bank(tmp_path)), "--out", str(out), "--db", str(library_settings.data_dir))
    assert result.returncode == 0, result.stderr
    assert "30 questions" in result.stderr

    data = json.loads((out / "review.json").read_text(encoding="utf-8"))
    items = data["items"]
    assert len(items) == 30 and [i["extra"]["ref"] for i in items] == [f"Q{n:02d}" for n in range(1, 31)]
    declined = {i["question"] for i in items if i["abstained"]}
    assert {"What is the capital of France?", "How do I bake sourdough bread?"} <= declined
    assert "abstained" in items[23]["flags"] and "personal_details" in items[29]["flags"]
    assert items[29]["personal_data"] == ["NAME", "NHS_NUMBER"]  # by type, never the value
    assert data["summary"]["questions"] == 30 and data["library"]["sources"]
    assert all(s["sha256"] for s in data["library"]["sources"])
    assert sum(data["summary"]["sources_cited"].values()) >= 20

    rows = list(csv.DictReader(io.StringIO((out / "review.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 30
    assert list(rows[0])[:3] == ["number", "ref", "owner"] and list(rows[0])[-3:] == ["reviewer", "verdict", "comment"]
    assert rows[0]["sources"].startswith("[1] ") and rows[23]["abstained"] == "yes"

    for path in out.iterdir():  # the planted details reach no file, in any form
        written = path.read_text(encoding="utf-8")
        for planted in (PLANTED_NAME, PLANTED_NHS, PLANTED_NHS.replace(" ", "")):
            assert planted not in written, (path.name, planted)

    page_html = (out / "review.html").read_text(encoding="utf-8")
    assert "<script" not in page_html and "http://" not in page_html.replace("http://www.w3.org", "")
    from playwright.sync_api import sync_playwright

    artifacts = Path(__file__).parent / "artifacts" / "review"
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto((out / "review.html").as_uri(), wait_until="load")
        for item in items:
            section = page.locator(f"#q{item['number']}")
            assert section.count() == 1
            assert item["question"] in " ".join(section.locator("h3").inner_text().split())
        page.screenshot(path=str(artifacts / "review.png"), full_page=False)
        page.pdf(path=str(artifacts / "review.pdf"))  # prints
        browser.close()
    assert all(url.startswith("file://") for url in requested), requested
    assert (artifacts / "review.pdf").stat().st_size > 10_000


@pytest.mark.slow
def test_compare_shows_exactly_the_answers_a_library_change_changed(tmp_path, corpus_copy):
    data = tmp_path / "data"
    env_db = ["--db", str(data)]
    bank = tmp_path / "bank.txt"
    questions = [
        "Can I use Snapchat to message the young people I work with?",
        "Can I paste case notes into ChatGPT?",
        "Who is accountable for a case record that AI helped me draft?",
        "What is the Tech Pledge?",
    ]
    bank.write_text("\n".join(questions) + "\n", encoding="utf-8")

    def ingest() -> None:
        done = run_cli("ingest", "--corpus", str(corpus_copy), *env_db)
        assert done.returncode == 0, done.stderr

    def review(name: str, previous: Path | None = None) -> dict:
        extra = ["--compare", str(previous)] if previous else []
        done = run_cli("review", str(bank), "--out", str(tmp_path / name), *env_db, *extra)
        assert done.returncode == 0, done.stderr
        return json.loads((tmp_path / name / "review.json").read_text(encoding="utf-8"))

    ingest()
    first = review("first")
    assert first["items"][0]["abstained"]  # nothing in the library on Snapchat

    policy = corpus_copy / "snapchat-policy.md"
    policy.write_text(
        "# Messaging apps\n\nPractitioners must not use Snapchat to message the young people they "
        "work with, because messages disappear and cannot be kept on the record.\n",
        encoding="utf-8",
    )
    ingest()
    second = review("second", tmp_path / "first" / "review.json")
    _assert_exact_changes(first, second)
    change = {c["question"]: c for c in second["comparison"]["changes"]}
    assert change[questions[0]]["status"] == "newly answered"
    assert second["comparison"]["library"]["added"] == ["snapchat-policy-md"]
    assert "local_document" in second["items"][0]["flags"]

    policy.write_text(
        "# Messaging apps\n\nPractitioners may use Snapchat to message the young people they work "
        "with only on a work phone, and must copy every message into the case record.\n",
        encoding="utf-8",
    )
    ingest()
    third = review("third", tmp_path / "second" / "review.json")
    _assert_exact_changes(second, third)
    change = {c["question"]: c for c in third["comparison"]["changes"]}
    assert change[questions[0]]["status"] == "changed"
    assert third["comparison"]["library"] == {"added": [], "removed": [], "changed": ["snapchat-policy-md"]}
    html = (tmp_path / "third" / "review.html").read_text(encoding="utf-8")
    assert "work phone" in html and "disappear" in html  # after and before, side by side


def _assert_exact_changes(before: dict, after: dict) -> None:
    """Listed as changed if and only if the answer (or its standing) is different."""
    old = {item["question"]: item for item in before["items"]}
    listed = {change["question"] for change in after["comparison"]["changes"]}
    for item in after["items"]:
        differs = item["answer"] != old[item["question"]]["answer"] or item["abstained"] != old[item["question"]]["abstained"]
        assert (item["question"] in listed) == differs, item["question"]
