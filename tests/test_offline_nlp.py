"""The spaCy workaround: it works offline, and it notices when upstream changes under it."""

from __future__ import annotations

import inspect

import unstructured.nlp.tokenize as tokenize

from ingest import offline_nlp
from tests.documents import make_pdf


def test_upstream_still_downloads_en_core_web_sm_through_the_hooks_we_replace():
    """If this fails, unstructured changed how it gets its spaCy model: revisit offline_nlp."""
    assert tokenize._SPACY_MODEL_NAME == "en_core_web_sm"
    assert "_get_nlp()" in inspect.getsource(tokenize._run_pipeline)
    assert "_install_spacy_model()" in inspect.getsource(tokenize._load_spacy_model)
    assert "urlopen" in inspect.getsource(tokenize._download_with_timeout)


def test_unpatched_unstructured_would_try_to_download(monkeypatch):
    """Without our pipeline, the first text partition reaches for the model download."""
    calls = []

    def record_download():
        calls.append("download")
        raise RuntimeError("download attempted")

    monkeypatch.setattr(tokenize, "_get_nlp", tokenize._load_spacy_model)
    monkeypatch.setattr(tokenize, "_install_spacy_model", record_download)
    tokenize._process_cached.cache_clear()
    tokenize.pos_tag.cache_clear()
    tokenize._tokenize_for_cache.cache_clear()
    from unstructured.partition.text import partition_text

    try:
        partition_text(text="Social workers check transcripts.")
    except RuntimeError:
        pass
    assert calls == ["download"]


def test_partitioning_works_with_no_network(no_network, tmp_path):
    from ingest.document import Limits
    from ingest.parse import parse_file

    offline_nlp.install()
    tokenize._process_cached.cache_clear()
    text = tmp_path / "note.txt"
    text.write_text("Consent\n\nAsk before you record a visit. Explain how the recording is used.\n")
    pdf = make_pdf(tmp_path / "page.pdf", ["Records must be accurate and up to date."])
    limits = Limits(10_000_000, 100_000_000)
    assert [e.kind for e in parse_file(text, limits).elements] == ["heading", "paragraph"]
    assert parse_file(pdf, limits).elements[0].text == "Records must be accurate and up to date."
    assert no_network == []


def test_the_offline_pipeline_splits_sentences_without_a_model():
    doc = offline_nlp.offline_pipeline()("Check the record. Then sign it.")
    assert [sentence.text for sentence in doc.sents] == ["Check the record.", "Then sign it."]
