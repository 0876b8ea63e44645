"""The baseline every report compares against: LangChain's plain RAG tutorial pipeline.

RecursiveCharacterTextSplitter (1,000 characters, 200 overlap), the same embedding model, Chroma,
the 4 nearest chunks, and the "stuff" prompt (prompts/baseline.v1.md: every chunk pasted into one
message, with a line asking for [n] citations). No personal-data guard, no lexical search, no
relevance threshold, no citation checks, no follow-up handling: that is the point of comparison.

It reads the same cleaned document text the assistant's index is cut from (ingest's parser), so
differences come from chunking, ranking, abstaining and checking, not from parsing.

With a model backend the prompt goes to the same model as the assistant's. With the extractive
backend there is no model, so the baseline answers the way a plain extractive RAG would: the
sentence of each of its 4 chunks closest to the question, quoted and cited, never declining.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Sequence

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.core.embeddings import Embedder, cosine
from assistant.core.llm import LLM
from assistant.core.prompts import load_template
from assistant.core.sentences import split_sentences
from assistant.settings import Settings
from evals.cases import Case
from evals.pipelines import K_MAX, Cited, Record, Retrieved, Said

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 4
_PROMPT = "baseline.v1.md"
# The tutorial prompt's way out ("just say that you don't know"), as models phrase it.
_DECLINES = re.compile(
    r"\b(?:i )?(?:don't|do not|cannot|can't) (?:know|answer)\b|not (?:covered|mentioned|provided) in",
    re.I,
)


class _SameEmbeddings(Embeddings):
    """The assistant's embedder behind LangChain's interface (so both use the same model)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed_batch([text])[0]


def corpus_documents(settings: Settings) -> list[Document]:
    """Each corpus file as one LangChain Document of its cleaned text, with its source id."""
    from ingest.chunk import render
    from ingest.document import FileProblem
    from ingest.manifest import load_manifest
    from ingest.parse import parse_file
    from ingest.pipeline import discover, limits_for

    corpus_dir = settings.corpus_dir
    manifest = load_manifest(corpus_dir)
    documents = []
    for path in discover(corpus_dir):
        try:
            parsed = parse_file(path, limits_for(settings))
        except FileProblem:
            continue  # the assistant's ingest skips it too
        source = manifest.source_for(path.relative_to(corpus_dir).as_posix(), parsed.title)
        text, _ = render(parsed.elements)
        documents.append(Document(page_content=text, metadata={"source": source.id}))
    return documents


class TutorialBaseline:
    name = "baseline"

    def __init__(self, settings: Settings, embedder: Embedder, llm: LLM | None) -> None:
        self._embedder = embedder
        self._llm = llm
        self._template = load_template(_PROMPT)
        self.system_prompt = self._template.parts["user"]
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP
        )
        chunks = splitter.split_documents(corpus_documents(settings))
        self._folder = tempfile.TemporaryDirectory(prefix="baseline-chroma-")
        client = chromadb.PersistentClient(
            path=self._folder.name, settings=ChromaSettings(anonymized_telemetry=False)
        )
        self._store = Chroma(
            collection_name="baseline",
            embedding_function=_SameEmbeddings(embedder),
            client=client,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self._store.add_documents(chunks)
        answers = (
            "the same model"
            if llm
            else "no model: the sentence of each chunk closest to the question, quoted and cited"
        )
        self.description = (
            f"LangChain tutorial pipeline: RecursiveCharacterTextSplitter 1000/200 ({len(chunks)} "
            "chunks), all-MiniLM-L6-v2, Chroma, k=4, the 'stuff' prompt (prompts/baseline.v1.md); "
            f"{answers}; no guard, no threshold, no citation checks."
        )

    def run(self, case: Case) -> Record:
        started = time.perf_counter()
        ranked = self._store.similarity_search(case.question, k=K_MAX)
        context = ranked[:K]
        if self._llm is None:
            claims = self._extract(case.question, context)
            answer = "\n".join(f"- “{c.text}” [{c.citations[0]}]" for c in claims)
        else:
            answer = self._generate(case.question, context)
            claims = statements(answer)
        seconds = time.perf_counter() - started
        # What the tutorial's pipeline returns: its state, question and context included.
        state = {
            "question": case.question,
            "context": [d.page_content for d in context],
            "answer": answer,
        }
        return Record(
            case_id=case.id,
            pipeline=self.name,
            answer=answer,
            citable={
                n: Cited(n, d.metadata["source"], d.page_content) for n, d in enumerate(context, 1)
            },
            retrieved=[Retrieved(d.metadata["source"], d.page_content) for d in ranked],
            abstained=self._llm is not None and bool(_DECLINES.search(answer)),
            seconds=seconds,
            output=json.dumps(state, ensure_ascii=False),
            claims=claims,
            twin=self._twin(case),
        )

    def _twin(self, case: Case) -> list[Said] | None:
        """The answer to the case's question without personal details, if it has one."""
        if not case.without_details:
            return None
        context = self._store.similarity_search(case.without_details, k=K)
        if self._llm is None:
            return self._extract(case.without_details, context)
        return statements(self._generate(case.without_details, context))

    def _generate(self, question: str, context: Sequence[Document]) -> str:
        passages = "\n\n".join(
            self._template.render("passage", n=n, text=d.page_content)
            for n, d in enumerate(context, 1)
        )
        prompt = self._template.render("user", question=question, context=passages)
        return self._llm.chat([{"role": "user", "content": prompt}]).text.strip()

    def _extract(self, question: str, context: Sequence[Document]) -> list[Said]:
        """The sentence of each chunk closest to the question, quoted, with its number."""
        sentences = [
            (n, s) for n, d in enumerate(context, 1) for s in split_sentences(d.page_content)
        ]
        vectors = self._embedder.embed_batch([question] + [s for _, s in sentences])
        best: dict[int, tuple[float, str]] = {}
        for (n, sentence), vector in zip(sentences, vectors[1:]):
            similarity = cosine(vectors[0], vector)
            if n not in best or similarity > best[n][0]:
                best[n] = (similarity, sentence)
        return [Said(" ".join(best[n][1].split()), (n,), quoted=True) for n in sorted(best)]


# -- The baseline's model output, read as the reader sees it ----------------------------------

_MARKERS = re.compile(r"((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
_NUMBER = re.compile(r"\d+")
_LAYOUT = re.compile(r"^\s*(?:\*\*[^*]+\*\*|[^-].*:)\s*$")


def statements(answer: str) -> list[Said]:
    """A free-text answer's sentences, each with the [n] markers that follow it. The baseline's
    model writes plain text with markers (it has no structured output): this is its edge, where
    its reply becomes the harness's sentences."""
    found: list[Said] = []
    pieces = _MARKERS.split(answer)
    for i in range(0, len(pieces), 2):
        cites = tuple(int(n) for n in _NUMBER.findall(pieces[i + 1])) if i + 1 < len(pieces) else ()
        lines = [
            line for line in pieces[i].splitlines() if line.strip() and not _LAYOUT.match(line)
        ]
        body = " ".join(line.strip().removeprefix("- ") for line in lines).strip()
        if not body:
            continue
        if body.startswith("“") and body.endswith("”"):  # one quoted sentence
            found.append(Said(body[1:-1].strip(), cites, quoted=True))
            continue
        sentences = split_sentences(body)
        found += [Said(s, ()) for s in sentences[:-1]]
        found.append(Said(sentences[-1], cites))
    return found
