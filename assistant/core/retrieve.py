"""Hybrid retrieval: dense (the vector store) and lexical (BM25) candidates, each scored on four
signals whose standardised scores are added, made diverse, and judged for relevance so that
"nothing relevant" is an honest result.

Why hybrid: MiniLM alone finds "passages about AI in social work" for almost any question; the
words a practitioner uses ("paste", "case notes", "ChatGPT", "3.11") pin down the passage that
answers it. Thresholds are measured on evals/cases/dev.yaml (see evals/README.md).

Why scores, not ranks: reciprocal-rank fusion hears only the order of each signal, so a passage
far closer in meaning than any other, but sharing few of a practitioner's everyday words ("make
things up", not "hallucinations"), lost to passages ranked middling on every signal. Each signal
is standardised over the question's candidates (how many standard deviations above their mean)
and the weighted sum ranks them: a clear lead on one signal counts as one. Chosen on the
development sets (`assistant eval --set fast`: recall@5 83.3% -> 87.0%, practice questions 68.7% ->
76.1%, dev unchanged at 95.6%); then measured once, unchanged, on the held-out sets: heldout
87.5% -> 95.0%, practice_heldout 54.2% -> 66.7%, practice2_heldout 40.0% -> 43.3%. (MiniLM's
larger sibling all-mpnet-base-v2, tried in the same fusion, did no better on the development
sets, at five times the cost.)
"""

from __future__ import annotations

import math

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy

from assistant.core.domain import Chunk, Passage
from assistant.core.embeddings import Embedder, cosine, unpack_array
from assistant.core.instructions import is_instruction
from assistant.core.lexical import BM25, terms
from assistant.core.sentences import split_sentences
from assistant.settings import Settings
from assistant.core.store import ChunkStore
from assistant.core.thesaurus import expand

if TYPE_CHECKING:
    from assistant.core.followup import Subject

# The signals and their weights (standardised scores; chosen on the development sets, grid over
# lexical 0.5/0.8/1.2, words 0/0.5, passage 0/0.5): the best single sentence's closeness to the
# question (a passage holding the answer in one sentence beats one broadly on the topic), BM25
# on the question in the guidance's words, the largest share of the question's words in one
# sentence, and the whole passage's closeness.
_SENTENCE_WEIGHT = 1.0
_LEXICAL_WEIGHT = 0.8
_SENTENCE_WORDS_WEIGHT = 0.5
_PASSAGE_WEIGHT = 0.5
_NEAR_DUPLICATE = 0.95  # cosine above which two passages say the same thing
RANKED = 10  # passages ranked for the record (Retrieval.ranked), shown or not

# A question that names a body ("according to BASW") ranks that body's own passages higher by
# this many standard deviations: among passages about as relevant, the body's own words come first.
_PREFERRED_BONUS = 1.0
# A source listed in corpus/sources.toml over a local document of about the same relevance (in
# standard deviations): a local file that answers clearly better still comes first (and one that
# repeats the library's sentence comes after it: Retriever._library_first).
_VETTED_BONUS = 1.0


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]
    relevant: bool  # False: nothing in the library is close enough to answer from
    best_similarity: float  # of the best single sentence in the passages
    word_coverage: float  # share of the question's words (weighted by rarity) in the passages
    query_vector: list[float]
    # chunk id -> one per sentence of the chunk, to the question or its rephrasing if closer
    sentence_similarity: dict[str, list[float]]
    term_weights: dict[str, float]  # the question's terms and how rare they are in the library
    # The passages in rank order to RANKED deep, of which `passages` are the first k: kept with
    # the answer so that the harness measures recall@k on the search the answer ran.
    ranked: list[Passage] = field(default_factory=list)


def _standardised(values: list[float]) -> numpy.ndarray:
    """Each value as standard deviations above the mean of all; 0 for all when they are equal."""
    array = numpy.asarray(values, dtype=numpy.float64)
    spread = array.std()
    return (array - array.mean()) / spread if spread > 1e-9 else numpy.zeros_like(array)


def _sentence_words(chunk: Chunk, weights: dict[str, float]) -> float:
    """The largest share of the question's (rarity-weighted) words that one sentence of the
    passage holds: where the question's words come together, not spread over a long passage."""
    best = 0.0
    roles = chunk.roles or ("context",) * len(chunk.sentences)
    for text, role in zip(chunk.sentence_texts(), roles):
        if role != "navigation":
            # fsum: the same total whatever order the set gives (it changes with string hashing).
            best = max(best, math.fsum(weights.get(t, 0.0) for t in set(terms(text))))
    return best


def _asking_part(question: str) -> str:
    """The sentence(s) of a question that ask it, when the question also carries context; ""
    when the question is all asking."""
    sentences = split_sentences(question)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    if len(sentences) < 2 or not asking or len(asking) == len(sentences):
        return ""
    return " ".join(asking)


# The library's subject: a question that names AI, or a tool the thesaurus reads as AI
# ("ChatGPT" -> "publicly available generative AI"), is about it.
_AI_TERMS = frozenset(terms(
    "AI GenAI artificial generative algorithm algorithmic predictive LLM chatbot robot robotic"
))


# A question this short, after others, is read as a follow-up in their conversation (one that says
# more brings its own subject: "What was the NHS number I gave you? Repeat them back to me.").
_FOLLOW_UP_WORDS = 12


def _about_ai(expanded_question: str) -> bool:
    return bool(_AI_TERMS & set(terms(expanded_question)))


class Retriever:
    """Searches one generation of the index; build once, query many times."""

    def __init__(self, store: ChunkStore, embedder: Embedder, settings: Settings) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings
        # Every chunk stays in memory for BM25 and the source filter, but not its sentence
        # vectors: they are four-fifths of its size (600 MB at 100,000 chunks, docs/scale.md).
        # A question's candidates get theirs from the store.
        self._chunks: list[Chunk] = store.chunks(sentence_vectors=False)
        self._by_id = {chunk.id: chunk for chunk in self._chunks}
        self._number = {chunk.id: number for number, chunk in enumerate(self._chunks)}
        self._instruction_like: dict[str, bool] = {}
        sources = store.info.sources
        self._local = {source_id for source_id, source in sources.items() if not source.in_manifest}
        if settings.local_documents == "include":
            self._local = set()  # used like the library's own sources, and not told apart
        self._excluded = self._local if settings.local_documents == "exclude" else set()
        # Words are matched against what can answer: a reference list naming "the AI Playbook"
        # or an agenda line about recording is not a passage about either.
        self._lexical = BM25(chunk.answerable_text() for chunk in self._chunks)
        self._sources = sorted({chunk.source_id for chunk in self._chunks})
        # Each chunk's source as a number, so that a source filter is one NumPy comparison.
        numbers = {source: number for number, source in enumerate(self._sources)}
        self._source_numbers = numpy.array(
            [numbers[chunk.source_id] for chunk in self._chunks], dtype=numpy.int32
        )
        # The passage that follows each one in its section: a list that runs on is completed.
        self._next: dict[str, str] = {}
        by_section: dict[tuple[str, tuple[str, ...]], list[Chunk]] = {}
        for chunk in self._chunks:
            by_section.setdefault((chunk.source_id, chunk.heading_path), []).append(chunk)
        for chunks in by_section.values():
            chunks.sort(key=lambda chunk: chunk.start)
            self._next.update((a.id, b.id) for a, b in zip(chunks, chunks[1:]))

    @property
    def sources(self) -> list[str]:
        return list(self._sources)

    def is_local(self, source_id: str) -> bool:
        """Whether a source is a local document to be labelled as such (not in sources.toml,
        and ASSISTANT_LOCAL_DOCUMENTS is not "include")."""
        return source_id in self._local

    def uses(self, word: str) -> bool:
        """Whether the library uses `word`: the guard's `library_uses`."""
        return self._lexical.uses(word)

    @property
    def chunks(self) -> list[Chunk]:
        """Every passage this generation of the index holds."""
        return list(self._chunks)

    def mentions(self, phrase: str) -> bool:
        """Whether any passage names `phrase` (case and spacing aside). A scan of the library's
        text: kept for the rare question about a named organisation's own documents."""
        wanted = " ".join(phrase.lower().split())
        return any(wanted in " ".join(chunk.text.lower().split()) for chunk in self._chunks)

    def about(self, subject: Subject, source_ids: Sequence[str] | None = None) -> set[str]:
        """The passages where the library speaks of a follow-up's subject in its conversation: a
        sentence (not navigation) that names it and shares a word with the earlier question.
        Only passages holding every word of the subject are read (the lexical index says which)."""
        allowed = set(source_ids or self._sources) - self._excluded
        found = set()
        for number in self._lexical.holding(subject.terms):
            chunk = self._chunks[number]
            if chunk.source_id not in allowed or self._carries_instruction(chunk):
                continue
            roles = chunk.roles or ("context",) * len(chunk.sentences)
            sentences = zip(chunk.sentence_texts(), roles)
            if any(role != "navigation" and subject.spoken_of(text) for text, role in sentences):
                found.add(chunk.id)
        return found

    def next_in_section(self, chunk: Chunk) -> Chunk | None:
        """The passage after `chunk` in the same section of the same document, if any."""
        following = self._next.get(chunk.id)
        if not following or self._carries_instruction(self._by_id[following]):
            return None
        return self._by_id[following]

    def _carries_instruction(self, chunk: Chunk) -> bool:
        """Whether a passage holds text addressed to an AI. Ingest withholds such sentences; this
        is the second line, for an index built before a rule was added or text that only reads as
        an order once its sentences are split differently. Such a passage is never shown, quoted
        or given to a model. Checked when a passage is about to be chosen, and remembered."""
        known = self._instruction_like.get(chunk.id)
        if known is None:
            texts = [*chunk.heading_path, *chunk.sentence_texts()]
            known = self._instruction_like[chunk.id] = any(is_instruction(text) for text in texts)
        return known

    def search(
        self,
        question: str,
        k: int | None = None,
        source_ids: Sequence[str] | None = None,
        prefer: Callable[[Chunk], bool] | None = None,
        first: Collection[str] = (),
        earlier: Sequence[str] = (),
    ) -> Retrieval:
        """The k best passages for `question`, most relevant first; among those about as
        relevant, passages `prefer` picks out (a named body's own material) first. Passages
        `first` names (where a follow-up's subject is spoken of) come before all others.
        `earlier`: the conversation's earlier questions (a short question asked in a conversation
        about AI is about AI: "What happens to the information if I do?")."""
        k = k or self._settings.retrieval_k
        pool = self._settings.retrieval_candidates
        if self._excluded:
            # A filter naming no source finds nothing: every source here is a local document.
            source_ids = [s for s in (source_ids or self._sources) if s not in self._excluded] or ["(none)"]
        expanded = expand(question)
        # Sentences are also scored against the question in the guidance's words (thesaurus):
        # "make things up" is far from "fabrications ('hallucinations')" for a small model.
        # A practitioner's question often comes with its context ("Programme team meeting next
        # week - should we just ban...? Half the team want a ban."): passages are also searched
        # for the sentence that asks, alone.
        focus = _asking_part(question)
        texts = [question] + ([expanded] if expanded != question else []) + ([focus] if focus else [])
        query, *rephrased = self._embedder.embed_batch(texts)
        dense = self._store.query(query, pool, source_ids)
        if focus:
            seen = {hit.chunk.id for hit in dense}
            dense += [hit for hit in self._store.query(rephrased[-1], pool, source_ids) if hit.chunk.id not in seen]
        lexical_scores = self._lexical.scores(expanded)
        lexical = self._lexical_ranking(lexical_scores, pool, source_ids)
        # A follow-up's subject is one or two words beside a whole earlier question: its
        # passages are candidates even when the earlier question's words outweigh it.
        on_subject = self._lexical_ranking(lexical_scores, pool, source_ids, among=first) if first else []
        candidates = list(dict.fromkeys([hit.chunk.id for hit in dense] + lexical + on_subject))
        # Dense hits come with their sentence vectors; lexical-only candidates are fetched.
        full = {hit.chunk.id: hit.chunk for hit in dense}
        missing = [chunk_id for chunk_id in candidates if chunk_id not in full]
        if missing:
            full.update(self._store.chunks_by_id(missing))
        vectors = self._store.embeddings(candidates)
        asking = [query] + ([rephrased[-1]] if focus else [])
        weights = self._term_weights(question)
        closest = {c: self._sentence_similarities(full[c], *asking) for c in candidates}
        signals = (
            (_SENTENCE_WEIGHT, [max(closest[c], default=0.0) for c in candidates]),
            (_LEXICAL_WEIGHT, [float(lexical_scores[self._number[c]]) for c in candidates]),
            (_SENTENCE_WORDS_WEIGHT, [_sentence_words(full[c], weights) for c in candidates]),
            (_PASSAGE_WEIGHT, [cosine(query, vectors[c]) for c in candidates]),
        )
        total = sum(weight * _standardised(values) for weight, values in signals)
        fused = dict(zip(candidates, total.tolist()))
        for chunk_id in candidates:
            if prefer is not None and prefer(full[chunk_id]):
                fused[chunk_id] += _PREFERRED_BONUS
            if self._local and full[chunk_id].source_id not in self._local:
                fused[chunk_id] += _VETTED_BONUS

        ordered = sorted(fused, key=fused.get, reverse=True)
        if self._local:
            ordered = self._library_first(ordered, full, closest)
        if first:
            # "What about Copilot?": what the library says about Copilot answers it, ranked by
            # how close it is to the earlier question; the earlier topic alone comes after.
            ordered = [c for c in ordered if c in first] + [c for c in ordered if c not in first]
        # Chosen greedily in rank order: the first k are the same however deep the ranking runs.
        chosen = self._diverse(ordered, vectors, max(k, RANKED))
        ranked = [
            Passage(rank, full[chunk_id], fused[chunk_id], cosine(query, vectors[chunk_id]))
            for rank, chunk_id in enumerate(chosen, start=1)
        ]
        passages = ranked[:k]
        # Relevance is judged sentence by sentence: a long passage about AI in social work is
        # "similar" to almost any question; a sentence that answers it is much closer.
        by_sentence = {
            p.chunk.id: self._sentence_similarities(p.chunk, query, *rephrased) for p in passages
        }
        best = max((max(by_sentence[p.chunk.id], default=0.0) for p in passages), default=0.0)
        # ...and word by word: the passages must carry the question's distinctive words ("Care
        # Act eligibility criteria" finds sentences about adult social care, not about that).
        settings = self._settings
        in_conversation = earlier if len(question.split()) <= _FOLLOW_UP_WORDS else ()
        about_ai = any(_about_ai(text) for text in [expanded, *map(expand, in_conversation)])
        if about_ai:
            # A question about AI may carry details the library never speaks of ("Roma and
            # Traveller families"): its coverage is of the words the library uses, in the passages
            # shown or the few that hold the most of them (the ranking may put a passage close in
            # meaning before the one with the question's words).
            wordy = [Passage(0, full[chunk_id], 0.0, 0.0) for chunk_id in lexical[:k]]
            covered = self._word_coverage(question, passages + wordy, known_only=True)
            relevant = best >= settings.min_similarity_about_ai and covered >= settings.min_word_coverage
        else:
            # One not about AI must be about something the library says: all its words counted,
            # in the passages that are themselves close to it ("How many days of annual leave?"
            # is close to a sentence on working hours, and its words are in a passage on HR
            # monitoring: no one passage answers it).
            close = [p for p in passages if max(by_sentence[p.chunk.id], default=0.0) >= settings.min_similarity]
            covered = self._word_coverage(question, close)
            relevant = best >= settings.min_similarity and covered >= settings.min_word_coverage_not_about_ai
        return Retrieval(passages, relevant, best, covered, query, by_sentence, weights, ranked)

    def _library_first(self, ordered: list[str], full: dict[str, Chunk], closest: dict[str, list[float]]) -> list[str]:
        """A local document's passage whose sentence closest to the question is a library
        passage's too (a supplier's brochure repeating the guidance) comes after that passage."""
        def answering(chunk_id: str) -> str:
            scores = closest[chunk_id]
            best = max(range(len(scores)), key=scores.__getitem__) if scores else None
            return " ".join(full[chunk_id].sentence_texts()[best].split()) if best is not None else ""

        result = list(ordered)
        for chunk_id in [c for c in ordered if full[c].source_id in self._local]:
            sentence, at = answering(chunk_id), result.index(chunk_id)
            later = [i for i in range(at + 1, len(result))
                     if full[result[i]].source_id not in self._local and answering(result[i]) == sentence]  # fmt: skip
            if sentence and later:
                result.insert(later[0], result.pop(at))
        return result

    def _word_coverage(self, question: str, passages: list[Passage], known_only: bool = False) -> float:
        weights = self._lexical.term_weights(question)
        if known_only:
            weights = {term: weight for term, weight in weights.items() if self._lexical.uses(term)}
        present = {term for p in passages for term in terms(p.chunk.answerable_text())}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

    def _term_weights(self, question: str) -> dict[str, float]:
        """The question's own terms at full weight, the thesaurus' words for them at half."""
        own = self._lexical.term_weights(question)
        related = self._lexical.term_weights(expand(question))
        return {term: own.get(term, weight / 2) for term, weight in related.items()}

    def _sentence_similarities(self, chunk: Chunk, query: list[float], *others: list[float]) -> list[float]:
        """Each sentence's cosine to the question (or to its rephrasing, or to the sentence that
        asks, if closer); 0 for navigation, which answers nothing."""
        # Unpacked on each use (a base64 decode): kept, every chunk a search ever touched would
        # stay in memory, which grows toward gigabytes in a long-running chat at 100,000 chunks.
        vectors = unpack_array(chunk.sentence_vectors, len(query))
        if not len(vectors):
            return []
        queries = numpy.asarray([query, *others], dtype=numpy.float32)
        scores = (vectors @ queries.T).max(axis=1)
        if chunk.roles:
            scores = numpy.where(numpy.asarray(chunk.roles[: len(scores)]) == "navigation", 0.0, scores)
        return scores.tolist()

    def _lexical_ranking(
        self, scores: numpy.ndarray, pool: int, source_ids, among: Collection[str] = ()
    ) -> list[str]:
        """The lexical candidates for BM25 `scores`, best first; `among`: only these passages."""
        allowed = None
        if source_ids:
            named = set(source_ids)
            wanted = [number for number, source in enumerate(self._sources) if source in named]
            allowed = numpy.isin(self._source_numbers, wanted)
        if among:
            only = numpy.zeros(len(self._chunks), dtype=bool)
            only[[self._number[chunk_id] for chunk_id in among]] = True
            allowed = only if allowed is None else allowed & only
        return [self._chunks[i].id for i in BM25.best(scores, pool, allowed)]

    def _diverse(self, ordered: list[str], vectors: dict[str, list[float]], k: int) -> list[str]:
        """Skip near-duplicates (overlapping neighbours) and cap any one source's share."""
        chosen: list[str] = []
        per_source: dict[str, int] = {}
        for chunk_id in ordered:
            source = self._by_id[chunk_id].source_id
            if per_source.get(source, 0) >= self._settings.max_passages_per_source:
                continue
            if self._carries_instruction(self._by_id[chunk_id]):
                continue
            if any(cosine(vectors[chunk_id], vectors[other]) > _NEAR_DUPLICATE for other in chosen):
                continue
            chosen.append(chunk_id)
            per_source[source] = per_source.get(source, 0) + 1
            if len(chosen) == k:
                break
        return chosen
