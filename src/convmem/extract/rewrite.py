"""Turning what someone said in the first person into a standalone third-person sentence.

"I'm keen on counseling" said by Caroline becomes "Caroline is keen on counseling"; "My kids love it"
becomes "Caroline's kids love it"; later first-person words become singular "they"/"their", because the
extractor does not know anyone's pronouns. "You" is the other side of the conversation and is replaced
by that participant's name. Relative dates are anchored to the day the sentence was said.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# Interjections and discourse fillers that carry nothing once the sentence stands alone. "No" is one only
# before punctuation, the end or a new clause ("No, that's fine", "no I live alone"): "no prosecco, we
# don't drink" says something.
_LEADING_FILLER = re.compile(
    r"^(?:(?:oh+|ah+|aw+|wow|whoa|woah|ooh+|yay|yess*|omg|yeah|yea|yes|yep|yup|(?:no|nah|nope)(?=\s*(?:[,!.;:\-]|$)|\s+(?:i|i'm|i've|i'd|i'll|we|we're|we've|it|it's|that|that's|this|"
    r"there|he|she|they|you|wait|thanks|thank|sorry|just|not|sadly|unfortunately)\b)|"
    r"well|so|hey|hi|hello|hiya|heya|"
    r"good (?:morning|afternoon|evening|day)|"
    # "Morning!" greets; "Morning please" and "evening slot is fine" choose a part of the day.
    r"(?:morning|evening)(?!\s+(?:please|pls|plz|slots?|is|are|works|would|suits|if|only|one|delivery|"
    r"appointment|then)\b)|um+|uh+|hmm+|haha+|hah|lol|perfect|lovely|brilliant|"
    r"excellent|wonderful|fair enough|fine|alright|all right|right then|"
    r"omg|ok|okay|btw|by the way|anyway|anyways|honestly|actually|totally|definitely|absolutely|right|"
    r"true|sure|cool|awesome|great|nice|thanks|thank you|gosh|man|dude|ugh|yay|lmao|you know|i mean|"
    r"to be honest|tbh|speaking of which|speaking of that|funny you (?:should )?(?:ask|mention)|"
    r"[a-z]+ you for asking|good question|and|but|plus|however|that said|also|understood|noted|got it|"
    r"certainly|sure thing|of course|no problem|speaking of|oh and|just so you know|so you know|"
    r"(?:just )?to let you know|just letting you know|fyi|for your information|for (?:the|your) records?|"
    r"please note(?: that)?|note that|bear in mind(?: that)?|please be aware(?: that)?|"
    r"on (?:a|another|that|the) (?:different|side|similar|related|brighter|lighter|other) note)\b[,!.;:\-\s]*)+",
    re.IGNORECASE,
)
_INNER_FILLER = re.compile(r",?\s*\b(?:you know|i mean|like,|kinda|sorta|lol|haha+|lmao)\b,?", re.IGNORECASE)
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]+")

_MODALS = {"will", "would", "can", "could", "should", "might", "must", "may", "shall", "had", "was", "were",
           "did", "used", "ought"}
_IRREGULAR_PAST = {
    "went", "had", "was", "were", "did", "got", "made", "saw", "took", "came", "gave", "found", "thought",
    "told", "felt", "left", "kept", "bought", "brought", "began", "ran", "met", "read", "wrote", "sat",
    "spent", "won", "lost", "heard", "knew", "grew", "drew", "sang", "swam", "taught", "caught", "built",
    "sent", "paid", "said", "held", "fell", "ate", "drove", "rode", "flew", "became", "chose", "broke",
    "forgot", "understood", "stood", "woke", "wore", "hung", "led", "fed", "put", "set", "cut", "hit",
    "let", "quit", "just", "also", "still", "never", "always", "really", "usually", "often", "recently",
    "finally", "already", "even", "only", "actually", "definitely", "totally", "kinda", "sometimes",
    "seriously", "truly", "absolutely", "mostly", "rarely", "first", "once", "probably", "both", "all",
}
_ADVERBS = {"just", "also", "still", "never", "always", "really", "usually", "often", "recently", "finally",
            "already", "even", "only", "actually", "definitely", "totally", "kinda", "sometimes", "seriously",
            "truly", "absolutely", "mostly", "rarely", "first", "once", "probably", "both", "all", "so"}
_IRREGULAR_PRESENT = {"have": "has", "do": "does", "go": "goes", "be": "is", "am": "is", "are": "is",
                      "don't": "doesn't", "haven't": "hasn't", "aren't": "isn't"}


# Chat drops the apostrophe of a contraction ("im on nights", "i cant make it", "ill start this weekend");
# restored, the sentence reads as the first-person statement it is. "ill" is the adjective after a linking
# word ("I'm ill", "feeling ill"), so it becomes "I'll" only where a clause starts.
_BARE_CONTRACTION = re.compile(
    r"\b(?:(?P<im>im)|(?P<ive>ive)|(?P<not>dont|cant|wont|didnt|doesnt|isnt|wasnt|arent|werent|havent|hasnt|"
    r"couldnt|wouldnt|shouldnt))\b|"
    r"(?:^|(?<=[,;] )|(?<=\band )|(?<=\bbut )|(?<=\bso )|(?<=\bthen ))(?P<ill>ill)"
    r"(?= (?!(?:health|people|effects?|will|feeling)\b)[a-z])", re.IGNORECASE)
_NOT_FORMS = {"cant": "can't", "wont": "won't"}
# Chat spellings of pronouns: "can u text me", "thank u", "id like a window seat" ("I'd", not an identity
# document: only before a verb of wanting or saying). Lower case and standing alone only: "U-Bahn", "Block U",
# "my ID" stay as written.
_CHAT_YOU = re.compile(r"(?<![\w'.-])u(?![\w'-]|\.\w)")
# The words after which chat's "id" is "I'd" (clauses._ENTITLEMENT reads the same words so).
CHAT_ID_VERBS = ("like", "love", "rather", "prefer", "have", "be", "need", "want", "hate", "say", "guess", "think",
                 "appreciate", "also", "really", "just")
_CHAT_ID = re.compile(r"(?<![\w'.-])id(?= (?:" + "|".join(CHAT_ID_VERBS) + r")\b)")


def _contraction(match: re.Match[str]) -> str:
    word = match.group(0)
    if match.group("im"):
        return "I'm"
    if match.group("ive"):
        return "I've"
    if match.group("ill"):
        return "I'll"
    lower = word.lower()
    fixed = _NOT_FORMS.get(lower, lower[:-2] + "n't")
    return fixed[0].upper() + fixed[1:] if word[0].isupper() else fixed


def clean(sentence: str) -> str:
    """Straight quotes, no emoji, no leading interjections or inner fillers, single spaces, the
    apostrophes chat leaves out of contractions, and chat's "u" for "you" and "id" for "I'd"."""
    text = sentence.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = EMOJI.sub("", text)
    text = _LEADING_FILLER.sub("", text.strip())
    text = _BARE_CONTRACTION.sub(_contraction, text)
    text = _CHAT_ID.sub("I'd", _CHAT_YOU.sub("you", text))
    text = _INNER_FILLER.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:-")
    text = re.sub(r"\s+([!?.,;:])", r"\1", text)
    text = re.sub(r"([!?.])[!?.]+", r"\1", text)
    return _THANKS_TAIL.sub(r"\1", text)


# Thanks closing a statement ("A loaner would be very helpful, thank you.") is courtesy, not part of it.
_THANKS_TAIL = re.compile(r"(?<=\w),\s*(?:thank you|thanks|thank u|cheers)(?: (?:so|very) much)?\s*([.!]?)$",
                          re.IGNORECASE)


def _third_person_verb(word: str) -> str:
    lower = word.lower()
    if lower in _IRREGULAR_PRESENT:
        return _IRREGULAR_PRESENT[lower]
    past_form = lower.endswith("ed") and not lower.endswith("eed")  # "need", "feed" are present tense
    if lower in _MODALS or lower in _IRREGULAR_PAST or past_form or lower.endswith("n't") or not lower.isalpha():
        return word
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return word + "es"
    if lower.endswith("y") and len(lower) > 2 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# Chat drops the subject: "Researching adoption agencies", "Just got some new shoes", "Went hiking".
IMPLIED_PROGRESSIVE = (
    r"^(?:(?:still|just|currently|also|now|really|finally|slowly) )?"
    r"(?!(?:anything|something|nothing|everything|morning|evening|spring|during|according|thing|exciting|"
    r"amazing|interesting|inspiring|amusing|relaxing|refreshing|surprising|annoying|boring|charming|stunning|"
    r"thrilling|rewarding|challenging|encouraging|fascinating|touching|heartwarming|satisfying|frustrating|"
    r"disappointing|calming|soothing|uplifting|promising|intriguing|outstanding|breathtaking|loving|caring|"
    r"willing|nothing|king|ring|wedding|building|clothing|ceiling|evening|painting's)\b)[a-z]+ing\b"
    r"(?! (?:is|was|are|were|has|had|can|could|will|makes?|helps?|gives?|seems?|sounds?|feels?|looks?|"
    # "Booking ref HX-77120", "Tracking number 1Z...": the "-ing" word names a thing, before a label.
    r"takes?|brings?|keeps?|means?|lets?|gets?|really|always|never|just|ref|reference|number|no|id|code|"
    r"details|confirmation)\b)(?!'s)(?=\s)"
)
IMPLIED_PAST = (
    r"^(?:(?:just|recently|finally|also|actually) )?(?:went|got|had|made|saw|took|bought|started|finished|"
    r"tried|visited|signed|joined|found|decided|met|spent|picked|booked|adopted|moved|learned|learnt|forgot|"
    r"painted|baked|cooked|ran|read|watched|wrote|built|hiked|traveled|travelled|received|won|lost|"
    r"\w+ed (?:my|a|an|the|some|to|up|out|off|with|for|at|on|in|it|this|that|our)\b)\b"
)

# A finite verb without its own subject means the "-ing" word was the subject ("Fitting in was hard"),
# not a dropped "I am" ("Researching adoption agencies - it's been a dream").
_FINITE_VERB = re.compile(
    r"(?<!\bit )(?<!\bthat )(?<!\bthis )(?<!\bthere )(?<!\bwhich )(?<!\bwho )(?<!\bhe )(?<!\bshe )"
    r"(?<!\bthey )(?<!\bwe )(?<!\bi )(?<!\bwhat )(?<!\bwhere )(?<!\byou )(?<!\bone )"
    r"\b(?:is|was|are|were|must|makes|helps|gives|feels|seems|sounds|looks|creates|means|keeps|takes|brings|"
    r"can be|could be|would be|will be)\b",
    re.IGNORECASE,
)
_IMPLIED_PROGRESSIVE_RE = re.compile(IMPLIED_PROGRESSIVE, re.IGNORECASE)
_GOING_TO_RE = re.compile(r"^(?:gonna|going to)\b", re.IGNORECASE)


def implied_subject(sentence: str) -> bool:
    """Whether a sentence without a subject is about the speaker ("Just got new shoes", "Gonna rest")."""
    if _IMPLIED_PROGRESSIVE_RE.search(sentence) or _GOING_TO_RE.search(sentence):
        return not _FINITE_VERB.search(sentence)
    return bool(re.search(IMPLIED_PAST, sentence, re.IGNORECASE) or re.match(
        r"^(?:been|can't wait|cannot wait|can't believe)\b", sentence, re.IGNORECASE))


# (pattern, replacement) applied in order; {name} is the speaker, {other} the other participant.
_SUBJECT_START = [
    (r"^(?:i'm|i am|im)\b", "{name} is"),
    (r"^i was\b", "{name} was"),
    (r"^(?:i've|ive)\b", "{name} has"),
    (r"^i'll\b", "{name} will"),
    (r"^i'd\b", "{name} would"),
    (r"^my\b", "{name}'s"),
    (r"^(?:can't wait|cannot wait|can't believe)\b", "{name} \\g<0>"),
    (r"^(?:been)\b", "{name} has been"),
    (IMPLIED_PAST, "{name} \\g<0>"),
]
_WORDS = [
    (r"\b(?:i'm|i am)\b", "they are"),
    (r"\bi was\b", "they were"),
    (r"\bi've\b", "they have"),
    (r"\bi'll\b", "they will"),
    (r"\bi'd\b", "they would"),
    (r"\bi\b", "they"),
    (r"\bwe're\b", "they are"),
    (r"\bwe've\b", "they have"),
    (r"\bwe'll\b", "they will"),
    (r"\bwe'd\b", "they would"),
    (r"\bwe\b", "they"),
    (r"\bmyself\b", "themselves"),
    (r"\bourselves\b", "themselves"),
    (r"\bmine\b", "theirs"),
    (r"\bours\b", "theirs"),
    (r"\bmy\b", "their"),
    (r"\bour\b", "their"),
    (r"\bme\b", "them"),
    (r"\bus\b", "them"),
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "have to"),
    (r"\b(?:you're|you are)\b", "{other} is"),
    (r"\byou were\b", "{other} was"),
    (r"\byou've\b", "{other} has"),
    (r"\byou'll\b", "{other} will"),
    (r"\byou'd\b", "{other} would"),
    (r"\byourself\b", "{other}"),
    (r"\byours\b", "{other}'s"),
    (r"\byour\b", "{other}'s"),
    (r"\byou\b", "{other}"),
]
_SUBJECT_START_RE = [(re.compile(p, re.IGNORECASE), r) for p, r in _SUBJECT_START]
_WORDS_RE = [(re.compile(p, re.IGNORECASE if not p.startswith(r"\bus") else 0), r) for p, r in _WORDS]
_I_VERB = re.compile(r"^i\s+", re.IGNORECASE)


_COMPOUND_SUBJECT = re.compile(
    r"^(?:(?P<others>(?:(?i:my|our|the)\s+[a-z]+(?:\s+[a-z]+)?|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?))\s+and I\b(?!')|"
    r"(?i:me and)\b(?=\s+(?:my|our|[A-Z])))")


# Words quoted in the sentence are someone's exact words ("any 'we miss you' emails", the subject line of a
# letter): the rewrite leaves them as they are. A single quote counts only between non-letters, so that
# apostrophes ("mum's", "don't") never open one.
_QUOTED = re.compile(r"\"[^\"\n]{1,80}\"|(?<![\w'])'(?=\w)[^'\n]{1,60}?(?<=[\w!?.])'(?![\w'])")


def to_third_person(sentence: str, name: str, other: str, subject_start: bool = True) -> str:
    """Rewrite a cleaned first-person sentence about ``name``; the result has no "I", "my" or "you"
    outside quotation marks.

    ``subject_start=False`` only swaps pronouns (for a clause that follows its own subject)."""
    quotes: list[str] = []

    def hold(match: re.Match[str]) -> str:
        quotes.append(match.group(0))
        return f"\x00{len(quotes) - 1}\x00"

    # The held quotes are marked with NUL characters, so none may come from the text itself (the API refuses
    # them in bodies; this function does not rely on that).
    text = _to_third_person(_QUOTED.sub(hold, sentence.replace("\x00", "")), name, other, subject_start)
    return re.sub("\x00(\\d+)\x00", lambda m: quotes[int(m.group(1))], text) if quotes else text


def _to_third_person(sentence: str, name: str, other: str, subject_start: bool) -> str:
    text = sentence
    replaced = not subject_start
    # A compound subject: "My husband and I are ...", "Jo and I moved ...", "Me and my wife are ..." -> the name
    # in the speaker's place (the verb is already plural).
    compound = _COMPOUND_SUBJECT.match(text) if subject_start else None
    if compound:
        others = re.sub(r"^(?i:my|our)\b", f"{name}'s", compound.group("others") or "")
        text = (f"{others} and {name}" if others else f"{name} and") + text[compound.end():]
        replaced = True
    implied = bool(_IMPLIED_PROGRESSIVE_RE.search(text) or _GOING_TO_RE.search(text))
    if not replaced and implied and not _FINITE_VERB.search(text):
        text = _GOING_TO_RE.sub("going to", text[:1].lower() + text[1:], count=1)
        text = f"{name} is {text}"
        replaced = True
    for pattern, replacement in [] if replaced else _SUBJECT_START_RE:
        if pattern.search(text):
            text = pattern.sub(replacement.replace("{name}", name), text[:1].lower() + text[1:], count=1)
            replaced = True
            break
    if not replaced:
        match = _I_VERB.match(text)
        if match:
            words = text[match.end():].split(" ")
            adverbs: list[str] = []
            while words and words[0].lower() in _ADVERBS:
                adverbs.append(words.pop(0))
            if words and words[0]:
                # The verb may end the sentence ("I teach."): agree the word, keep its punctuation.
                verb = re.match(r"(.*?)([.!?,;:]*)$", words[0])
                assert verb is not None  # the pattern matches any string
                words[0] = _third_person_verb(verb.group(1)) + verb.group(2)
            text = " ".join([name, *adverbs, *words])
            replaced = True
    for pattern, replacement in _WORDS_RE:
        text = pattern.sub(replacement.replace("{other}", other), text)
    text = re.sub(r"\bthey (has|is|was|does|goes)\b", lambda m: "they " + {"has": "have", "is": "are",
                  "was": "were", "does": "do", "goes": "go"}[m.group(1)], text)
    return text


def lower_first(text: str, names: set[str]) -> str:
    """Lower-case the first letter so the sentence can follow "X said", unless the first word looks like
    a name: a participant's name, an acronym, or followed by another capitalised word ("Harry Potter")."""
    if not text:
        return text
    words = text.split(" ", 2)
    first = words[0].strip(",.!?;:'\"")
    if not first or first.removesuffix("'s") in names or (first.isupper() and len(first) > 1) or first[:1].islower() \
            or first.lower() in _CALENDAR:
        return text
    if first.lower().removesuffix("'s") in _COMMON_STARTERS or "'" in first:
        return text[0].lower() + text[1:]
    following = words[1] if len(words) > 1 else ""
    if following[:1].isupper() or first.endswith("'s"):
        return text
    return text[0].lower() + text[1:]


_CALENDAR = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
}
_COMMON_STARTERS = {
    "the", "a", "an", "it", "it's", "this", "that", "these", "those", "there", "they", "their", "he", "she",
    "his", "her", "we", "our", "some", "all", "one", "both", "each", "every", "last", "next", "yesterday",
    "today", "tomorrow", "when", "after", "before", "since", "during", "while", "then", "now", "lately",
    "recently", "finally", "also", "plus", "and", "but", "because", "although", "though", "if", "what",
    "having", "being", "getting", "going", "seeing", "working", "painting", "running", "reading", "writing",
    "family", "friends", "kids", "work", "school", "not", "no", "nothing", "everything", "something", "lots",
    "most", "many", "my", "i", "me", "you", "your", "them",
}

# "today" needs no anchor: every observation starts with the day it was said.
_RELATIVE_DAYS = [
    (re.compile(r"\b(?:yesterday|last night)\b", re.IGNORECASE), -1, "day"),
    # The anchor goes after the part of the day ("tomorrow morning (2026-03-06)"): inside it, it would
    # split a phrase someone may search for.
    (re.compile(r"\btomorrow(?: (?:morning|afternoon|evening|night|lunchtime))?\b", re.IGNORECASE), 1, "day"),
    # "the last week of May" is the end of May, not the week before this one.
    (re.compile(r"\blast week(?:end)?\b(?! (?:of|in|before|after)\b)", re.IGNORECASE), -7, "week"),
    (re.compile(r"\bnext week(?:end)?\b", re.IGNORECASE), 7, "week"),
    (re.compile(r"\blast month\b", re.IGNORECASE), -1, "month"),
    (re.compile(r"\bnext month\b", re.IGNORECASE), 1, "month"),
    (re.compile(r"\blast year\b", re.IGNORECASE), -1, "year"),
    (re.compile(r"\bnext year\b", re.IGNORECASE), 1, "year"),
]


def _shift_month(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def anchor_relative_dates(text: str, said_on: date) -> str:
    """Append the absolute date to relative expressions: "yesterday" -> "yesterday (2023-05-07)"."""
    for pattern, offset, unit in _RELATIVE_DAYS:
        def anchored(match: re.Match[str], offset: int = offset, unit: str = unit) -> str:
            if unit == "day":
                label = (said_on + timedelta(days=offset)).isoformat()
            elif unit == "week":
                label = "week of " + (said_on + timedelta(days=offset)).isoformat()
            elif unit == "month":
                label = _shift_month(said_on, offset)
            else:
                label = str(said_on.year + offset)
            return f"{match.group(0)} ({label})"

        text = pattern.sub(anchored, text, count=1)
    return text
