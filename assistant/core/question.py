"""What kind of answer a question asks for, and which body's guidance it names.

"Can I paste case notes into ChatGPT?" wants the guidance's steer first; "Which standard is about
records?" wants the standard's number and text; "What are the playbook's principles?" wants the
whole list; "According to BASW..." wants BASW's own words first. Rules on the wording, no model;
`assistant eval` reports how often the type agrees with the cases' hand labels.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from assistant.core.domain import Chunk
from assistant.core.lexical import terms  # the search's own idea of a word
from assistant.core.roles import without_marker

if TYPE_CHECKING:
    from assistant.core.followup import Subject

QUESTION_TYPES = (
    "permission", "responsibility", "list", "definition", "which-standard", "named-source",
    "evidence", "how-to", "general",
)  # fmt: skip

_WHICH_STANDARD = re.compile(
    r"\bwhich\s+(?:[\w'’-]+\s+){0,5}?(?:standards?|principle)\b(?!s)|"
    r"\bwhat\s+(?:[\w-]+\s+){0,2}?(?:standard|principle)\s+(?:is|covers|applies|says|deals|"
    r"relates|talks|should|would|do|does)\b|"
    r"\bis there (?:a|any) (?:[\w-]+\s+)?(?:standard|principle)\b|\bstandards? \d",
    re.I,
)
_ASKS_WHAT_IT_SAYS = re.compile(
    r"\baccording to\b|\b(?:say|says|said|recommend|recommends|expect|expects|advise|advises|set out|"
    r"define|defines|defined|mean by|"
    r"sets out|state|states|suggest|suggests|require|requires|ask|asks|call for|calls for|tell us|"
    r"position)\b|\bin (?:its|their|the) (?:guidance|statement|playbook|standards)\b",
    re.I,
)
_LIST = re.compile(
    r"(?:^|[.?!:;,–-]\s+)(?:so\s+)?(?:what|which)\s+(?:are|were)\s+(?:the|its|their|all the|the main|the key)?\s*"
    r"(?:[\w'’/-]+\s+){0,5}?[\w-]+(?:s|ria)\b(?!\s+(?:of|for|about|if|when|that)\s+(?:using|me|my))|"
    r"\b(?:list|name|outline|summarise|give me)\s+(?:all\s+)?(?:the|its|their|every)\b|"
    r"\blist (?:them|each|these|those)\b|"
    r"\bwhat (?:\w+\s+){0,3}does (?:it|the [\w ]+) (?:set out|list|include)\b|"
    r"\b(?:which|what)\s+(?:[\w-]+\s+){1,3}?(?:did|does|do)\s+(?:[\w'’/-]+\s+){1,8}?(?:list|name|identify)\b|"
    r"\b(?:whole|full|complete) list\b|\ball of them\b|\bwhat (?:kinds|types|sorts|range) of\b|"
    r"\bwhat is the role of\b|\bwhat (?:roles|responsibilities|factors|barriers|risks|steps|principles|"
    r"values|themes)\b",
    re.I,
)
# The plural a list question asks for: "what are the (wider) risks", "list all the barriers".
# A verb after the listed word, with more to come than the colon: "groups will also be publishing".
_DOES_SOMETHING_ELSE = re.compile(
    r"\s+(?:will|would|can|could|should|must|may|have|has|had)\b(?!\s*:?\s*$)", re.I
)
_LISTED = re.compile(
    r"\b(?:what|which)\s+(?:are|were)\s+(?:the|its|their|all the|the main|the key)?\s*(?:[\w'’/-]+\s+){0,3}?"
    r"([a-z-]+(?:s|ria))\b|\b(?:list|name|outline|summarise|give me)\s+(?:all\s+)?(?:the|its|their|every)\s+"
    r"(?:[\w'’/-]+\s+){0,2}?([a-z-]+(?:s|ria))\b|\bwhat ((?:roles|responsibilities|factors|barriers|risks|steps|"
    r"principles|values|themes))\b|"
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?([a-z-]+(?:s|ria))\s+(?:did|does|do)\s+(?:[\w'’/-]+\s+){1,8}?"
    r"(?:list|name|identify)\b",
    re.I,
)
_RESPONSIBILITY = re.compile(
    r"\b(?:who|whose)\b[^?]*\b(?:responsib\w*|accountab\w*|liab\w*|blame|fault|answerable)\b|"
    r"\b(?:am i|are we|is my|is the|are they|is it me|are social workers|is a social worker)\b[^?]*"
    r"\b(?:responsible|accountable|liable|to blame)\b(?!\s+(?:use|uses|ai|genai|generative|innovation|practice|"
    r"approach|adoption|development|deployment|technology|way|ways))|"  # "...definition of responsible use": no one's duty
    r"\bwho (?:carries|takes|bears|gets|holds) the (?:can|blame|risk|responsibility)\b|"
    r"\b(?:part of|within) (?:my|our|their|his|her|the) (?:role|job|remit)\b|"
    r"\b(?:put|puts|place|places|lay|lays)\s+(?:the\s+)?(?:responsibility|accountability|blame)\b|"
    r"\bis (?:it|this|that) (?:\w+\s+)?(?:down to|up to)\s+(?:me|us|them|each|every|individual|the)\b",
    re.I,
)
# A clause that asks it: at the start of the question or after punctuation ("..., can I paste...").
_CLAUSE = r"(?:^|[.?!:;,–-]\s+|\bso\s+)"
_PERMISSION = re.compile(
    rf"{_CLAUSE}(?:can|may|could|should|must|shall)\s+(?:i|we|you|my|our|social workers|students|"
    r"staff|practitioners|a social worker|the team|people|apprentices|they|he|she|councils|employers|"
    r"managers|teams|educators|universities)\b|"
    r"\b(?:is it|would it be|is that|would that be|is this)\s+(?:\w+\s+)?(?:ok|okay|fine|alright|all right|"
    r"acceptable|allowed|permitted|safe|appropriate|legal|lawful|ethical|a problem|wrong|right|"
    r"sensible|advisable|enough|reasonable)\b|\bam i (?:allowed|permitted|able|alright|all right|ok|okay|safe)\b|"
    r"\ballowed to\b|\bok to\b|\bokay to\b|,\s+(?:isn't|is) it\?|"
    r"\bdo (?:i|we) need (?:[\w'’]+\s+){0,2}?(?:permission|consent|to ask)\b|\bshould (?:i|we)\b|\bban\b",
    re.I,
)
_HOW_TO = re.compile(
    rf"{_CLAUSE}how\s+(?:should|do|can|could|would|might|must|best to)\s+(?:i|we|you|my|our|social|"
    r"practitioners|students|educators|employers|teams|managers|they|people)\b|\bhow (?:to|best to)\b|"
    r"\bwhat (?:checks|steps|safeguards|precautions)\b|\bwhat (?:should|do|must) (?:i|we) (?:do|check|"
    r"put in place|consider|think about)\b|\bwhat do (?:i|we) need to (?:do|check)\b|\bbest way\b|"
    r"\bwhat should (?:the|my|our|an?) (?:[\w-]+\s+){0,2}?(?:have|put|do)\b|"
    r"\bhow (?:are|is) (?:other\s+)?(?:[\w-]+\s+){1,3}?\w+ing\b|"
    r"\bis there (?:a|an|any) (?:[\w-]+\s+){0,2}?(?:framework|example|template|checklist|toolkit|model)\b",
    re.I,
)
_EVIDENCE = re.compile(
    r"\bhow (?:many|much|common|often|widely|far)\b|\bwhat (?:percentage|proportion|share|number)\b|"
    r"\bwhat (?:did|do|does) (?:the )?(?:research|survey|study|report|findings|evidence|data|"
    r"social workers|participants|practitioners|employers|educators|respondents|people)\b"
    r"[^?]*\b(?:find|found|say|said|report|reported|show|showed|think|feel|tell)\b|"
    r"\bis there (?:\w+\s+)?(?:any\s+)?(?:evidence|research|data)\b|"
    r"\b(?:evidence|research|survey|study|findings?|figures?|statistics|data)\b[^?]*"
    r"\b(?:show|shows|say|says|found|find|suggest|suggests)\b|"
    r"\b(?:are|do|did|have|has|is)\s+(?:any\s+|many\s+|some\s+)?(?:social workers|employers|councils|"
    r"practitioners|people|students|educators|teams|local authorities)\s+(?:\w+\s+)?(?:using|use|used|"
    r"doing|already|been|reporting|found|worry|worried|feel)\b|\bwhat happened\b|\bexamples? of\b|"
    r"^(?:is|are) (?:ai|genai|it|they) (?:being|already) used\b|"
    r"^(?:did|do|have) (?:\w+\s+){0,2}(?:social workers|students|employers|graduates|educators) (?:get|receive|use|feel)\b",
    re.I,
)
_DEFINITION = re.compile(
    r"\b(?:define|definition|meaning of|what is meant by|what do (?:we|you|they) mean by|"
    r"stand for)\b|\bwhat (?:does|do) [^?]{1,60} mean\b|"
    r"^(?:so\s+)?what(?:'s| is| are)\s+(?:an?\s+|the\s+)?[\w'’ ()/-]{1,50}\??$",
    re.I,
)


# "What does principle 4 of the playbook say?", "What is standard 3.11?": one item, by its number.
_ITEM_BY_NUMBER = re.compile(r"\b(principle|standard|recommendation)\s+(\d{1,2}(?:\.\d{1,2})?)\b(?!\.\d)", re.I)


_ASKS_AIMS = re.compile(
    r"\b(?:aims?|aimed|objectives?|purpose|set out to|sought to|scope)\b|"
    r"\bwhat (?:was|is) (?:the|this|that) (?:research|study|report|review|project)\b[^?]*\b(?:about|for)\b",
    re.I,
)


_NUMBER_WANTED = re.compile(
    r"\bhow (?:many|much|common|often|widely)\b|\bwhat (?:percentage|proportion|share|number|"
    r"fraction)\b|\bper ?cent|\bstatistics?\b|\bfigures?\b",
    re.I,
)


# A figure that answers "how many / how much / what percentage": "37%", "£40", "203", "6 of the
# 10", "two hours a week", "half".
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s?%|\bper ?cent\b|£\s?\d|\b\d[\d,]*\d\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)\s+(?:of|in|out of|hours?|minutes?|days?|weeks?|months?|years?|per|times)\b|"
    r"\b(?:half|a third|a quarter|two-thirds|three-quarters|majority|minority)\b",
    re.I,
)


def gives_a_figure(text: str) -> bool:
    """Whether a sentence gives a number, a share or an amount."""
    return bool(_FIGURE.search(text))


@dataclass(frozen=True)
class Body:
    """A body whose guidance the library may hold (assistant/data/bodies.toml)."""

    id: str
    name: str
    names: tuple[str, ...]
    document: str  # a key of DESIGN_DOCUMENTS, or ""
    # The section of its standards that says what not to do, and the words that say so (bodies.toml).
    will_not: tuple[str, str] | None = None
    # The library's sources published for this body that are not its guidance (its research).
    published_for: tuple[str, ...] = ()

    def will_not_standards(self, text: str) -> list[str]:
        """The numbers of the standards in `text` that say what a practitioner must not do
        ("5.6 Use technology..." -> "5.6")."""
        if self.will_not is None:
            return []
        section = re.escape(self.will_not[0])
        return re.findall(rf"^\s*(?:[-*]\s+)?({section}\.\d{{1,2}})\s+[A-Z]", text)

    def named_in(self, text: str) -> bool:
        return any(_name_pattern(name).search(text) for name in self.names)

    def wrote(self, chunk: Chunk, sources_covering: set[str]) -> bool:
        """Whether a passage is this body's material: its source carries the body's document
        (when it has one) and its section or text names the body."""
        if self.document and chunk.source_id not in sources_covering:
            return False
        return self.named_in(chunk.embedding_text())


@dataclass(frozen=True)
class Question:
    text: str
    type: str  # one of QUESTION_TYPES
    bodies: tuple[Body, ...] = ()  # the bodies the question names
    subject: Subject | None = None  # what a follow-up asks about instead ("What about Copilot?")

    @property
    def listed(self) -> str:
        """What a list question asks to be listed ("factors" in "What are the factors that
        decide...?"), "" when it does not say: a list whose lead-in names it is the one asked for."""
        found = _LISTED.search(" ".join(self.text.split()))
        if not found or self.type != "list":
            return ""
        return next(group for group in found.groups() if group).lower()

    def names_its_list(self, lead_in: str) -> bool:
        """Whether a list's lead-in names what the question asks to be listed ("factors"). Named
        as the subject of something else it does ("Our working groups will also be publishing a
        range of resources including:"), the word does not say what the list is of."""
        listed = self.listed
        named = set(terms(listed))
        if not named or not named <= set(terms(lead_in)):
            return False
        after = [m.group(1) for m in re.finditer(rf"\b{re.escape(listed)}\b(.*)", lead_in, re.I)]
        return not after or any(not _DOES_SOMETHING_ELSE.match(rest) for rest in after)

    def is_the_item_asked(self, text: str) -> bool:
        """Whether `text` is an item the question names by its number: "Principle 4: You have
        meaningful human control..." for "What does principle 4 say?", "3.11 Maintain clear...
        records" for "What is standard 3.11?" (a standard's text opens with its number)."""
        bare = without_marker(text).strip()
        for match in _ITEM_BY_NUMBER.finditer(self.text):
            kind, number = match.group(1).lower(), re.escape(match.group(2))
            label = rf"(?:standard\s+)?{number}" if kind == "standard" else rf"{kind}\s+{number}"
            if re.match(rf"{label}\b(?!\.\d)", bare, re.I):
                return True
        return False

    @property
    def names_an_item(self) -> bool:
        return bool(_ITEM_BY_NUMBER.search(self.text))

    def holds_the_item_asked(self, chunk: Chunk) -> bool:
        """Whether a passage is, or holds, an item the question names by its number: under the
        heading "Recommendation 2", or quoting "Principle 4: ..."."""
        return self.is_the_item_asked(chunk.heading) or any(
            self.is_the_item_asked(text) for text in chunk.sentence_texts()
        )

    @property
    def asks_may_i_or_who(self) -> bool:
        """"Can I...?", "Who is responsible...?": the guidance's principles answer it even where
        no sentence speaks of the asker's situation."""
        return self.type in ("permission", "responsibility")

    @property
    def asks_about_aims(self) -> bool:
        """"What did the research aim to understand?": what a study set out to do answers it, and
        answers nothing else (assistant/core/extractive.py)."""
        return bool(_ASKS_AIMS.search(self.text))

    @property
    def asks_for_a_number(self) -> bool:
        """"How many...?", "What percentage...?": an answer with the figure answers it."""
        return bool(_NUMBER_WANTED.search(self.text))


def read_question(
    text: str, bodies: Sequence[Body] | None = None, subject: Subject | None = None
) -> Question:
    """The question's type and the bodies it names; `subject`: a follow-up's own subject."""
    bodies = known_bodies() if bodies is None else bodies
    named = tuple(body for body in bodies if body.named_in(text))
    return Question(text, question_type(text, bool(named)), named, subject)


# "Can you summarise recommendation 4?", "Could you list the principles?": a request to the
# assistant, not a question whether someone may do something.
_REQUEST = re.compile(
    r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?=(?:summari[sz]e|list|tell|explain|give|show|"
    r"outline|describe|find|remind|clarify|set out|point|share|provide|help me)\b)",
    re.I,
)


def question_type(text: str, names_a_body: bool = False) -> str:
    """One of QUESTION_TYPES, by the first rule that matches (the order is the precedence)."""
    text = _REQUEST.sub("", " ".join(text.split()))
    if _WHICH_STANDARD.search(text) and not re.search(r"\b(?:what|which) are the\b", text, re.I):
        return "which-standard"
    if names_a_body and _ASKS_WHAT_IT_SAYS.search(text):
        return "named-source"
    for kind, rule in (
        ("list", _LIST),
        ("responsibility", _RESPONSIBILITY),
        ("how-to", _HOW_TO),
        ("permission", _PERMISSION),
        ("evidence", _EVIDENCE),
        ("definition", _DEFINITION),
    ):
        if rule.search(text):
            return kind
    return "general"


# The words that say what kind of organisation or document a name is ("Leeds City Council", "the
# Online Safety Act"): they are in many names, so they tell nothing about whether the library
# knows this one.
_KINDS = (
    "Council|Trust|Authority|Borough|County|Board|Partnership|Agency|Department|Service|Services|"
    "Foundation|Institute|College|University|Company|Ltd|plc|Group|Commission|Network"
)
_KIND_WORDS = frozenset(
    _KINDS.split("|") + "City Act Code Codes Practice Guidance Policy Standards Principles of for and in on the".split()
)

# "Kirklees Council's AI acceptable use policy", "the Trust's guidance": a named organisation's
# own document. The library may not hold it: then the answer says so instead of quoting others.
_OWNED_DOCUMENT = re.compile(
    rf"\b((?:[A-Z][\w’'&.-]*\s+){{1,4}}?(?:{_KINDS}))(?:['’]s)?\s+(?:[\w-]+\s+){{0,4}}?(?:policy|policies|"
    r"guidance|guidelines?|procedures?|protocol|rules|strategy|position|code of conduct|framework)\b"
)

# "What does the Online Safety Act require...?", "Which tools has NICE approved?", "according to
# the SSSC", "What are the Caldicott principles?": the question asks what a named body or law says
# or has done. A name the library never uses is one it cannot speak for: the passages it would
# quote instead answer a question nobody asked.
_NAME = r"(?:the\s+)?((?:[A-Z][\w’'&.-]*)(?:\s+(?:(?:of|for|and|in|on)\s+)?(?:[A-Z][\w’'&.-]*|\d{4}))*)"
_AUXILIARY = r"(?:does|do|did|has|have|had|will|would|could|can|is|are|was|were)"
_SPEAKER = (
    re.compile(rf"\b(?i:according to)\s+{_NAME}"),
    re.compile(
        rf"\b(?i:{_AUXILIARY})\s+{_NAME}(?:['’]s?\s+[\w-]+(?:\s+[\w-]+){{0,3}}?)?\s+(?:say|said|find|found|"
        r"recommend|require|state|publish|published|approve|approved|issue|issued|roll(?:ed)? out|look|"
        r"looked|fine|sign|signed|expect|advise|define|allow|permit|ban|inspect|regulate|class|classify)\b"
    ),
    re.compile(rf"\b(?i:what\s+are\s+the)\s+{_NAME}\s+(?:principles|codes|rules|standards|requirements)\b"),
)
# "Under the EU AI Act, is...": what a law says, unless the question asks what to do.
_UNDER = re.compile(rf"(?:^|[.?!,]\s+)(?i:under)\s+{_NAME}")
_NOT_A_NAME = frozenset("I We You They It He She This That There What Which Who How My Our Their A An If When".split())


def unknown_speaker(question: Question, library_has: Callable[[str], bool]) -> str:
    """The body or law whose words or deeds the question asks about, when the library never
    names it ("" otherwise). `library_has(word)`: whether the library uses the word."""
    rules = _SPEAKER if question.type in ("permission", "how-to") else (*_SPEAKER, _UNDER)
    for rule in rules:
        for match in rule.finditer(question.text):
            name = re.sub(r"['’]s$", "", match.group(1).strip(" .’'"))
            if name.split()[0] in _NOT_A_NAME:
                continue
            words = [w for w in re.findall(r"[\w-]+", re.sub(r"['’]s\b", "", name)) if w not in _KIND_WORDS]
            if words and not all(map(library_has, words)):
                return name
    return ""


def unknown_owner(text: str, library_mentions: Callable[[str], bool]) -> str:
    """The organisation whose own policy or guidance the question asks about, when the library
    never names it ("" otherwise): its documents are not in the library."""
    for match in _OWNED_DOCUMENT.finditer(text):
        owner = match.group(1).strip()
        if not library_mentions(owner):
            return owner
    return ""


def who_can_help(text: str, at_most: int = 2) -> list[str]:
    """For a question the library does not cover: who can help with its kind of question
    (assistant/data/referrals.toml), most specific first."""
    found = [who for pattern, who in _referrals() if pattern.search(text)]
    return list(dict.fromkeys(found))[:at_most]


@lru_cache(maxsize=1)
def _referrals() -> tuple[tuple[re.Pattern[str], str], ...]:
    text = resources.files("assistant.data").joinpath("referrals.toml").read_text(encoding="utf-8")
    return tuple(
        (re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in item["words"]) + ")", re.I), item["who"])
        for item in tomllib.loads(text)["referral"]
    )


@lru_cache(maxsize=1)
def known_bodies() -> tuple[Body, ...]:
    text = resources.files("assistant.data").joinpath("bodies.toml").read_text(encoding="utf-8")
    return tuple(
        Body(item["id"], item["name"], tuple(item["names"]), item.get("document", ""),
             (item["will_not"]["section"], item["will_not"]["words"]) if "will_not" in item else None,
             tuple(item.get("published_for", ())))
        for item in tomllib.loads(text)["body"]
    )


@lru_cache(maxsize=256)
def _name_pattern(name: str) -> re.Pattern[str]:
    flags = 0 if name.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)
