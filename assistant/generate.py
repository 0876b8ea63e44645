"""Generate a draft answer from the retrieved passages: quoted (extractive) or written by a model.

Either way the result is a `Draft`: sentences ("claims"), each with the passage numbers it cites
and a verbatim quote per citation. Nothing here is shown to anyone before assistant/verify.py has
checked it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from assistant.domain import Chunk, Passage
from assistant.embeddings import cosine, unpack_vectors
from assistant.lexical import terms
from assistant.llm import LLM, Generation
from assistant.prompts import load_schema, load_template
from assistant.retrieve import Retrieval
from assistant.settings import Settings

# Extractive selection. A sentence's score is its similarity to the question plus a bonus for
# sharing the question's rarer words; sentences close to the best one are kept, so a question
# answered in one place gets one or two sentences and a question the guidance answers in
# several places gets up to `extractive_max_sentences`.
_LEXICAL_BONUS = 0.5
_KEEP_WITHIN = 0.15  # of the best sentence's score
_MIN_WORDS = 6  # shorter "sentences" are headings, list stubs or table fragments
_SAME_SENTENCE = 0.92  # cosine: chunks overlap by a sentence, and sources repeat each other
# A sentence that introduces a list ("...10 common principles:") brings its items along.
_LIST_ITEMS = 12
_LIST_ITEM_WORDS = 30
# What someone told the researchers ("“I paste my notes...” (social worker)") is evidence the
# guidance reports, not what it advises: such sentences need to be clearly closer to be chosen.
_TESTIMONY_PENALTY = 0.15
# A sentence that opens by pointing back ("This means...") needs the one before it to make sense.
_POINTS_BACK = re.compile(r"^(?:this|these|that|those|it|they|such|however|but|therefore)\b", re.I)


@dataclass(frozen=True)
class Claim:
    """One sentence of a draft answer, with the passages it cites (by rank) and a quote for each."""

    text: str
    citations: tuple[int, ...]
    quotes: tuple[str, ...]  # one per citation, verbatim from that passage ("" if none given)


@dataclass(frozen=True)
class Draft:
    claims: list[Claim]
    answered: bool  # False: the generator found nothing in the passages that answers
    backend: str
    problem: str = ""  # why a model's output could not be used at all (not valid JSON, ...)
    generation: Generation | None = None


def extractive_draft(retrieval: Retrieval, settings: Settings) -> Draft:
    """The passages' own best sentences, verbatim, in the order they appear in each passage."""
    weights = retrieval.term_weights
    total_weight = sum(weights.values()) or 1.0
    scored: list[tuple[float, Passage, int]] = []
    for passage in retrieval.passages:
        similarities = retrieval.sentence_similarity.get(passage.chunk.id, [])
        quoted = _inside_quotation(passage.chunk)
        for index, text in enumerate(passage.chunk.sentence_texts()):
            if len(text.split()) < _MIN_WORDS or index >= len(similarities) or text.endswith("?"):
                continue  # fragments, and the questions a document asks, answer nothing
            shared = set(terms(text)) & weights.keys()
            bonus = _LEXICAL_BONUS * sum(weights[t] for t in shared) / total_weight
            penalty = _TESTIMONY_PENALTY if quoted[index] else 0.0
            scored.append((similarities[index] + bonus - penalty, passage, index))
    if not scored:
        return Draft([], answered=False, backend="extractive")
    scored.sort(key=lambda item: item[0], reverse=True)
    best = scored[0][0]
    dimension = len(retrieval.query_vector)
    chosen: list[tuple[Passage, int]] = []
    chosen_vectors: list[list[float]] = []
    for score, passage, index in scored:
        if len(chosen) >= settings.extractive_max_sentences or score < best - _KEEP_WITHIN:
            break
        vector = unpack_vectors(passage.chunk.sentence_vectors, dimension)[index]
        if any(cosine(vector, other) > _SAME_SENTENCE for other in chosen_vectors):
            continue
        chosen.append((passage, index))
        chosen_vectors.append(vector)
    if len(chosen) == 1:
        # One sentence alone reads like a fragment: give it the sentence that follows it.
        passage, index = chosen[0]
        following = passage.chunk.sentence_texts()[index + 1 : index + 2]
        if following and len(following[0].split()) >= _MIN_WORDS:
            chosen.append((passage, index + 1))
    for passage, index in list(chosen):
        chosen += [(passage, item) for item in _list_after(passage.chunk, index)]
    return Draft(_in_reading_order(chosen), answered=True, backend="extractive")


def _list_after(chunk: Chunk, index: int) -> list[int]:
    """The items of the list a sentence introduces ("...the following principles:")."""
    sentences = chunk.sentence_texts()
    if not sentences[index].rstrip().endswith(":"):
        return []
    items = []
    for following in range(index + 1, min(len(sentences), index + 1 + _LIST_ITEMS)):
        text = sentences[following]
        if len(text.split()) > _LIST_ITEM_WORDS or text.rstrip().endswith(":"):
            break
        items.append(following)
    return items


def _inside_quotation(chunk: Chunk) -> list[bool]:
    """For each sentence of the chunk: is it (partly) inside “curly quotes”, someone's words?"""
    text, flags, depth, position = chunk.text, [], 0, 0
    for start, end in chunk.sentences:
        depth += text.count("“", position, start) - text.count("”", position, start)
        inside = depth > 0 or "“" in text[start:end] or "”" in text[start:end]
        depth += text.count("“", start, end) - text.count("”", start, end)
        depth, position = max(depth, 0), end
        flags.append(inside)
    return flags


def _in_reading_order(chosen: list[tuple[Passage, int]]) -> list[Claim]:
    """Group by source (best source first), then passage rank, then place in the passage."""
    source_order: dict[str, int] = {}
    for passage, _ in chosen:
        source_order.setdefault(passage.chunk.source_id, len(source_order))
    picked = set(chosen)
    for passage, index in list(chosen):
        sentences = passage.chunk.sentence_texts()
        if index > 0 and _POINTS_BACK.match(sentences[index]) and (passage, index - 1) not in picked:
            picked.add((passage, index - 1))
    ordered = sorted(picked, key=lambda p: (source_order[p[0].chunk.source_id], p[0].rank, p[1]))
    claims = []
    for passage, index in ordered:
        text = passage.chunk.sentence_texts()[index]
        claims.append(Claim(text, (passage.rank,), (text,)))
    return claims


def model_draft(
    question: str, passages: list[Passage], llm: LLM, settings: Settings, on_token=None
) -> Draft:
    """Ask the model for a structured answer (see prompts/answer.<version>.md) and parse it."""
    template = load_template(f"answer.{settings.prompt_version}.md")
    schema = load_schema(f"answer.{settings.prompt_version}.schema.json")
    shown = "\n\n".join(
        template.render(
            "passage",
            n=p.rank,
            title=_attribute(p.chunk.title),
            section=_attribute(p.chunk.section),
            text=p.chunk.text.replace("</passage", "</ passage"),
        )
        for p in passages
    )
    messages = [
        {
            "role": "system",
            "content": template.render(
                "system", audience_description=template.render(settings.audience)
            ),
        },
        {"role": "user", "content": template.render("user", passages=shown, question=question)},
    ]
    generation = llm.chat(messages, schema=schema, on_token=on_token)
    return parse_model_output(generation.text, llm.name, generation)


def parse_model_output(text: str, backend: str, generation: Generation | None = None) -> Draft:
    """The model's JSON as a Draft; output that is not the asked-for shape is a `problem`."""
    try:
        data = json.loads(_strip_code_fence(text))
        sentences = data["sentences"] if isinstance(data, dict) else None
        if not isinstance(sentences, list):
            raise ValueError("no list of sentences")
        claims = [_claim(item) for item in sentences]
    except (ValueError, KeyError, TypeError) as exc:
        return Draft([], False, backend, f"the model's reply was not the JSON asked for ({exc})", generation)
    answered = bool(data.get("answered", bool(claims)))
    return Draft(claims, answered, backend, "", generation)


def _claim(item: object) -> Claim:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError("a sentence without text")
    numbers, quotes = [], []
    for citation in item.get("citations") or []:
        if isinstance(citation, dict):
            number, quote = citation.get("n"), citation.get("quote", "")
        else:  # a bare number: tolerated, but it has no quote to check
            number, quote = citation, ""
        try:
            numbers.append(int(number))
        except (TypeError, ValueError):
            raise ValueError(f"citation {number!r} is not a passage number") from None
        quotes.append(quote if isinstance(quote, str) else "")
    return Claim(item["text"].strip(), tuple(numbers), tuple(quotes))


def _strip_code_fence(text: str) -> str:
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, re.DOTALL)
    return match.group(1) if match else text


def _attribute(value: str) -> str:
    return value.replace('"', "'").replace("\n", " ")

