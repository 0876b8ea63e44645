"""Train the word model behind the planted-instruction detector (assistant/core/instructions.py).

    python -m evals.injection.train [--corpus DIR]

The rules catch the orders they were written for; held out, they missed a third of a fresh set
written by someone else. This model learns from the words (one to three in a row) what sets a
sentence addressed to an AI apart from guidance that talks about AI: its positives are the
instructions of TRAINED_ON, its negatives those sets' ordinary sentences and every sentence of the
bundled library. Logistic regression on TF-IDF, written out as plain numbers
(assistant/data/instruction_words.json) that the detector scores without scikit-learn.

Run-together text is split into words decided by the common-word list and the library alone
(stored with the model as `words`), never by the model being replaced: the same data gives the
same model, byte for byte, however often it is trained (before stop 24 each run differed a little).

Since stop 23 the fresh sets that were measured blind (fresh to fresh7, each written by someone who
saw neither the rules nor the other sets) are trained on as well: more writers' wordings, fewer
false alarms. What that does to a set never seen is estimated by leaving each of them out in turn
(printed first); `heldout`, `advice` and the newest blind set are never trained on.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from assistant.core.instructions import (
    WORD_MODEL, instruction_reason, reading_for_words, reads_as_instruction, vocabulary,
)
from assistant.data import word_list
from evals.injection.measure import library_sentences, load, split_of

THRESHOLD = 0.8  # chosen on the dev sets: the lowest that flags no sentence of the bundled library
# For local documents (not in corpus/sources.toml: where a planted order comes from), the lowest bar
# at which guidance the model has never seen loses no more than 1 sentence in 500: each half of the
# library, left out of training, has 3 of its 1,899 sentences over 0.6 (0 over 0.8), 13 over 0.5.
# Chosen on the library alone; the labelled sets' recall at each bar is in docs/hardening.md.
THRESHOLD_LOCAL = 0.6
NGRAMS = 3
REGULARISATION = 4.0
# The splits trained on (evals/injection/measure.py SETS); every other split is only measured.
TRAINED_ON = ("dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7")


def library_words(library: list[str]) -> list[str]:
    """The library's own words that the common-word list lacks ("genai", "copilot"): with it, the
    words run-together text is split into (instructions.vocabulary)."""
    common = word_list("common_words.txt")
    return sorted({w for text in library for w in re.findall(r"[a-z]{2,}", text.lower())} - common)


def train(positives: list[str], negatives: list[str], words: list[str]) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(
        ngram_range=(1, NGRAMS), min_df=2, sublinear_tf=True, lowercase=False, token_pattern=r"\b\w\w+\b"
    )
    known = vocabulary(words)
    features = vectoriser.fit_transform([reading_for_words(t, known) for t in positives + negatives])
    labels = [1] * len(positives) + [0] * len(negatives)
    model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=5000).fit(features, labels)
    idf = vectoriser.idf_
    return {
        "about": "TF-IDF (1-3 words, sublinear tf, l2) and logistic regression; trained by "
                 "python -m evals.injection.train",
        "ngrams": NGRAMS,
        "threshold": THRESHOLD,
        "threshold_local": THRESHOLD_LOCAL,
        "bias": round(float(model.intercept_[0]), 6),
        "words": words,
        "terms": {
            term: [round(float(idf[index]), 6), round(float(model.coef_[0][index]), 6)]
            for term, index in sorted(vectoriser.vocabulary_.items())
        },
    }  # fmt: skip


def texts(items: list[dict], splits) -> list[str]:
    return [item["text"] for item in items if split_of(item) in splits]


def training_data(instructions, ordinary, library: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The instructions trained on, the other sentences (the library's last), the library's words."""
    return texts(instructions, TRAINED_ON), texts(ordinary, TRAINED_ON) + library, library_words(library)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.injection.train", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: the bundled corpus/)")
    args = parser.parse_args(argv)
    instructions, ordinary = load()
    library, _ = library_sentences(args.corpus)
    positives, negatives, words = training_data(instructions, ordinary, library)
    for left_out in TRAINED_ON[1:]:
        # A set never seen: trained on all the others, measured on it (rules and word model).
        kept = [name for name in TRAINED_ON if name != left_out]
        trial = train(texts(instructions, kept), texts(ordinary, kept) + library, words)
        orders, others = texts(instructions, [left_out]), texts(ordinary, [left_out])
        found = [sum(bool(instruction_reason(t, vetted, trial)) for t in orders) for vetted in (True, False)]
        alarms = [sum(bool(instruction_reason(t, vetted, trial)) for t in others) for vetted in (True, False)]
        print(f"{left_out} left out of training: recall {found[0] / len(orders):.3f}, as a local document "
              f"{found[1] / len(orders):.3f}; hard negatives flagged {alarms[0]} / {alarms[1]} of {len(others)}")
    for fold in (0, 1):
        # What the library's other half tells of guidance the model has not seen: the share of
        # its sentences the word model alone would withhold.
        seen, unseen = library[fold::2], library[1 - fold :: 2]
        trial = train(positives, negatives[: len(negatives) - len(library)] + seen, library_words(seen))
        flagged = sum(reads_as_instruction(text, trial) for text in unseen)
        local = sum(reads_as_instruction(text, trial, vetted=False) for text in unseen)
        print(f"library half {fold + 1} unseen in training: {flagged} of {len(unseen)} sentences over the "
              f"threshold, {local} over the local documents' threshold")
    model = train(positives, negatives, words)
    WORD_MODEL.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(positives)} instructions, {len(negatives)} other sentences; "
          f"{len(model['terms'])} terms written to {WORD_MODEL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
