"""Prompt files: every template the code uses exists, renders strictly, and keeps passages as data."""

from __future__ import annotations

import pytest

from assistant.core.prompts import PromptError, load_schema, load_template


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_answer_prompt_renders_and_a_missing_value_is_an_error(version):
    template = load_template(f"answer.{version}.md")
    for audience in ("practitioner", "educator", "policy"):
        system = template.render("system", audience_description=template.render(audience))
        assert "ONLY from the numbered guidance passages" in system and "$" not in system
    with pytest.raises(PromptError, match="audience_description"):
        template.render("system")
    with pytest.raises(PromptError, match="no '## nope'"):
        template.render("nope")


def test_passage_text_is_never_taken_as_a_placeholder():
    template = load_template("answer.v2.md")
    shown = template.render("passage", n=1, title="T", section="S", text="costs $question and ${x}")
    assert "costs $question and ${x}" in shown


def test_every_message_and_schema_exists():
    messages = load_template("messages.v3.md")
    assert "does not cover" in messages.render("abstention", sources="A; B")
    for part in ("lead_label", "guidance_heading", "reported_heading", "reported_note",
                 "no_direct_advice", "abstention_help", "personal_data_query"):  # fmt: skip
        assert messages.render(part)
    assert "3 more items" in messages.render("list_more", count=3, n=2, section="S")
    assert load_template("condense.v1.md").render("user", history="- q", question="and it?")
    assert load_schema("answer.v1.schema.json")["required"] == ["answered", "sentences"]
    schema = load_schema("answer.v2.schema.json")
    assert schema["required"] == ["answered", "lead", "sentences"]
    roles = schema["properties"]["sentences"]["items"]["properties"]["role"]["enum"]
    assert {"advice", "finding", "testimony"} <= set(roles)
    assert load_template("usefulness.v1.md").render("user", question="q", answer="a")
