"""The personal-data guard: find UK personal identifiers in a question and replace them.

Runs before retrieval, any model and any log. Offline rules, no model: each recogniser below is
a pattern plus, where a pattern alone would be loose, a check (the NHS number's mod-11 digit) or a
cue ("my service user", "Mrs", "the child,"). The rules read the question as a reader sees it
(Unicode spaces as spaces, invisible characters gone, fullwidth digits as digits); the offsets
reported and the spans replaced are the question's own. What it finds is reported as types and
offsets only; the raw values never leave this function. `evals/pii/` measures recall per type
and how many clean guidance questions it alters; `python -m evals.pii.speed` times it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.core.domain import PersonalData
from assistant.core.reading import as_read, in_original
from assistant.data import word_list

PLACEHOLDERS = {
    "NHS_NUMBER": "[NHS number]",
    "NI_NUMBER": "[NI number]",
    "EMAIL": "[email]",
    "PHONE": "[phone]",
    "POSTCODE": "[postcode]",
    "DATE_OF_BIRTH": "[date]",
    "ADDRESS": "[address]",
    "NAME": "[name]",
    "ID_NUMBER": "[reference number]",
}

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_STREET = (
    r"road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|court|ct|place|pl|"
    r"gardens|gdns|terrace|grove|hill|park|square|sq|row|walk|mews|rise|vale|view|green|parade|"
    r"broadway|estate|boulevard|wharf|meadow|meadows|fields|lea"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # Starts only where a run of address characters starts: tried from every character of a long
    # run with no "@" (a pasted link, a line of dots), it read the rest of the run each time.
    ("EMAIL", re.compile(r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    # Any two letters, not only HMRC's issued prefixes: examples and typos ("QQ 12 34 56 C") are
    # still someone's number as far as a careful reader is concerned.
    ("NI_NUMBER", re.compile(r"\b[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D]\b", re.IGNORECASE)),
    ("NHS_NUMBER", re.compile(r"(?<![\d+])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    ("PHONE", re.compile(
        r"(?<![\w+])(?:(?:\+|00)44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d{2,5}\)?(?:[\s-]?\d){6,8}(?!\d)")),
    ("POSTCODE", re.compile(
        r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)),
    ("DATE_OF_BIRTH", re.compile(
        r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}"
        r"|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
        rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTHS})\.?,?\s+(?:19|20)\d{{2}}"
        rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})\b", re.IGNORECASE)),
    ("ADDRESS", re.compile(
        r"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+(?:\d{1,4}[a-z]?,?\s+)?|\d{1,4}[a-z]?,?\s+)"
        rf"(?:[A-Za-z'-]+\s+){{1,3}}(?:{_STREET})\b\.?", re.IGNORECASE)),
    ("ID_NUMBER", re.compile(r"(?<![\d£$%.,])\d(?:[ -]?\d){7,}(?![\d%])")),
    # A case or client reference: short numbers too, when a cue says what they are.
    ("ID_NUMBER", re.compile(
        r"\b(?:ref|reference|id|case number|case no|client number|client no|mosaic|lcs)\b"
        # Possessive: two runs of the same separators in a row backtracked into each other.
        r"[\s.:#-]*+(?:(?:no\.?|number)[\s.:#-]*+)?(?P<value>[A-Z]{0,3}\d{4,})\b", re.IGNORECASE)),
    # Any other "<something> no. / number / ID" before a number: a student, staff, pupil,
    # hospital or payroll number identifies someone as surely as a case reference.
    ("ID_NUMBER", re.compile(
        r"\b[a-z]+\s+(?:no\.?|number|num\.?|id|ref)[\s.:#-]*(?P<value>[A-Z]{0,3}\d{4,})\b", re.IGNORECASE)),
]

_TITLES = r"mr|mrs|ms|miss|mx|dr|master|mister|sir|lady|prof"
_CUES = (
    r"service user|client|child|young person|young man|young woman|person|patient|resident|"
    r"tenant|mum|mother|father|dad|step-?dad|step-?mum|carer|foster carer|parent|baby|boy|girl|son|"
    r"daughter|brother|sister|grandmother|grandfather|nan|gran|grandad|husband|wife|partner|"
    r"pupil|student|learner|adult|teenager|toddler|infant|family of|named|called|name is|"
    r"known as|supervisee|colleague|case of|referral for|assessment for|visit to|visiting"
)
# A title or a cue, then the place where a name may start (matched ahead, not consumed, so that
# "a boy named Kwabena" tries the name after "boy" and after "named").
_TITLE = re.compile(rf"\b(?:{_TITLES})\.?\s+(?=[A-Za-z])", re.IGNORECASE)
# Possessive, for the same reason: "\s*[,:]?\s+" backtracked over a long run of spaces.
_CUE = re.compile(rf"\b(?:{_CUES})\b(?:\s*+[,:])?\s++(?=[A-Za-z])", re.IGNORECASE)
_FUNCTION_WORDS = frozenset(
    "a an and are as at be but by for from has have he her his i in is it its of on or our she "
    "so that the their them they this to was we were who will with you your".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# A "name" followed by one of these names an organisation or a document, not a person
# ("the Ada Lovelace Institute", "the Joseph Rowntree Foundation", "the Laming Report"), or a
# building ("Leeds Town Hall", "Bradford Royal Infirmary").
_ORGANISATION = re.compile(
    r"(?:[A-Za-z'’-]+\s+){1,4}?(?:Institute|Foundation|Trust|University|College|Council|Hospital|"
    r"School|Centre|Center|Society|Fund|Commission|Group|Partnership|Act|Review|Report|Inquiry|"
    r"Principles|Network|Alliance|Association|Agency|Authority|Board|Service|Services|Hall|Infirmary|"
    r"Surgery|Clinic|Library|Court|Academy|Unit|Ward|Team|Hub|Office|Department|Directorate)\b"
)


@dataclass(frozen=True)
class Redaction:
    """A question with personal data replaced, and what was found (types and offsets only)."""

    text: str
    found: tuple[PersonalData, ...]


def redact(question: str, library_uses: Callable[[str], bool] | None = None) -> Redaction:
    """Replace every personal identifier in `question` by a typed placeholder.

    `library_uses(word)`: whether the guidance itself uses a word (`Retriever.uses`). A
    capitalised word the guard does not know is taken for a name, unless the library uses it:
    "Copilot" or a tool's name stays, so the search still finds it. Given names, titles and cues
    still win.
    """
    read, origin = as_read(question)
    spans = in_original(_find(read, library_uses), origin, question)
    parts, position = [], 0
    for item in spans:
        parts += [question[position : item.start], PLACEHOLDERS[item.type]]
        position = item.end
    parts.append(question[position:])
    return Redaction("".join(parts), tuple(spans))


_PLACEHOLDER = re.compile(r"\s*(?:" + "|".join(re.escape(p) for p in PLACEHOLDERS.values()) + r")")
_ANY_PLACEHOLDER = "(?:" + "|".join(re.escape(p) for p in PLACEHOLDERS.values()) + ")"
# A placeholder with the words before it that only say what it replaced.
_CUED_PLACEHOLDER = re.compile(
    r"\(?(?:\b(?:(?:his|her|their|the|my|a)\s+)?(?:nhs|ni|n\.i\.|national insurance|case|client|mosaic|lcs|"
    r"reference|ref|date of birth|d\.?o\.?b\.?|born(?:\s+on)?|aged?|lives\s+at|living\s+at|"
    r"address(?:\s+is)?|postcode|post\s+code|phone|mobile|tel|telephone|e-?mail(?:ed)?(?:\s+from)?|"
    r"on|at|from|called|named|number|no\.?|is)(?:\s+(?:no\.?|number|is|ref|reference|address))?"
    r"[\s:,(#]*)*(?:[A-Z]{1,4}[-/])?" + _ANY_PLACEHOLDER + r"(?:['’]s\b)?[)\s,]*",
    re.IGNORECASE,
)
_MIN_CONTENT_WORDS = 3
# "Should I refer her for misconduct on the strength of the flag?" leans on the sentence that
# says what happened to her as much as "...before it goes on the file?" does.
_POINTS_BACK = re.compile(r"\b(?:it|this|that|these|those|them|they|there|she|he|her|him|his|hers)\b", re.I)
# The town or city written after an address or before a postcode: ", Leeds [postcode]".
_PLACE_AFTER_ADDRESS = re.compile(
    r"(?<=\[address\])\s*,?\s*(?:[A-Z][a-z]+\s*){1,3}(?=,|\s*\[postcode\]|[.?!])"
)


def without_placeholders(text: str) -> str:
    """The redacted text with its placeholders taken out, for searching: "[name]" carries no
    meaning, and a question wrapped in several of them scores lower against every passage."""
    return re.sub(r"\s+([,.;:?!])", r"\1", _PLACEHOLDER.sub("", text)).strip()


def without_details(text: str) -> str:
    """What to search for when a redacted question carried someone's details: the question as it
    would read without them. The details go with the words that only say what they were ("NHS
    number", "born", "lives at"), which are rare in the guidance and so pulled the search away
    from the question (a question asked with details was declined, the same question without
    them answered); a sentence left with nothing else ("[name], born [date], lives at
    [address].") goes altogether."""
    if not _PLACEHOLDER.search(text):
        return text
    from assistant.core.lexical import terms  # the search's own idea of a content word
    from assistant.core.sentences import split_sentences

    sentences = split_sentences(text)
    asking = [s for s in sentences if s.rstrip().endswith("?") and not _PLACEHOLDER.search(s)]
    # Context around someone's details stays only when the question leans on it ("What should
    # I check before it goes on the file?"): "Can AI make things up?" is asked in full.
    leans = any(_POINTS_BACK.search(s) for s in asking)
    kept = []
    for sentence in sentences:
        sentence = _as_pronoun(sentence)
        cleaned = without_placeholders(_CUED_PLACEHOLDER.sub(" ", _PLACE_AFTER_ADDRESS.sub("", sentence)))
        if _PLACEHOLDER.search(sentence) and (
            len(terms(cleaned)) < _MIN_CONTENT_WORDS or (asking and not leans)
        ):
            continue
        kept.append(cleaned)
    searched = re.sub(r"\s{2,}", " ", " ".join(kept))
    for pattern, replacement in _STRAY_PUNCTUATION:
        searched = pattern.sub(replacement, searched)
    return searched.strip().lstrip(" :;,-–")


# A person named in a question reads, without the name, as the question would be asked about
# anyone: "Can I put [name]'s assessment into Copilot?" -> "their assessment" (not "Can I put
# assessment, into Copilot?", which found nothing), "email [name] the summary" -> "email them".
_HONORIFIC = rf"(?:\b(?:{_TITLES})\.?\s+)?"
_NAMES_OWN = re.compile(_HONORIFIC + re.escape(PLACEHOLDERS["NAME"]) + r"['’]s\b", re.IGNORECASE)
_NAMED = re.compile(_HONORIFIC + re.escape(PLACEHOLDERS["NAME"]), re.IGNORECASE)


# "My student [name] has..." names whom the words before already say: the name just goes.
_APPOSITION = re.compile(
    r"\b((?:my|our|your|the|a|an|this|that)\s+[a-z][\w-]*)\s+" + _HONORIFIC + re.escape(PLACEHOLDERS["NAME"]) + r"(?!['’]s\b)",
    re.IGNORECASE,
)


# An age beside a name ("[name], 88, keeps leaving", "[name] (aged 79)") is one more detail of
# the person: without the name it is a stray number the library never uses.
_AGE = r"(?:aged\s+)?\d{1,3}(?:\s*(?:years?\s+old|yrs?|y/?o))?"
_AGE_BESIDE_NAME = re.compile(
    "(" + re.escape(PLACEHOLDERS["NAME"]) + r")(?:\s*,\s*" + _AGE + r"(?:\s*,(?=\s*[a-z]))?(?=\s*[,.;:)]|\s+[a-z])"
    r"|\s*\(\s*" + _AGE + r"\s*\))",
    re.IGNORECASE,
)
# What is left where details were taken out of a list: "to them,." -> "to them.", "( )" -> "".
# "The person, keeps leaving" (the details that followed the name removed) -> "The person keeps
# leaving".
_STRAY_PUNCTUATION = ((re.compile(r"\(\s*(?:[,;]\s*)*\)"), ""), (re.compile(r"\s*,(?:\s*,)*\s*([.?!;:])"), r"\1"),
                      (re.compile(r"\s+([,.?!;:])"), r"\1"), (re.compile(r"\b(The person|them),\s+(?=[a-z])"), r"\1 "))  # fmt: skip


def _as_pronoun(sentence: str) -> str:
    sentence = _AGE_BESIDE_NAME.sub(r"\1", sentence)
    sentence = _APPOSITION.sub(r"\1", sentence)
    sentence = _NAMES_OWN.sub("their", sentence)
    # A sentence's subject reads "The person" (its verb is singular: "They keeps leaving" read as
    # a typo); elsewhere "them".
    return _NAMED.sub(lambda m: "The person" if not sentence[: m.start()].strip() else "them", sentence)


def _find(text: str, library_uses: Callable[[str], bool] | None = None) -> list[PersonalData]:
    found: list[PersonalData] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if kind == "NHS_NUMBER" and not nhs_number_is_valid(match.group()):
                continue
            start, end = match.span("value" if "value" in pattern.groupindex else 0)
            found.append(PersonalData(kind, start, end))
    found = [_with_town(item, text) if item.type == "ADDRESS" else item for item in found]
    found += [
        name
        for name in _names(text, library_uses)
        if _TITLE.match(text, name.start) or not _ORGANISATION.match(text, name.start)
    ]
    return _without_overlaps(found)


# The town written after a street address is part of it: "27 Larch Close, Wigan" (left behind,
# "[address], Wigan" still says where the person lives), also when the sentence runs on ("22
# Kenworthy Road, Rotherham last week").
_TOWN_AFTER_ADDRESS = re.compile(
    r",?[ \t]*[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?=[ \t]*[,);]|\s+[A-Z]{1,2}\d|[ \t]*[.?!]|$|[ \t]+[a-z])"
)


def _with_town(address: PersonalData, text: str) -> PersonalData:
    town = _TOWN_AFTER_ADDRESS.match(text, address.end)
    return replace(address, end=town.end()) if town else address


def nhs_number_is_valid(candidate: str) -> bool:
    """The NHS number's check digit: mod 11 over the first nine digits, weights 10 down to 2."""
    digits = [int(char) for char in candidate if char.isdigit()]
    if len(digits) != 10:
        return False
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


# -- Names ------------------------------------------------------------------------------------
#
# Four rules, from the strongest signal to the weakest:
#   1. after a title: "Mrs Okafor", "dr patel";
#   2. after a cue: "my service user john smith", "the child, amira,", "a boy called Kwabena";
#   3. a known given name, in any case ("can I paste jamal's notes"), except given names that are
#      everyday words ("Will", "Grace"), which count only when capitalised mid-sentence;
#   4. a capitalised word that is not an English word: mid-sentence, before "'s", or before another
#      such word ("for Siddharth", "Kwabena's plan", "Adaeze Obi").
# After the first word, a name runs on over surnames, given names and capitalised non-words.


def _names(text: str, library_uses: Callable[[str], bool] | None) -> list[PersonalData]:
    found: list[PersonalData] = []
    for title in _TITLE.finditer(text):
        word = _WORD.match(text, title.end())
        if word and _everyday_title(title.group(), word.group()):
            continue  # "miss bits out", "sir" in a sentence: the words, not titles
        if word and _could_be_name(word, text, after_cue=True, after_title=True):
            found.append(_name_from(text, word, start=title.start()))
    known = library_uses or (lambda word: False)
    for cue in _CUE.finditer(text):
        word = _WORD.match(text, cue.end())
        if word and _a_term_of_the_library(word, known):
            continue  # "Adult Social Care", "Child Protection": the service, not a person
        if word and _acronym(word.group()) and _SERVICE_AFTER.match(text, word.end()):
            continue  # "the adult LD team", "a child CP plan": a service's acronym, not initials
        if word and _could_be_name(word, text, after_cue=True):
            found.append(_name_from(text, word))
    for word in _WORD.finditer(text):
        if _is_known_name(word, text) or (
            (_is_capitalised_stranger(word, text) or _before_a_surname(word, text, known))
            and not known(_bare(word.group()))
        ):
            found.append(_with_given_name(text, _name_from(text, word), known))
    return found


def _a_term_of_the_library(word: re.Match[str], known: Callable[[str], bool]) -> bool:
    """A capitalised word the library uses that no name list holds."""
    return word.group()[0].isupper() and known(_bare(word.group())) and not _could_be_a_name(_base(word.group()))


def _before_a_surname(word: re.Match[str], text: str, known: Callable[[str], bool]) -> bool:
    """"with Tariq Hussain": a capitalised word before a capitalised family name is a given
    name, though the frequent-word list holds both (names are frequent in English text). Not
    before a family name that is also a word of the library ("Leeds Town Hall", "Young")."""
    raw = word.group()
    follower = _WORD.match(text, word.end() + 1) if text[word.end() : word.end() + 1] == " " else None
    return (
        raw[0].isupper() and not _acronym(raw) and _base(raw) not in _FUNCTION_WORDS
        and follower is not None and follower.group()[0].isupper()
        and _base(follower.group()) in _surnames() and not known(_bare(follower.group()))
    )  # fmt: skip


_SERVICE_AFTER = re.compile(
    r"\s+(?:team|teams|service|services|unit|hub|panel|pathway|plan|plans|meeting|review|register|"
    r"worker|workers|practitioner|nurse|provision|support)\b",
    re.I,
)

_BEFORE_NAME = re.compile(r"\b([A-Z][a-z'’-]+) $")


def _with_given_name(text: str, name: PersonalData, known: Callable[[str], bool]) -> PersonalData:
    """A name found at its second word ("Mohamud", a name the lists hold) takes in the
    capitalised word before it ("Tariq", which they do not): left behind, it still names the
    person. Not the first word of a sentence that is an everyday word ("Can Mohamud ...")."""
    before = _BEFORE_NAME.search(text, max(0, name.start - 30), name.start)
    if before is None or known(before.group(1)) or _base(before.group(1)) in _FUNCTION_WORDS:
        return name
    if _TITLE.match(text, before.start(1)) or _ORGANISATION.match(text, name.start):
        return name
    at_start = not _inside_sentence(text, before)
    if at_start and _base(before.group(1)) in _common_words() and _base(before.group(1)) not in _given_names():
        return name
    return replace(name, start=before.start(1))


_EVERYDAY_TITLES = frozenset({"miss", "master", "lady", "sir"})


def _everyday_title(title: str, following: str) -> bool:
    """A title that is also an everyday word counts as a title only when it or the next word
    is capitalised ("Miss Hughes", "miss Hughes"), not in "I miss bits out"."""
    word = title.strip().rstrip(".")
    return word.lower() in _EVERYDAY_TITLES and not (word[0].isupper() or following[0].isupper())


def _name_from(text: str, first: re.Match[str], start: int | None = None) -> PersonalData:
    """The name starting at `first` (or at its title), running on over up to two more words."""
    end = first.start() + len(_bare(first.group()))
    for _ in range(2):
        follower = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if follower is None or not _continues_name(follower):
            break
        end = follower.start() + len(_bare(follower.group()))
    return PersonalData("NAME", first.start() if start is None else start, end)


def _could_be_name(word: re.Match[str], text: str, after_cue: bool, after_title: bool = False) -> bool:
    base = _base(word.group())
    if (base in _given_names() or base in _surnames()) and not _reads_as_a_word(word, text):
        return True
    if after_title:
        return base not in _FUNCTION_WORDS  # "mr o'brien": after a title, almost anything is a name
    if _PLURAL_ACRONYM.fullmatch(_bare(word.group())):
        return False  # "a session for ASYEs", "with the CSWs": a role's acronym, not a person
    if base in _common_words() or _inflected(base):
        return word.group()[0].isupper() and _inside_sentence(text, word) and after_cue
    return after_cue or word.group()[0].isupper()


def _inflected(base: str) -> bool:
    """A form of a common word the word list does not hold: "a colleague reckons you can..."."""
    stems = [base[: -len(ending)] for ending in ("s", "es", "ed", "d", "ing") if base.endswith(ending)]
    return any(len(stem) >= 3 and stem in _common_words() for stem in stems)


def _reads_as_a_word(word: re.Match[str], text: str) -> bool:
    """A name that is also an everyday word ("may", "will", "mark"), typed in lower case and
    followed by an ordinary lower-case word: the sentence's word ("a parent may lack capacity"),
    not a name ("my client grace williams" is still one: a surname follows)."""
    raw, base = word.group(), _base(word.group())
    if raw[0].isupper() or not (base in _common_words() or base in _ambiguous_names()):
        return False
    following = _WORD.match(text, word.end() + 1) if text[word.end() : word.end() + 1] == " " else None
    if following is None or following.group()[0].isupper():
        return False
    after = _base(following.group())
    return after in _common_words() and after not in _surnames() and after not in _given_names()


def _continues_name(word: re.Match[str]) -> bool:
    raw, base = word.group(), _base(word.group())
    if base in _surnames() or base in _given_names() or base not in _common_words():
        return True
    return raw[0].isupper() and not raw.isupper()  # "Sarah-Jane O'Neill", "Grace Green"


def _is_known_name(word: re.Match[str], text: str) -> bool:
    base = _base(word.group())
    if base in _given_names() or _double_barrelled(_bare(word.group())):
        return True
    if base not in _ambiguous_names() or not word.group()[0].isupper() or _names_a_month(word, text):
        return False
    # "Jade" is a word too: a name inside a sentence, or first in one when a surname follows
    # ("Jade Thompson, born ...").
    return _inside_sentence(text, word) or _surname_follows(text, word)


# Whole month names, as a name list would hold them (_MONTHS above is the date pattern's
# alternation, abbreviations included).
_MONTH_NAMES = frozenset(
    "january february march april may june july august september october november december".split()
)
# Words that put a month in time; not "to", "and", "from", "after": "a letter from April", "Tom
# and April" name a person.
_MONTH_BEFORE = re.compile(
    r"\b(?:by|in|until|till|since|during|this|next|last|early|mid|end of|start of|beginning of|"
    r"throughout)\s+$", re.I
)
_MONTH_AFTER = re.compile(r"\s*(?:\d|,?\s*(?:19|20)\d\d\b)")


def _double_barrelled(word: str) -> bool:
    """"Ellie-Mae", "Sarah-Jane": capitalised parts joined by a hyphen, the first a given name
    (each part alone may also be an everyday word: "mae", "jane" are in the word list)."""
    parts = word.split("-")
    return len(parts) > 1 and all(part[:1].isupper() for part in parts) and parts[0].lower() in _given_names()


def _names_a_month(word: re.Match[str], text: str) -> bool:
    """"live by April", "in May 2025", "June 12th": the month, not a person called April. Only
    the text beside the word is read, in place (copying what came before made the guard quadratic)."""
    if _base(word.group()) not in _MONTH_NAMES or word.group() != _bare(word.group()):
        return False  # not a month, or "April's": someone's
    return bool(
        _MONTH_BEFORE.search(text, max(0, word.start() - 20), word.start())
        or _MONTH_AFTER.match(text, word.end())
    )


_LISTED_BEFORE = re.compile(r"([A-Z][\w'’-]+),?\s+(?:or|and)\s+$")
_LISTED_AFTER = re.compile(r",?\s+(?:or|and)\s+([A-Z][\w'’-]+)")


def _listed_with_a_word(word: re.Match[str], text: str) -> bool:
    """"Punjabi or Mirpuri", "Urdu and Pahari": a capitalised word the lists do not know, listed
    with an everyday capitalised one (a language, a nationality, a place), is one of those, not
    a person; "Ellie and Mason" lists two names and stays."""
    before = _LISTED_BEFORE.search(text, max(0, word.start() - 40), word.start())
    after = _LISTED_AFTER.match(text, word.end())
    partners = [found.group(1) for found in (before, after) if found]
    return any(_is_ordinary(partner) and not _could_be_a_name(_base(partner)) for partner in partners)


def _could_be_a_name(base: str) -> bool:
    return base in _given_names() or base in _surnames() or base in _ambiguous_names()


def _surname_follows(text: str, word: re.Match[str]) -> bool:
    follower = _WORD.match(text, word.end() + 1) if text[word.end() : word.end() + 1] == " " else None
    return bool(follower) and follower.group()[0].isupper() and _base(follower.group()) in _surnames()


def _is_capitalised_stranger(word: re.Match[str], text: str) -> bool:
    raw = word.group()
    if not raw[0].isupper() or _acronym(raw) or _is_ordinary(raw):
        return False
    if raw.endswith(("'s", "’s")):
        return True  # "Kwabena's plan", even at the start of a sentence
    next_word = _WORD.match(text, word.end() + 1) if text[word.end() : word.end() + 1] == " " else None
    if next_word and next_word.group()[0].isupper() and _continues_name(next_word):
        return True  # "Adaeze Obi", even at the start of a sentence
    if not _inside_sentence(text, word):
        return _opens_with_a_name(word, text, next_word)
    return not _listed_with_a_word(word, text)


def _opens_with_a_name(word: re.Match[str], text: str, next_word: re.Match[str] | None) -> bool:
    """"Priyanka asked if the notes were right": a sentence that opens with a word no list
    knows, then carries on in ordinary lower-case words, opens with a person. Not a short or
    vowelless word ("Wht does ...": a typo)."""
    raw = _bare(word.group())
    return (
        len(raw) >= 4 and bool(re.search(r"[aeiouy]", raw[1:], re.I)) and next_word is not None
        and next_word.group().islower() and _is_ordinary(next_word.group())
        and not _WORD_ENDING.search(raw) and next_word.group() not in _PLURAL_VERBS
    )  # fmt: skip


_PLURAL_VERBS = frozenset({"are", "were", "have", "do", "don't", "aren't", "weren't"})  # "Deepfakes are ..."
# Endings of English words, not of given names: "Transcribing ...", "Anonymisation ...".
_WORD_ENDING = re.compile(r"(?:ing|ed|tion|sion|ment|ness|ity|ism|ise|ize|able|ible|ology|ware)$", re.I)


def _is_ordinary(word: str) -> bool:
    """An English word, or a compound of English words and acronyms ("AI-drafted")."""
    return all(
        _acronym(part) or part.lower() in _common_words()
        for part in _base(word).split("-") if part
    ) or _base(word) in _common_words()


def _inside_sentence(text: str, word: re.Match[str]) -> bool:
    # Looks back from the word, never copies the text before it (that made the guard quadratic).
    at = word.start()
    while at and text[at - 1] in " \"'“‘(":
        at -= 1
    return at > 0 and text[at - 1] not in ".!?:\n"


# An acronym with a plural "s": "ASYEs", "NQSWs", "CSWs". No name is written so.
_PLURAL_ACRONYM = re.compile(r"[A-Z][A-Z0-9]+s")


def _acronym(word: str) -> bool:
    bare = _bare(word)
    return bare.isupper() or bool(_PLURAL_ACRONYM.fullmatch(bare))


def _base(word: str) -> str:
    return _bare(word).lower()


def _bare(word: str) -> str:
    """The word without a possessive ending."""
    return re.sub(r"(?:'s|’s|')$", "", word)


def _without_overlaps(found: list[PersonalData]) -> list[PersonalData]:
    """Keep the longest span where spans overlap; structured types win over names at equal length."""
    ordered = sorted(found, key=lambda p: (p.start, -(p.end - p.start), p.type == "NAME"))
    kept: list[PersonalData] = []
    for item in ordered:
        if kept and item.start < kept[-1].end:
            if item.end > kept[-1].end and kept[-1].type == item.type:
                kept[-1] = PersonalData(item.type, kept[-1].start, item.end)
            continue
        kept.append(item)
    return kept


@lru_cache(maxsize=None)  # built once: it was rebuilt (11,000 names) for every word of the text
def _given_names() -> frozenset[str]:
    return word_list("first_names.txt") - _ambiguous_names()


def _ambiguous_names() -> frozenset[str]:
    return word_list("ambiguous_names.txt")


def _surnames() -> frozenset[str]:
    return word_list("surnames.txt")


def _common_words() -> frozenset[str]:
    return word_list("common_words.txt")
