"""Prompt files: every template the code uses exists, renders strictly, and keeps passages as data."""

from __future__ import annotations

import pytest

from assistant.prompts import PromptError, load_schema, load_template


def test_answer_prompt_renders_and_a_missing_value_is_an_error():
    template = load_template("answer.v1.md")
    for audience in ("practitioner", "educator", "policy"):
        system = template.render("system", audience_description=template.render(audience))
        assert "ONLY from the numbered guidance passages" in system and "$" not in system
    with pytest.raises(PromptError, match="audience_description"):
        template.render("system")
    with pytest.raises(PromptError, match="no '## nope'"):
        template.render("nope")


def test_passage_text_is_never_taken_as_a_placeholder():
    template = load_template("answer.v1.md")
    shown = template.render("passage", n=1, title="T", section="S", text="costs $question and ${x}")
    assert "costs $question and ${x}" in shown


def test_every_message_and_schema_exists():
    messages = load_template("messages.v1.md")
    assert "does not cover" in messages.render("abstention", sources="A; B")
    for part in ("extractive_lead_in", "personal_data_query"):
        assert messages.render(part)
    assert load_template("condense.v1.md").render("user", history="- q", question="and it?")
    assert load_schema("answer.v1.schema.json")["required"] == ["answered", "sentences"]
