"""Write the labelled synthetic personal-data set: evals/pii/cases.jsonl.

Every value is synthetic (valid in form, belonging to nobody). A third of the names come from a
held-out list that the guard's name lists do not contain, so name recall is not measured only on
names the guard already knows. A quarter of the cases come again as Word, Outlook or a PDF paste
them (marked `"variant"`): non-breaking, thin and other Unicode spaces, a zero-width or soft-hyphen
character inside the value, fullwidth digits; their offsets are those of the text as pasted.
Deterministic: the same seed gives the same file.

    python -m evals.pii.generate
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261123

GIVEN = ["Jamal", "Amira", "Oliver", "Priya", "Mohammed", "Zofia", "Chloe", "Kwame", "Aisha",
         "Tomasz", "Grace", "Ethan", "Fatima", "Liam", "Chioma", "Harjit", "Isla", "Yusuf", "Niamh",
         "Wei", "Ruby", "Dawid", "Emeka", "Sophie", "Ibrahim", "Maja", "Arjun", "Ellie", "Omar"]
HELD_OUT_GIVEN = ["Adaeze", "Kwabena", "Thandiwe", "Oluwaseun", "Bartosz", "Siddharth", "Aoife",
                  "Rhiannon", "Tendai", "Nkechi", "Eero", "Lowri", "Ngozi", "Anjali", "Radoslaw",
                  "Folasade", "Keziah", "Mirela", "Tadhg", "Yaw"]
SURNAMES = ["Smith", "Khan", "Okafor", "Patel", "Nowak", "Williams", "Begum", "Mensah", "Jones",
            "Hussain", "Kowalski", "Brown", "Singh", "Obi", "Murphy", "Ahmed", "Taylor", "Chen"]
HELD_OUT_SURNAMES = ["Adeleke", "Przybylski", "Oyelaran", "Mwangi", "Ferreira", "Nakamura",
                     "Ogunleye", "Szymanski", "Achterberg", "Mahlangu", "Quigley", "Thistlethwaite"]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx"]
STREETS = ["Acacia Avenue", "High Street", "Mill Lane", "Church Road", "Station Road", "Oak Close",
           "Victoria Terrace", "Park View", "Elm Grove", "Queens Drive", "Meadow Way", "Kings Crescent"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
AREAS = ["SW", "M", "B", "LS", "CR", "EH", "CF", "BT", "G", "NE", "L", "S", "BS", "NG", "E", "N", "W"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

TEMPLATES = [
    "Can I paste notes about {x} into ChatGPT?",
    "My service user's details are {x} - can I put them in Copilot?",
    "Is it OK to type {x} into a free AI tool to draft a letter?",
    "I recorded a visit and the transcript mentions {x}; can AI summarise it?",
    "can i use gemini to write up the assessment, it includes {x}",
    "The referral form has {x} on it. Am I allowed to upload it to an AI app?",
    "For the case review ({x}) could I ask an AI to check my spelling?",
    "{x} - is this personal data under the guidance?",
]


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            raw = "".join(map(str, digits + [check]))
            return rng.choice([f"{raw[:3]} {raw[3:6]} {raw[6:]}", raw, f"{raw[:3]}-{raw[3:6]}-{raw[6:]}"])


def ni_number(rng: random.Random) -> str:
    letters = "ABCEGHJKLMNOPRSTWXYZ"
    prefix = rng.choice(letters) + rng.choice(letters.replace("O", ""))
    digits = [f"{rng.randint(0, 99):02d}" for _ in range(3)]
    value = rng.choice([f"{prefix} {' '.join(digits)} {rng.choice('ABCD')}",
                        f"{prefix}{''.join(digits)}{rng.choice('ABCD')}"])
    return value.lower() if rng.random() < 0.2 else value


def postcode(rng: random.Random) -> str:
    area = rng.choice(AREAS)
    district = str(rng.randint(1, 20)) if len(area) == 2 else rng.choice([str(rng.randint(1, 99)), f"{rng.randint(1, 9)}A"])
    inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    value = rng.choice([f"{area}{district} {inward}", f"{area}{district}{inward}"])
    return value.lower() if rng.random() < 0.2 else value


def phone(rng: random.Random) -> str:
    mobile = f"7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    london = f"{rng.randint(7000, 8999)} {rng.randint(1000, 9999)}"
    return rng.choice([
        f"0{mobile}", f"+44 {mobile}", f"+44 (0){mobile}", f"0{mobile.replace(' ', '')}",
        f"020 {london}", f"(020) {london}", f"0113 {rng.randint(200, 499)} {rng.randint(1000, 9999)}",
        f"01632 {rng.randint(100000, 999999)}", f"+44 20 {london}", f"0161-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
    ])


def email(rng: random.Random) -> str:
    first, last = rng.choice(GIVEN + HELD_OUT_GIVEN).lower(), rng.choice(SURNAMES + HELD_OUT_SURNAMES).lower()
    domain = rng.choice(["example.com", "mail.co.uk", "council.gov.uk", "nhs.net", "outlook.com"])
    return rng.choice([f"{first}.{last}@{domain}", f"{first}{rng.randint(1, 99)}@{domain}", f"{first[0]}{last}@{domain}"])


def date_of_birth(rng: random.Random) -> str:
    year, month, day = rng.randint(1940, 2025), rng.randint(1, 12), rng.randint(1, 28)
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    return rng.choice([
        f"{day:02d}/{month:02d}/{year}", f"{day}/{month}/{str(year)[2:]}", f"{day:02d}-{month:02d}-{year}",
        f"{day:02d}.{month:02d}.{year}", f"{day} {MONTHS[month - 1]} {year}", f"{day}{suffix} {MONTHS[month - 1]} {year}",
        f"{MONTHS[month - 1]} {day}, {year}", f"{day} {MONTHS[month - 1][:3]} {year}", f"{year}-{month:02d}-{day:02d}",
    ])


def address(rng: random.Random) -> str:
    number = f"{rng.randint(1, 250)}{rng.choice(['', '', '', 'a', 'b'])}"
    value = rng.choice([f"{number} {rng.choice(STREETS)}", f"Flat {rng.randint(1, 40)}, {number} {rng.choice(STREETS)}"])
    return value.lower() if rng.random() < 0.25 else value


def name(rng: random.Random) -> tuple[str, str]:
    """(name as it appears, the text around it with {n} where the name goes)."""
    held_out = rng.random() < 1 / 3
    first = rng.choice(HELD_OUT_GIVEN if held_out else GIVEN)
    last = rng.choice(HELD_OUT_SURNAMES if held_out else SURNAMES)
    shape = rng.choice(["full", "title", "first", "full-lower", "first-lower"])
    value = {"full": f"{first} {last}", "title": f"{rng.choice(TITLES)} {last}", "first": first,
             "full-lower": f"{first} {last}".lower(), "first-lower": first.lower()}[shape]
    frame = rng.choice([
        "my service user {n}", "the child, {n},", "a young person called {n}", "{n}'s mum",
        "my client {n}", "{n}", "the family of {n}", "a boy named {n}", "{n}'s care plan",
    ])
    if shape in ("full-lower", "first-lower") and frame in ("{n}", "{n}'s care plan", "{n}'s mum") and held_out:
        frame = "my service user {n}"  # a lower-case unknown word with no cue is not findable by anyone
    return value, frame


GENERATORS = {
    "NHS_NUMBER": nhs_number, "NI_NUMBER": ni_number, "POSTCODE": postcode, "PHONE": phone,
    "EMAIL": email, "DATE_OF_BIRTH": date_of_birth, "ADDRESS": address,
}
PER_TYPE = 150


def build() -> list[dict]:
    rng = random.Random(SEED)
    cases = []
    for kind, make in [*GENERATORS.items(), ("NAME", None)]:
        for _ in range(PER_TYPE + (100 if kind == "NAME" else 0)):
            template = rng.choice(TEMPLATES)
            if make is None:
                value, frame = name(rng)
                filler = frame.replace("{n}", "\0")
            else:
                value, filler = make(rng), "\0"
            text = template.replace("{x}", filler)
            if text.startswith("\0") and value[:1].islower() and kind == "NAME":
                text = "About " + text
            start = text.index("\0")
            text = text.replace("\0", value)
            cases.append({"text": text, "spans": [{"type": kind, "start": start, "end": start + len(value)}]})
    return cases


# What Word and Outlook paste: the non-breaking space (autocorrect puts one between a number's
# groups), thin and other fixed-width spaces, and invisible characters (zero-width space and
# joiners, word joiner, byte-order mark, soft hyphen) copied in with the text.
UNICODE_SPACES = ["\u00a0", "\u2009", "\u202f", "\u2007", "\u2002", "\u2003", "\u2005", "\u200a", "\u3000",
                  "\u205f"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
VARIANT_SHARE = 0.25


def pasted(value: str, variant: str, rng: random.Random) -> str:
    """`value` as a paste from Word or Outlook may carry it."""
    if variant == "nbsp":
        return value.replace(" ", "\u00a0")
    if variant == "unicode space":
        return "".join(rng.choice(UNICODE_SPACES) if char == " " else char for char in value)
    if variant == "fullwidth":  # an IME or a PDF: "９４３", "＠"
        return "".join(chr(ord(char) + 0xFEE0) if char.isdigit() or char == "@" else char for char in value)
    inside = [i for i in range(1, len(value)) if value[i - 1] != " " and value[i] != " "]
    at = rng.choice(inside)
    return value[:at] + rng.choice(INVISIBLE) + value[at:]  # "zero-width"


def variants(cases: list[dict], seed: int = SEED + 1) -> list[dict]:
    """A share of `cases` again, each value rewritten by one kind of paste, with its new offsets
    and the line of the case it came `from`; Word's non-breaking spaces also go elsewhere in some
    questions."""
    rng = random.Random(seed)
    rewritten = []
    for line, case in enumerate(cases):
        if rng.random() >= VARIANT_SHARE:
            continue
        (span,) = case["spans"]
        text, start, end = case["text"], span["start"], span["end"]
        value = text[start:end]
        kinds = ["zero-width"] + ["nbsp", "unicode space"] * (" " in value)
        kinds += ["fullwidth"] * any(char.isdigit() for char in value)
        variant = rng.choice(kinds)
        new = pasted(value, variant, rng)
        before, after = text[:start], text[end:]
        if rng.random() < 0.3:  # same length: the offsets hold
            before, after = before.replace(" ", "\u00a0"), after.replace(" ", "\u00a0")
        rewritten.append({"text": before + new + after, "variant": variant, "from": line,
                          "spans": [{"type": span["type"], "start": start, "end": start + len(new)}]})
    return rewritten


def main() -> None:
    cases = build()
    cases += variants(cases)
    with (HERE / "cases.jsonl").open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {HERE / 'cases.jsonl'}")


if __name__ == "__main__":
    main()
