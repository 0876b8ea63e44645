"""Check every sentence of a draft answer against the passages it cites, before anyone sees it.

A sentence stays only if: it cites at least one passage, every number it cites was shown to the
model, it does not read as an instruction to an AI (assistant/core/instructions.py: quoted or restated,
a planted order does an attacker's work), every quote it gives is in the cited passage word for
word, every figure and code ("AMBER1000", "PWNED") it states appears in what it cites, and it is
supported by what it cites: one of the cited sentences whole, or close in meaning to one of them
and made mostly of the cited passages' own words. What "word for word" and "supported" mean is
decided in assistant/core/citations.py, which the harness and the chat's highlighting use too. Links
and images that do not point at the library's own sources are stripped. A reason never repeats
the removed words (they may be a planted instruction's output).

What this cannot catch: a sentence that reuses the passage's words but flips their meaning
("you may" for "you may not") can pass the support check when it carries no quote; the prompt's
quote rule and the short verbatim quotes shown to the reader are the defence there.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from assistant.core.citations import passage_support, quote_in, said_whole, worth_checking
from assistant.core.domain import Claim, Passage, Removed
from assistant.core.embeddings import Embedder
from assistant.core.generate import Draft
from assistant.core.instructions import is_instruction
from assistant.settings import Settings

_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)[^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*([^)\s]+)[^)]*\)")
_BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\]]+", re.IGNORECASE)
_HTML_TAG = re.compile(r"<\s*(?:img|a|script|iframe)\b[^>]*>|</\s*a\s*>", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Codes and shouted words ("AMBER1000", "GPT4o", "PWNED"): a planted instruction's favourite
# output, and made of the passage's own words otherwise ("joining AMBER and 1000"). Each must be
# in what the sentence cites as a whole word, not just its pieces.
_CODE = re.compile(r"\b(?:[A-Za-z]+\d[A-Za-z0-9]*|\d+[A-Za-z][A-Za-z0-9]*|[A-Z]{4,})\b")
_TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Verified:
    claims: list[Claim]  # what survived, links stripped
    removed: list[Removed]


def verify_citations(
    draft: Draft,
    passages: list[Passage],
    embedder: Embedder,
    settings: Settings,
    allowed_urls: Iterable[str] = (),
    unvetted: Collection[str] = (),
) -> Verified:
    """Keep the sentences of `draft` that pass every check; say why each other one went.
    `unvetted`: the sources that are local documents, whose text is read for planted orders with
    the detector's lower bar."""
    shown = {p.rank: p for p in passages}
    allowed = {_url_key(url) for url in allowed_urls if url}
    kept: list[Claim] = []
    removed: list[Removed] = []
    cleaned = [replace(claim, text=strip_outside_links(claim.text, allowed)) for claim in draft.claims]
    # A sentence quoted whole from a passage it cites needs no model to say it is supported.
    whole = [_quoted_whole(c, shown) for c in cleaned]
    to_embed = [c.text for c, quoted in zip(cleaned, whole) if not quoted]
    embedded = iter(embedder.embed_batch(to_embed) if to_embed else [])
    vectors = [None if quoted else next(embedded) for quoted in whole]
    for claim, vector in zip(cleaned, vectors):
        reason = _problem(claim, vector, shown, settings, unvetted)
        if reason:
            removed.append(Removed(claim.text, reason))
        else:
            kept.append(claim)
    return Verified(kept, removed)


def _quoted_whole(claim: Claim, shown: dict[int, Passage]) -> bool:
    sentences = [s for n in claim.citations if n in shown for s in shown[n].chunk.sentence_texts()]
    return said_whole(claim.text, sentences)


def _problem(
    claim: Claim, vector: list[float] | None, shown: dict[int, Passage], settings: Settings,
    unvetted: Collection[str] = (),
) -> str:
    """Why `claim` cannot be shown, or "" if it can."""
    if not claim.text.strip():
        return "empty sentence"
    if not claim.citations:
        return "cites no passage"
    unknown = [n for n in claim.citations if n not in shown]
    if unknown:
        return f"cites [{unknown[0]}], which is not one of the passages retrieved"
    vetted = not any(shown[n].chunk.source_id in unvetted for n in claim.citations)
    if any(is_instruction(text, vetted) for text in (claim.text, *claim.quotes)):
        # Quoted or restated, a planted order does an attacker's work as surely as obeyed.
        return "reads as an instruction to an AI, not as guidance"
    for number, quote in zip(claim.citations, claim.quotes):
        if worth_checking(quote) and not quote_in(quote, shown[number].chunk.text):
            return f"its quote is not in passage [{number}]"
    cited = [shown[n] for n in dict.fromkeys(claim.citations)]
    cited_text = " ".join(p.chunk.embedding_text() for p in cited)
    for figure in _NUMBER.findall(claim.text):
        if figure not in _NUMBER.findall(cited_text):
            return "states a figure the cited passages do not"
    cited_tokens = {token.lower() for token in _TOKEN.findall(cited_text)}
    for code in _CODE.findall(claim.text):
        if code.lower() not in cited_tokens:
            return "states a code or capitalised word the cited passages do not"
    if vector is None:
        return ""  # quoted whole from the passage it cites
    measured = passage_support(claim.text, vector, cited)
    if not measured.enough(settings):
        return (
            f"not supported by the passages it cites (similarity {measured.similarity:.2f}, "
            f"shared words {measured.overlap:.0%})"
        )
    return ""


def strip_outside_links(text: str, allowed: set[str]) -> str:
    """Remove images and links that do not point at one of the library's sources (keep a link's words)."""
    text = _MARKER.sub("", text)
    text = _IMAGE.sub(lambda m: m.group(0) if _url_key(m.group(1)) in allowed else "", text)
    text = _LINK.sub(lambda m: m.group(0) if _url_key(m.group(2)) in allowed else m.group(1), text)
    text = _HTML_TAG.sub("", text)
    # Bare addresses left in the text: keep only the library's own.
    text = _BARE_URL.sub(lambda m: m.group(0) if _url_key(m.group(0)) in allowed else "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _url_key(url: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip().rstrip("/.,;"), flags=re.I).lower()
