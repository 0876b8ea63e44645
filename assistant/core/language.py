"""Whether a question is in English: the library and the assistant work in English, so a question
in another language finds little or nothing, and the answer must say why.

No model and no network. Letters of another script (Arabic, Cyrillic, Chinese...) say it at once.
For a language written in Latin letters, the small words every sentence needs do ("the", "can",
"what" against "les", "czy", "mae"...): a question of acronyms, tool names and people's names has
none of them, so only positive evidence of another language counts, never the lack of English.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Share of a question's letters outside the Latin script above which it is not English ("ChatGPT"
# inside an Arabic sentence is a few Latin letters among many).
_OTHER_SCRIPT_SHARE = 0.5
# Function words of another language a question needs, and more of them than English ones.
_MIN_OTHER_WORDS = 2
_WORD = re.compile(r"[^\W\d_]{2,}")  # single letters ("e.g.", "Part B") say nothing

_ENGLISH = """
the an and or but of to in on at for with from by about into as is are was were be been being
do does did done can could may might must should shall will would not no if than then there here
have has had what which who whom whose when where why how this that these those my our your their
his her its we you they them me us it any all some use using used allowed allow okay ok need
""".split()

# The commonest small words of the languages written in Latin letters that a social worker in the
# UK may ask in, with each one's words for "can", "use" and "AI". Name particles ("de", "la",
# "van", "von", "y", "ap", "al") are left out: "Ana de la Cruz" is a name in an English question.
_OTHER_LANGUAGES = {
    "Welsh": """yn yr mae ar gyda ac ei ydy ydw yw oes allaf gallaf alla gaf ga fy dy ein eich wrth
        ond neu hefyd gan sut pryd pwy ble nid nad chi nhw fe rwy rydw dw oedd bod sy sydd
        hyn hynny hwn hon cael gael gwneud wneud defnyddio ddefnyddio deallusrwydd""",
    "Gaelic": """agus tha bha chan nach thu sinn sibh iad mo ag bhí tá níl sé sí siad leis chun
        conas cén féidir urrainn ciamar faodaidh""",
    "Polish": """czy nie się jest są że jak lub albo oraz dla przez od po przy tak już mogę
        można może mogą moje mój moja jestem być jaki jakie która który które tym używać
        korzystać wolno sztucznej inteligencji""",
    "Romanian": """și în cu pe este sunt nu poate pentru că ce cum să mai din despre folosi
        folosesc utiliza meu mea mele dacă inteligența artificială""",
    "Portuguese": """os um uma não com por que se é são meu minha meus posso pode podem usar
        utilizar na em ao como mas ou isso este esta qual quando sobre ia""",
    "Spanish": """el los las un una que en con para por es está mi mis puedo puede pueden usar
        utilizar cómo qué cuál cuando pero se su sus sobre este esta esto lo ia""",
    "Italian": """il lo gli un una che è sono con posso può possono usare utilizzare cosa quale
        quando ma mio mia miei nel nella sul sulla questo questa si ia""",
    "French": """les un une des et est sont je tu il nous vous ils elle pour avec dans sur par que
        qui quoi ne mon mes puis peux peut utiliser comment quel quelle quand mais ou ce
        cette ces au aux en si ia""",
    "German": """das dem ein eine einen und ist sind ich du er sie es wir ihr mit für auf zu nicht
        kann darf soll muss mein meine wie welche wann warum aber oder auch benutzen
        verwenden nutzen ob wenn bei über im ki""",
    "Dutch": """het een en zijn ik je jij wij mijn voor op aan te niet kan mag moet hoe wat welke
        wanneer waarom maar gebruiken bij""",
    "Lithuanian": """ir yra ar ne kad su iš kaip kas ką kodėl kada mano galiu gali naudoti arba
        tai šis ši apie už dėl""",
    "Turkish": """ve bir bu şu için ile mi mı mu mü ne nasıl neden sen siz onlar değil var yok
        kullanabilir kullanmak miyim mıyım ama veya gibi çok daha benim yapay zeka""",
    "Somali": """iyo waa ka ku ee oo aan waxaan sidee maxay miyaa isticmaali karaa kara ah waxa
        haddii laakiin ama""",
}


def in_english(text: str) -> bool:
    """Whether a question reads as English; True unless it shows another language."""
    text = _normal(text)
    # Marks too: in Gurmukhi or Devanagari a vowel sign is a mark, not a letter, and half of
    # every word.
    letters = [char for char in text if unicodedata.category(char)[0] in "LM"]
    if not letters:
        return True
    other_script = sum(not _latin(char) for char in letters)
    if other_script / len(letters) > _OTHER_SCRIPT_SHARE:
        return False
    words = _WORD.findall(text)
    english, others = _word_lists()
    english_words = sum(word in english for word in words)
    other_words = max(sum(word in language for word in words) for language in others)
    return not (other_words >= _MIN_OTHER_WORDS and other_words > english_words)


def _normal(text: str) -> str:
    """Lower case, accents composed: "é" typed as "e" and a combining accent is one letter."""
    return unicodedata.normalize("NFC", text.lower())


@lru_cache(maxsize=4096)
def _latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


@lru_cache(maxsize=1)
def _word_lists() -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """English's words and each other language's, a word two of them share counting for neither
    ("in" is English, German and Dutch; "no" English, Spanish and Italian)."""
    others = [frozenset(_normal(words).split()) for words in _OTHER_LANGUAGES.values()]
    english = frozenset(_ENGLISH)
    shared = english & frozenset().union(*others)
    return english - shared, tuple(language - english for language in others)
