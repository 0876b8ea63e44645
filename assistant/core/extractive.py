"""The extractive answer: the guidance's own sentences, verbatim, chosen for what the question asks.

No model. Each sentence of the retrieved passages is scored by its closeness to the question (plus
its share of the question's rarer words), then the question's type decides what may come first:

  * permission, how-to, responsibility and most others: the guidance's advice, a standard or a
    statement in its own voice leads; what practitioners said or did and what research found
    come after it, labelled as such, never before it;
  * evidence: findings and testimony may lead, that is what was asked;
  * which-standard: a numbered standard with its number; definition: a definition;
  * list: the sentence introducing the list, then every item, also from the next passage of the
    same section when the list runs on (or a note of how many are not shown, and where);
  * a question naming a body ("according to BASW"): that body's own material first.

The result is a `Draft` whose claims carry their part (lead, guidance, reported) and role; the
citation checks then run on it like on any other draft.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy

from assistant.core.domain import Chunk, Claim, ListNote, Passage
from assistant.core.embeddings import cosine, unpack_vectors
from assistant.core.generate import Draft
from assistant.core.lexical import terms
from assistant.core.question import Question
from assistant.core.retrieve import Retrieval
from assistant.core.roles import REPORTED, item_depth, without_marker
from assistant.settings import Settings

_LEXICAL_BONUS = 0.5  # a sentence sharing all the question's (rarity-weighted) words gains this
# Half a sentence's hubness is taken from its closeness: cross-domain similarity local scaling
# (2 cos - r) on the cosine's scale. Development sets, 0.25 / 0.5 / 0.75: lead correct 63.0 /
# 65.9 / 64.5% (59.4% without), key point 75.4 / 76.1 / 76.8% (75.4%).
_HUBNESS_WEIGHT = 0.5
_KEEP_WITHIN = 0.12  # sentences this close to the lead's score are kept (measured on the dev sets)
_MIN_WORDS = 6  # shorter "sentences" are headings, list stubs or table fragments
_ITEM_SENTENCE_WORDS = 9  # a list item shorter than this, with no full stop, is a bullet, not a sentence
_SAME_SENTENCE = 0.92  # cosine: sources repeat each other
_LEAD_RUNS_ON = 2  # sentences of the lead's paragraph that may follow it in the lead
_BODY_BONUS = 0.1  # a sentence of the body the question names ("according to BASW")
_LABEL_BONUS = 0.2  # a list whose label is a word of the question
_FIGURE_BONUS = 0.1  # a sentence with a figure, when the question asks "how many"
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s?%|\b\d{2,}\b")

# Asked who is responsible, a sentence that says who is responsible answers it.
_RESPONSIBLE_BONUS = 0.1
_SAYS_WHO_IS_RESPONSIBLE = re.compile(r"\b(?:responsib|accountab|liab)\w*", re.I)
_MAX_LIST_ITEMS = 12  # a longer list is shown in part, with a note of what is left
# Asked what to do, advice this close to the best sentence leads. Dev sets, 0.35 / 0.5 / 0.7 with
# the adapted question (assistant/core/query_adapter.py), which brings findings the rules read as
# context nearer the top: finding or testimony before the advice in 9 / 5 / 4 of 46 answers.
_ADVICE_WITHIN = 0.7
_ASKS_WHAT_TO_DO = frozenset({"permission", "how-to", "responsibility"})
# Questions a list answers as a whole: one asking for a list, one asking what a body says (its
# list under "Employers" is what BASW expects of employers, though no item is close alone).
_WHOLE_LISTS = frozenset({"list", "named-source"})
_LIST_LEAD_WITHIN = 0.15  # a list question is led by a list's lead-in this close to the best
# Asked something else, a list is shown whole only when it is compact (the six values of the
# playbook); a box of long paragraphs would bury the answer.
_COMPACT_LIST_ITEMS = 8
_COMPACT_ITEM_WORDS = 14
_LIST_ITEM_WORDS = 60
# A lead-in that says nothing without the sentence before it: "In order of priority, these are:",
# "Some examples include:". One that names what it lists ("Potential benefits include:", "The
# PAIR process includes:") stands alone: read with the sentence before it ("70% ... more benefits
# ... than there are risks"), a list of benefits answered "What are the risks?".
_NEUTRAL_LEAD = re.compile(
    r"\b(?:these|this|they|following|as follows)\b[^:]*:\s*$|\b(?:examples?|use cases)\b[^:]*\bincludes?\b[^:]*:\s*$|"
    r"^\W*includes?\b[^:]*:\s*$",
    re.I,
)
# What a study set out to do ("The aim of this research ... was to better understand:", "The
# interviews aimed to gather insights into..."): it names the risks and findings it looked for, and
# two blind readers found it answering "what are the risks?" and "what did the research find?".
# It answers only a question about the study's aims.
_STATES_AIMS = re.compile(
    r"\b(?:aims?|objectives?|purpose)\b[^.:]{0,60}\b(?:research|study|review|survey|evaluation|"
    r"interviews?)\b|\b(?:research|study|review|survey|evaluation|interviews?)\b[^.:]{0,60}"
    r"\b(?:aim(?:ed|s)?|sought|set out) to\b|\bto answer the following (?:research )?questions\b",
    re.I,
)
# A sentence that leans on the one before: "Consequently, some have banned..." says why only with it.
_POINTS_BACK = re.compile(
    r"^(?:this|these|that|those|it|they|such|however|but|therefore|consequently|as a result|thus|hence|"
    r"similarly|likewise|for (?:example|instance))\b",
    re.I,
)


@dataclass(frozen=True)
class _Policy:
    """What may lead an answer to a type of question, and what is preferred."""

    lead_voices: frozenset[str]
    boosts: dict[str, float] = field(default_factory=dict)
    reported_max: int = 2  # findings and testimony shown after the guidance
    guidance_max: int = 3


# Asked what to do: the guidance's advice, a standard or what it states in its own voice (a
# definition answers "what is X", not "can I").
_GUIDANCE_FIRST = frozenset({"advice", "standard", "context"})
# What the library says, findings included (a research report's findings are what it says);
# only someone's own words never lead.
_LIBRARY_SAYS = _GUIDANCE_FIRST | {"finding", "definition"}
_ADVISE = {"advice": 0.06, "standard": 0.04, "testimony": -0.15, "finding": -0.08}
POLICIES: dict[str, _Policy] = {
    "permission": _Policy(_GUIDANCE_FIRST, _ADVISE),
    "how-to": _Policy(_GUIDANCE_FIRST, _ADVISE),
    "responsibility": _Policy(_GUIDANCE_FIRST, _ADVISE),
    "general": _Policy(_LIBRARY_SAYS, {"advice": 0.03, "testimony": -0.15}),
    "named-source": _Policy(_LIBRARY_SAYS, {"advice": 0.04, "testimony": -0.15}),
    "definition": _Policy(_LIBRARY_SAYS, {"definition": 0.15, "testimony": -0.15}),
    "which-standard": _Policy(_GUIDANCE_FIRST, {"standard": 0.25, "testimony": -0.15}),
    "list": _Policy(_LIBRARY_SAYS, {"list_lead": 0.15, "testimony": -0.15}),
    "evidence": _Policy(
        frozenset({"finding", "testimony", "context", "advice", "definition", "standard"}),
        {"finding": 0.05},
        reported_max=3,
    ),
}


@dataclass(frozen=True)
class _Sentence:
    passage: Passage
    index: int
    text: str
    role: str
    voice: str
    score: float  # closeness to the question, before the type's preferences
    preferred: float  # with them
    names_the_list: bool = False  # a lead-in that names what the question asks to be listed

    @property
    def key(self) -> tuple[str, int]:
        """The same sentence in two overlapping passages has one key."""
        return _key(self.passage.chunk, self.index)


Continuation = Callable[[Chunk], "Chunk | None"]
# Each sentence the answer shows, by its key: its place among the claims and where it is from.
_Shown = dict[tuple[str, int], tuple[int, Passage, int]]


def _key(chunk: Chunk, index: int) -> tuple[str, int]:
    """A sentence's place in its document: the same in two overlapping passages."""
    return chunk.source_id, chunk.start + chunk.sentences[index][0]


def extractive_draft(
    retrieval: Retrieval,
    question: Question,
    settings: Settings,
    continuation: Continuation = lambda chunk: None,
    body_sources: set[str] = frozenset(),
) -> Draft:
    """The passages' own sentences, arranged as lead, guidance and what people reported."""
    policy = POLICIES.get(question.type, POLICIES["general"])
    candidates = _candidates(retrieval, question, policy, body_sources)
    if not candidates:
        return Draft([], answered=False, backend="extractive")
    lead = _lead(candidates, question, policy)
    reference = (lead or candidates[0]).preferred
    dimension = len(retrieval.query_vector)
    chosen = _chosen(candidates, lead, reference, policy, settings, dimension, question)
    if lead is not None and question.names_an_item and question.holds_the_item_asked(lead.passage.chunk):
        # Asked for one item by its number, the rest of the answer is what stands with it (its
        # list, its section), not whatever else is as close to the question's few words.
        chosen = [s for s in chosen if question.holds_the_item_asked(s.passage.chunk)]
    passages = list(retrieval.passages)
    claims, notes = _arranged(lead, chosen, passages, continuation, question)
    extra = passages[len(retrieval.passages) :]
    return Draft(claims, answered=bool(claims), backend="extractive", lists=notes, extra_passages=extra)


def _candidates(retrieval, question, policy, body_sources) -> list[_Sentence]:
    weights = retrieval.term_weights
    total = math.fsum(weights.values()) or 1.0
    found: dict[tuple[str, int], _Sentence] = {}
    aims_asked = question.asks_about_aims
    for passage in retrieval.passages:
        chunk = passage.chunk
        similarities = retrieval.sentence_fit.get(chunk.id) or retrieval.sentence_similarity.get(chunk.id, [])
        by_body = any(body.wrote(chunk, body_sources) for body in question.bodies)
        own: dict[int, float] = {}
        texts, roles = _texts_and_roles(chunk)
        for index, text in enumerate(texts):
            role, voice = _role(chunk, index)
            if index >= len(similarities):
                continue
            shared = set(terms(text)) & weights.keys()
            # A sentence close to every question (ingest/hubness.py) has less of a claim to this one.
            closeness = similarities[index] - _HUBNESS_WEIGHT * _hubness(chunk, index)
            # fsum: the same score whatever order the set gives (it changes with string hashing).
            score = closeness + _LEXICAL_BONUS * math.fsum(weights[t] for t in shared) / total
            own[index] = score
            if not _answers(text, role) or (not aims_asked and _states_aims(texts, roles, index)):
                continue
            named = role == "list_lead" and question.names_its_list(text)
            if named:
                score += _LABEL_BONUS
            preferred = score + policy.boosts.get(role, policy.boosts.get(voice, 0.0))
            preferred += _BODY_BONUS if by_body else 0.0
            if question.asks_for_a_number and _FIGURE.search(text):
                preferred += _FIGURE_BONUS
            if question.type == "responsibility" and _SAYS_WHO_IS_RESPONSIBLE.search(text):
                preferred += _RESPONSIBLE_BONUS
            sentence = _Sentence(passage, index, text, role, voice, score, preferred, named)
            if sentence.key not in found or found[sentence.key].preferred < preferred:
                found[sentence.key] = sentence
        for unit in _lists(passage, retrieval.query_vector, weights, total, policy, by_body, question):
            if question.type not in _WHOLE_LISTS:
                # Not asked for a list, a list is as close as its closest sentence: its items'
                # words together ("Those who did receive support said their education focused
                # on...:", eight themes with their figures) outscored the one sentence that
                # answers ("86% of social workers that graduated in the past 5 years did not...").
                best = max(own.get(i, -1.0) for i in [unit.index, *(i for i, _ in _members(chunk, unit.index))])
                if unit.score > best:
                    unit = replace(unit, score=best, preferred=unit.preferred - (unit.score - best))
            if unit.key not in found or found[unit.key].preferred < unit.preferred:
                found[unit.key] = unit
    chosen = found.values()
    if question.subject is not None:
        # "What about Copilot?": only what the guidance says about Copilot answers it. Nothing
        # else is shown, so the earlier question's answer is never passed off as this one's.
        chosen = [s for s in chosen if question.subject.spoken_of(_unit_text(s))]
    return sorted(chosen, key=lambda s: s.preferred, reverse=True)


def _unit_text(sentence: _Sentence) -> str:
    """A sentence's text; for a list's lead-in, with its items (the list is shown whole)."""
    if sentence.role != "list_lead":
        return sentence.text
    texts = sentence.passage.chunk.sentence_texts()
    items = _members(sentence.passage.chunk, sentence.index)
    return " ".join([sentence.text, *(texts[i] for i, _ in items)])


def _lists(passage, query, weights, total, policy, by_body, question: Question) -> list[_Sentence]:
    """Each list in the passage scored as a whole (its lead-in and items together): "What does
    BASW expect employers to put in place?" is answered by the list under "Employers", though
    no single item of it is close to the question. A lead-in that names what the question asks
    to be listed ("three factors that influence...", asked "What are the factors...?") is the
    list asked for, however close other sentences are to the rest of the question."""
    chunk = passage.chunk
    texts, roles = _texts_and_roles(chunk)
    if "list_lead" not in roles:
        return []
    vectors = numpy.asarray(unpack_vectors(chunk.sentence_vectors, len(query)), dtype=numpy.float32)
    units = []
    for lead, role in enumerate(roles):
        if role != "list_lead" or lead >= len(vectors):
            continue
        items = [i for i, _ in _members(chunk, lead)]
        if len(items) < 2 or sum(texts[i].rstrip().endswith("?") for i in items) * 2 > len(items):
            continue  # a list of questions (research questions, reflective prompts) answers nothing
        if not question.asks_about_aims and _states_aims(texts, roles, lead):
            continue
        # A lead-in that leans on the sentence before ("In order of priority, these are:") is
        # scored with it.
        members = [lead, *items]
        if lead > 0 and _NEUTRAL_LEAD.search(texts[lead]) and roles[lead - 1] not in ("navigation", "list_item"):
            members.insert(0, lead - 1)
        mean = vectors[members].mean(axis=0)
        similarity = float(mean @ numpy.asarray(query, dtype=numpy.float32) / (numpy.linalg.norm(mean) or 1.0))
        words = set(terms(" ".join(texts[i] for i in members)))
        score = similarity + _LEXICAL_BONUS * math.fsum(weights[t] for t in words & weights.keys()) / total
        label = set(terms(texts[lead]))
        named = question.names_its_list(" ".join(texts[i] for i in members if i <= lead))
        if len(texts[lead].split()) <= 4 and label and label <= weights.keys():
            score += _LABEL_BONUS  # the list under "Employers", asked what employers should do
        elif named:
            # "...indicate a range of barriers. In order of priority, these are:" names barriers.
            score += _LABEL_BONUS
        voice = chunk.voices[lead] if lead < len(chunk.voices) else "context"
        preferred = score + policy.boosts.get("list_lead", 0.0) + (_BODY_BONUS if by_body else 0.0)
        units.append(_Sentence(passage, lead, texts[lead], "list_lead", voice, score, preferred, named))
    return units


def _states_aims(texts: list[str], roles: Sequence[str], index: int) -> bool:
    """Whether a sentence, or the lead-in of the list it is an item of, says what a study set out
    to do (a passage's sentences and roles, as `_texts_and_roles` gives them)."""
    if _STATES_AIMS.search(texts[index]):
        return True
    head = index
    while head > 0 and _is_list_member(texts[head], roles[head]):
        head -= 1  # an item (whatever its voice) up to its list's lead-in
    return head < index and roles[head] == "list_lead" and bool(_STATES_AIMS.search(texts[head]))


def _is_list_member(text: str, role: str) -> bool:
    return role in ("list_item", "standard") or item_depth(text) >= 0


def _opens_sublist(texts: list[str], index: int) -> bool:
    """An item with sub-items under it ("- There are significant risks..." over "unfair
    outcomes", "hard to explain"): it introduces them, like a lead-in."""
    return index + 1 < len(texts) and item_depth(texts[index + 1]) > item_depth(texts[index]) >= 0


def _members(chunk: Chunk, lead: int) -> list[tuple[int, int]]:
    """(index, level) of each sentence of the list the lead-in at `lead` introduces, in its
    chunk: the items, and their further sentences while these read as items too (a list's
    score and size count them; `_items_after` shows only each item's first)."""
    texts, roles = _texts_and_roles(chunk)
    following = ((i, texts[i], roles[i], False) for i in range(lead + 1, len(texts)))
    return list(_list_members(texts[lead], following))


def _list_members(lead_in: str, following):
    """(key, level) for each item of the list `lead_in` introduces, from `following` ((key,
    text, role, whether it continues an item's line) of the sentences after it, in order): level
    0 for the list's own items, 1 for their sub-items, and so on. It ends at the first sentence
    that is not an item, or at an item no deeper than the lead-in when the lead-in is itself an
    item. A sentence marked as continuing an item's line is passed over."""
    own = item_depth(lead_in)
    base = last = None
    for key, text, role, continues_item in following:
        if continues_item:
            continue
        if not _is_list_member(text, role):
            return
        depth = item_depth(text)
        if depth < 0:  # an item's further paragraph, or a slide's bullet that lost its marker
            depth = last if last is not None else max(own + 1, 0)
        if depth <= own or (base is not None and depth < base):
            return
        base = depth if base is None else base
        last = depth
        yield key, depth - base


def _answers(text: str, role: str) -> bool:
    """Whether a sentence can stand in an answer on its own: not navigation, not a question the
    document asks, not a fragment (a numbered standard or a list's lead-in may be short; a
    slide's bullet, "AI decision making in Social Work", is shown only within its list)."""
    if role == "navigation" or text.rstrip().endswith("?") or text.rstrip().endswith("questions:"):
        return False
    if role in ("standard", "list_lead"):
        return True
    if role == "list_item" and len(text.split()) < _ITEM_SENTENCE_WORDS and not text.rstrip()[-1:] in ".!":
        return False
    return len(text.split()) >= _MIN_WORDS


def _lead(candidates: list[_Sentence], question: Question, policy: _Policy) -> _Sentence | None:
    """The single most direct sentence the type allows to come first."""
    # Asked for one item by its number ("What does principle 4 say?"), that item: not the list of
    # ten it belongs to, nor the closest sentence about the same subject; for an item that is a
    # heading ("Recommendation 2"), the first sentence under it.
    if question.names_an_item:
        asked_for = next((c for c in candidates if question.is_the_item_asked(c.text)), None)
        if asked_for is None:
            under = [c for c in candidates if _stands_alone(c) and question.is_the_item_asked(c.passage.chunk.heading)]
            asked_for = min(under, key=lambda c: (c.passage.chunk.start, c.index), default=None)
        if asked_for is not None:
            return asked_for
    best = candidates[0].score
    if question.type == "which-standard":
        standards = [c for c in candidates if c.voice == "standard" and c.score >= best - 0.2]
        if standards:
            return standards[0]
    if question.type in ("list", "named-source"):
        # A list asked for (or a body's list, "what does BASW expect employers to..."): its
        # lead-in, even a label ("Employers"), leads, with every item after it.
        # Asked what a body says, its list leads only when nothing is closer: "what does Ofsted
        # say about inspecting AI" is not answered by "Ofsted is also working on further
        # publications...:" (development sets: 2 leads more, none fewer, than at 0.15).
        within = _LIST_LEAD_WITHIN if question.type == "list" else 0.0
        leads = [c for c in candidates if c.role == "list_lead" and c.score >= best - within]
        if question.type == "named-source":  # the named body's own list, e.g. "Employers"
            # ...but not a slide's list under the body's own name ("BASW": "Ethical Guidance",
            # "Representation", "Lobbying"): that says what the body is, not what it says.
            leads = [
                c for c in leads
                if any(b.named_in(c.passage.chunk.embedding_text()) for b in question.bodies)
                and not (len(c.text.split()) <= 4 and any(b.named_in(c.text) for b in question.bodies))
            ]  # fmt: skip
        if leads:
            # "What are the risks...?": a list whose lead-in says it is of risks is the one asked
            # for, before a closer list of something else ("The PAIR process includes:").
            return next((c for c in leads if c.names_the_list), leads[0])
    eligible = [
        c for c in candidates
        if c.voice in policy.lead_voices and _stands_alone(c)
        and (c.role != "list_lead" or _shown(c, question))
    ]  # fmt: skip
    if question.type in _ASKS_WHAT_TO_DO:
        # Asked what to do, the guidance's advice leads when it says anything close: a sentence
        # merely in the guidance's voice may be a finding the rules did not recognise.
        advice = [c for c in eligible if c.voice in ("advice", "standard") and c.score >= best - _ADVICE_WITHIN]
        if advice:
            return advice[0]
    return eligible[0] if eligible else None


def _stands_alone(sentence: _Sentence) -> bool:
    """Whether a sentence can open an answer: not a list item that only completes its lead-in
    ("the areas of ... which may be impacted"), not a label ("Employers"), not one that points
    back to what people reported and would open the answer without it ("This creates issues
    with reliability..." after "Participants were concerned that...")."""
    text = without_marker(sentence.text)
    if sentence.role == "list_item":
        return text[:1].isupper() and len(text.split()) >= _MIN_WORDS
    before = _context_before(sentence)
    if before is not None and not _may_lead_with(sentence, before):
        return False
    return sentence.role != "list_lead" or len(text.split()) >= _MIN_WORDS


def _chosen(candidates, lead, reference, policy, settings, dimension, question) -> list[_Sentence]:
    """Further sentences close to the lead's score: a question the guidance answers in one place
    gets one or two, one it answers in several places up to `extractive_max_sentences`."""
    kept: list[_Sentence] = []
    vectors = [_vector(lead, dimension)] if lead else []
    counts = {"guidance": 0, "reported": 0}
    limits = {"guidance": policy.guidance_max, "reported": policy.reported_max}
    for candidate in candidates:
        if len(kept) + bool(lead) >= settings.extractive_max_sentences:
            break
        if candidate.preferred < reference - _KEEP_WITHIN:
            break
        part = _part(candidate)
        if candidate is lead or counts[part] >= limits[part]:
            continue
        shown = _shown(candidate, question)
        if candidate.role == "list_lead" and (part == "reported" or not shown):
            continue  # a lead-in brings its list: not as a side note, not a long one
        vector = _vector(candidate, dimension)
        if any(cosine(vector, other) > _SAME_SENTENCE for other in vectors):
            continue
        kept.append(candidate)
        vectors.append(vector)
        counts[part] += 1
    return kept


def _part(sentence: _Sentence) -> str:
    """Where a sentence is shown. One that points back to what someone said or found ("These
    time savings allowed..." after a practitioner's quotation) is shown with it, as reported:
    else the quotation it brings would stand under "What the guidance says"."""
    if sentence.voice in REPORTED:
        return "reported"
    before = _context_before(sentence)
    if before is not None and sentence.role not in ("list_item", "list_lead"):
        if _role(sentence.passage.chunk, before)[1] in REPORTED:
            return "reported"
    return "guidance"


def _arranged(lead, chosen, passages, continuation, question) -> tuple[list[Claim], list[ListNote]]:
    """Claims in the answer's order: the lead, the guidance, then what people reported; each
    part in reading order (source by source), lists with their items, a sentence that points
    back ("This means...") with the one before it, a list item with its list's lead-in."""
    claims: list[Claim] = []
    seen: _Shown = {}
    if lead:
        _emit(lead, "lead", claims, passages, continuation, seen, question)
        _continue_lead(lead, question, claims, seen, lambda index: _add_list(
            lead.passage, index, "lead", claims, passages, continuation, seen))
    for part in ("guidance", "reported"):
        for sentence in _reading_order([s for s in chosen if _part(s) == part], lead):
            _emit(sentence, part, claims, passages, continuation, seen, question)
    if lead is not None and question.type == "which-standard" and lead.voice == "standard":
        _add_sibling_standards(lead, claims, seen)
    if len(claims) == 1 and lead is not None:
        _add_successor(lead, claims, seen, lambda index, part: _add_list(
            lead.passage, index, part, claims, passages, continuation, seen))
    return claims, _partial_lists(passages, continuation, seen)


def _add_sibling_standards(lead: _Sentence, claims: list[Claim], seen: _Shown) -> None:
    """Asked which standard applies: the best one leads, and the others the guidance lists with
    it for the same concern follow ("Relevant professional standards include: 1.5, 1.6, 3.7")."""
    chunk = lead.passage.chunk
    texts, roles = _texts_and_roles(chunk)
    start = lead.index
    while start > 0 and roles[start - 1] in ("standard", "list_item"):
        start -= 1
    if start == 0 or roles[start - 1] != "list_lead":
        return
    siblings = itertools.takewhile(lambda i: roles[i] in ("standard", "list_item"), range(start, len(texts)))
    members = [i for i in siblings if i != lead.index and roles[i] == "standard"]
    if members:
        _add(lead.passage, start - 1, "guidance", claims, seen)
        for index in members:
            _add(lead.passage, index, "guidance", claims, seen, item=True)


def _continue_lead(lead: _Sentence, question: Question, claims: list[Claim], seen: _Shown, add_list) -> None:
    """The rest of the lead's paragraph, up to `_LEAD_RUNS_ON` sentences: a point is often made
    over two or three ("...there are concerns" / "Feedback indicates AI is already being used
    to..."). Asked what to do, only advice or a standard may join the lead (a sentence in the
    guidance's voice may be a finding the rules missed)."""
    chunk = lead.passage.chunk
    if lead.role == "list_lead" or question.is_the_item_asked(lead.text):
        return  # a lead-in comes with its list; an item asked for by its number, alone
    for following in range(lead.index + 1, min(lead.index + 1 + _LEAD_RUNS_ON, len(chunk.sentences))):
        if not _same_paragraph(chunk, following):
            return
        role, voice = _role(chunk, following)
        if not _answers(chunk.sentence_texts()[following], role) or role == "list_item":
            return
        if role == "standard" and lead.role == "standard":
            return  # "3.11 Maintain clear... records. 2.2 Respect...", run together on one line: two standards
        if voice in REPORTED and lead.voice not in REPORTED:
            return
        if question.type in _ASKS_WHAT_TO_DO and voice not in ("advice", "standard"):
            return
        if role == "list_lead":
            # "...a range of barriers." / "In order of priority, these are:": the lead-in comes
            # with its list, or not at all (a lead-in alone promises what the answer never shows).
            if question.type == "list" or _compact(chunk, following) or question.names_an_item:
                _add(lead.passage, following, "lead", claims, seen)
                add_list(following)
            return
        _add(lead.passage, following, "lead", claims, seen)


def _same_paragraph(chunk: Chunk, index: int) -> bool:
    """Whether sentence `index` continues the paragraph of the one before it."""
    (_, previous_end), (start, _) = chunk.sentences[index - 1], chunk.sentences[index]
    return "\n" not in chunk.text[previous_end:start]


def _add_successor(lead: _Sentence, claims: list[Claim], seen: _Shown, add_list) -> None:
    """One sentence alone reads like a fragment: the one after it in the passage goes with it
    ("the police did not consent..." -> "This had a significant impact..."), a list's lead-in
    with its list ("Some examples include:" alone promises what the answer never shows)."""
    chunk, following = lead.passage.chunk, lead.index + 1
    if following >= len(chunk.sentences):
        return
    role, voice = _role(chunk, following)
    if _answers(chunk.sentence_texts()[following], role) and role != "list_item":
        part = "reported" if voice in REPORTED else "guidance"
        _add(lead.passage, following, part, claims, seen)
        if role == "list_lead":
            add_list(following, part)


def _emit(sentence, part, claims, passages, continuation, seen, question) -> None:
    if sentence.key in seen:
        return
    before = _context_before(sentence)
    # A lead that leans on the sentence before ("Consequently, some have banned GenAI from
    # reflective logs.") is shown after it: alone, it says what happened but not why.
    if before is not None and (part != "lead" or _may_lead_with(sentence, before)):
        _add(sentence.passage, before, part, claims, seen)
    _add(sentence.passage, sentence.index, part, claims, seen)
    chunk = sentence.passage.chunk
    introduces = sentence.role == "list_lead" or _opens_sublist(chunk.sentence_texts(), sentence.index)
    # A lead-in that leads (a named body's list, "Any updates should:") brings its list whatever
    # its length: alone, it promises what the answer never shows.
    if introduces and (question.type == "list" or part == "lead" or _compact(chunk, sentence.index)):
        _add_list(sentence.passage, sentence.index, part, claims, passages, continuation, seen)


def _may_lead_with(lead: _Sentence, before: int) -> bool:
    """Whether the sentence a lead leans on may open the answer with it: a list's lead-in, or
    a sentence in the guidance's voice (what people reported never opens an answer before the
    guidance's own words, unless the lead is itself what they reported)."""
    if lead.role == "list_lead":
        return True
    if lead.role == "list_item":
        return False
    _, voice = _role(lead.passage.chunk, before)
    return voice not in REPORTED or lead.voice in REPORTED


def _shown(lead_in: _Sentence, question: Question) -> bool:
    """Whether a list's lead-in may be shown: with its list when the list is compact; alone, for
    a follow-up's subject, when it is a whole sentence ("The difference in ... policies for AI
    models like Copilot ... is a critical consideration"): it may be all the library says of it.
    (Shown alone for every question, it lost a dev case's key point and lead: not done.)"""
    whole_sentence = lead_in.text.rstrip().endswith(".")
    return _compact(lead_in.passage.chunk, lead_in.index) or (question.subject is not None and whole_sentence)


def _compact(chunk: Chunk, lead_in: int) -> bool:
    """Whether the list after the lead-in at `lead_in` is short, of short items."""
    texts = chunk.sentence_texts()
    items = _members(chunk, lead_in)
    return len(items) <= _COMPACT_LIST_ITEMS and all(
        len(texts[i].split()) <= _COMPACT_ITEM_WORDS for i, _ in items
    )


def _context_before(sentence: _Sentence) -> int | None:
    """The sentence before one that points back to it, or the lead-in of a list item."""
    chunk, index = sentence.passage.chunk, sentence.index
    if index == 0:
        return None
    texts, roles = _texts_and_roles(chunk)
    if sentence.role == "list_item":
        depth = item_depth(sentence.text)
        for earlier in range(index - 1, -1, -1):
            if roles[earlier] == "list_lead" or 0 <= item_depth(texts[earlier]) < depth:
                return earlier  # the list's lead-in, or the item a sub-item is under
            if roles[earlier] not in ("list_item", "standard"):
                return None
        return None
    if sentence.role == "list_lead" and (len(sentence.text.split()) < 8 or _NEUTRAL_LEAD.search(sentence.text)):
        return index - 1 if roles[index - 1] not in ("navigation", "list_item") else None
    return index - 1 if _POINTS_BACK.match(sentence.text) else None


def _add(
    passage: Passage, index: int, part: str, claims: list[Claim], seen: _Shown, item: bool = False,
    level: int = 0,
) -> None:
    chunk = passage.chunk
    key = _key(chunk, index)
    if key in seen:
        return
    seen[key] = (len(claims), passage, index)
    _, voice = _role(chunk, index)
    text = without_marker(chunk.sentence_texts()[index])
    claims.append(Claim(text, (passage.rank,), (text,), voice, part, item, level))


def _add_list(passage, index, part, claims, passages, continuation, seen) -> None:
    """The items after a list's lead-in, running on into the next passage of the section: up to
    `_MAX_LIST_ITEMS` of them, none of more than `_LIST_ITEM_WORDS` words (`_partial_lists`
    says what is left out)."""
    items = list(_items_after(passage, index, passages, continuation))
    shown = [
        (p, i, level) for (p, i), level in items if len(p.chunk.sentence_texts()[i].split()) <= _LIST_ITEM_WORDS
    ]
    for item_passage, item_index, level in shown[:_MAX_LIST_ITEMS]:
        _add(item_passage, item_index, part, claims, seen, item=True, level=level)


def _partial_lists(passages: list[Passage], continuation, seen: _Shown) -> list[ListNote]:
    """A note for each list the answer shows only in part: how many of its items are not shown,
    and where they are. Shown two of six "ways to involve people with lived experience" (the
    two closest to the question), or one item alone, a reader must not take them for the list."""
    heads: dict[tuple[str, int], tuple[Passage, int, list[int]]] = {}
    for place, passage, index in list(seen.values()):
        if _continues_item(passage.chunk, index):
            continue  # an item's later sentence, shown alone, reads as prose: no list is shown
        head = _list_head(passage.chunk, index)
        if head is not None:
            heads.setdefault(_key(passage.chunk, head), (passage, head, []))[2].append(place)
    notes = []
    for passage, head, places in heads.values():
        # Counted on a copy: a passage the list runs on into is added only if the note cites it.
        members = [member for member, _ in _items_after(passage, head, list(passages), continuation)]
        missing = [(p, i) for p, i in members if _key(p.chunk, i) not in seen]
        if not missing:
            continue
        rest = _as_passage(missing[0][0].chunk, passages)
        after = max(places)  # under the list's last sentence shown
        if all(note.after != after for note in notes):
            notes.append(ListNote(after, len(members) - len(missing), len(members), rest.rank, rest.chunk.section))
    return sorted(notes, key=lambda note: note.after)


def _list_head(chunk: Chunk, index: int) -> int | None:
    """The lead-in of the list a sentence belongs to (itself, for a lead-in), in its passage:
    for a sub-item, the lead-in of the outer list. None for a sentence of no list, or a list
    whose lead-in is in an earlier passage."""
    texts, roles = _texts_and_roles(chunk)
    if roles[index] not in ("list_item", "list_lead", "standard"):
        return None
    for earlier in range(index, -1, -1):
        if roles[earlier] == "list_lead" and item_depth(texts[earlier]) < 0:
            return earlier  # a lead-in that is not itself an item of a list
        in_the_list = (
            _is_list_member(texts[earlier], roles[earlier]) or roles[earlier] == "list_lead"
            or _continues_item(chunk, earlier)
        )  # fmt: skip
        if not in_the_list:
            return None
    return None


def _items_after(passage: Passage, index: int, passages: list[Passage], continuation):
    """((passage, sentence index), level) of each item of the list a lead-in introduces, in
    order, also from the passages that follow in the section. An item is a list item or standard
    ("- ..."), level 1 for a sub-item; the further sentences of a long item are passed over (the
    item's first sentence names it)."""
    lead_in = passage.chunk.sentence_texts()[index]
    return _list_members(lead_in, _sentences_after(passage, index, passages, continuation))


def _sentences_after(passage: Passage, index: int, passages: list[Passage], continuation):
    """((passage, sentence index), text, role, whether it continues an item's line) of each
    sentence after one, in order, on into the passages that follow in the section, each once."""
    # The sentence itself is passed over where the next passage repeats it (chunks overlap by a
    # sentence): a lead-in last in its passage has all its items in the next.
    seen_offsets = {passage.chunk.start + passage.chunk.sentences[index][0]}
    current, position = passage, index + 1
    while current is not None:
        chunk = current.chunk
        texts, roles = _texts_and_roles(chunk)
        for i in range(position, len(texts)):
            offset = chunk.start + chunk.sentences[i][0]
            if offset not in seen_offsets:
                seen_offsets.add(offset)
                yield (current, i), texts[i], roles[i], _continues_item(chunk, i)
        following = continuation(chunk)
        if following is None:
            return
        current, position = _as_passage(following, passages), 0


def _continues_item(chunk: Chunk, index: int) -> bool:
    """A sentence on the same line as a list item, after it: the item's second sentence."""
    if index == 0:
        return False
    (_, previous_end), (start, _) = chunk.sentences[index - 1], chunk.sentences[index]
    if "\n" in chunk.text[previous_end:start]:
        return False
    line_start = chunk.text.rfind("\n", 0, start) + 1
    return item_depth(chunk.text[line_start:start]) >= 0


def _as_passage(chunk: Chunk, passages: list[Passage]) -> Passage:
    """The passage for `chunk`, added after the retrieved ones when it was not retrieved."""
    for passage in passages:
        if passage.chunk.id == chunk.id:
            return passage
    passage = Passage(len(passages) + 1, chunk, 0.0, 0.0)
    passages.append(passage)
    return passage


def _reading_order(sentences: Sequence[_Sentence], lead: _Sentence | None) -> list[_Sentence]:
    """Source by source (the lead's source first, then by best sentence), then passage, then
    place in the passage."""
    order: dict[str, int] = {}
    if lead:
        order[lead.passage.chunk.source_id] = 0
    for sentence in sentences:
        order.setdefault(sentence.passage.chunk.source_id, len(order))
    return sorted(sentences, key=lambda s: (order[s.passage.chunk.source_id], s.key[1]))


def _hubness(chunk: Chunk, index: int) -> float:
    """0 for an index built before hubness was stored: sentences are then scored as they were."""
    return chunk.hubness[index] if index < len(chunk.hubness) else 0.0


def _texts_and_roles(chunk: Chunk) -> tuple[list[str], tuple[str, ...]]:
    """A chunk's sentences and their roles, one each: a chunk stored without roles (an index
    built before them, or written by other code) reads as context, never out of range."""
    texts = chunk.sentence_texts()
    roles = chunk.roles[: len(texts)]
    return texts, roles + ("context",) * (len(texts) - len(roles))


def _role(chunk: Chunk, index: int) -> tuple[str, str]:
    if index < len(chunk.roles) and index < len(chunk.voices):
        return chunk.roles[index], chunk.voices[index]
    return "context", "context"  # an index built before roles were stored


def _vector(sentence: _Sentence, dimension: int) -> list[float]:
    return unpack_vectors(sentence.passage.chunk.sentence_vectors, dimension)[sentence.index]
