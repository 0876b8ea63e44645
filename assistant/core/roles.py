"""The role of each sentence of the guidance: what the guidance advises, what research found, what
participants said or did, a definition, a numbered standard, a list's lead-in or item, or
navigation (agenda lines, references, slide furniture).

Decided at ingest from the sentence and its place in the document (rules, no model), stored with
the chunk, and used by the answer to put the guidance's advice before what people reported. The
rules are measured against hand labels of every sentence of the bundled library:
`python -m evals.roles.measure` (precision and recall per role).

A list's items also get the list's *voice*: the items of "There is a role for leaders to:" are
advice, those of "Respondents indicated that they agree with the following statements:" are
findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ROLES = (
    "advice", "finding", "testimony", "definition", "standard",
    "list_lead", "list_item", "navigation", "context",
)  # fmt: skip
# What a sentence is, for the reader, once list structure is set aside.
VOICES = ("advice", "finding", "testimony", "definition", "standard", "navigation", "context")
# What people reported, not what the guidance advises: never ahead of the advice in an answer.
REPORTED = frozenset({"finding", "testimony"})

_ITEM = "- "

# -- navigation: text a reader is never answered with -------------------------------------------
_TIMES = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[-–]|to\b)|\b\d{1,2}(?:[:.]\d{2})?\s*[ap]m\s*[-–]", re.I)
_CONTENTS = re.compile(r"\.{4,}\s*(?:\|\s*)?\d*\s*$")
_REFERENCE = re.compile(
    r"\baccessed\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|^\d{1,3}\s+(?:Ibid|Op\.? cit)\b|^(?:Ibid|Op\.? cit)\.?$"
    r"|^\d{1,3}\s+[A-Z][^.]{0,80},\s*['‘“]"  # "13 BytePlus, 'What Is...'": a numbered footnote citing a title
    # A reference's year, volume and issue ("...Review' (2025) 60(1) European Journal of
    # Education"): the tail of a citation split from its title, which answered a how-to question.
    r"|\((?:19|20)\d\d[a-z]?\),?\s*\d{1,4}\s*\(\d{1,3}\)|\b\d{1,4}\s?\(\d{1,3}\),?\s*(?:pp?\.\s*)?\d+\s*[-–]\s*\d+\b"
    r"|\bdoi(?:\.org)?\s*[:/]"
)
_CONTACT = re.compile(
    r"@\w|\bwww\.|https?://|\b0\d{3}\s?\d{3}\s?\d{4}\b|\b[a-z][\w-]*(?:\.[a-z][\w-]*)*\.(?:com|org|uk|net)/\S"
)
# A publisher's imprint: "Registered in England and Wales No. 952717.", "Registered charity No.
# 258825", "A Company Limited by Guarantee." (two answers to questions the library does not
# cover were led by one).
_IMPRINT = re.compile(
    r"\bregistered (?:in england(?: and wales)?|charity|company)\b[^.]{0,40}?\bno\.?\s*\d|"
    r"\b(?:charity|company) (?:no|number)\.?\s*\d|^(?:a )?company limited by guarantee\b|"
    r"©|\bcrown copyright\b|\bISBN\b",
    re.I,
)
# A reference list's entry: its authors ("Kissinger, H.A., Schmidt, E. and ...", "36 Henry, A.",
# "Kissinger and others, 'Genesis...'"), before the title.
_AUTHORS = re.compile(
    r"^(?:\d{1,3}\s+)?[A-Z][\w'’-]+,\s+(?:[A-Z]\.\s?){1,3}(?:,|\s+and\b|$)|"
    r"^(?:\d{1,3}\s+)?[A-Z][\w'’-]+ (?:and others|et al\.?),\s*['‘“]"
)
_FURNITURE = re.compile(
    r"^(?:photo by|image:|download (?:powerpoint|pdf|the)|click here|q\s?&\s?a|thank you|"
    r"join us|this webinar|attendees are|please use the|you will get access|contents|find out more|"
    r"hosted by|read more|see (?:appendix|box|table|figure)\b)|\bcan be found here\b|"
    # Cross-references: "This is explored further in the chapter on ...", "(see Appendix C)".
    r"^(?:this|these|it) (?:is|are) (?:explored|discussed|covered|described) (?:further|in more detail)\b|"
    r"^further details? (?:on|of) [^.]{0,60} (?:can be found|are) in\b|"
    # Acknowledgements: "Our thanks go to each of the project teams for their time..."
    r"^(?:our |with |many )?thanks (?:go |goes )?to\b|^we (?:would like to|wish to|want to) thank\b|"
    # A line that is a date (and a place): "23rd April 2026", "Wed 20 May 2026, Birmingham".
    r"^(?:-\s+)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec)[a-z]*,?\s+\d{4}\b[^.]{0,40}$",
    re.I,
)

# -- standards: "2.6 Treat information...", "Principle 3: You know how to use AI securely" --------
_STANDARD = re.compile(r"^(?:\d{1,2}\.\d{1,2}\s+[A-Z][a-z]|Principle\s+\d{1,2}\s*:|Standard\s+\d)")
_WHOLE_STANDARD = re.compile(r"^\d{1,2}\s+[A-Z][a-z]+\s+\w")  # "2 Establish and maintain..."

# -- testimony: someone's own words, or what participants told the researchers or did ----------
_ATTRIBUTION = re.compile(r"[”\"’']\s*,?\s*\(([a-z][a-z ,/&-]{2,60})\)\s*\.?$|^\(([a-z][a-z ,/&-]{2,60})\)\.?$")
_SPEAKERS = (
    r"participants?|respondents?|interviewees?|attendees|stakeholders|practitioners|they|"
    r"(?:social workers?|employers|educators|students|apprentices|managers|leaders|supervisors|"
    r"experts|innovators|organisers|people with lived experience|carers|foster carers|families|"
    r"parents|young people|the (?:working|participation|focus) group|working group|group|team|"
    r"teams|councils|local authorities|computer scientists|developers|the participants?|"
    r"the social worker|a social worker|the practitioner|the educator)"
    r"(?: using (?:AI|GenAI|Gen AI)| participating in [\w ]+| that (?:participated|responded)[\w ]*)?|"
    r"focus groups?(?: participants)?|survey (?:responses|respondents)|"
    r"(?:feedback|responses|comments)(?: from [^,.;]{3,60})?|one (?:social worker|participant|team|"
    r"respondent|employer|educator|manager|practice leader|social work manager)|some|many|others|"
    # one person, however described: "A social work educator experienced in using GenAI..."
    r"(?:a|an|another|one)\s+(?:[\w-]+\s+){0,3}?(?:educator|employer|manager|student|apprentice|leader|"
    r"supervisor|expert|carer|parent|practitioner|participant|respondent|social worker|director)"
)
_TOLD = (
    r"said|say|says|reported|report|described|describe|shared|told|raised|emphasised|emphasized|"
    r"highlighted|noted|indicated|suggested|proposed|expressed|felt|feel|believed|believe|wondered|"
    r"worried|explained|mentioned|stressed|pointed|questioned|cited|spoke|gave|considered|thought|"
    r"think|argued|agreed|disagreed|recalled|admitted|acknowledged|welcomed|valued|provided|"
    r"recognise|recognised|recognize|recognized|see|saw|viewed|view|found it|described|realised|"
    r"realized|noticed|observed|experienced|"
    r"were (?:concerned|sceptical|worried|unsure|positive|optimistic)|are (?:concerned|sceptical|worried)"
)
# Up to three words may come before the speaker ("Practice educators", "Many social workers"),
# and an opening adverbial before those ("For example, some survey responses said...").
_REPORTED_SPEECH = re.compile(
    rf"^(?:(?:for example|however|ultimately|overall|similarly|likewise|in addition|also|again),?\s+)?"
    rf"(?:[\w-]+\s+){{0,3}}?(?:{_SPEAKERS})\b[^.;:]{{0,50}}?\b(?:{_TOLD})\b",
    re.I,
)
_OPENS_QUOTE = re.compile(r"^[“\"]")

# -- findings: what the research found or measured ----------------------------------------------
_FIGURE = re.compile(r"\b\d+(?:\.\d+)?\s?%|\bper ?cent\b|^Of the \d+|\b\d+ (?:of|out of) (?:the )?\d+\b", re.I)
_RESEARCH_FOUND = re.compile(
    r"\b(?:research|survey|study|studies|report|review|findings?|evidence|data|analysis|results?|"
    r"consultation|evaluation)\b[^.;]{0,40}?\b(?:found|finds|shows?|showed|suggests?|suggested|"
    r"indicates?|indicated|identified|highlighted|revealed|demonstrated)\b|^We heard\b|"
    r"^There (?:was|were|is|are) (?:mixed|variation|varied|some|little|limited|significant|"
    r"considerable|no strong|a range)\b|\bwere not strong themes\b|(?:^|,\s+)there (?:are|were|is|was) "
    r"(?:\w+ )?(?:concerns?|examples?|use cases|opportunities|instances|reports)\b|\bmost common\b|"
    r"\b(?:can|could|may|might) potentially\b|\bpotentially (?:help|improve|enhance|support|reduce)\b|"
    r"\b(?:were|was|have been|has been|are being|is being) (?:raised|identified|reported|tested|"
    r"trialled|piloted|developed|implemented|deployed|adopted|observed|flagged|expressed|used)\b",
    re.I,
)
# What some people do, as the research saw it: "Some social workers are experimenting with GenAI".
_PEOPLE_DO = re.compile(
    r"^(?:(?:for example|however|also|similarly|likewise),?\s+)?"
    r"(?:some|many|most|a few|few|several|a number of|other|a range of)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:social workers|employers|educators|participants|respondents|organisations|councils|"
    r"local authorities|teams|innovators|practitioners|students|apprentices|universities|people|"
    r"providers|leaders|managers)\b(?!\s+(?:should|must|need|ought|have a|has a|are responsible))|"
    # What one organisation did: "Consequently, the university decided to discontinue the tool".
    r"^(?:(?:consequently|as a result|in response|subsequently|later),?\s+)?(?:the|one|a|another)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:university|council|employer|local authority|organisation|trust|provider)\s+"
    r"(?:decided|chose|stopped|started|began|introduced|banned|discontinued|withdrew|piloted|trialled)\b",
    re.I,
)

# -- definitions ---------------------------------------------------------------------------------
_DEFINES = re.compile(
    r"\brefers? to\b|\bis defined (?:as|by)\b|\bare defined (?:as|by)\b|\bdescribes? the (?:ability|"
    r"process|practice|way)\b|^In simpler terms\b|^[A-Z][\w()’'/ -]{1,60}?\s(?:is|are) (?:a|an) "
    r"(?:form|type|kind|term|subset|area|set|field|process|practice|way|machine-based)\b|"
    r"^[A-Z][\w’' -]{1,50}\s\([A-Za-z]{2,8}\),?\s|\bis referred to as\b|\bmeans that\b|"
    r"\bis the ability (?:to|of)\b",
)

# -- advice: what the guidance says should or should not be done ---------------------------------
_ADVICE = re.compile(
    r"\b(?:should|must|ought to|needs? to|have to|has to|shall)\b|"
    r"\b(?:is|are|remains?|be) (?:essential|crucial|vital|critical|important|necessary|required|key|"
    r"imperative|paramount|indispensable)\b|\bit is (?:essential|important|crucial|vital|necessary)\b|"
    r"\b(?:are|is|be) (?:responsible|accountable|liable)\b|\bresponsibility (?:to|for)\b|"
    r"\bthere is a (?:need|role) (?:to|for)\b|\bconsideration should\b|\bdo not\b|\bnever\b|"
    r"^ensure\b|\brecommend(?:s|ed)?\b",
    re.I,
)
# A directive that opens with its verb ("Avoid off-the-shelf tools", "Seek informed consent").
_IMPERATIVE = re.compile(
    r"^(?:avoid|seek|ensure|use|check|keep|make sure|consider|think about|raise|stress|emphasise|"
    r"review|be (?:clear|open|transparent|aware)|do not|don't|never|always|evidence|document|record|"
    r"protect|respect|treat|maintain|establish|clarify|involve|consult|share|support|promote|"
    r"recognise|challenge|reflect|follow|obtain|tell|explain|inform|train|provide|develop|build|"
    r"monitor|assess|identify|report|escalate|remember|take|put)\b",
    re.I,
)


_NOUN_USE = re.compile(r"^\w+\s+(?:of|for|and|to the|from)\b|^use\s+(?:in|by|within|across)\b", re.I)


@dataclass(frozen=True)
class SentenceInContext:
    """A sentence as the chunker sees it: its text (list items start with "- ", sub-items
    indented), the kind of block it is in, whether it opens that block, and how deep a list
    item is nested."""

    text: str
    kind: str  # "paragraph", "list_item", "table_row", "heading"
    first_in_block: bool = True
    depth: int = 0  # a list item's nesting under other items


def label(sentences: Sequence[SentenceInContext]) -> list[tuple[str, str]]:
    """(role, voice) for each sentence of a document, in order."""
    inside = _inside_quotation([s.text for s in sentences])
    listed = _label_runs(sentences)
    roles: list[str] = []
    voices: list[str] = []
    list_voices: dict[int, str] = {}  # the voice of the list open at each depth of nesting
    for index, sentence in enumerate(sentences):
        following = sentences[index + 1] if index + 1 < len(sentences) else None
        role = listed.get(index) or _role(sentence, following, inside[index])
        in_list = list_voices.get(sentence.depth, "context")
        if role == "list_lead":
            if sentence.kind == "list_item" and sentence.first_in_block:
                voice = _item_voice(sentence.text, in_list)  # an item over its sub-items
            else:
                voice = voice_of(sentence.text, inside[index], item=False)
                if voice == "context" and sentence.kind == "list_item" and in_list != "context":
                    voice = in_list  # an item's "Some examples include:" is of its list's kind
                elif voice == "context" and voices and voices[-1] in ("finding", "testimony"):
                    voice = voices[-1]  # "In order of priority, these are:" reports what came before
            opens = sentence.depth + 1 if sentence.kind == "list_item" else 0
            list_voices = {depth: v for depth, v in list_voices.items() if depth < opens} | {opens: voice}
        elif role == "list_item" or (_is_item(sentence) and role in ("standard", "testimony")):
            voice = role if role != "list_item" else _item_voice(sentence.text, in_list)
        else:
            voice = role if role in VOICES else "context"  # navigation stays navigation
            if not _is_item(sentence):
                list_voices = {}
        roles.append(role)
        voices.append(voice)
    return list(zip(roles, voices))


def _label_runs(sentences: Sequence[SentenceInContext]) -> dict[int, str]:
    """Lists that lost their bullets (slides converted to text): a sentence (or the heading of a
    section that opens with them, ingest/chunk.py), then two or more short labels in a row
    ("...some additional risks specific to students and apprentices." /
    "Writing skills" / "Critical thinking skills" / ...). The labels are its items."""
    found: dict[int, str] = {}
    index = 1
    while index < len(sentences):
        run = index
        while run < len(sentences) and is_short_line(sentences[run]):
            run += 1
        before = sentences[index - 1]
        if run - index >= 2 and not is_short_line(before) and before.kind in ("paragraph", "heading"):
            found[index - 1] = "list_lead"
            found.update((item, "list_item") for item in range(index, run))
        index = max(run, index + 1)
    return found


def is_slide_bullet(sentence: SentenceInContext) -> bool:
    """A short line standing alone that is not a slide's furniture on its own (a name, a job
    title, a date: "Sarah Gilbert, Skills for Care", "December 2025")."""
    return is_short_line(sentence) and not _is_navigation(sentence, without_marker(sentence.text))


def is_short_line(sentence: SentenceInContext) -> bool:
    """A line of a few words standing alone, with no sentence ending: a slide's bullet."""
    text = sentence.text.strip()
    return (
        sentence.kind == "paragraph"
        and sentence.first_in_block
        and 1 <= len(text.split()) <= 8
        and text[:1].isupper()
        and not re.search(r"[.!?:;]$", text)
    )


def voice_of(text: str, quoted: bool = False, item: bool = False) -> str:
    """What a sentence is, list structure aside: advice, finding, testimony, definition,
    standard or context."""
    bare = without_marker(text)
    item = item or _starts_item(text)
    if _STANDARD.match(bare):
        return "standard"
    if _ATTRIBUTION.search(bare):
        return "testimony"
    if _REPORTED_SPEECH.search(bare):
        # "Of the 155 social workers that responded..., 24% (37) said they have used GenAI...": a
        # survey's count of what people said is what the research measured, not their words.
        return "finding" if _FIGURE.search(bare) and not _OPENS_QUOTE.match(bare) else "testimony"
    if _DEFINES.search(bare) and not _ADVICE.search(bare):
        return "definition"  # a definition quoted from a statement is not someone's testimony
    if quoted or _OPENS_QUOTE.match(bare):
        return "testimony"
    # A directive opening with its verb ("Avoid off-the-shelf tools") is an item's way of
    # advising; "Review of our work", "Support for staff" or "Use in completing assignments" are nouns.
    if _ADVICE.search(bare) or (item and _IMPERATIVE.match(bare) and not _NOUN_USE.match(bare)):
        return "advice"
    if _FIGURE.search(bare) or _RESEARCH_FOUND.search(bare) or _PEOPLE_DO.search(bare):
        return "finding"
    return "context"


def _role(sentence: SentenceInContext, following: SentenceInContext | None, quoted: bool) -> str:
    text = without_marker(sentence.text)
    if _is_label(sentence, text) and following is not None and _is_item(following):
        return "list_lead"  # "Employers", over the list of what employers should do
    if _is_navigation(sentence, text):
        return "navigation"
    if _STANDARD.match(text) or (_is_item(sentence) and _WHOLE_STANDARD.match(text)):
        return "standard"
    if _leads_a_list(sentence, following):
        return "list_lead"
    voice = voice_of(sentence.text, quoted, _is_item(sentence))
    if voice == "testimony":
        return "testimony"
    if _is_item(sentence):
        return "list_item"
    return voice


def _is_navigation(sentence: SentenceInContext, text: str) -> bool:
    if sentence.kind == "heading":
        return True
    if _TIMES.search(text) or _CONTENTS.search(text) or _REFERENCE.search(text):
        return True
    if _IMPRINT.search(text) or _AUTHORS.match(text):
        return True
    if _FURNITURE.search(text) or (_CONTACT.search(text) and len(text.split()) <= 12):
        return True
    return _is_label(sentence, text) or _is_slide_title(sentence, text)


# A slide's title line: "Review of our work to date: Oxford project on responsible use of AI".
_SLIDE_TITLE = re.compile(r"^[A-Z][\w'’ -]{2,40}:\s+[A-Z\w][^.!?:]*$")


def _is_slide_title(sentence: SentenceInContext, text: str) -> bool:
    """A line standing alone, a short title, a colon and a phrase, with no sentence ending."""
    return (
        sentence.kind == "paragraph" and sentence.first_in_block and len(text.split()) <= 16
        and bool(_SLIDE_TITLE.match(text.strip())) and not _STANDARD.match(text)
    )


def _is_label(sentence: SentenceInContext, text: str) -> bool:
    """A label, not a sentence: a few capitalised words with no sentence ending ("Powerful
    Respected Transformative", "Employers")."""
    words = text.split()
    capitalised = sum(word[:1].isupper() for word in words)
    return (
        sentence.kind not in ("list_item", "table_row")
        and len(words) <= 8
        and not re.search(r"[.!?:;,]$", text)
        and capitalised >= max(1, (len(words) + 1) // 2 if len(words) > 3 else len(words) - 1)
    )


def _leads_a_list(sentence: SentenceInContext, following: SentenceInContext | None) -> bool:
    ends_with_colon = sentence.text.rstrip().endswith(":")
    if _is_item(sentence):
        # "- Social work employers: organisations that employ social workers, such as:" over
        # its own sub-items
        return (
            ends_with_colon and following is not None and following.first_in_block
            and following.kind == "list_item" and following.depth > sentence.depth
        )
    if following is None or not _is_item(following):
        return ends_with_colon
    return True  # the sentence just before a list introduces it


def _item_voice(text: str, list_voice: str) -> str:
    own = voice_of(text, item=True)
    if own in ("standard", "testimony", "finding") or (own == "advice" and list_voice == "context"):
        return own
    return list_voice


def _is_item(sentence: SentenceInContext) -> bool:
    return sentence.kind == "list_item" or _starts_item(sentence.text)


def _starts_item(text: str) -> bool:
    return text.lstrip(" ").startswith(_ITEM)


def item_depth(text: str) -> int:
    """How deep a list item's first sentence is nested: 0 for a list's own items, 1 for their
    sub-items (indented by two spaces, ingest/chunk.py); -1 for any other sentence."""
    bare = text.lstrip(" ")
    return (len(text) - len(bare)) // 2 if bare.startswith(_ITEM) else -1


def without_marker(text: str) -> str:
    """A sentence without its list marker and a sub-item's indentation: layout, not the
    guidance's words ("- Avoid..." is shown as "Avoid...")."""
    return text.lstrip(" ")[len(_ITEM) :] if _starts_item(text) else text


# A word or two in quotes inside a sentence ("assessments to be “AI-proof”", "chatbots
# (“teacherbots”)") marks a term, not someone's words.
_SCARE_QUOTES = re.compile(r"“[^“”\s]+(?:\s[^“”\s]+){0,2}”")


def _inside_quotation(texts: Sequence[str]) -> list[bool]:
    """For each sentence: is it (partly) inside “curly quotes”, someone's words? Straight
    double quotes open and close alike, so they count only when they wrap the sentence."""
    flags, depth = [], 0
    for text in texts:
        words_of_others = _SCARE_QUOTES.sub("", text[1:])
        opened, closed = words_of_others.count("“") + text.startswith("“"), words_of_others.count("”")
        inside = depth > 0 or opened > 0 or closed > 0 or (text.startswith('"') and text.count('"') >= 1)
        depth = max(0, depth + opened - closed)
        if _ATTRIBUTION.search(text):
            depth = 0  # "...” (social worker)" ends the quotation, whatever came before
        flags.append(inside)
    return flags
