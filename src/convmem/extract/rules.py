"""Which sentences are worth remembering, and as what kind.

Rules over one cleaned sentence (see :mod:`convmem.extract.rewrite`). A customer sentence is kept when
it says something about the customer's life: a preference, a plan, a problem, a personal fact or an
event; greetings, reactions to the other side, questions and small talk are skipped. An agent sentence
is kept only when it commits the business to doing something for the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from convmem.extract.base import ObservationKind
from convmem.extract.clauses import META as _META
from convmem.extract.clauses import is_ask
from convmem.extract.rewrite import implied_subject

_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'll|i'd|me|my|mine|myself|we|we're|we've|we'll|our|ours|us)\b",
                           re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|yours|yourself)\b", re.IGNORECASE)
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "i'm",
        "i've",
        "i'll",
        "i'd",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "really",
        "also",
        "still",
        "even",
        "lot",
        "lots",
        "much",
        "many",
        "thing",
        "things",
        "stuff",
        "pretty",
        "kinda",
        "gonna",
        "wanna",
        "got",
        "get",
        "gets",
        "getting",
        "like",
        "yeah",
        "oh",
        "wow",
        "well",
    ]
)

# Greetings and sign-offs, a letter's salutation ("Dear Sir or Madam") included.
_GREETING = re.compile(
    r"^(?:hi|hey|hello|heya|hiya|yo|bye|goodbye|dear|to whom it may concern|"
    r"good (?:morning|afternoon|evening|night|luck|job|idea|point)|"
    r"see you|see ya|talk (?:to you )?(?:soon|later)|take care|catch you|cheers|thanks|thank you|thx|"
    r"congrats|congratulations|nice to (?:meet|see|hear)|good to (?:see|hear)|great to (?:see|hear)|"
    r"glad to (?:hear|see)|long time no see|how (?:are|have|is|was|did|do)|what'?s up|sup|"
    r"have a (?:good|great|nice)|enjoy|happy (?:birthday|holidays?|new year))\b",
    re.IGNORECASE,
)
# A reaction to the other side ("That's so cool!", "I'm so happy for you") is not a fact about the speaker.
# A sentence that opens on the other side's thing but goes on about the speaker ("Your app logs me out",
# "your last bill says I used twice as much") is the speaker's experience, not a reaction.
_REACTION = re.compile(
    r"^(?:(?:that|this|it|which)(?:'s| is| was| sounds| looks| seems| must (?:be|have been)) (?:so |really |"
    r"very |super |such |totally |just |pretty |truly |absolutely )*(?:an? )?(?:great|cool|awesome|amazing|"
    r"wonderful|nice|sweet|good|true|fair|tough|hard|rough|sad|funny|interesting|impressive|lovely|fantastic|"
    r"incredible|beautiful|gorgeous|stunning|adorable|cute|fun|exciting|inspiring|awful|terrible|crazy|wild|"
    r"insane|huge|big|brave|kind|thoughtful|special|important|understandable|right|okay|ok)\b[^.]{0,25}[.!]?$|"
    r"sounds|looks|"
    r"what an?|how (?:cool|nice|awesome|sweet|fun|lovely|amazing|great)|so (?:cool|nice|awesome|sweet|glad|"
    r"happy|proud)|me too|same here|you too|no worries|no problem|of course|agreed|exactly|"
    r"i (?:totally |completely |really )?(?:agree|understand|hear you|feel you|get it|see what you mean|"
    r"know what you mean|know right|bet|can imagine|hope so|appreciate (?:it|that|you))|"
    r"(?:i'm|i am) (?:so |really |very |super )?(?:glad|happy|proud|sorry|excited|thrilled) (?:for|to hear|"
    r"that you|you)|keep (?:it )?up|good for you|well done|you (?:should|can|will|got|deserve|rock|are|'re)|"
    r"your\b(?!.*\b(?:i|i'm|i've|me|my|we|we're|us|our)\b)|wishing you|hope you|let me know|tell me)",
    re.IGNORECASE,
)

_RULES: list[tuple[ObservationKind, float, re.Pattern[str]]] = [
    (
        ObservationKind.PROBLEM,
        0.85,
        re.compile(
            r"\b(?:(?:does ?n[o']t|did ?n[o']t|is ?n[o']t|was ?n[o']t|won'?t|can'?t|cannot|stopped|stops?) "
            r"(?:work|working|load|loading|start|turn on|connect|charge|arrive|open|sync)|broken|broke down|"
            r"damaged|defective|faulty|cracked|leak(?:s|ing|ed)?|crash(?:es|ed|ing)?|charged (?:me )?twice|"
            r"double[- ]charged|overcharged|never (?:arrived|came|showed up|received|got)|missing|(?:got|was) lost|"
            r"delayed|late (?:again|delivery)|wrong (?:item|size|order|color|address|charge)|refund|error|"
            r"(?:locked|logged) out|keeps? (?:failing|crashing|dropping|freezing)|not working|out of order|"
            r"complain(?:t|ed)?|frustrat\w+|still waiting|been waiting|struggl\w+ with|having trouble|"
            r"problem with|issue with|trouble with)\b",
            re.IGNORECASE,
        ),
    ),
    (
        ObservationKind.PLAN,
        0.8,
        re.compile(
            r"\b(?:i'm|i am|we're|we are|im)?\s*(?:going to|gonna|planning (?:to|on)|plan to|plans to|intend to|"
            r"hoping to|hope to|about to|thinking (?:about|of)|looking (?:to|into|forward to)|considering|"
            r"aiming to|want to|wanna|would like to|i'd like to|i'd love to|i will|i'll|we'll|we will|"
            r"going back to|signed up for|registered for|booked|scheduled|applying|saving up|getting ready|"
            r"preparing (?:to|for)|can't wait to|next (?:week|month|year|weekend|summer|spring|fall|winter|time))\b",
            re.IGNORECASE,
        ),
    ),
    (
        ObservationKind.PREFERENCE,
        0.8,
        re.compile(
            r"\b(?:i|we)\s+(?:really |absolutely |totally |just |also |still |kinda |do )?(?:love|loved|like|liked|"
            r"enjoy|enjoyed|prefer|preferred|adore|hate|hated|dislike|can't stand|cannot stand|don't like|"
            r"do not like|am into|'m into|am a (?:big |huge )?fan|'m a (?:big |huge )?fan|am passionate|"
            r"'m passionate|am keen|'m keen|am obsessed|'m obsessed|am addicted|'m addicted)\b|"
            r"\b(?:i'd|i would|we'd|we would) (?:like|love|prefer)\b(?! to\b)|"
            r"\b(?:i'd|i would|we'd|we would) (?:rather|prefer)\b|"
            r"\b(?:my|our) (?:favou?rite|go-to|fave)\b|\b(?:passion|hobby|hobbies)\b",
            re.IGNORECASE,
        ),
    ),
    (
        ObservationKind.PERSONAL_FACT,
        0.75,
        re.compile(
            r"\b(?:i|we)(?: have|'ve got| have got| own) (?:a|an|two|three|four|five|\d+|my|some|the)\b|"
            r"\b(?:i|we) (?:live|lived|grew up|was born|moved|work|worked|study|studied|teach|volunteer|"
            r"graduated|retired|started|joined|adopted|married|got married|got engaged|met)\b|"
            r"\b(?:i'm|i am|im) (?:a|an) [a-z]+|"
            # A role the speaker holds: "I'm the organiser", "I'm the main account holder".
            r"\b(?:i'm|i am) the (?:main |primary |joint |sole |named |account |lead |only )?"
            r"(?!(?:other|latter|former|better|worse|under|over|after|answer|order)\b)[a-z]+(?:er|or|ist|ian|ant|ent)\b|"
            r"\b(?:i'm|i am) (?:from|studying|working|retired|married|single|"
            r"engaged|divorced|learning|training|taking|volunteering|writing|building|raising)\b|"
            r"\b(?:my|our) (?:wife|husband|partner|son|daughter|kids?|children|child|baby|mom|mother|dad|"
            r"father|parents?|brother|sister|siblings?|family|grandma|grandpa|grand\w+|aunt|uncle|cousin|"
            r"friend|friends|boyfriend|girlfriend|fianc\w+|dog|dogs|cat|cats|pets?|puppy|kitten|house|home|"
            r"apartment|car|job|boss|company|business|team|school|class|degree|birthday|anniversary|name)\b",
            re.IGNORECASE,
        ),
    ),
    (
        ObservationKind.EVENT,
        0.65,
        re.compile(
            r"\b(?:i|we) (?:just |recently |finally |also |actually |even )?(?:went|visited|attended|took|bought|"
            r"got|made|finished|completed|won|lost|ran|read|saw|watched|painted|wrote|built|tried|learned|"
            r"learnt|started|began|traveled|travelled|hiked|baked|cooked|played|performed|created|launched|"
            r"opened|received|celebrated|had|spent|found|decided|signed|joined|left|quit|moved|met|made|"
            r"organized|hosted|gave|donated|volunteered|came|drove|flew|camped|swam|picked up|checked out)\b|"
            r"\b(?:yesterday|last (?:week|weekend|month|year|night|friday|saturday|sunday|summer)|"
            r"(?:a|two|few|couple of) (?:days?|weeks?|months?|years?) ago)\b",
            re.IGNORECASE,
        ),
    ),
]

_AGENT_COMMITMENT = re.compile(
    r"\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|i am going to|we are going to|let me|"
    r"i can|we can|i've|we've|i have|we have)\s+(?:go ahead and |personally |also |now |just )?"
    r"(?P<verb>send|refund|credit|call|email|text|escalate|replace|ship|follow up|check|cancel|process|"
    r"arrange|schedule|waive|reimburse|fix|issue|expedite|reship|resend|upgrade|extend|apply|add|remove|"
    r"update|reset|book|reserve|open|file|submit|look into|get back|contact|notify|make sure|ensure|"
    r"sent|refunded|credited|escalated|cancelled|canceled|processed|scheduled|waived|issued|applied|"
    r"added|updated|booked|opened|filed|submitted)\b(?P<rest>[^.!?]*)",
    re.IGNORECASE,
)


# An answer that is only a reference ("Order FR-2290", "It's QX7R2L", "postcode is M14 6RT").
_ID_ONLY = re.compile(
    r"^(?i:(?:(?:it's|its|it is|that's|the|my|our|a|an|order|ref|refs|reference|booking|account|member|membership|"
    r"postcode|post code|zip|number|no|code|id|is|card|debit|credit|ending|ends|in|with|policy|customer|client|"
    r"reservation|confirmation|tracking|invoice|claim|case|ticket|workspace|phone|mobile|reg|registration|"
    r"serial)\b\.?|[#:])\s*)*"
    r"(?P<reference>(?:#?[A-Za-z-]*\d[\w-]*|[A-Z0-9-]{4,})(?:\s+(?:[A-Za-z-]*\d[\w-]*|[A-Z0-9-]{2,}))*)[.!]?$")


_LABEL_FILLER = re.compile(r"^(?:(?:(?:it's|its|it is|that's|the|my|our|a|an|is)\b|#|:)\s*)+|(?:\s*(?:\bis|#|:))+$",
                           re.IGNORECASE)


# A record of the customer's named by whose name it is under ("Booking is under Okafor", "the reservation's
# in the name of Dev Rao"), and a handle that is not a word ("the gamertag is FrostByte_Kai"): references
# without digits, so _ID_ONLY does not see them.
_UNDER_NAME = re.compile(
    r"^(?i:(?:(?:the|my|our|it's|its|it is)\s+)?(?P<label>booking|reservation|account|order|policy|subscription|"
    r"appointment|table|room|ticket|membership|plan)(?:\s+(?:is|was)|'s)\s+(?:under|in)\s+(?:the name(?: of)?\s+)?)"
    r"(?!(?:My|Our|His|Her|Their|The)\b)(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})\W*$")
_HANDLE = re.compile(
    r"^(?:(?:the|my|our|it's|its)\s+)?(?P<label>username|user name|gamertag|gamer tag|handle|screen name|"
    r"login|user id|display name)(?:\s+is|'s)\s+(?P<handle>@?\w*(?-i:_|[a-z][A-Z])\w*)\W*$", re.IGNORECASE)


# A reference under a label of the customer's own business's words, which no list foresees ("Seller ID
# SLR-TN-550912", "sub no BRW-00912", "org slug: northpeak-dev"): up to two words, then a word that says
# the next token is a reference. A slug of lowercase words counts only under such a label.
_LABELLED = re.compile(
    r"^(?:(?:the|my|our|and|also|plus)\s+)*"
    r"(?P<label>(?:(?!(?i:i|am|is|are|was|were|it|its|that|this|you|we|he|she|they|not|no|yes|so)\b)[A-Za-z]+\s+){0,2}?"
    r"(?:(?i:no|nos|num|number|id|ref|reference|code|slug)\b|#))\s*(?:is\s+|[:#]\s*)?"
    r"(?P<reference>#?[A-Za-z-]*\d[\w-]*(?:\s+[A-Za-z-]*\d[\w-]*)*|[A-Z0-9-]{4,}|[a-z0-9]+(?:[-_][a-z0-9]+)+)[.!]?$")
_NUMBER_WORD = re.compile(r"\s*(?:\b(?:no|nos|num)\.?|#)$", re.IGNORECASE)
# A phone number on its own ("07822 104 566."): a national number with its trunk 0, or an international
# one; other runs of digits (a tax reference, an amount) say nothing without their label.
_PHONE_ONLY = re.compile(r"^(?P<number>(?:\+|0)\d[\d ()-]{7,}\d)[.!]?$")


def _phone_only(sentence: str) -> str | None:
    match = _PHONE_ONLY.match(sentence.strip())
    if not match or not 10 <= sum(c.isdigit() for c in match.group("number")) <= 15:
        return None
    return match.group("number")


# Labels no reference is kept under: a secret that proves who the customer is (a PIN, a password, a one-time
# code) is never memory, and a code under a label of an entitlement ("promo code FREE4LIFE", "VIP ref ...")
# is the customer's claim to it, not a record of their arrangement.
_NOT_KEPT_LABEL = re.compile(
    r"\b(?:password|passcode|passphrase|pin|cvv|cvc|cv2|security|otp|one[- ]time|verification|2fa|mfa|secret|"
    r"token|api[- ]?key|access|auth\w*|login code|discount|voucher|promo\w*|coupon|vip|admin\w*|override|"
    r"approv\w*|waiv\w*|exempt\w*)\b", re.IGNORECASE)


def keeps_label(label: str) -> bool:
    """Whether a reference under ``label`` (or asked for as ``label``) may be kept: not a secret, an
    entitlement or talk about the system."""
    return not _NOT_KEPT_LABEL.search(label) and not _META.search(label)


def labelled_reference(sentence: str) -> str | None:
    """A reference the customer names in passing ("order 5581-2290", "Policy HH-5520193", "card ending
    4471", "booking is under Okafor", "Seller ID SLR-TN-550912", a bare phone number) as the statement it
    makes ("My order is 5581-2290."); None when ``sentence`` is not only a reference or does not say what
    the reference is."""
    under = _UNDER_NAME.match(sentence)
    if under:
        return f"My {under.group('label').lower()} is under {under.group('name')}."
    handle = _HANDLE.match(sentence)
    if handle:
        return f"My {handle.group('label').lower()} is {handle.group('handle')}."
    phone = _phone_only(sentence)
    if phone:
        return f"My phone number is {phone}."
    reference = reference_only(sentence)
    if reference is None:
        labelled = _LABELLED.match(sentence.strip())
        if not labelled or not keeps_label(labelled.group("label")):
            return None
        label = _NUMBER_WORD.sub(" number", labelled.group("label").strip()).strip()
        return f"My {label[:1].lower() + label[1:]} is {labelled.group('reference')}."
    label = _LABEL_FILLER.sub("", sentence[:sentence.rindex(reference)].strip()).strip().lower()
    label = _NUMBER_WORD.sub(" number", label).strip()
    if not label or not keeps_label(label):
        return None
    ending = re.fullmatch(r"(.+?)\s+(?:ending|ends)(?: in| with)?", label)
    if ending:
        return f"My {ending.group(1)} ends in {reference}."
    return f"My {label} is {reference}."


def reference_only(sentence: str) -> str | None:
    """The reference, when ``sentence`` is only a reference ("FD-77120", "Order FR-2290", "postcode is
    M14 6RT" -> "M14 6RT"); None otherwise."""
    match = _ID_ONLY.match(sentence)
    return match.group("reference") if match else None


# What the other side asked for, when it asked for a reference: "Can I take your order number?", "what's
# the booking reference?", "and the postcode?".
_ASKED_FOR = re.compile(
    r"\b(?:your|the|its|his|her|their|which|what)\s+(?:[a-z-]+'s\s+)?(?P<thing>(?:[a-z0-9-]+\s+){0,2}?(?:number|"
    r"reference|ref|code|id|postcode|post code|zip(?: code)?|username|user name|gamertag|handle|email(?: address)?|"
    r"policy|account|booking|order|membership|registration|reg|serial|tracking|invoice|claim|ticket|case|"
    r"digits(?: of (?:the|your) (?P<of>[a-z-]+(?: card)?))?)(?:\s+(?:number|no|reference|ref|code|id))?)\b",
    re.IGNORECASE)


def asked_for(question: str) -> str | None:
    """The reference ``question`` asks for ("order number", "last four digits of the card"), or None."""
    match = _ASKED_FOR.search(question)
    return match.group("thing").lower() if match else None


def as_asked(thing: str, reference: str) -> str:
    """The customer's bare ``reference`` as the statement it answers: "My order number is FR-2290.", and for
    the digits of a card asked for, "My card ends in 4417."."""
    digits = re.search(r"\bdigits(?: of (?:the|your) (?P<of>.+))?$", thing)
    if digits:
        return f"My {digits.group('of') or 'card'} ends in {reference}."
    return f"My {thing} is {reference}."


@dataclass(frozen=True, slots=True)
class Judgement:
    kind: ObservationKind
    confidence: float


def content_words(sentence: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z'\-]+|\d+", sentence.lower()) if w not in _STOPWORDS]


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


def is_small_talk(sentence: str) -> bool:
    return bool(_GREETING.match(sentence) or _REACTION.match(sentence)) or len(content_words(sentence)) < 3


# The customer's choice between options the other side offered: "Email is fine", "Mornings are best".
_OPTION = re.compile(
    r"^(?!(?:that|this|it|which|there|everything|nothing|anything|something|all|he|she|they|you|what|who)\b)"
    r"(?:[a-z0-9'-]+ ){0,2}[a-z0-9'-]+ (?:is|are|would be|works|suits (?:me|us)) (?:(?:just|totally|absolutely|"
    r"perfectly|much|really|very|so|most|super) )?(?:fine|best|better|ideal|preferable|easier|good|great|perfect|ok|"
    r"okay|helpful|useful|handy|lovely|brilliant|wonderful)\b",
    re.IGNORECASE,
)


# A courtesy condition about the other side ("member no 4471 if you need it", "I'm Jo in case you need a
# name") does not make the sentence about them.
_COURTESY = re.compile(r",?\s*\b(?:if|in case) you(?:'d)? (?:need|want|require)s?\b[^,;.!?]*", re.IGNORECASE)
# The speaker gives their name without "my": "Name's Jo Park", "The name is Dev Rao", "Name: Dev Rao", and as a
# form is filled in, "Name Tomasz Zielinski, email ..." (a capital after a bare "name": "name tag" is no name).
_NAME_GIVEN = re.compile(r"^(?:(?:the|my) )?name(?:(?:'s| is|:)\s+\w|\s+(?-i:[A-Z][a-z]))", re.IGNORECASE)
# A preference without a subject, as chat drops it: "Best to text", "Easier by email", "Better in the mornings".
_BEST_WAY = re.compile(r"^(?:it's |it is |it'd be |it would be |probably |definitely )?(?:best|better|easiest|easier|"
                       r"quickest|quicker|safest|safer) (?:to|by|via|on|over|in|at|after|before)\b", re.IGNORECASE)
# A one-word acknowledgement is not an answer ("Correct.", "Maybe."); a one-word answer naming something is
# ("Landline.", "Tuesdays.").
_ACKNOWLEDGEMENT = re.compile(
    r"^(?:(?:then|and|so|but|well|oh|ah|ok|okay|yes|yeah)\W+)*(?:yes|yeah|yep|yup|no|nope|nah|ok|okay|sure|fine|"
    r"great|good|perfect|lovely|brilliant|cheers|thanks|correct|right|exactly|indeed|maybe|perhaps|possibly|"
    r"probably|done|same|whatever|either|neither|both|none|nothing|dunno|unsure|not sure|please|sorry|apologies|"
    r"pardon|hello|help|agreed|absolutely|definitely|certainly|alright|somewhere|something|anything|um+|er+m*|"
    r"hmm+)\W*$", re.IGNORECASE)


def judge_customer_sentence(sentence: str, in_kept_turn: bool, answering: bool = False) -> Judgement | None:
    """Kind and confidence of a cleaned customer sentence, or ``None`` when it is not worth keeping.

    ``in_kept_turn`` says whether an earlier sentence of the same turn was kept: a follow-up sentence
    without a first-person word ("The stories were so inspiring") then still belongs to the speaker's
    account, at a lower confidence. ``answering`` says the sentence opens the answer to the other
    side's question: a bare answer ("Size 9 UK", "Decreasing, to match the mortgage") is about the
    speaker even without a first-person word.
    """
    if is_question(sentence) or is_ask(sentence):
        return None
    if _SECOND_PERSON.match(sentence) and _RULES[0][2].search(sentence):
        # A complaint about the other side's service ("your voice recognition keeps failing") is
        # the customer's problem, not a remark about the other side.
        return Judgement(ObservationKind.PROBLEM, 0.7)
    if _GREETING.match(sentence) or _REACTION.match(sentence):
        return None
    words = len(content_words(sentence))
    first_person = bool(_FIRST_PERSON.search(sentence)) or implied_subject(sentence)
    specific = 0.1 if re.search(r"\b(?:[A-Z][a-z]+|\d+)\b", sentence[1:]) else 0.0
    # Short is fine when it is about the speaker and names something ("I'm 23", "I'm Priya"), or when it
    # answers the other side's question in a word ("Landline.").
    if words < 2 and not (first_person and words == 1) and not (
            answering and words == 1 and not _ACKNOWLEDGEMENT.match(sentence)):
        return None
    second_person = bool(_SECOND_PERSON.search(_COURTESY.sub("", sentence)))
    if (_OPTION.match(sentence) or _BEST_WAY.match(sentence)) and not second_person:
        return Judgement(ObservationKind.PREFERENCE, 0.6)
    if _NAME_GIVEN.match(sentence):
        return Judgement(ObservationKind.PERSONAL_FACT, 0.6)
    about_other = second_person and not first_person
    if about_other:
        return None
    for kind, confidence, pattern in _RULES:
        # A rule match on a short sentence ("I was charged twice", "We have a newborn") still counts;
        # without one, a sentence needs a few content words to be worth a memory.
        if pattern.search(sentence) and (first_person or kind is ObservationKind.EVENT):
            return Judgement(kind, min(1.0, confidence + specific))
    if words < 2 and not (first_person and specific) and not answering:
        return None
    if first_person and (words >= 3 or specific):
        return Judgement(ObservationKind.PERSONAL_FACT, 0.5 + specific)
    if first_person:  # "I sleep on my front": short, but the speaker says it about themselves
        return Judgement(ObservationKind.PERSONAL_FACT, 0.4)
    # In a turn where the speaker talks about themselves, a sentence about their people and things belongs
    # to that account ("she's off to university in September", "it's under Ana and Joel Reid"), and so does
    # a detail of two content words ("and mild spice only"), unless it is a bare reference or talk about
    # the system.
    if in_kept_turn and (words >= 4 or (words >= 2 and not _ID_ONLY.match(sentence) and not _META.search(sentence))):
        return Judgement(ObservationKind.PERSONAL_FACT, 0.4 + specific)
    if answering and not _ID_ONLY.match(sentence) and not _META.search(sentence) and sentence[:1].isalnum():
        return Judgement(ObservationKind.PERSONAL_FACT, 0.4)
    if words >= 4:
        return Judgement(ObservationKind.PERSONAL_FACT, 0.35 + specific)
    return None


def agent_commitment(sentence: str) -> str | None:
    """The committed action ("send you a replacement by Friday") when an agent sentence promises one."""
    if is_question(sentence):
        return None
    match = _AGENT_COMMITMENT.search(sentence)
    if not match:
        return None
    return (match.group("verb") + match.group("rest")).strip(" ,;:")
