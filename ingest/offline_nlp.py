"""Make unstructured's text heuristics run offline, without the spaCy model it downloads.

Why this module exists: unstructured 0.27 classifies each block of prose (narrative text, title,
plain text) with a spaCy pipeline, `en_core_web_sm`, which it downloads from GitHub on the first
partition of any text-like file. Offline that download fails and the whole partition fails.

What it uses spaCy for (`unstructured.nlp.tokenize`): word tokens, sentence boundaries, and
part-of-speech tags, the last only to ask "does this one-sentence block contain a verb?" when
telling narrative text from a title.

What we do instead of downloading: hand unstructured a pipeline built from spaCy's own rule-based
parts, which need no model weights: the English tokenizer (the same rules `en_core_web_sm` uses)
and the punctuation-based `sentencizer`. Tags stay empty, so the verb test answers "no verb" and a
short one-sentence line is judged by unstructured's title rules alone. Our parser never takes
headings from that guess where the document has structure (Markdown `#`, HTML `<h1>`-`<h6>`,
Word heading styles); for plain text it adds one rule of its own (a heading does not end like a
sentence). The element *text* is never affected: only its label.

Rejected: a re-upload of `en_core_web_sm` from a third party on PyPI (unverifiable provenance, and
~13 MB for one boolean per line).

`tests/test_offline_nlp.py` fails if the upstream hooks this relies on change.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
import unstructured.nlp.tokenize as unstructured_tokenize


class ModelDownloadBlocked(RuntimeError):
    """unstructured tried to download a spaCy model; we never allow that."""


@lru_cache(maxsize=1)
def offline_pipeline() -> spacy.language.Language:
    """spaCy's rule-based English tokenizer plus punctuation sentence boundaries; no weights."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _refuse_download() -> None:
    raise ModelDownloadBlocked(
        "unstructured asked to download the spaCy model en_core_web_sm; "
        "Guidance Assistant works offline and supplies its own pipeline (ingest/offline_nlp.py)."
    )


def install() -> None:
    """Route unstructured's spaCy use to the offline pipeline and forbid its download path."""
    unstructured_tokenize._get_nlp = offline_pipeline
    unstructured_tokenize._install_spacy_model = _refuse_download
