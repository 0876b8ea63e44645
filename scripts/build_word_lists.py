"""Rebuild the personal-data guard's word lists in assistant/data/. Not used at run time.

    .venv/bin/pip install -e ".[word-lists]"     # wordfreq and faker, pinned in pyproject.toml
    .venv/bin/python scripts/build_word_lists.py

- first_names.txt, surnames.txt: given and family names from Faker's person providers (MIT) for
  the locales of people social workers in the UK work with, accents folded ("Radosław" ->
  "radoslaw"). The held-out names of evals/pii/generate.py are left out on purpose, so that the
  evaluation measures the rules on names the lists do not know.
- ambiguous_names.txt: given names that are also everyday English words ("Will", "Grace", "Long").
  They count as names only when capitalised mid-sentence.
- common_words.txt: the most frequent English words (wordfreq, CC BY-SA 4.0: see the file's
  header), the guidance corpus' own vocabulary, and the names of AI tools. A capitalised word
  that is none of these, mid-sentence, is taken for a name.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from pathlib import Path

import wordfreq

from evals.pii.generate import HELD_OUT_GIVEN, HELD_OUT_SURNAMES  # the project, installed (-e)

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "assistant" / "data"  # where the guard reads its lists

COMMON_WORDS = 30_000  # wordfreq's top English words
EVERYDAY_RANK = 8_000  # a non-English-locale name this common in English is an everyday word
LOCALES = [
    "en_GB", "en_IE", "en_US", "en_IN", "en_PK", "en_NG", "en_KE", "en_NZ", "ga_IE", "pl_PL",
    "ro_RO", "lt_LT", "lv_LV", "cs_CZ", "sk_SK", "hu_HU", "bg_BG", "hr_HR", "sl_SI", "it_IT",
    "pt_PT", "pt_BR", "es_ES", "fr_FR", "de_DE", "nl_NL", "tr_TR", "sq_AL", "yo_NG", "ig_NG",
    "ha_NG", "tw_GH", "zu_ZA", "sw", "vi_VN", "id_ID", "fi_FI", "sv_SE", "da_DK", "no_NO",
    "et_EE", "el_GR", "az_AZ", "uz_UZ",
]  # fmt: skip
ENGLISH_LOCALES = {"en_GB", "en_IE", "en_US"}
# Given names that are everyday English words; capitalised mid-sentence they are still names.
EVERYDAY = """
will mark grace hope faith joy may june april august rose lily ivy holly daisy violet jasmine
iris poppy hazel heather amber ruby pearl jade crystal summer autumn dawn sky rain river brook
storm sunny honey angel bill bob frank rob rich pat sue art guy max ray don drew gene jack jean
lee chase chance hunter mason archer carter cooper taylor parker baker page miles mercy patience
prudence charity harmony melody destiny trinity unity liberty justice royal king prince duke earl
major sterling rocky rusty buck dusty penny candy sandy misty cherry ginger olive sage basil
carol christian noble august rhett dale glen glenn wade lane reed reid ward wolf fox hart gay
sterling kit bud dean dee dot eve gay joy lou norm sol val van von wiley young long ha an bich
son thanh hung tuan nam hoa hai minh hang lan mai thu tam trung man can do le ly my nu phuc tan
tin binh dung giang hai hien hoang hong huong khanh lam linh loan nga ngoc nhung phuong quang
sang thao thuy tien trang tuyet uyen vinh xuan yen sue ada alba alma bella bonnie clement
constance earnest ernest felicity fortune frank gem goldie lark lucky marina nova opal
precious raven robin rowan serenity shade shelby spencer star sunshine true tyler wren zion
""".split()
# AI tools and products people name in questions: ordinary words here, not people.
AI_TOOLS = """
chatgpt gpt openai copilot gemini claude anthropic bard grok llama mistral perplexity alexa siri
cortana otter magic notes beam teams zoom whatsapp outlook word excel mosaic liquidlogic eclipse
azeus servelec lcs ehcp microsoft google apple amazon meta deepseek qwen phi
""".split()


def fold(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def faker_names(attribute: str) -> dict[str, set[str]]:
    """Each name in Faker's lists (folded, lower-case) and the locales that carry it."""
    names: dict[str, set[str]] = {}
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ModuleNotFoundError:
            continue
        values = getattr(provider, attribute, ())
        for value in values.keys() if isinstance(values, dict) else values:
            for part in re.split(r"[\s]+", value):
                word = fold(part)
                if re.fullmatch(r"[a-z][a-z'-]+", word):
                    names.setdefault(word, set()).add(locale)
    return names


def corpus_vocabulary() -> set[str]:
    words: set[str] = set()
    for path in (ROOT / "corpus" / "seeds").iterdir():
        words |= {w.lower() for w in re.findall(r"[A-Za-z][a-z]+", path.read_text(encoding="utf-8"))}
    return words


def write(name: str, header: str, words: set[str]) -> None:
    body = "\n".join(sorted(words))
    (HERE / name).write_text(f"{header.strip()}\n{body}\n", encoding="utf-8")
    print(f"{name}: {len(words)} words")


def main() -> None:
    held_out = {fold(n) for n in HELD_OUT_GIVEN} | {fold(n) for n in HELD_OUT_SURNAMES}
    top = wordfreq.top_n_list("en", COMMON_WORDS)
    rank = {word: i for i, word in enumerate(top)}
    given = faker_names("first_names")
    corpus = corpus_vocabulary()
    tools = set(AI_TOOLS)

    ambiguous = set(EVERYDAY)
    for name, locales in given.items():
        english_name = bool(locales & ENGLISH_LOCALES)
        if len(name) <= 2 or (not english_name and rank.get(name, COMMON_WORDS) < EVERYDAY_RANK):
            ambiguous.add(name)
        elif name in corpus and rank.get(name, COMMON_WORDS) < COMMON_WORDS and not english_name:
            ambiguous.add(name)
    first_names = set(given) - held_out - tools - ambiguous
    ambiguous = (ambiguous & (set(given) | set(EVERYDAY))) - held_out - tools
    # A family name that is a frequent English word ("Do", "Long") would make a name of "can a
    # child do this": keep those only where English speakers use them as names ("Brown").
    surnames = {
        name
        for name, locales in faker_names("last_names").items()
        if len(name) > 2
        and (rank.get(name, COMMON_WORDS) >= 3_000 or locales & ENGLISH_LOCALES)
    } - held_out - tools

    common = {w for w in top if re.fullmatch(r"[a-z][a-z'-]*", w)} | corpus | tools
    write("first_names.txt", "# Given names (Faker person providers, MIT); see scripts/build_word_lists.py.", first_names)
    write("ambiguous_names.txt", "# Given names that are everyday English words; see scripts/build_word_lists.py.", ambiguous)
    write("surnames.txt", "# Family names (Faker person providers, MIT); see scripts/build_word_lists.py.", surnames)
    write(
        "common_words.txt",
        "# Frequent English words from wordfreq (https://github.com/rspeer/wordfreq), CC BY-SA 4.0,\n"
        "# with the corpus' vocabulary and AI tool names; see scripts/build_word_lists.py.",
        common,
    )


if __name__ == "__main__":
    main()
