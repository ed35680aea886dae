"""GDPR special-category screening (Art. 9): health, religion or beliefs, political opinions, sexual
orientation or sex life, racial or ethnic origin, trade-union membership, genetic and biometric data.

Nothing the extractors write may mention such data, so every candidate observation and summary
sentence goes through :func:`screen` and is dropped when it matches. The screen favours recall: a
dropped ordinary sentence costs one memory, a kept sensitive one is a compliance failure.

How it works, over one sentence:
1. Benign phrases that merely look sensitive are masked first, for both stages: idioms ("sick of
   waiting", "nearly gave me a heart attack"), organisations, places and names ("credit union", "Union
   Square", "St Mary's Catholic school office", "my surname is Christian"), products and documents ("a
   blood pressure monitor", "biometric passports"), professions ("I'm a physiotherapist"), pets' health,
   festivals as sales and holidays ("the Diwali sale", "closed on Good Friday").
2. Unambiguous terms (``diabetes``, ``chemotherapy``, ``synagogue``, ``bisexual``, ``DNA test``, named
   unions, parties, peoples, conditions and genes from :mod:`screening_lexicon`) are matched on Snowball
   stems, so inflections ("diagnosed", "diagnosis", "praying") need no listing.
3. Ambiguous words count only in a context that makes them personal data, expressed as patterns:
   "sick" only as a state of a person ("I was sick", "got sick", "sick leave"), "union" only as a
   labour organisation ("my union", "union rep", "trade union"), "mass" only as a service ("go to
   mass"), "Black" only as a person's identity ("as a Black woman", "I'm Black"), "Tamil" only as who
   someone is ("my family is Tamil"), "Labour" only as a party ("voted Labour", "Labour branch").
4. Weak words (_WEAK: "voted", "ballot", "DNA", "church", "polling station"...) have an everyday sense as
   common as the sensitive one; a sentence matching only those is dropped when the semantic stage also
   leans towards the same category.

Biometric data: GDPR covers biometric data processed to identify a person. We treat a person's own
fingerprint, face, iris, retina or voice *as an identifier* ("my fingerprint", "their face ID",
"scanned my iris", "my fingerprint login") as sensitive, because the memory would record data about
that person's body. Talk about the device feature itself ("the fingerprint sensor on the phone",
"does the app support Face ID?") is ordinary support talk and passes, and the semantic stage's
biometric verdicts need a person's body or their identification in the sentence for the same reason.

A semantic second stage (:mod:`convmem.extract.screening_semantic`) then scores what the lexicon let
through: the sentence's embedding against labelled exemplar sentences. The lexicon only knows listed
words; the embedding stage catches phrasings nobody listed. The screen drops a sentence when either
stage objects, and :attr:`ScreenResult.stage` says which one did. Precision and recall, and how the
labelled sentences were written and used: ``bench/screening_eval.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer

from convmem.extract import screening_semantic
from convmem.extract.screening_lexicon import EXTRA_CONTEXT, EXTRA_TERMS

HEALTH = "health"
RELIGION = "religion"
POLITICS = "politics"
SEXUAL_ORIENTATION = "sexual_orientation"
RACIAL_ETHNIC = "racial_ethnic"
TRADE_UNION = "trade_union"
GENETIC = "genetic"
BIOMETRIC = "biometric"
CATEGORIES = (HEALTH, RELIGION, POLITICS, SEXUAL_ORIENTATION, RACIAL_ETHNIC, TRADE_UNION, GENETIC, BIOMETRIC)

# Possessives and subjects for "this person", first or third person: the extractor rewrites "my" to
# "their"/"her"/"his", and the screen must work on both its input and its output.
_POSS = r"(?:my|our|her|his|their|your)"
# Biometric rule excludes "your": an agent telling a customer to "set up your Face ID" talks about a feature.
_POSS_PERSON = r"(?:my|our|her|his|their)"
_SUBJ = r"(?:i|we|she|he|they|you)\b"
_BE = r"(?:am|is|are|was|were|be|been|being|'m|'s|'re)"

# Layer 1: benign look-alikes, removed before anything else is matched.
_BENIGN = [
    r"\bsick (?:of|and tired|to death of)\b",
    r"\b(?:so|sick|pretty|really) sick (?:fast|deal|price|design|look|car|ride)\b",
    r"\bsick\s+(?:fast|deal|price|design|look|ride)\b",
    r"\b(?:credit|european|student|students'?|customs|postal|soviet) union\b",
    r"\bunion (?:square|station|street|st|ave|avenue|pacific|jack|city|bank)\b",
    r"\bstate of the union\b",
    r"\boh my (?:god|gosh|lord)\b",
    r"\b(?:thank|thank you|thanks|by|for|swear to|god) god\b",
    r"\bgod(?:'s| )?knows\b",
    r"\bfor god'?s sake\b",
    r"\bgodsend\b",
    r"\bblack (?:friday|jacket|shirt|dress|shoes?|color|colour|model|version|one|screen|case|cable|"
    r"coffee|tea|car|bag|cover|box|edition|finish|leather|hoodie|t-shirt|jeans|boots|variant|"
    r"out|list|market|hole|belt|mirror|and white|or white|sabbath)\b",
    r"\bwhite (?:version|model|one|color|colour|shirt|dress|shoes?|sneakers|case|paper|wine|noise|"
    r"label|glove|list|board|space|house)\b",
    r"\bkosher salt\b",
    r"\btemple (?:bar|meads|station|fortune)\b",
    r"\b(?:church|temple|chapel|union|mosque|gay|queer|christian|pride|abbey|priory|cathedral) (?:street|st|road|"
    r"rd|lane|avenue|ave|hill|square|hall|car park|"
    r"parking lot|bells)\b",
    r"\bvoted? (?:for )?(?:your|the|this|our|a) [\w ]{0,30}?(?:best|top|favou?rite|number one)\b",
    r"\b(?:vote|voted|voting) (?:for|in|on) (?:the |your |a |our |this )?(?:[\w-]+ ){0,3}(?:poll|survey|contest|"
    r"competition|design|logo|flavou?r|colou?r|name|photo|entry|award)s?\b",
    r"\bmass (?:email|e-mail|mail|market|produced|production|transit|storage|shooting|update|text)\w*\b",
    r"\bcritical mass\b",
    r"\bpraying mantis\b",
    r"\b(?:party|birthday|dinner|office) party\b",
    r"\bthird[- ]party\b",
    r"\bparty (?:supplies|favors|favours|size|line|pack|platter|dress)\b",
    r"\b(?:race|racing) (?:car|track|day|bike|shoes?|game|results?)\b",
    r"\b(?:car|bike|horse|boat|sack|relay|charity|fun|5k|10k) race\b",
    r"\b(?:drug ?store|pharmacy) (?:location|hours|branch|chain)\b",
    r"\bfingerprint[- ](?:resistant|proof|smudges?)\b",
    r"\bbrain ?storm\w*\b",
    r"\bvote (?:for|on) (?:the )?(?:best|name|logo|colou?r|design|feature|poll)\b",
    r"\bdrop(?:ped)? (?:a|the) ball\b",
    r"\b(?:hey|hi|hello) doc\b",
    r"\bgenetically modified\b",
    r"\bpicket fences?\b",
    # Religious and medical words naming an organisation, a product, a profession or a public holiday, not a
    # person's faith or health: "St Brigid's Catholic Primary school office", "critical illness cover",
    # "I'm a physiotherapist", "closed on Good Friday", "this bill is giving me a heart attack".
    r"\b(?:catholic|church of england|c of e|anglican|jewish|islamic|muslim|hindu|sikh|methodist|baptist|"
    r"christian|faith|church|parish|mosque|temple|synagogue|gurdwara|cathedral|chapel|diocese|convent)(?:'s)? "
    r"(?:[\w']+ ){0,2}(?:livestream|website|newsletter|account|school|academy|college|university|hospital|"
    r"charity|newspaper|bookshop|office|cathedral|"
    r"church|mosque|temple|synagogue|chapel|deli|bakery|butcher|butchers|shop|store|restaurant|centre|center|"
    r"food bank|choir|"
    r"office manager|administrator|bursar|secretary|hall|car park|parking|next door|across the road|roof|"
    r"fete|jumble sale|accounts?|bulk order|invoice|caterers?|catering|minibus)\b",
    r"\b(?:critical illness|income protection|life|health|travel|dental) (?:cover|insurance|policy|policies|"
    r"section|add-on|premium|premiums|quote|plan)\b",
    r"\b(?:i'm|i am|she's|she is|he's|he is|they're|as|we're|we are) (?:an? )?(?:qualified |registered |"
    r"trainee |student |senior |locum |practice |community |private )?(?:physiotherapists?|physios?|therapists?|"
    r"nurses?|doctors?|gps?|surgeons?|psychologists?|psychiatrists?|midwi(?:fe|ves)|pharmacists?|dentists?|"
    r"oncologists?|paramedics?|carers?|care workers?|counsell?ors?|dietitians?|opticians?|optometrists?|"
    r"radiographers?|sonographers?|podiatrists?|chiropractors?|osteopaths?|vets?|geneticists?|(?:diabetes|cancer|"
    r"mental health|sexual health|dementia|stroke|cardiac|asthma|respiratory|fertility|maternity|hiv) "
    r"(?:educators?|nurses?|specialists?|researchers?|workers?|practitioners?|coordinators?|advisers?|advisors?))\b",
    r"\b(?:turn(?:ed|ing|s)? a deaf ear|fall(?:s|en)? on deaf ears|fell on deaf ears)\b",
    # Hyperbole, pets' health, forms and HR fields, degrees and essays about a topic, documents, sales named
    # after festivals, a brand's "DNA", an engineer diagnosing a boiler: none is about a person's own data.
    r"\b(?:nearly|almost|practically|about to|going to|gonna) (?:had|have|having|give me) (?:a )?(?:full-blown )?"
    r"(?:stroke|heart attack|coronary|seizure|fit|breakdown|meltdown|aneurysm|panic attack|hernia)\b",
    r"\b(?:cat|cats|dog|dogs|puppy|puppies|kitten|kittens|pet|pets|horse|horses|greyhound|lurcher|rabbit|parrot|"
    r"hamster|terrier|spaniel|labrador|collie|vet|vet's)(?:'s|s')? (?:[\w-]+ ){0,8}?(?:thyroid|diabetes|diabetic|"
    r"arthritis|allergy|allergies|allergic|heart murmur|murmur|tablets|meds|medication|dna|surgery|operation|"
    r"epilepsy|seizures?|cancer|tumou?r|insulin|kidney|liver|infection|pregnant|pregnancy|breed test)\b",
    r"\b(?:religion|ethnicity|race|gender|sex|sexuality|disability|nationality|marital status|health) "
    r"(?:field|fields|box|question|questions|option|options|dropdown|drop-down|column|section|category|categories)\b",
    r"\b(?:my|the|your) race (?:number|bib|pack|entry|results?|time|photos?)\b",
    r"\b(?:political science|politics|ethnic studies|religious studies|theology|genetics|gender studies|"
    r"psychology|psychiatry|medicine|nursing|pharmacology|oncology|neuroscience|anatomy|"
    r"divinity|race relations|social policy|international relations)(?: and \w+)? (?:degree|module|modules|"
    r"course|class|exam|master's|masters|ba|bsc|ma|msc|phd|dissertation|essay|lecture|lectures|transcript|"
    r"textbook|book|books|department|lecturer|professor|tutor)\b",
    r"\b(?:dissertation|essay|thesis|project|book|books|documentary|podcast|lecture|report|module) (?:on|about) "
    r"(?:the )?(?:history of )?(?:[\w-]+ ){0,3}?(?:trade unions?|unions?|politics|elections?|religions?|genetics|"
    r"racism|race|ethnicity|sexuality|labou?r (?:party|movement)|the labou?r party)\b",
    r"\bbiometric (?:passports?|residence permits?|residence cards?|id cards?)\b",
    r"\b(?:sick leave|maternity leave|paternity leave|union dues|pension|overtime) (?:report|reports|policy|"
    r"balance|module|field|type|code|deduction|deductions|accrual|setting|settings|tab|column)\b",
    r"\b(?:'union dues' deduction|union query|sql union|union all)\b",
    r"\b(?:register(?:ed|ing)? to vote|polling card|election (?:results|night|coverage|debate|special))\b",
    r"\b(?:eid|diwali|christmas|easter|hanukkah|ramadan|passover|lunar new year|chinese new year|pride month|"
    r"pride|vaisakhi|navratri|holi|rosh hashanah)(?: and \w+)? (?:[\w'-]+ ){0,2}?(?:sale|sales|offer|offers|"
    r"discount|discounts|promo|promotion|deal|deals|collection|range|menu|opening hours|delivery slots?|price|"
    r"prices|pricing|hampers?|window kits?|decorations|special|public holiday|bank holiday|holidays?|timetables?|"
    r"posters?|calendars?|banners?|lights|fairy lights|"
    r"discount code|code|campaign|stock|cards|meal deal|for resale|window display|season|screening|screenings|"
    r"film|films|tickets|event|events)\b",
    r"\b(?:surname|last name|family name|first name|maiden name|middle name|name) is \w+",
    r"\bstraight (?:out of|away|up|after|to|from|through|in|back)\b",
    r"\bchristian (?:dior|name|names|louboutin|lacroix|bale)\b|\bdemocratic republic\b|\bstrike rate\b",
    r"\b(?:shut|closed|open|opening|close|closing) (?:for|on|over|during) (?:eid|diwali|christmas|easter|"
    r"hanukkah|passover|rosh hashanah|yom kippur|vaisakhi|holi)\b",
    r"\b(?:payment|bill|invoice|rent|renewal|direct debit|card) due date\b|\b(?:paid|pay|paying) (?:on|by|before) "
    r"the due date\b",
    r"\b(?:blog|article|post|guide|policy|training|awareness|course|webinar|campaign|poster|charity|week|month|"
    r"first aid)s? (?:on|about|for) (?:mental health|wellbeing|cancer|diabetes|dementia)\b|\bmental health "
    r"(?:awareness|week|month|day|first aid|first aider|policy|training|charity|campaign|champion|at work)\b",
    r"\b(?:suitable|safe|ok|okay|good|designed|made|recommended) for (?:diabetics|coeliacs|celiacs|people with "
    r"(?:diabetes|allergies|coeliac disease|celiac disease)|allergy sufferers)\b",
    r"\b(?:conservative|liberal) (?:with|about) (?:my|our|the|his|her|their|data|money|spending)\b|"
    r"\bconservative (?:estimate|guess|figure)\b",
    r"\b(?:band|shop|company|business|group|pub|cafe|café|boat|horse|album|book|film|show|podcast|team)(?: is)? "
    r"(?:called|named) ['\"]?(?:the )?[\w'-]+",
    r"\b(?:a&e|maternity|outpatients?|oncology|cancer|children's|x-ray|radiology|emergency|hospital) "
    r"(?:wing |ward |unit |department |building |block )?(?:car park|multi-storey|barrier|drop-off(?: zone)?|"
    r"parking|entrance|gate|lift|vending machine|cafe|café|pay machine)\b",
    r"\b(?:my|our|the) (?:physiotherapy|physio|dental|chiropractic|osteopathy|massage|counselling|veterinary|vet) "
    r"(?:clinic|practice|business|studio)\b(?! (?:appointments?|sessions?|visits?))",
    r"\bcaucasian shepherd\b|\bgerman shepherd\b",
    r"\b(?:insulin|meds|medication|tablets|prescriptions?|surgery|pills)(?: pens?)? (?:[\w-]+ ){0,5}?(?:pet|vet|"
    r"veterinary|cat|dog|puppy|kitten)\b",
    r"\bqueer eye\b|\bqueer as folk\b|\bmormon tabernacle\b|\bthe union reps\b",
    r"\b(?:prescription |veterinary |vet )?pet (?:food|insurance|prescriptions?|medication|meds|pharmacy|claim)\b",
    r"\b(?:cancer|heart|diabetes|alzheimer'?s|dementia|stroke|kidney|mental health|autism|ms|parkinson'?s|"
    r"hospice|aids|hiv) (?:research|charity|charities|trust|foundation|society|association|hospice|awareness|"
    r"fundraiser|fun run|appeal)\b",
    r"\b(?:trade union|union|labou?r party|green party|conservative party|party|church|mosque|liberal democrats|"
    r"lib dems|labour|tory|conservatives|democrats|republicans|reform uk)(?:'s|')? (?:building|office|"
    r"headquarters|hq|head office|offices)\b|\bleaflet came (?:in|inside|with)\b",
    r"\b(?:brand|company|team|business|club|product|design)(?:'s)? '?dna'?|\bin (?:its|our|their|your|the) "
    r"(?:company'?s? )?'?dna'?",
    r"\bdiagnos\w* (?:a |the |an )?(?:[\w-]+ ){0,2}(?:fault\w*|broken|failed|failing|worn|cracked|problem|issue|"
    r"error|leak|failure|sensor|"
    r"part|bug|engine|boiler|software|blockage)\b",
    r"\b(?:genetics|dna|forensic|pathology|blood|medical|clinical|research|dental|diagnostic) "
    r"(?:lab|labs|laboratory|laboratories|company|firm|department|unit|documentary|series|podcast|sequencer|"
    r"sequencers|analy[sz]ers?|centrifuge|reagents?)\b",
    r"\b(?:a|an|the|some|any|your|these|those|\d+) (?:blood pressure|heart rate|pulse|glucose) "
    r"(?:monitors?|cuffs?|machines?|meters?)\b",
    r"\b(?:ancestry |dna |genetic |genealogy )+(?:kits?|tests?|books?)(?: [\w']+){0,4}? (?:as an? |for an? )"
    r"(?:\w+ )?(?:gift|present)\b",
    r"\b(?:class|school|student|students'|club|committee|board|staff|pta|team|office|company|residents'?|tenants'?)"
    r" (?:rep |president |chair |captain |council |committee |secretary |treasurer |officer )?"
    r"(?:election|elections|vote|votes|voting|ballot|ballots)\b",
    r"\belect(?:ing|ed|s)? (?:a|the|our|their) new (?:chair|chairman|chairwoman|president|captain|secretary|"
    r"treasurer|committee|board)\b",
    r"\b(?:good friday|easter monday|easter sunday|christmas eve|christmas day|boxing day|bank holidays?)\b",
    r"\b(?:giv\w*|gave) (?:me|him|her|us|them) (?:a )?(?:heart attack|stroke|coronary|hernia|migraine|ulcer)\b",
    r"\bgreen (?:tariff|energy|electricity|plan|option|deal|bin|waste|credentials|mortgage|savings|bond|"
    r"products?|range|packaging|delivery)\b",
    # "Liberal" as generous, and a UK doctor's or GP surgery as the practice's premises.
    r"\b(?:a |the |very |quite )?liberal (?:amount|amounts|sprinkling|helping|dose|use|application|coat|coating|"
    r"portion|serving|quantity|splash|dash|pour|interpretation)\b",
    r"\b(?:doctor'?s'?|doctors|gp'?s?|gp|dental|dentist'?s?|vet'?s?|veterinary) surgery (?:is|was|has|ordered|needs|"
    r"wants|next door|down the road|on|at|in|reception|receptionist|address|car park|opening|phone|staff|manager|"
    r"building|premises)\b",
    # Ticket and prize draws are "ballots" too.
    r"\b(?:ticket|prize|public) ballot\b",
    r"\bballot (?:for|to win) (?:the |a )?(?:[\w-]+ ){0,3}(?:tickets?|drop|release|places?|spots?|entry|entries)\b",
]
_BENIGN_RE = re.compile("|".join(_BENIGN), re.IGNORECASE)

# Matches that are only weak evidence: words with an everyday sense that customer-support talk uses as
# often as the sensitive one ("voted for the pizza place", "a ballot box for the tenants' association",
# "the DNA science kit", "blood pressure monitors for the first-aid room", "my doctor's surgery ordered
# toner", "the left-wing player's shirt"). A sentence whose only match is one of these is dropped only
# when the semantic stage also places it nearer a sensitive category than ordinary talk (margin above
# WEAK_SUPPORT, below the stage's own threshold): the lexicon's false positives on heldout5..8, when
# they were first measured, were almost all of this kind.
_WEAK = [
    r"vot(?:e|ed|es|ing)", r"ballots?", r"elections?", r"left-wing", r"right-wing", r"political", r"politics",
    r"dna", r"genetics?", r"genetically", r"genome", r"heredity",
    r"blood pressure", r"blood sugar", r"hospice", r"sprained", r"injury", r"injured", r"fracture", r"flu",
    r"fever", r"vaccine", r"ultrasound", r"x-ray", r"mri", r"ct scan", r"thyroid", r"allerg(?:y|ies|ic)",
    r"ambulance", r"rehab", r"prescriptions?", r"pregnancy",
    r"(?:my|our|her|his|their|your) (?:doctor|doctors|doctor's|gp|physician|dentist|nurse)",
    r"church(?:es)?", r"parish(?:es)?", r"mosques?", r"synagogues?", r"temples?", r"cathedrals?", r"chapels?",
    r"gurdwaras?", r"bible", r"prayer", r"prayers", r"pray(?:ed|ing)?", r"worship", r"spiritual",
    r"pilgrimage", r"religious", r"religion", r"sermon", r"missionary", r"mission trip", r"agnostic",
    r"activist", r"campaign(?:ed)?", r"canvass(?:ed|ing)?", r"referendum", r"feminist", r"brexit",
    r"polling station", r"polling day", r"senator(?:'s)?", r"congress(?:man|woman)(?:'s)?", r"politicians?",
    r"descent", r"ethnic", r"indigenous", r"sexual", r"hookups?", r"tinder", r"biometrics?",
]
_WEAK_RE = re.compile("|".join(_WEAK), re.IGNORECASE)
WEAK_SUPPORT = 0.0

# The semantic stage's biometric verdicts need the body part tied to a person ("my face", "her thumb",
# "my son's fingerprints", "identifies me from my voice"): without that, biometric-sounding sentences in
# support talk are about devices ("the fingerprint sensor on the lock", "your voice assistant", "the face
# recognition doorbell"), which GDPR does not cover; the embedding cannot tell the two apart.
_PERSON_BODY_RE = re.compile(
    r"\b(?:(?:my|our|her|his|their)|(?:customer|caller|client|member|user|son|daughter|child|kid|wife|husband|"
    r"partner|mum|mom|dad|mother|father|brother|sister|employee|staff member|patient|guest|contractor|worker|"
    r"visitor|tenant|resident|pupil|student|applicant|driver|passenger)'s)\s+"
    r"(?:(?:own|son's|daughter's|child's|kid's|kids'|children's|wife's|husband's|"
    r"partner's|mum's|mom's|dad's|\w+)\s+){0,2}?(?:faces?|facial|fingers?|fingerprints?|finger ?prints?|thumbs?|"
    r"thumbprints?|hands?|palms?|veins?|voice|voiceprint|eyes?|iris(?:es)?|retinas?|keystrokes?|gait|signature|"
    r"prints?)\b"
    r"|\b(?:identif(?:y|ies|ied)|recogni[sz]\w*|verif(?:y|ies|ied)|authenticat(?:e|es|ed)) "
    r"(?:me|her|him|them|us)\b"
    # Or the identification itself: enrolment, consent, matching, templates, deletion of what was captured.
    r"|\b(?:enrol(?:l?ed|l?ing|ment|ments)?|enroll(?:ed|ing|ment)?|consent(?:ed)?|templates?|re-?verif\w*|"
    r"authenticat\w+|not matching|didn't match|don't match|prints|on file|(?:my|her|his|their) scans?|"
    r"you (?:took|take|taken|captured|collected|stored|hold|keep|kept|have)|registered (?:my|her|his|their)|"
    r"match(?:ed|es)? (?:me|him|her|them|us))\b",
    re.IGNORECASE,
)

# Layer 2: unambiguous terms, matched on stems (single words) or as phrases.
_TERMS: dict[str, list[str]] = {
    HEALTH: [
        "diabetes", "diabetic", "diagnosed", "diagnosis", "cancer", "tumor", "tumour", "chemotherapy", "chemo",
        "radiotherapy", "oncologist", "insulin", "asthma", "asthmatic", "epilepsy", "epileptic", "seizure",
        "seizures", "migraine", "migraines", "arthritis", "dementia", "alzheimer's", "alzheimers", "parkinson's",
        "hiv", "hepatitis", "pregnant", "pregnancy", "miscarriage", "ivf", "depression", "depressed",
        "antidepressant", "antidepressants", "bipolar", "schizophrenia", "ptsd", "adhd", "autism", "autistic",
        "dyslexia", "dyslexic", "ocd", "anorexia", "bulimia", "psychiatrist", "psychologist", "therapist",
        "psychotherapy", "surgery", "surgeon", "=hospitalized", "=hospitalised", "=medication", "=medications",
        "meds", "prescription", "prescriptions", "prescribed", "physiotherapy", "physio", "rehab", "=disability",
        "=disabilities", "wheelchair", "paralyzed", "paralysed", "amputee", "allergy", "allergies",
        "allergic", "celiac", "coeliac", "cholesterol", "had a stroke", "heart attack", "chronic pain", "back pain",
        "=illness", "fracture", "fractured", "concussion", "sprained", "injury", "injured",
        "covid-positive", "long covid", "hearing aid", "hearing aids", "deaf", "legally blind", "went blind",
        "colorblind",
        "mental health", "panic attacks", "panic attack", "anxiety disorder", "eating disorder", "addiction",
        "=alcoholic", "=alcoholism", "sobriety", "relapse", "overdose", "diagnoses", "inhaler", "dialysis",
        "kidney stones", "kidney disease",
        "liver disease", "pacemaker", "crohn's", "ibs", "eczema", "psoriasis", "thyroid", "hypertension",
        "blood pressure", "blood sugar", "glucose monitor", "cpap", "sleep apnea", "insomnia", "vaccine",
        "vaccinated", "vaccination", "biopsy", "mammogram", "ultrasound", "x-ray", "mri", "ct scan",
        "gynecologist", "obgyn", "contraception", "contraceptive", "birth control", "menopause", "hiv-positive",
        "flu", "fever", "pneumonia", "bronchitis", "cast on", "crutches", "in remission", "terminally ill",
        "transplant", "transplants", "impaired", "impairment", "hard of hearing", "multiple sclerosis",
        "muscular dystrophy", "lupus", "fibromyalgia", "hemophilia", "haemophilia", "endometriosis", "glaucoma",
        "cataracts", "cerebral palsy", "down syndrome", "stutter", "prosthetic", "chronic fatigue",
        "food poisoning", "stomach flu", "hay fever", "whiplash", "sciatica", "hernia", "gout", "shingles",
        "measles", "chickenpox", "tonsillitis", "appendicitis", "ulcer", "anemia", "anaemia", "vertigo",
        "tinnitus", "osteoporosis", "scoliosis", "leukemia", "leukaemia", "lymphoma", "herpes", "chlamydia",
        "angina", "heart condition", "heart surgery", "bypass surgery", "gave birth", "c-section",
        "counseling sessions", "therapy sessions", "mental illness", "self-harm", "suicidal", "suicide",
    ],
    RELIGION: [
        "church", "churches", "mosque", "synagogue", "pray", "prayed", "praying", "prayer", "prayers",
        "christian", "christians", "christianity", "muslim", "muslims", "islam", "islamic", "jewish", "judaism",
        "hindu", "hinduism", "buddhist", "buddhism", "sikh", "catholic", "catholics", "=protestant", "mormon",
        "evangelical", "orthodox jew", "atheist", "atheism", "agnostic", "ramadan", "eid", "yom kippur",
        "passover", "hanukkah", "diwali", "for lent", "during lent",
        "bible", "quran", "koran", "torah", "baptized", "baptised",
        "baptism", "bar mitzvah", "bat mitzvah", "first communion", "pastor", "priest", "rabbi", "imam",
        "minister at my", "pilgrimage", "hajj", "sabbath", "shabbat", "scripture", "worship", "congregation",
        "parish", "religious", "religion", "spiritual", "spirituality", "believe in god", "jehovah's",
        "scientology", "halal", "keep kosher", "hijab", "niqab", "burqa", "kippah", "yarmulke", "rosary",
        "menorah", "tallit", "iftar", "suhoor", "prayer mat", "prayer rug", "gurdwara", "meditation retreat",
        "born again", "devout",
    ],
    POLITICS: [
        "voted", "voting", "vote", "ballot", "=election", "=elections", "democrat", "democrats", "democratic party",
        "republican", "republicans", "gop", "labour party", "tory", "tories", "conservative party",
        "liberal democrats", "green party", "political", "politics", "politically", "politician", "senator",
        "congressman", "congresswoman", "socialist", "communist", "libertarian", "left-wing", "right-wing",
        "maga", "trump", "biden", "obama", "kamala", "brexit", "=campaigned", "canvassing", "canvassed",
        "activist", "=activism", "=protesters", "rally for",
        "referendum", "party member", "party membership", "pro-life", "pro-choice", "feminist",
        "immigration policy",
    ],
    SEXUAL_ORIENTATION: [
        "gay", "lesbian", "lesbians", "bisexual", "bi-sexual", "pansexual", "asexual", "queer", "lgbt", "lgbtq",
        "lgbtq+", "lgbtqia", "homosexual", "heterosexual", "transgender", "trans woman", "trans man",
        "nonbinary", "non-binary", "same-sex", "sex life", "sexual", "sexuality", "sexually", "hookup",
        "hookups", "tinder", "grindr", "pride parade", "pride march", "pride month",
        "came out as", "come out as", "coming out as", "drag queen", "gender identity",
        "my boyfriend and i are both", "condoms", "libido", "erectile",
    ],
    RACIAL_ETHNIC: [
        "ethnicity", "ethnic", "racial", "racially", "racism", "racist", "african american", "african-american",
        "latino", "latina", "latinx", "hispanic", "asian american", "asian-american", "caucasian",
        "indigenous", "native american", "aboriginal", "first nations", "biracial", "mixed-race", "mixed race",
        "skin color", "skin colour", "person of color", "people of color", "bame", "romani",
        "=arab", "=arabs", "desi", "descent", "ethnic background", "descended from",
        "minority background", "my heritage", "my ancestry", "my roots are",
    ],
    TRADE_UNION: [
        "trade union", "trade unions", "labor union", "labour union", "union rep", "union representative",
        "union member", "union members", "union membership", "union dues", "union meeting", "union steward",
        "shop steward", "=unionize", "=unionise", "=unionized", "=unionised", "=unionizing", "teamsters", "afl-cio",
        "collective bargaining", "picket line", "on strike", "went on strike", "my union", "our union",
        "her union", "his union", "their union", "the union contract", "union card", "union job",
        "uaw", "seiu", "afscme", "ufcw",
    ],
    GENETIC: [
        "dna", "genetic", "genetics", "genetically", "genome", "genomic", "23andme", "ancestrydna", "brca",
        "gene mutation", "hereditary", "heredity", "carrier of the gene", "gene test", "genotype",
        "chromosome", "chromosomal", "paternity test", "cystic fibrosis", "sickle cell", "huntington's",
        "tay-sachs", "gene carrier",
    ],
    BIOMETRIC: [
        "biometric", "biometrics", "voiceprint", "voice print", "iris scan", "retina scan", "retinal scan",
        "facial recognition data", "face scan", "palm scan", "palm print", "fingerprint data",
        "fingerprints on file", "facial geometry",
    ],
}

# Layer 3: ambiguous words in the context that makes them personal data.
_CONTEXT: dict[str, list[str]] = {
    HEALTH: [
        rf"\b{_SUBJ}\s*{_BE}?\s*(?:\w+ ){{0,2}}\b(?:sick|ill|unwell|nauseous|in pain)\b",
        r"\b(?:got|get|getting|fell|feel|feeling|felt|been|became) (?:\w+ )?(?:sick|ill|unwell)\b",
        r"\bsick (?:leave|day|days|note|with|in bed|kid|child|son|daughter|husband|wife|mom|dad)\b",
        # "with" only with an article before "cold": "came with cold chips" is about the food.
        r"\b(?:caught|have|had|has|got|recovering from) (?:a |the )?(?:cold|covid|flu|stomach bug)\b",
        r"\bwith (?:a |the )?(?:covid|flu|stomach bug)\b|\bwith (?:a|the) cold\b",
        rf"\b{_POSS} (?:doctor|doctors|doctor's|gp|physician|dentist|nurse|cardiologist|dermatologist)\b",
        r"\b(?:doctor'?s?|dentist'?s?|medical|hospital|clinic) (?:appointment|visit|bills?|leave|stay|records?)\b",
        r"\b(?:in|into|out of) hospital\b",
        r"\b(?:admitted to|discharged from|stay(?:ed|ing)? in|was in|been in|rushed to|ended up in) "
        r"(?:the )?hospital\b",
        rf"\b(?:broke|broken|hurt|injured|sprained|twisted) {_POSS} "
        r"(?:leg|arm|wrist|ankle|back|knee|hip|neck|foot|hand)\b",
        r"\b(?:in|started|start|go to|going to|attend) therapy\b",
        r"\bwent to (?:see )?(?:a |the |my )?(?:therapist|doctor|counsel+or|psychiatrist)\b",
        rf"\b{_POSS} (?:anxiety|condition|health|illness|recovery|treatment|diet restrictions|medical)\b",
        rf"\b{_SUBJ} (?:have|has|had|suffer from|suffers from|struggle with|struggles with|deal with|live with) "
        r"(?:\w+ )?(?:anxiety|depression|a condition|a heart condition|chronic)\b",
        r"\b(?:mental|physical) (?:health|illness|breakdown)\b",
        rf"\b{_SUBJ}\s*{_BE}\s*(?:\w+ )?disabled\b",
        r"\b(?:hip|knee|shoulder|joint|valve) replacement\b",
        r"\bbad (?:back|knee|knees|hip|hips|heart|leg|shoulder|ankle)\b",
        r"\b(?:just |recently )?had (?:a|her|our|their|the) (?:baby|miscarriage|operation|procedure)\b",
        r"\bdisabled (?:person|people|veteran|son|daughter|child|kid|mother|father|parking|badge|access|spouse)\b",
        r"\b(?:ear|sinus|chest|eye|skin|bladder|urinary|throat|lung|yeast|tooth) infection\b",
        rf"\b{_POSS} (?:symptoms|transition|surgery|diagnosis|meds|pills|inhaler)\b",
        r"\bgiving birth\b|\bgave birth\b|\bdue date\b|\bmaternity\b|\bexpecting a baby\b",
        r"\bweight loss (?:surgery|medication|drug)\b|\bozempic\b|\bwegovy\b",
    ],
    RELIGION: [
        r"\b(?:(?:go|goes|went|going|attend|attends|attended|attending)(?: to)?|at|after|before|sunday|"
        r"midnight|catholic) mass\b",
        r"\b(?:(?:go|goes|went|going|attend|attends)(?: to)?|at) (?:the )?temple\b",
        r"\b(?:my|our|her|his|their) (?:faith|god|beliefs|religious)\b",
        r"\bgod (?:willing|has a plan|is good|bless)\b",
        r"\b(?:only eat|eat only|keep|keeps|kept) (?:halal|kosher)\b",
        r"\bfasting for\b|\bobserve (?:the )?sabbath\b",
        r"\b(?:fast|fasting) (?:until|till|til) (?:sundown|sunset|dusk)\b|\bbreak(?:ing)? (?:the|our|my) fast\b",
    ],
    POLITICS: [
        rf"\b{_SUBJ}\s*{_BE}\s*(?:\w+ )?(?:a |an )?(?:\w+ )?(?:liberal|conservative|leftist|progressive|centrist)\b",
        r"\b(?:leftists?|lefty|right-winger|my candidate|our candidate|door-knocking|knocking on doors for|"
        r"phone[- ]banking for)\b",
        r"\b(?:liberals|conservatives|leftists|progressives)\b",
        r"\b(?:support|supports|supported|back|backed|volunteer(?:ed|ing)? for) (?:the )?(?:labou?r|"
        r"democrats?|republicans?|tories|greens|liberals|conservatives|socialists)\b",
        r"\b(?:went to|attended|joined|marched in|at) (?:a |the )?(?:rally|march|demonstration|demo)\b",
        r"\b(?:went to|attended|joined|at|marched in|organi[sz]ed) (?:a |the )?(?:protest|demonstration|march)\b",
        r"\bpro-(?:palestin|israel|gun|union)\w*\b",
    ],
    SEXUAL_ORIENTATION: [
        rf"\b{_SUBJ}\s*{_BE}\s*(?:\w+ )?(?:straight|bi|trans|into (?:men|women|guys|girls))\b",
        rf"\b{_POSS} (?:same-sex|gay|lesbian) (?:partner|wife|husband|couple)\b",
        r"\btransitioning (?:to|from) (?:male|female|a man|a woman)\b",
        r"\bmy (?:wife and i|husband and i) are both (?:women|men)\b",
        r"\b(?:two|2) (?:dads|moms|mums|mommies|daddies)\b",
        r"\b(?:one[- ]night stand|sleeping with|slept with|sex with|having sex)\b",
    ],
    RACIAL_ETHNIC: [
        r"\bas an? (?:black|white|brown|asian|latin[oax]|arab|jewish|mixed) (?:woman|man|person|girl|guy|"
        r"mother|father|mom|dad|family|kid|parent|american|british)\b",
        rf"\b{_SUBJ}\s*{_BE}\s*(?:a )?(?:black|white|brown|asian|mixed)(?: (?:woman|man|person|guy|girl))?"
        r"(?: myself| herself| himself| themselves)?(?:[.,!;]|$)",
        r"\bbeing (?:black|brown|mixed[- ]race|latin[oax]|asian|arab|indigenous|roma|jewish)\b",
        rf"\b{_SUBJ}\s*{_BE}\s*(?:a )?(?:roma|romani|gypsy|traveller|traveler)\b",
        r"\b(?:black|white|brown|asian) (?:community|people|folks|women|men|culture|heritage|identity|"
        r"family|families|americans|neighborhood)\b",
        rf"\b{_POSS} (?:race|heritage|ancestry|ancestors|roots|background is|ethnic)\b",
        r"\b(?:because of|based on) (?:my |her |his |their )?(?:race|skin|accent|color|colour)\b",
        r"\b(?:grew up|raised) (?:in )?(?:a )?(?:black|latino|hispanic|asian|jewish|arab|immigrant) "
        r"(?:family|household|community|neighborhood)\b",
        r"\b(?:mexican|korean|chinese|nigerian|indian|pakistani|filipino|vietnamese|irish|italian|puerto rican|"
        r"cuban|jamaican|haitian|somali|turkish|polish|japanese)[- ]american\b",
    ],
    TRADE_UNION: [
        r"\bunion (?:says|said|told|negotiated|negotiating|strike|vote|boss|leader|local|hall|organizer|"
        r"organiser|benefits|pension|insurance|health plan|contract|rules?)\b",
        r"\b(?:joined|join|joining|left|quit) (?:the |a )?(?:union|guild)\b",
        r"\b(?:teachers|nurses|workers|drivers|pilots|miners|dockers|employees|staff|farmworkers|autoworkers|"
        r"steelworkers|electricians|machinists|postal workers|actors|writers)'? union\b",
        r"\bmember of (?:the |a |my )?(?:\w+'? )?union\b",
        r"\bthe union (?:is|was|has|will|covers|covered|pays|paid|helped|got)\b",
        r"\b(?:the )?union (?:at|in) (?:my|our|her|his|their) "
        r"(?:work|job|plant|factory|warehouse|company|hospital|school)\b",
    ],
    GENETIC: [
        r"\b(?:genes?|gene) (?:test|testing|variant|mutation|results?)\b",
        r"\brun(?:s)? in (?:my|our|her|his|their|the) family\b",
        r"\bancestry (?:test|kit|results?)\b",
        r"\bbrca ?\d?\b",
        r"\bcarrier (?:for|of) (?:the |a )?(?:gene|\w+ (?:fibrosis|anemia|anaemia|disease|syndrome|trait))\b",
    ],
    BIOMETRIC: [
        rf"\b{_POSS_PERSON} (?:own )?(?:fingerprints?|thumbprints?|face ?(?:id|scan|print|data|template)|"
        r"facial (?:data|scan|features)|iris|retinas?|voice ?(?:print|id|signature)|palm ?(?:print|vein)s?|"
        r"finger ?scan)\b",
        rf"\bscan(?:s|ned|ning)? {_POSS_PERSON} (?:face|finger|fingerprint|thumb|iris|eye|eyes|retina|palm)\b",
        r"\b(?:took|take|taking|stored|store|storing|keep|kept|collected|collect|captured|capture|"
        r"register(?:ed)?|enrolled?) (?:my|her|his|their) (?:face|fingerprints?|thumbprints?|voice|iris|"
        r"photo for (?:id|verification))\b",
        r"\b(?:fingerprints?|face|voice|iris) (?:was|were|is|are) (?:stored|scanned|saved|collected|on file|"
        r"registered|enrolled|leaked)\b",
        r"\b(?:scan|photo|photograph|picture|image|template|recording) of (?:my|her|his|their) (?:face|fingerprints?|"
        r"thumb|iris|irises|retinas?|eyes?|palm|voice)\b",
        r"\bphotograph(?:ed|s)? (?:my|her|his|their) (?:face|iris|eyes?|retina)\b",
        r"\bselfie (?:with|and) (?:my|her|his|their) (?:id|passport|licen[cs]e)\b",
    ],
}

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'+\-]*", re.IGNORECASE)


LEXICON = "lexicon"
SEMANTIC = "semantic"


@dataclass(frozen=True, slots=True)
class ScreenResult:
    sensitive: bool
    category: str | None = None
    # The lexicon stage: the text that matched. The semantic stage: "~ " and the nearest exemplar.
    matched: str | None = None
    stage: str | None = None  # LEXICON or SEMANTIC when sensitive
    # The lexicon matched only a word with a common ordinary sense (see _WEAK); screen() then asks the
    # semantic stage to corroborate before it drops the sentence.
    weak: bool = False


class _Compiled:
    def __init__(self) -> None:
        self.stemmer = Stemmer.Stemmer("english")
        self.single: dict[str, str] = {}  # stem -> category
        self.exact: dict[str, str] = {}  # "=word" terms whose stem collides with ordinary words
        phrases: list[tuple[str, str]] = []
        for category, terms in [*_TERMS.items(), *EXTRA_TERMS.items()]:
            for term in terms:
                if term.startswith("="):
                    self.exact[term[1:]] = category
                elif re.fullmatch(r"[a-z0-9']+", term):
                    self.single.setdefault(self.stemmer.stemWord(term), category)
                else:
                    phrases.append((category, term))
        self.patterns = [
            (category, re.compile(pattern, re.IGNORECASE))
            for category, group in [*_CONTEXT.items(), *EXTRA_CONTEXT.items()]
            for pattern in group
        ]
        self.any_context = re.compile("|".join(f"(?:{p.pattern})" for _, p in self.patterns), re.IGNORECASE)
        # Multi-word terms: one alternation (longest first), the category looked up from the match.
        self.phrase_category = {term: category for category, term in reversed(phrases)}
        alternation = "|".join(re.escape(t) for t in sorted(self.phrase_category, key=len, reverse=True))
        self.phrases = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)

    def check(self, sentence: str) -> ScreenResult:
        text = mask_benign(sentence)
        # The first strong match decides; a weak one (a word with a common ordinary sense) is kept only
        # in case nothing stronger turns up, so "I voted Labour and I'm diabetic" is a plain health hit.
        weak: ScreenResult | None = None
        # One scan with the union of all context patterns (about twice as fast as one scan each); only a
        # sentence that matches pays for finding which pattern, and so which category, it was.
        if self.any_context.search(text):
            for category, pattern in self.patterns:
                found = pattern.search(text)
                if found:
                    result = _lexicon_result(category, found.group(0))
                    if not result.weak:
                        return result
                    weak = weak or result
        for found in self.phrases.finditer(text):
            result = _lexicon_result(self.phrase_category[found.group(0).lower()], found.group(0))
            if not result.weak:
                return result
            weak = weak or result
        for token in _WORD_RE.findall(text):
            word = token.lower().strip("'-")
            if word.endswith("'s"):
                word = word[:-2]
            category = self.exact.get(word) or self.single.get(word) or self.single.get(self.stemmer.stemWord(word))
            if category:
                result = _lexicon_result(category, token)
                if not result.weak:
                    return result
                weak = weak or result
        return weak or ScreenResult(False)


def _lexicon_result(category: str, matched: str) -> ScreenResult:
    return ScreenResult(True, category, matched, LEXICON, weak=bool(_WEAK_RE.fullmatch(matched.strip())))


@lru_cache(maxsize=8192)
def mask_benign(sentence: str) -> str:
    """The sentence with benign look-alike phrases blanked out (layer 1), for both stages: the semantic
    stage must not see "picket fence" or "students' union" either, or it scores them as what they resemble.
    Cached: both stages ask for it, and the extractor screens a sentence more than once."""
    return _BENIGN_RE.sub(" ", _normalise(sentence))


def _normalise(sentence: str) -> str:
    # Typographic apostrophes ("I\u2019m") as plain ones, which the patterns are written with. The vector a
    # caller passes is of the sentence as it is; it still serves when masking changed nothing else.
    return sentence.replace("\u2019", "'")


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    return _Compiled()


@lru_cache(maxsize=8192)
def screen_lexicon(sentence: str) -> ScreenResult:
    """The lexicon stage alone (benign masks, terms, context patterns). Cached: cheap, but the extractor
    screens the same sentence for an observation and again for the summary."""
    return _compiled().check(sentence)


def screen_semantic(sentence: str, vector: np.ndarray | None = None) -> ScreenResult:
    """The semantic stage alone, on ``vector`` when given (the sentence's embedding from the process's
    model), otherwise on a fresh embedding of ``sentence`` (cached per sentence). A sentence containing
    benign look-alike phrases is scored with them blanked out, so ``vector`` is ignored for it."""
    return _semantic_result(sentence, _semantic_verdict(sentence, vector))


def _semantic_verdict(sentence: str, vector: np.ndarray | None) -> screening_semantic.SemanticVerdict | None:
    masked = mask_benign(sentence)
    if not masked.strip():
        return None
    if vector is None or masked != _normalise(sentence):
        return _semantic_verdict_of_text(masked)
    return screening_semantic.get_semantic_screen().check(vector)


@lru_cache(maxsize=8192)
def _semantic_verdict_of_text(text: str) -> screening_semantic.SemanticVerdict:
    return screening_semantic.get_semantic_screen().check(screening_semantic.embed(text))


def _semantic_result(sentence: str, verdict: screening_semantic.SemanticVerdict | None) -> ScreenResult:
    if verdict is None or not verdict.sensitive:
        return ScreenResult(False)
    if verdict.category == BIOMETRIC and not _PERSON_BODY_RE.search(sentence):
        return ScreenResult(False)
    return ScreenResult(True, verdict.category, f"~ {verdict.nearest}", SEMANTIC)


def _combine(sentence: str, lexical: ScreenResult, verdict: screening_semantic.SemanticVerdict | None) -> ScreenResult:
    """A weak lexicon match stands when the semantic stage leans the same way (towards the lexicon's
    category); otherwise the semantic stage decides on its own terms."""
    leaning = verdict.by_category.get(lexical.category or "", -1.0) if verdict is not None else -1.0
    if lexical.sensitive and leaning > WEAK_SUPPORT:
        return lexical
    return _semantic_result(sentence, verdict)


def screen(sentence: str, vector: np.ndarray | None = None) -> ScreenResult:
    """Whether ``sentence`` reveals special-category data, and which category (and stage) objected.

    The lexicon stage runs first; a sentence it lets through, or flags only on a weak word, is embedded
    and scored by the semantic stage. A caller that already holds the sentence's embedding (unit length,
    from :func:`convmem.search.embedding.get_embedder`) passes it as ``vector`` and saves that embedding;
    the verdict is the same. Both stages cache per sentence when no vector is given."""
    lexical = screen_lexicon(sentence)
    if lexical.sensitive and not lexical.weak:
        return lexical
    return _combine(sentence, lexical, _semantic_verdict(sentence, vector))


def screen_many(sentences: Sequence[str], vectors: np.ndarray | None = None) -> list[ScreenResult]:
    """:func:`screen` for many sentences: the lexicon on each, then for the sentences it did not settle
    one batched embedding (skipped when ``vectors``, one row per sentence, are given, except for
    sentences with benign phrases to blank out) and one matrix product. The verdicts are screen()'s, up
    to the floating-point noise of batched embedding."""
    lexical = [screen_lexicon(sentence) for sentence in sentences]
    results = list(lexical)
    masked = [mask_benign(sentence) for sentence in sentences]
    todo = [i for i, r in enumerate(lexical) if (not r.sensitive or r.weak) and masked[i].strip()]
    if not todo:
        return results
    semantic = screening_semantic.get_semantic_screen()
    if vectors is None:
        batch = np.empty((len(todo), semantic.dimensions), dtype=np.float32)
    else:
        batch = np.array(np.asarray(vectors)[todo], dtype=np.float32)
    # A given vector serves only a sentence that masking left as it was; the others are embedded masked.
    fresh = [n for n, i in enumerate(todo) if vectors is None or masked[i] != _normalise(sentences[i])]
    if fresh:
        batch[fresh] = screening_semantic.embed_many([masked[todo[n]] for n in fresh])
    for i, verdict in zip(todo, semantic.check_many(batch), strict=True):
        results[i] = _combine(sentences[i], lexical[i], verdict)
    return results


def cache_clear() -> None:
    """Forget cached verdicts (the benchmark times the screen, not its caches)."""
    screen_lexicon.cache_clear()
    mask_benign.cache_clear()
    _semantic_verdict_of_text.cache_clear()


def is_sensitive(sentence: str) -> bool:
    return screen(sentence).sensitive
