"""Broad per-category vocabulary for the special-category screen, beyond the core lists in
:mod:`convmem.extract.screening`: named conditions, treatments and care arrangements, denominations,
observances and practices, parties and movements of many countries, identities, peoples and castes,
union names and industrial action, inherited conditions and genes, biometric enrolment.

Most misses of a lexicon screen are vocabulary gaps, so these lists aim for coverage of each category as
a whole rather than of any test sentence. Single words are matched on stems; "=word" matches the exact
word only (its stem would collide with an ordinary word); anything with a space is a phrase.
"""

from __future__ import annotations

EXTRA_TERMS: dict[str, list[str]] = {
    "health": [
        "partially sighted",
        "sight loss",
        "low vision",
        "hearing loss",
        "blood thinner",
        "blood thinners",
        "beta blockers",
        "anticoagulants",
        "steroids",
        "insulin pump",
        "pain meds",
        "sleeping pills",
        "antihistamines",
        "ssri",
        "sertraline",
        "prozac",
        "xanax",
        "adderall",
        "ritalin",
        "methotrexate",
        "warfarin",
        "chemotherapy",
        "dialysis",
        "cpap machine",
        "wheelchair user",
        "mobility aid",
        "walking stick",
        "guide dog",
        "service dog",
        "sign language interpreter",
        "copd",
        "emphysema",
        "osteoarthritis",
        "rheumatoid",
        "pcos",
        "infertility",
        "infertile",
        "miscarried",
        "stillbirth",
        "postpartum",
        "prenatal",
        "antenatal",
        "trimester",
        "midwife",
        "vasectomy",
        "hysterectomy",
        "mastectomy",
        "radiation therapy",
        "blood transfusion",
        "mobility scooter",
        "prosthesis",
        "amputated",
        "paraplegic",
        "quadriplegic",
        "=blindness",
        "=deafness",
        "incontinence",
        "catheter",
        "stoma",
        "colostomy",
        "metformin",
        "statins",
        "antibiotics",
        "painkillers",
        "opioids",
        "methadone",
        "epipen",
        "anaphylaxis",
        "anaphylactic",
        "lactose intolerant",
        "lactose intolerance",
        "gluten intolerance",
        "dermatitis",
        "tuberculosis",
        "malaria",
        "sepsis",
        "self-isolating",
        "medical leave",
        "disability leave",
        "occupational therapy",
        "physical therapy",
        "physiotherapist",
        "intensive care",
        "emergency room",
        "a&e",
        "ambulance",
        "psychiatric",
        "psych ward",
        "nervous breakdown",
        "psychosis",
        "schizophrenic",
        "anorexic",
        "bulimic",
        "insomniac",
        "hormone therapy",
        "chemo session",
        "oncology",
        "cardiology",
        "diagnosed",
        "misdiagnosed",
        "=remission",
        "terminal illness",
        "hospice",
        "palliative",
        "sick kid",
        "sick child",
        "mental breakdown",
        "burned out and on leave",
        "sti",
        "hrt",
        "top surgery",
        "gender-affirming",
        "viagra",
        "cold sore",
        "cold sores",
        "acid reflux",
        "heartburn medication",
        "sinus infection",
        "strep throat",
        "kidney infection",
        "uti",
    ],
    "religion": [
        "jew",
        "jews",
        "hasidic",
        "sikhism",
        "shinto",
        "taoist",
        "pagan",
        "wiccan",
        "quaker",
        "amish",
        "mennonite",
        "baptist",
        "methodist",
        "lutheran",
        "presbyterian",
        "anglican",
        "episcopalian",
        "pentecostal",
        "adventist",
        "latter-day",
        "lds",
        "hare krishna",
        "rastafarian",
        "baha'i",
        "bahai",
        "zoroastrian",
        "jain",
        "sermon",
        "vicar",
        "chaplain",
        "nun",
        "deacon",
        "reverend",
        "preacher",
        "bible study",
        "sunday school",
        "communion",
        "easter service",
        "christmas mass",
        "rosh hashanah",
        "sukkot",
        "purim",
        "vesak",
        "navratri",
        "shul",
        "tithe",
        "tithing",
        "missionary",
        "mission trip",
        "converted to",
        "my religion",
        "our religion",
        "religious reasons",
        "church service",
        "church choir",
        "church group",
        "at church",
        "to church",
        "from church",
        "god-fearing",
        "holy book",
    ],
    "politics": [
        "marched against",
        "protested against",
        "anti-war",
        "peace march",
        "political campaign",
        "super pac",
        "my party",
        "political rally",
        "lib dem",
        "lib dems",
        "snp",
        "plaid cymru",
        "ukip",
        "reform uk",
        "bnp",
        "democratic socialist",
        "dsa",
        "tea party",
        "antifa",
        "sinn fein",
        "likud",
        "afd",
        "party conference",
        "party convention",
        "caucus",
        "precinct",
        "poll worker",
        "polling station",
        "polling day",
        "absentee ballot",
        "mail-in ballot",
        "voter registration",
        "registered voter",
        "campaign volunteer",
        "campaign office",
        "political party",
        "gun rights",
        "gun control",
        "nra member",
        "black lives matter",
        "blm",
        "extinction rebellion",
        "climate activist",
        "marxist",
        "anarchist",
        "fascist",
        "nationalist",
        "populist",
        "anti-abortion",
        "abortion rights",
        "my mp",
        "my congressman",
        "my senator",
        "party delegate",
        "on the campaign trail",
        "election campaign",
        "political views",
        "political beliefs",
    ],
    "sexual_orientation": [
        "came out to",
        "coming out to",
        "come out to",
        "sapphic",
        "aromantic",
        "demisexual",
        "polyamorous",
        "open relationship",
        "bdsm",
        "fetish",
        "swinger",
        "sex toy",
        "sex toys",
        "=vibrator", "=vibrators",
        "std test",
        "deadname",
        "my pronouns",
        "pronouns are",
        "gender dysphoria",
        "drag show",
        "gay bar",
        "gay couple",
        "lesbian couple",
        "gay marriage",
        "same sex",
    ],
    "racial_ethnic": [
        "black british",
        "black american",
        "south asian",
        "east asian",
        "southeast asian",
        "west indian",
        "afro-caribbean",
        "mixed heritage",
        "dual heritage",
        "irish traveller",
        "traveller community",
        "romany",
        "gypsy",
        "pacific islander",
        "native hawaiian",
        "torres strait",
        "white british",
        "ethnic group",
        "racial profiling",
        "racially profiled",
        "ethnically",
        "ethnic minority",
        "bipoc",
        "inuit",
        "maori",
        "sami",
        "my tribe",
        "our tribe",
        "jewish heritage",
        "n-word",
        "my race",
        "her race",
        "his race",
        "their race",
        "white supremacist",
        "hate crime",
        "ethnic origin",
        "racial origin",
        "country of origin is",
        "immigrant background",
    ],
    "trade_union": [
        "unite member",
        "unite rep",
        "unison member",
        "gmb member",
        "ucu member",
        "neu member",
        "rmt member",
        "cwu member",
        "pcs member",
        "union card holder",
        "=unison",
        "gmb",
        "rmt",
        "aslef",
        "ibew",
        "cupe",
        "unifor",
        "usdaw",
        "nasuwt",
        "strike action",
        "industrial action",
        "walkout",
        "walk-out",
        "strike ballot",
        "strike pay",
        "picketing",
        "collective agreement",
        "bargaining unit",
        "union drive",
        "union organizing",
        "union organising",
        "going on strike",
        "go on strike",
        "on strike",
        "union branch",
        "union official",
        "union leader",
    ],
    "genetic": [
        "inherited condition",
        "inherited disease",
        "inherited disorder",
        "inherited gene",
        "genetic counsel",
        "genetic counselor",
        "genetic counsellor",
        "genealogy test",
        "myheritage",
        "embryo screening",
        "karyotype",
        "thalassemia",
        "hemochromatosis",
        "fragile x",
        "marfan",
        "mutation carrier",
        "dna sample",
        "dna results",
        "dna kit",
        "gene therapy",
    ],
    "biometric": [
        "face recognition data",
        "my biometrics",
        "fingerprint record",
        "iris scans",
        "gait analysis",
        "vein scan",
        "hand geometry",
    ],
}

EXTRA_CONTEXT: dict[str, list[str]] = {
    "health": [
        r"\b(?:recovering|recovery|recovered) from (?:a |an |my |his |her |their |the )?(?:stroke|surgery|"
        r"operation|illness|injury|accident|breakdown|cancer|covid|flu|infection|fracture|heart attack|"
        r"concussion|\w+itis|\w+oma)\b",
        r"\b(?:had|suffered|after) (?:a |my |his |her |their )?stroke\b",
        r"\bmy (?:acne|rash|skin condition|weight loss|mental|hearing|eyesight)\b",
        r"\b(?:i'm|i am|we're|she's|he's|they're) (?:self-)?isolating\b",
        r"\b(?:we're|we are|she's|she is|my wife is|i'm|i am) expecting (?:a baby|twins|our|my|her|in)\b",
    ],
    "religion": [
        r"\b(?:go|goes|went|going) to (?:chapel|shul|temple|church|mosque|synagogue)\b",
        r"\b(?:practi[cs]ing|observant|devout|lapsed) (?:muslim|jew|catholic|christian|hindu|sikh|buddhist)s?\b",
    ],
    "politics": [
        r"\b(?:donated|donate|donating|gave|give|volunteer(?:ed|ing)?) (?:money )?(?:to|for) (?:\w+'s |the |a |"
        r"my )?(?:campaign|party|candidate|super pac)\b",
        r"\b(?:marched|protested|demonstrated|rallied) (?:against|for)\b",
        r"\b(?:vote|voted|voting|support|supported|back|member of) (?:for )?(?:the )?(?:greens|labour|lib dems|"
        r"snp|ukip|conservatives|tories|democrats|republicans)\b",
    ],
    "sexual_orientation": [
        r"\b(?:girlfriend|wife|boyfriend|husband|partner) and i are both (?:women|men|girls|guys|female|male)\b",
    ],
    "racial_ethnic": [
        r"\b(?:black|brown|white|asian) (?:british|american|canadian|african|caribbean|woman|man|person|guy|"
        r"girl|family|customer|mum|mom|dad|parent|student|employee)\b",
        r"\bbecause (?:i'm|i am|she's|he's|they're|we're|of being) (?:a |an )?(?:black|brown|asian|arab|jewish|"
        r"muslim|latin[oax]|mixed|foreign|immigrant|an immigrant|gypsy|roma)\b",
        r"\bof [a-z]+ [a-z]+ (?:descent|heritage|origin|background|ancestry)\b",
        r"\bas an? (?:black|white|brown|asian|latin[oax]|arab|jewish|mixed|indigenous|hispanic|native) \w+",
        r"\bof [a-z]+ (?:descent|origin|heritage|ancestry|extraction)\b",
        r"\b(?!(?:north|south|central|all|pan|latin|un)[- ]american)[a-z]+-american\b",
        r"\bdiscriminat\w+ against (?:me|us|her|him|them) because\b",
    ],
    "trade_union": [
        r"\b(?:member|rep|representative|steward|branch) (?:of|in|for) (?:unite|unison|the gmb|gmb|ucu|neu|rmt|"
        r"cwu|pcs|the teamsters)\b",
        r"\b(?:member|members|rep|representative|steward) (?:of|from|for) (?:the |my |our )?[a-z]+ union\b",
    ],
    "genetic": [
        r"\b(?:i'm|i am|she's|he's|they're|is|are) (?:a |an )?(?:\w+ )?carriers? (?:for|of)\b",
        r"\b(?:genetic|dna|ancestry|heritage|gene) (?:test|testing|kit|results?|report|screening|profile)\b",
    ],
    "biometric": [
        r"\b(?:my|her|his|their) (?:voice|face|fingerprints?|thumbprint|iris|eyes|palm) (?:for|"
        r"as) (?:an? )?(?:id|identification|verification|authentication|login|password)\b",
        r"\b(?:recorded|captured|stored|kept|saved) (?:my|her|his|their) (?:voice|face)\b",
        r"\b(?:my|her|his|their) (?:face|faces|fingers?|thumbs?|eyes?|voice|palms?) (?:was|were|is|are|got|"
        r"being|have been|has been) (?:scanned|photographed|recorded|stored|captured|enrolled|registered)\b",
    ],
}


# Named groups, organisations, observances and conditions: knowledge a small embedding model lacks ("the
# PCS convenor", "our family is Hmong", "two copies of APOE4", "saving for Umrah"). Names that are also
# ordinary words or abbreviations (Unite, Equity, Reform, Labour, Green, PCS, NEU, Tamil as a language,
# Polish as a verb) count only in a context that makes them an affiliation or an identity.

# Unions by country (UK, Ireland, US, Canada, Australia, New Zealand, India, South Africa, Nigeria, EU)
# whose names are not ordinary words.
_UNION_NAMES = [
    "=siptu", "=inmo", "=naht", "=ascl", "=bectu", "=balpa", "=tssa", "=nuj", "=fbu", "=rcm",
    "=unison", "=iatse", "sag-aftra", "=afscme", "=ilwu", "=liuna", "=afge", "=nalc", "=apwu", "=opseu",
    "=bcgeu", "=psac", "=cupw", "=cfmeu", "=cfmmeu", "=actu", "=anmf", "=nteu", "=cpsu", "=cosatu", "=numsa",
    "=cfdt", "force ouvrière", "force ouvriere", "=ccoo", "=cisl", "=cgil", "=dgb", "=fnv",
    "=nehawu", "=sadtu", "=intuc", "=aituc", "=citu", "=nzno", "ig metall", "ver.di",
    "=forsa", "=nnu", "=teamster", "united steelworkers",
    "united auto workers", "communications workers", "public and commercial services union",
    "royal college of nursing", "british medical association", "national education union",
    "university and college union", "musicians' union", "writers guild", "screen actors guild",
    "irish nurses", "teachers' union", "nurses' union", "unite the union",
    "unite union", "sindicato", "gewerkschaft",
]
# Abbreviations and names that need a union context to count.
_UNION_AMBIGUOUS = (
    r"(?:pcs|neu|ucu|cwu|rcn|bma|eis|nasuwt|unite|equity|gmb|rmt|aslef|cgt|ugt|uil|"
    r"usdaw|nea|cwa|atu|twu|etu|aeu|mua|hsu|uwu|awu|psa|num|nlc|asuu|ufcw|uaw|seiu|ibew|usw|teamsters|cupe|"
    r"unifor|the union|my union|our union)"
)
_UNION_ROLE = (
    r"(?:member|members|membership|rep|reps|representative|steward|convenor|convener|branch|branches|official|"
    r"officer|organi[sz]er|organi[sz]ing|subs|subscription|subscriptions|dues|card|ballot|balloted|strike|"
    r"strikes|striking|picket|picketing|local|chapter|delegate|caseworker|secretary|chair|walkout|action|"
    r"conference|meeting|fee|fees|levy)"
)

# Parties and movements whose names are unambiguous, then the ones that need a political context.
_PARTY_NAMES = [
    "gilets jaunes", "yellow vests", "dyke march", "=solidarnosc", "solidarność",
    "stop the war", "=cnd", "just stop oil", "insulate britain", "palestine action", "fridays for future",
    "sunrise movement", "occupy movement", "pro-palestine", "pro-israel",
    "fianna fail", "fianna fáil", "fine gael", "sinn féin", "=sdlp", "=bjp", "=ndp", "bloc québécois",
    "bloc quebecois", "=cdu", "=spd", "=fdp", "die linke", "la france insoumise", "rassemblement national",
    "front national", "=pvv", "=vvd", "=fidesz", "=podemos", "=likud", "one nation party", "=tpusa",
    "turning point usa", "proud boys", "socialist worker", "socialist workers", "communist party",
    "workers party", "workers' party", "labour party", "labor party", "liberal party", "green party",
    "young conservatives", "young labour", "young republicans", "college republicans", "college democrats",
    "young democrats", "=remainer", "=remainers", "brexiteer", "brexiteers", "leave voter", "remain voter",
    "trump supporter", "biden supporter", "maga hat", "hustings", "=leafleting", "=leafleted", "=leafletting",
]
_PARTY_AMBIGUOUS = (
    r"(?:labou?r|reform|greens|liberals?|conservatives?|tory|tories|congress|dup|aap|"
    r"anc|eff|apc|pdp|momentum|democrats?|republicans?|lib ?dems?|snp|plaid|ukip|ndp|bjp|"
    r"socialists?|communists?|libertarians?|dsa|maga|trump|biden|harris|starmer|farage|corbyn|"
    r"modi|sunak|badenoch|trudeau|poilievre|albanese|dutton|pti|pml-n|pml|ppp|mqm|apc|ndc|npp|tmc|dmk|aiadmk|"
    r"shiv sena|cpi|cpi\(m\)|cdu|spd|afd|psoe|pp|vox|m5s|lega|fine gael|fianna fail|sinn fein|sdlp|alliance party|"
    r"morena|psol|pis|ifp|kanu|ldp|kmt|dpp|pap)"
)
_PARTY_ROLE = (
    r"(?:party|branch|member|members|membership|candidate|candidates|councillor|councillors|councilor|mp|mla|"
    r"msp|td|activist|activists|voter|voters|supporter|supporters|campaign|campaigner|canvasser|canvassers|"
    r"leaflets?|volunteer|volunteers|rally|rallies|conference|hustings|whip|manifesto|donor|donors|caucus|"
    r"delegate)"
)
_POLITICAL_ACT = (
    r"(?:vote|voted|votes|voting|support|supports|supported|supporting|back|backs|backed|backing|member of|"
    r"joined|join|joining|canvass(?:ed|ing)? for|leaflet(?:ed|ing|ting)? for|campaign(?:ed|ing)? for|"
    r"donat(?:e|ed|es|ing) to|volunteer(?:ed|ing|s)? (?:for|with)|stand(?:ing)? for|stood for|ran for|"
    r"running for|(?:i'm|i am|she's|he's|we're|they're) (?:a |an )?(?:lifelong |paid-up |card-carrying |"
    r"staunch |die-hard |diehard )?(?:member of (?:the )?)?|never back|never vote(?: for)?)"
)

# Ethnic and national-origin groups; counted only as a person's identity ("my family is Tamil", "a
# Somali household", "because I'm Polish"), never as a cuisine, language, product or place.
_ETHNONYMS = (
    r"(?:african|afghan|albanian|algerian|amazigh|amhara|arab|armenian|ashanti|ashkenazi|assyrian|baloch|"
    r"bangladeshi|bengali|berber|bosnian|brazilian|bulgarian|burmese|cambodian|cantonese|caribbean|chechen|"
    r"chinese|colombian|congolese|coptic|creole|croatian|cuban|czech|dominican|druze|egyptian|eritrean|"
    r"ethiopian|fijian|filipina|filipino|fulani|ghanaian|greek|gujarati|gypsy|haitian|hakka|han chinese|hausa|"
    r"hazara|hindi|hispanic|hmong|hungarian|igbo|indian|indonesian|iranian|iraqi|irish|italian|jamaican|"
    r"japanese|jewish|kashmiri|kazakh|kenyan|khmer|korean|kurdish|kurd|lao|laotian|latina|latino|"
    r"latinx|lebanese|lithuanian|malay|malayali|maori|māori|marathi|mestizo|mexican|mizrahi|moroccan|nepali|"
    r"nigerian|oromo|pakistani|palestinian|parsi|pashtun|persian|polish|portuguese|punjabi|roma|romani|"
    r"romanian|russian|rwandan|samoan|sephardi|sephardic|serbian|sikh|sindhi|sinhala|sinhalese|slovak|somali|"
    r"sri lankan|sudanese|syrian|taiwanese|tajik|tamil|telugu|thai|tibetan|tigrayan|tongan|turkish|ugandan|"
    r"ukrainian|uyghur|uzbek|vietnamese|yemeni|yoruba|zimbabwean|zulu|xhosa|asian|"
    r"aboriginal|indigenous|inuit|métis|metis|native american|first nations|pacific islander|mixed-race|"
    r"mixed race|biracial|south asian|east asian|west african|east african|north african|middle eastern|"
    r"latin american|afro-\w+|anglo-\w+|indo-\w+)"
)
_NOT_IDENTITY = (
    r"(?![-/]|\s+(?:and blue|cats?|kittens?|carpets?|airlines?|airways|food|foods|restaurant|restaurants|"
    r"takeaway|take-away|cuisine|language|lessons?|"
    r"class|classes|course|teacher|tutor|speakers?|translation|translator|subtitles?|keyboard|version|"
    r"edition|site|website|store|shop|market|supermarket|grocer\w*|bakery|cooking|dish(?:es)?|recipes?|style|"
    r"design|pattern|flag|team|side|league|football|cricket|rugby|channel|tv|film|films|movie|movies|"
    r"music|songs?|novel|books?|version|setting|options?|embassy|consulate|visa|passport|bank|airport|"
    r"border|government|holiday|trip|tour|pharmacy|brand|made|plug|adapter|sim|number|address|postcode|"
    r"zip|ink|paper|tea|coffee|beer|wine|cheese|sausages?|rice|spices?|sauce|bread|dress|dresses|saris?|"
    r"rug|rugs|furniture|market|festival|new year)\b)"
)
_IDENTITY_NOUN = (
    r"(?:household|family|families|community|heritage|background|descent|origin|roots|ancestry|grandmother|"
    r"grandma|granny|grandfather|grandad|grandpa|mum|mom|dad|mother|father|parents|woman|women|man|men|girl|"
    r"boy|lady|guy|person|people|immigrant|immigrants|refugee|refugees|customer|neighbour|neighbor|"
    r"neighbours|neighbors|wife|husband|partner|son|daughter|kids|children|in-laws|relatives|folks|origins)"
)

# Inherited conditions, genes and sequencing: genetic data about a person when mentioned at all.
_GENETIC_NAMES = [
    "=apoe", "=apoe4", "apoe4", "apoe e4", "brca1", "brca2", "=mthfr", "=hfe", "factor v leiden", "lynch syndrome",
    "haemochromatosis", "hemochromatosis", "thalassaemia", "thalassemia", "ehlers-danlos",
    "marfan syndrome", "fragile x", "spinal muscular atrophy", "duchenne", "huntington's disease",
    "huntingtons", "turner syndrome", "klinefelter", "=pku", "phenylketonuria", "g6pd",
    "familial hypercholesterolaemia",
    "familial hypercholesterolemia", "polycystic kidney", "neurofibromatosis", "sickle cell trait",
    "sickle-cell", "tay sachs", "gaucher", "alpha-1 antitrypsin", "li-fraumeni", "=exome", "whole genome",
    "genome sequencing", "genomic sequencing", "gene panel", "carrier screening", "carrier test",
    "prenatal screening", "nipt", "amniocentesis", "chromosome test", "dna match",
    "dna matches", "ancestry results", "23 and me", "ancestry.com results", "=mutation", "=mutations",
    "gene variant", "genetic variant", "genetic condition", "genetic disorder", "genetic risk",
    "genetic marker", "genetic markers", "family history of",
]

# Health: conditions, treatments and care arrangements said in passing.
_HEALTH_NAMES = [
    "slipped disc", "prolapsed disc", "herniated disc",
    "registered blind", "registered deaf", "registered disabled", "severely sight impaired", "sight impaired",
    "district nurse", "community nurse", "home carer", "carers come", "carer comes",
    "respite care",
    "dressings changed", "change my dressings", "funny turn",
    "kept in overnight", "blue badge", "pip assessment", "disability benefit", "disability allowance",
    "carer's allowance", "motability", "fit note", "sick note", "on the sick", "signed off work",
    "signed off sick", "off work sick", "laid up", "since the op", "after the op", "my op",
    "post-op", "keyhole surgery", "colonoscopy", "endoscopy", "smear test",
    "cancer screening", "blood results",
    "outpatient", "outpatients", "physiotherapy", "chiropractor", "podiatrist", "cardiologist",
    "neurologist", "rheumatologist", "dermatologist", "oncologist", "psychiatrist",
    "therapy appointment", "rehab clinic", "aa meeting",
    "aa meetings", "sober since", "antidepressants", "anti-anxiety", "mood stabiliser",
    "mood stabilizer", "citalopram", "fluoxetine", "venlafaxine", "mirtazapine", "quetiapine",
    "olanzapine", "risperidone", "aripiprazole", "lamotrigine", "levetiracetam", "gabapentin", "pregabalin",
    "tramadol", "codeine", "morphine", "oxycodone", "fentanyl", "buprenorphine", "naloxone", "levothyroxine",
    "amlodipine", "ramipril", "lisinopril", "bisoprolol", "atorvastatin", "simvastatin", "apixaban",
    "rivaroxaban", "clopidogrel", "omeprazole", "lansoprazole", "salbutamol", "ventolin", "seretide",
    "symbicort", "prednisolone", "prednisone", "hydroxychloroquine", "humira", "adalimumab", "ozempic",
    "mounjaro", "semaglutide", "tirzepatide", "truvada", "antiretroviral", "antiretrovirals",
    "chemo", "immunotherapy", "radiotherapy", "ivf cycle", "egg retrieval",
    "fertility treatment", "fertility clinic", "morning sickness", "weeks pregnant", "my bump",
    "c-section", "stillborn", "my pregnancy", "her pregnancy", "hearing aids",
    "cochlear implant", "white cane", "bsl interpreter", "wheelchair", "zimmer frame",
    "stairlift", "incontinence pads", "feeding tube", "oxygen concentrator",
    "nebuliser", "nebulizer", "hypo", "hypos", "blood glucose", "insulin pen", "cgm",
    "dexcom", "freestyle libre", "libre sensor", "heart failure", "atrial fibrillation", "afib", "a-fib",
    "arrhythmia", "angioplasty", "stent", "mini-stroke", "aneurysm", "brain injury", "spinal injury",
    "ms relapse", "me/cfs", "long-covid", "chronic illness", "chronically ill", "immunocompromised",
    "immunosuppressed", "neurodivergent", "adhd meds", "autistic son", "autistic daughter", "on the spectrum",
    "learning disability", "learning disabilities", "dyspraxia", "tourette's", "tourettes", "ocd",
    "bipolar disorder", "bpd", "borderline personality", "eating disorder", "self harm", "suicide attempt",
    "mental health team", "crisis team", "cbt sessions", "grief counselling",
]

# Religion: observances, practices and roles said in passing.
_RELIGION_NAMES = [
    "dastar", "dastaar", "=patka", "kara bracelet", "his kesh", "her kesh", "my kesh", "keeps kesh",
    "=umrah", "hajj", "ramadan", "eid al-fitr", "eid al-adha", "eid ul", "laylat al-qadr", "jummah",
    "jumu'ah", "friday prayers", "namaz", "wudu", "zakat", "sadaqah", "halal only",
    "shabbat", "shabbos", "yom tov", "kashrut", "kosher kitchen", "sitting shiva", "bris",
    "mikvah", "tefillin", "sukkah", "seder", "yeshiva", "=puja", "mandir", "janmashtami",
    "ganesh chaturthi", "karva chauth", "chhath", "vaisakhi", "baisakhi", "gurpurab", "langar", "amritdhari",
    "turban for", "kirpan", "vesak", "losar", "sangha",
    "ash wednesday", "good friday service", "easter vigil",
    "midnight mass", "confirmation class", "first holy communion", "novena", "rosary beads",
    "mass on sunday", "sunday service", "evensong", "bible class", "youth group at church", "church choir",
    "tithe", "baptism", "christening", "godparent", "born-again",
    "jehovah's witness", "kingdom hall", "latter-day saints", "mormon mission", "seventh-day adventist",
    "adventist", "pentecostal", "evangelical", "coptic", "greek orthodox", "russian orthodox",
    "orthodox church", "parish priest", "our vicar", "my vicar", "our pastor",
    "my pastor", "our imam", "my imam", "our rabbi", "my rabbi", "gurdwara", "wicca", "wiccan", "pagan",
    "rastafari", "humanist", "atheist", "agnostic", "non-believer", "my faith",
    "our faith", "her faith", "his faith", "their faith",
    "fasting month", "during the fast", "the fast ends", "hijabi",
    "prayer times", "prayer room", "prayer beads", "prayer mat",
]

_SEXUAL_ORIENTATION_NAMES = [
    "=closeted",
    "throuple", "polycule", "polyamory", "genderfluid", "genderqueer", "gender-fluid", "intersex",
    "two-spirit", "they/them", "my pronouns",
    "gender reassignment", "gender confirmation", "deadname", "deadnamed", "trans son", "trans daughter",
    "trans kid", "my trans", "ftm", "mtf", "same-sex partner", "same sex partner", "my husband and i are both",
    "my wife and i are both", "lgbt", "queer", "gay", "lesbian", "bi guy", "bi girl",
    "bi woman", "bi man", "asexual", "sexting", "onlyfans", "adult toys",
    "erotic", "dating men", "dating women", "date men", "date women", "into guys", "into girls",
    "sex worker", "sex work",
]

_BIOMETRIC_NAMES = [
    "fingerprint capture", "fingerprint enrolment", "fingerprint enrollment", "fingerprint registration",
    "fingerprint scan", "face capture", "facial capture", "iris capture", "palm capture", "biometric capture",
    "biometric enrolment", "biometric enrollment", "biometric registration",
    "face template", "facial template", "face print", "faceprint", "voice biometrics", "voice id",
    "voice recognition data", "liveness check", "selfie verification", "facial verification", "face match",
    "finger vein", "palm vein", "fingerprint template", "retina template", "iris template",
    "biometric data", "biometric login", "biometric passport data", "facial scan", "face scanned",
    "=fingerprinted", "fingerprints taken", "fingerprints were taken",
]

EXTRA_TERMS["trade_union"].extend(_UNION_NAMES)
EXTRA_TERMS["politics"].extend(_PARTY_NAMES)
EXTRA_TERMS["genetic"].extend(_GENETIC_NAMES)
EXTRA_TERMS["health"].extend(_HEALTH_NAMES)
EXTRA_TERMS["religion"].extend(_RELIGION_NAMES)
EXTRA_TERMS["sexual_orientation"].extend(_SEXUAL_ORIENTATION_NAMES)
EXTRA_TERMS["biometric"].extend(_BIOMETRIC_NAMES)

_SUBJECT_BE = r"(?:i'm|i am|im|we're|we are|she's|she is|he's|he is|they're|they are|i was|we were|was born|born)"
_POSS = r"(?:my|our|her|his|their)"

EXTRA_TERMS["racial_ethnic"].extend([
    # Group names with no everyday sense: peoples, castes, nations and iwi, named in passing.
    "=pavee", "=minceir", "=sinti", "=manouche", "=yenish", "=dalit", "=dalits", "=adivasi", "=adivasis",
    "=kikuyu", "=kalenjin", "=maasai", "=luhya", "=hmong", "=uyghur", "=uyghurs", "=rohingya", "=yazidi",
    "=pashtun", "=baloch", "=hazara", "yolngu", "yolŋu", "=noongar", "=wiradjuri", "=koori", "=murri",
    "ngai tahu", "ngāi tahu", "=ngapuhi", "ngāpuhi", "tūhoe", "=tuhoe", "=iwi", "=navajo", "=lakota",
    "=ojibwe", "=anishinaabe", "mi'kmaq", "=haudenosaunee", "=inuk", "sámi", "=saami", "=amazigh", "=tuareg",
    "windrush generation", "on the windrush", "irish travellers", "irish travelers", "halting site",
    "=mizrahi", "=ashkenazi", "=sephardic", "=sephardi", "=bedouin", "=bedouins",
])

EXTRA_CONTEXT["trade_union"].extend([
    rf"\b{_UNION_AMBIGUOUS}(?:'s)? {_UNION_ROLE}\b",
    rf"\b(?:member|members|rep|steward|convenor|convener|official|organi[sz]er|delegate) (?:of|for|in|with|at) "
    rf"(?:the |my |our )?{_UNION_AMBIGUOUS}\b",
    rf"\b(?:joined|join|joining|quit|left|pay into|paying into|pay my|paid my|marching with|marched with|striking "
    rf"with|on strike with|picketing with) (?:the )?{_UNION_AMBIGUOUS}\b",
    rf"\b{_POSS} (?:{_UNION_AMBIGUOUS}) (?:{_UNION_ROLE}|subs|money|contribution|payments?)\b",
    r"\b(?:work[- ]to[- ]rule|go-slow|strike fund|strike committee|on the picket|"
    r"picket duty|union-busting|union busting|balloted)\b",
    r"\b(?:union|branch|site|works|senior|shop-floor) convenor\b|\bconvenor (?:for|of) (?:the )?\w+ (?:branch|union)\b",
])
EXTRA_CONTEXT["politics"].extend([
    rf"\b{_PARTY_AMBIGUOUS} {_PARTY_ROLE}\b",
    rf"\b{_POLITICAL_ACT} (?:for |the |a |with )?{_PARTY_AMBIGUOUS}\b",
    r"\b(?:stand|standing|stood|ran|running|run) (?:for|in) (?:the )?(?:local |city |county |town |district |"
    r"parish |borough )?(?:council|parliament|congress|senate|"
    r"the assembly|mayor|office|election|school board|city council|local elections?|state house)\b",
    r"\b(?:voted|vote|voting) (?:leave|remain|yes|no) (?:in|on)\b",
    r"\b(?:my|our|her|his|their) (?:politics|political)\b",
    r"\b(?:i'm|i am|she's|he's|we're|they're) (?:a |an )?(?:lifelong |staunch |proud |paid-up |card-carrying |"
    r"die-hard |diehard )?(?:labou?r|tory|lib dem|snp|plaid|ukip|reform|democrat|republican|"
    r"socialist|communist|libertarian|leftie|lefty|trot|marxist|monarchist|republican|nationalist|unionist|"
    r"loyalist|zionist|anti-zionist)(?: voter| supporter| member| activist| man| woman| through and through)?\b",
])
EXTRA_CONTEXT["racial_ethnic"].extend([
    rf"\b{_SUBJECT_BE} (?:a |an )?(?:proud |half[- ]|part[- ]|mixed |british[- ]|second[- ]generation |"
    rf"first[- ]generation )?{_ETHNONYMS}\b{_NOT_IDENTITY}",
    rf"\b{_POSS} (?:\w+ )?(?:family|families|parents|mum|mom|dad|mother|father|grandparents?|grandmother|"
    rf"grandfather|gran|nan|ancestors|people|relatives|folks|roots|heritage|background|community|household|"
    rf"in-laws|husband|wife|partner)(?:'s|'re| is| are| was| were| come| comes| came| hails?)(?: from)? "
    rf"(?:originally |all |both )?(?:\w+ )?{_ETHNONYMS}\b{_NOT_IDENTITY}",
    rf"\b(?:a|an|our|my|the only|as an?|being|fellow) {_ETHNONYMS} {_IDENTITY_NOUN}\b"
    r"(?!\s+(?:restaurant|restaurants|business|shop|store|recipes?|run|owned|size|pack|meal|deal|style|farm))",
    rf"\bbecause (?:i'm|i am|we're|we are|she's|he's|they're|she is|he is|they are|of being|i look|we look) "
    rf"(?:a |an )?{_ETHNONYMS}\b",
    rf"\b(?:half|part|quarter|mixed) {_ETHNONYMS}\b",
    r"\b(?:my|our|her|his|their|a|the) traveller (?:family|families|community|site|heritage|background|roots|"
    r"relatives|cousins?|parents|mum|mom|dad)\b|\btravellers' site\b",
    rf"\b{_ETHNONYMS}[- ](?:born|descended|heritage)\b",
])
EXTRA_CONTEXT["genetic"].extend([
    r"\b(?:two|one|a|both) cop(?:y|ies) of (?:the )?(?:\w+ )?(?:gene|variant|allele|mutation)s?\b",
    r"\binherit(?:ed|s)? (?:\w+ ){0,4}(?:gene|genes|condition|disorder|mutation|"
    r"syndrome|disease|trait|variant)\b",
    r"\b(?:sequenc(?:ed|ing)|tested|screened) (?:\w+ ){0,3}(?:for|positive for) (?:a |the )?(?:\w+ )?"
    r"(?:gene|mutation|variant|syndrome|condition|carrier)\b",
])
EXTRA_CONTEXT["health"].extend([
    r"\bsigned (?:me|her|him|them|us) off\b|\bsigned off (?:with|for|until|because)\b",
    r"\b(?:since|after|before) (?:the|his|her|my|their) (?:stroke|op|operation|surgery|heart attack|diagnosis|"
    r"accident|fall|transplant|bypass)\b",
    r"\b(?:my|her|his|their) (?:ms|crohn's|colitis|lupus|ibs|eczema|psoriasis|asthma|arthritis|migraines?|"
    r"epilepsy|endo|endometriosis|fibro|gout|sciatica|back) (?:is )?(?:flaring up|flared up|flare-up|flare up|"
    r"playing up|acting up|relapse)\b",
    rf"\b{_POSS} (?:carer|carers|caregiver|care worker|support worker|nurse|physio|therapist|counsellor|"
    r"counselor|surgeon|oncologist|psychiatrist|health visitor|midwife)\b",
    r"\b(?:helps?|help) (?:me|her|him|them) (?:to )?(?:shower|bathe|get washed|get dressed|"
    r"go to the toilet|with my medication|with her medication|with his medication|take (?:my|her|his) meds)\b",
    r"\b(?:kept|keep|keeping) (?:me|her|him|them|us) in (?:overnight|for (?:tests|observation|a few days))\b",
    r"\b(?:on|off) (?:the )?(?:meds|medication|antidepressants|insulin|steroids|chemo)\b",
    rf"\b{_SUBJECT_BE} (?:\w+ )?(?:weeks|months) pregnant\b",
    r"\b(?:my|her|his|their) (?:op|biopsy|smear|bloods|blood work|prognosis)\b",
])
EXTRA_CONTEXT["politics"].extend([
    r"\b(?:steward|stewards|stewarding|marching|marched|speaking|speaker|organi[sz]ing|organi[sz]er|placard|"
    r"banner) (?:on|at|in|for) (?:the |a )?(?:[\w'-]+ ){0,4}(?:march|protest|demo|demonstration|rally|vigil)\b",
])
EXTRA_CONTEXT["biometric"].extend([
    # "I set up face login", "she registered her fingerprint": a person's template is now held. A question
    # about the feature ("can I set up Face ID?", "how do I register a fingerprint?") is not.
    r"(?<!can )(?<!could )(?<!should )(?<!do )(?<!did )(?<!to )\b(?:i|we|she|he|they)(?:'ve| have| had)? "
    r"(?:set up|enrolled|registered|added) (?:my |our |her |his |their |a )?(?:face|fingerprint|finger|thumb|"
    r"thumbprint|voice|iris|palm) ?(?:login|log-in|unlock|id|recognition|verification|scan|print)?\b",
])
EXTRA_CONTEXT["sexual_orientation"].extend([
    r"\b(?:husband|wife|boyfriend|girlfriend|partner)\b.{0,40}\bboth (?:blokes|men|guys|lads|"
    r"women|girls|ladies|gals|female|male)\b",
    r"\b(?:his|he and his) (?:husband|boyfriend)\b|\b(?:her|she and her) wife\b|"
    r"\bher girlfriend\b(?!s)|\bhis boyfriend\b(?!s)|\b(?:both|two) (?:brides|grooms)\b",
    r"\b(?:socially|medically|has|have|had|recently) transitioned\b|\bsocial transition\b|\bmid-? ?transition\b",
    r"\b(?:he|he's|he has|he is|he was)\b.{0,25}\b(?:seeing|dating|sleeping with|married to|engaged to|in love "
    r"with) (?:a|another|other) (?:man|men|guy|bloke)\b|\b(?:she|she's|she has|she is|she was)\b.{0,25}\b"
    r"(?:seeing|dating|sleeping with|married to|engaged to|in love with) (?:a|another|other) (?:woman|women|girl)\b",
    r"\bnot out (?:yet )?to (?:my|our|her|his|their|the) (?:family|parents|mum|mom|dad|work|boss|friends|"
    r"colleagues|workmates)\b",
    r"\b(?:came|come|coming) out (?:to (?:my|our|her|his|their) (?:family|parents|mum|mom|dad|friends|colleagues)|"
    r"at work|as)\b",
])
EXTRA_CONTEXT["religion"].extend([
    rf"\b{_SUBJECT_BE} (?:\w+ )?(?:observant|practi[cs]ing|devout|orthodox|catholic|muslim|jewish|"
    r"hindu|sikh|buddhist|christian|jain|mormon|evangelical|born again|atheist|agnostic|pagan)\b",
    r"\b(?:for|because of|due to) (?:religious|faith|our faith|my faith|her faith|his faith|spiritual) "
    r"(?:reasons|beliefs|observance)\b",
    r"\b(?:saving|save|going|go|went) (?:for|on|to) (?:umrah|hajj|pilgrimage|the pilgrimage)\b",
])
