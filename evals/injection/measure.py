"""Measure the planted-instruction detector (assistant/core/instructions.py).

    python -m evals.injection.measure [--corpus DIR] [--show dev]

Labelled sets of instructions addressed to an AI, each written for this by a different writer
who never saw the rules, in varied wording (direct, polite, indirect, hidden in headings, tables,
footnotes or alt text, obfuscated), with ordinary sentences of the same domain that talk about
AI, users, prompts or telling people without instructing an AI (hard negatives):

  dev      sentences_dev.yaml, sentences_dev2.yaml, sentences_dev3.yaml and half of
           sentences.yaml, sentences_fresh5.yaml and sentences_fresh6.yaml (chosen by hash): the
           rules were tuned and the word model trained on these;
  heldout  the other half of sentences.yaml: never tuned on, only reported;
  fresh..fresh7  sentences_fresh*.yaml (for fresh5 and fresh6 the other half): written after the
           rules by writers who saw none of them, each measured blind once; since stop 23 the word
           model is trained on them too (evals/injection/train.py TRAINED_ON), so their figures
           here flatter: train.py prints each one's figure when left out of training;
  fresh8   sentences_fresh8.yaml: written in stop 23 by another writer, measured blind; never
           trained or tuned on;
  advice   sentences_advice.yaml: practitioners' advice about AI tools in the imperative
           ("Never paste case notes into ChatGPT."), none an instruction: must lose none.

Every sentence, heading and table cell of the bundled library, parsed as ingest parses it, is a
negative too: the library must lose none (and none is withheld at ingest).

Printed: recall on the instructions (by kind and style), precision over the labelled sentences,
the share of hard negatives flagged, and the library's sentences flagged (must be 0); then recall
and hard negatives flagged as a local document is read (a file not in corpus/sources.toml: the word
model's lower bar, evals/injection/train.py).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from assistant.core.instructions import instruction_reason

HERE = Path(__file__).parent
SENTENCES = HERE / "sentences.yaml"
# (file, split): a split written "held|dev" is halved by hash, one half held out, the other
# tuned and trained on; each other file is its own split, in the order above.
SETS = (
    (SENTENCES, "heldout|dev"),
    (HERE / "sentences_dev.yaml", "dev"),
    (HERE / "sentences_dev2.yaml", "dev"),
    (HERE / "sentences_dev3.yaml", "dev"),
    (HERE / "sentences_fresh.yaml", "fresh"),
    (HERE / "sentences_fresh2.yaml", "fresh2"),
    (HERE / "sentences_fresh3.yaml", "fresh3"),
    (HERE / "sentences_fresh4.yaml", "fresh4"),
    (HERE / "sentences_fresh5.yaml", "fresh5|dev"),
    (HERE / "sentences_fresh6.yaml", "fresh6|dev"),
    (HERE / "sentences_fresh7.yaml", "fresh7"),
    (HERE / "sentences_fresh8.yaml", "fresh8"),
    (HERE / "sentences_advice.yaml", "advice"),
)
SPLITS = tuple(dict.fromkeys(["dev", *(part for _, split in SETS for part in split.split("|")), "all"]))


def split_of(item: dict) -> str:
    held, _, tuned = item["from"].partition("|")
    if not tuned:
        return held
    return held if int(hashlib.sha256(item["text"].encode("utf-8")).hexdigest(), 16) % 2 else tuned


def load(sets=SETS) -> tuple[list[dict], list[dict]]:
    instructions, ordinary = [], []
    for file, origin in sets:
        if file.exists():
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            instructions += [{**item, "from": origin} for item in data["instructions"]]
            ordinary += [{**item, "from": origin} for item in data["ordinary"]]
    return instructions, ordinary


def measure(instructions: list[dict], ordinary: list[dict], library: Iterable[str] = ()) -> dict:
    """Recall and false positives per split, and the library's sentences flagged."""
    result: dict = {"sets": {}}
    for name in SPLITS:
        mine = [i for i in instructions if name == "all" or split_of(i) == name]
        hard = [o for o in ordinary if name == "all" or split_of(o) == name]
        caught = [i for i in mine if instruction_reason(i["text"])]
        flagged = [o for o in hard if instruction_reason(o["text"])]
        # As a local document's text is read (the word model's lower bar): where orders are planted.
        caught_local = [i for i in mine if instruction_reason(i["text"], vetted=False)]
        flagged_local = [o for o in hard if instruction_reason(o["text"], vetted=False)]
        result["sets"][name] = {
            "recall_local": len(caught_local) / len(mine) if mine else None,
            "ordinary_flagged_local": len(flagged_local),
            "instructions": len(mine),
            "recall": len(caught) / len(mine) if mine else None,
            "ordinary": len(hard),
            "ordinary_flagged": len(flagged),
            # Precision over the labelled sentences: of those flagged, the share that are instructions.
            "precision": len(caught) / (len(caught) + len(flagged)) if caught or flagged else None,
            "by_kind": _rates(mine, "kind"),
            "by_style": _rates(mine, "style"),
        }
    library = list(library)
    withheld = [text for text in library if instruction_reason(text)]
    result["library"] = {"sentences": len(library), "flagged": len(withheld), "examples": withheld[:5]}
    return result


def _rates(items: list[dict], key: str) -> dict[str, str]:
    total, caught = Counter(), Counter()
    for item in items:
        total[item[key]] += 1
        caught[item[key]] += bool(instruction_reason(item["text"]))
    return {name: f"{caught[name]}/{total[name]}" for name in sorted(total)}


def library_sentences(corpus: Path | None = None) -> tuple[list[str], int]:
    """Every sentence, heading and table cell of the library's documents as parsed, before
    anything is withheld, and how many ingest withholds (must be 0)."""
    from assistant.settings import load_settings
    from ingest.parse import parse_file
    from ingest.pipeline import discover, limits_for
    from ingest.withhold import pieces_of, withhold_instructions

    settings = load_settings(corpus_dir=corpus) if corpus else load_settings()
    sentences, withheld = [], 0
    for path in discover(settings.corpus_dir):
        document = parse_file(path, limits_for(settings))
        sentences += [piece for element in document.elements for piece in pieces_of(element)]
        withheld += withhold_instructions(document.elements)[1].count
    return sentences, withheld


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.injection.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: the bundled corpus/)")
    parser.add_argument("--show", choices=["dev"], help="print the dev set's misses and false alarms")
    args = parser.parse_args(argv)
    instructions, ordinary = load()
    library, withheld = library_sentences(args.corpus)
    result = measure(instructions, ordinary, library)
    for name, s in result["sets"].items():
        recall = f"{s['recall']:.3f}" if s["recall"] is not None else "n/a"
        precision = f"{s['precision']:.3f}" if s["precision"] is not None else "n/a"
        print(f"{name:8s} recall {recall} ({s['instructions']})  precision {precision}  "
              f"hard negatives flagged {s['ordinary_flagged']}/{s['ordinary']}")
        if s["instructions"] or s["ordinary"]:
            local = f"{s['recall_local']:.3f}" if s["recall_local"] is not None else "n/a"
            print(f"         in a local document: recall {local}  "
                  f"hard negatives flagged {s['ordinary_flagged_local']}/{s['ordinary']}")
        print(f"         by kind {s['by_kind']}\n         by style {s['by_style']}")
    lib = result["library"]
    print(f"bundled library: {lib['flagged']} of {lib['sentences']} sentences flagged {lib['examples']}; "
          f"withheld at ingest: {withheld}")
    if args.show:
        print()
        for item in instructions:
            if split_of(item) == "dev" and not instruction_reason(item["text"]):
                print("MISSED:", item["kind"], item["style"], item["text"][:160])
        for item in ordinary:
            if split_of(item) == "dev" and instruction_reason(item["text"]):
                print("FALSE ALARM:", instruction_reason(item["text"]), "|", item["text"][:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
