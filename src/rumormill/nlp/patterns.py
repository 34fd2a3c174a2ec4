"""Every lexicon and pattern rumormill matches on, in one place.

Later stages (attribution cues, hedges, channels) add their word lists here too, so that a
reader can see and edit all of them at once.
"""

from __future__ import annotations

import re

# --- quotation marks ---------------------------------------------------------------------
OPEN_QUOTES = frozenset({"“", "«", "„", "‘"})
CLOSE_QUOTES = frozenset({"”", "»", "’"})
# Straight quotes open or close depending on the context.
AMBIGUOUS_QUOTES = frozenset({'"', "''", "``"})
# Curly single quotes double as apostrophes; only these double marks are trusted as quotes.
DOUBLE_OPEN = frozenset({"“", "«", "„", "``"})
DOUBLE_CLOSE = frozenset({"”", "»", "''"})

# --- the house format ----------------------------------------------------------------------
# An optional leading space, then `date YYYY-MM-DD`; the body follows on the same line or the
# next.
HOUSE_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(?P<date>\S+)[ \t]*(?:\r?\n)?")

# --- credit lines ----------------------------------------------------------------------------
# A closing line that credits the outlet or the wire agency, not body text:
# "(YWN World Headquarters – NYC)", "(AP)", "(Reuters)", "— Reuters", "Reporting by ...".
CREDIT_PARENTHESISED = re.compile(r"\A\((?P<credit>[^()\n]{1,80})\)\.?\Z")
WIRE_AGENCIES = (
    "AP",
    "Associated Press",
    "Reuters",
    "AFP",
    "Agence France-Presse",
    "Bloomberg",
    "UPI",
    "dpa",
    "EFE",
    "ANSA",
    "Xinhua",
    "TASS",
    "Interfax",
    "PA",
    "CNN",
    "Kyodo",
    "Yonhap",
)
CREDIT_AGENCY = re.compile(
    r"\A[-—–]*\s*(?:\(?(?:" + "|".join(re.escape(a) for a in WIRE_AGENCIES) + r")\)?)\s*\Z"
)
CREDIT_BYLINE = re.compile(
    r"\A(?:Reporting|Writing|Additional reporting|Editing) by [^\n]{1,200}\Z", re.IGNORECASE
)

# --- attribution: quotation marks at the character level ------------------------------------
# Marks that open or close a quotation in running text (straight `"` is decided by context).
# Curly single quotes are left out: they double as apostrophes ("Putin’s", "shouldn‘t").
CHAR_QUOTE_OPEN = frozenset({"“", "„", "«"})
CHAR_QUOTE_CLOSE = frozenset({"”", "»"})
CHAR_QUOTE_STRAIGHT = '"'
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")

# --- attribution: cue verbs ------------------------------------------------------------------
# Lemma -> certainty the verb lends its content (the factuality scale, +3 .. -3).
CUE_VERBS: dict[str, float] = {
    "say": 3.0,
    "tell": 3.0,
    "add": 3.0,
    "warn": 3.0,
    "insist": 3.0,
    "tweet": 3.0,
    "post": 3.0,
    "concede": 3.0,
    "sigh": 3.0,
    "claim": 3.0,
    "report": 3.0,
    "state": 3.0,
    "explain": 3.0,
    "note": 3.0,
    "argue": 3.0,
    "write": 3.0,
    "announce": 3.0,
    "confirm": 3.0,
    "declare": 3.0,
    "assert": 3.0,
    "allege": 2.5,
    "acknowledge": 3.0,
    "admit": 3.0,
    "contend": 3.0,
    "emphasize": 3.0,
    "stress": 3.0,
    "recall": 3.0,
    "reply": 3.0,
    "respond": 3.0,
    "answer": 3.0,
    "comment": 3.0,
    "maintain": 3.0,
    "reveal": 3.0,
    "disclose": 3.0,
    "testify": 3.0,
    "joke": 3.0,
    "quip": 3.0,
    "shout": 3.0,
    "whisper": 3.0,
    "complain": 3.0,
    "boast": 3.0,
    "vow": 3.0,
    "promise": 3.0,
    "predict": 2.0,
    "estimate": 2.0,
    "believe": 2.0,
    "expect": 2.0,
    "suspect": 1.0,
    "fear": 1.0,
    "suggest": 1.0,
    "think": 0.5,
    "speculate": 0.5,
    "guess": 0.5,
    "wonder": 0.0,
    "ask": 0.0,
    "hope": 0.0,
    "doubt": -1.5,
    "deny": -3.0,
    "dismiss": -2.5,
    "reject": -2.5,
}
# Irregular forms the lemmatizer may miss; regular ones (-s, -ed, -ing) are derived.
CUE_IRREGULAR: dict[str, str] = {
    "said": "say",
    "says": "say",
    "saying": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "thought": "think",
    "denied": "deny",
    "denies": "deny",
    "replied": "reply",
    "replies": "reply",
    "testified": "testify",
}
# Forms that are far more often nouns ("news reports", "his claims"): a cue only when the
# parser calls them a verb.
CUE_NOUN_LIKE = frozenset(
    {"report", "reports", "claim", "claims", "post", "posts", "note", "notes", "state", "answer"}
)
CUE_NOUN_LIKE |= frozenset({"comment", "comments", "fear", "fears", "hope", "hopes", "doubt"})
CUE_NOUN_LIKE |= frozenset({"doubts", "stress", "estimate", "estimates", "guess", "promise"})
CUE_NOUN_LIKE |= frozenset({"tweet", "tweets", "answers", "reply", "replies", "joke", "jokes"})
CUE_NOUN_LIKE |= frozenset({"vow", "vows", "promises", "shout", "whisper", "add", "adds"})
CUE_NOUN_LIKE |= frozenset({"respond", "answering", "wonder", "admit", "recall", "maintain"})
CUE_NOUN_LIKE |= frozenset({"reveal", "reject", "dismiss", "expect", "suspect", "suspects"})

# --- attribution: the phrase "according to" and its kin --------------------------------------
ACCORDING_TO: tuple[tuple[str, ...], ...] = (("according", "to"),)

# --- attribution: sources without a name -----------------------------------------------------
# Head nouns of unnamed sources ("analysts", "a source close to the Kremlin", "officials").
UNNAMED_SOURCE_NOUNS = frozenset(
    [
        "analyst",
        "analysts",
        "source",
        "sources",
        "official",
        "officials",
        "expert",
        "experts",
        "observer",
        "observers",
        "insider",
        "insiders",
        "report",
        "reports",
        "aide",
        "aides",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "spokespeople",
        "diplomat",
        "diplomats",
        "person",
        "people",
        "witness",
        "witnesses",
        "investigator",
        "investigators",
        "authority",
        "authorities",
        "critic",
        "critics",
        "lawmaker",
        "lawmakers",
        "member",
        "members",
        "adviser",
        "advisers",
        "advisor",
        "advisors",
        "staffer",
        "staffers",
        "employee",
        "employees",
        "resident",
        "residents",
        "officer",
        "officers",
        "agent",
        "agents",
        "commentator",
        "commentators",
        "researcher",
        "researchers",
        "study",
        "studies",
        "survey",
        "surveys",
        "poll",
        "polls",
        "police",
        "prosecutor",
        "prosecutors",
        "intelligence",
        "media",
        "journalist",
        "journalists",
        "reporter",
        "reporters",
        "government",
        "administration",
        "ministry",
        "department",
        "agency",
        "campaign",
        "statement",
        "document",
        "documents",
        "memo",
        "leaders",
        "leader",
        "someone",
        "colleague",
        "colleagues",
        "friend",
        "friends",
        "family",
        "relatives",
        "neighbor",
        "neighbors",
        "scientist",
        "scientists",
        "doctor",
        "doctors",
        "economist",
        "economists",
        "historian",
        "historians",
        "academic",
        "academics",
        "professor",
        "group",
        "groups",
        "organization",
        "organisers",
        "organizers",
        "protesters",
        "activists",
        "activist",
        "supporters",
        "opponents",
        "voters",
        "lawyer",
        "lawyers",
        "attorney",
        "attorneys",
        "spokesmen",
        "general",
        "generals",
    ]
)
# Head nouns of sources that are themselves reports: "reports say" is unattributed.
REPORT_NOUNS = frozenset(
    {"report", "reports", "rumor", "rumors", "rumour", "rumours", "speculation", "word"}
)
SOURCE_PRONOUNS = {"he": "PERSON", "she": "PERSON", "it": "ORG"}
# Pronouns that stand for a source we cannot name from the article.
UNNAMED_PRONOUNS = frozenset({"they", "we", "i", "you", "one", "who", "which"})

# --- attribution: channels -------------------------------------------------------------------
# Words that come before a channel, right after the cue or the source: "told X",
# "in an interview with X", "said on X", "wrote in X", "speaking to X".
CHANNEL_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("in", "an", "interview", "with"),
    ("in", "an", "interview", "on"),
    ("in", "an", "interview", "to"),
    ("in", "a", "statement", "to"),
    ("in", "a", "post", "on"),
    ("in", "a", "tweet", "on"),
    ("in", "a", "letter", "to"),
    ("in", "an", "op-ed", "in"),
    ("in", "a", "column", "in"),
    ("speaking", "to"),
    ("speaking", "with"),
    ("talking", "to"),
    ("on",),
    ("in",),
    ("to",),
)
# Words that make a name an outlet or a platform (a channel), not a speaker.
OUTLET_WORDS = frozenset(
    [
        "news",
        "times",
        "post",
        "journal",
        "press",
        "herald",
        "tribune",
        "telegraph",
        "guardian",
        "gazette",
        "daily",
        "weekly",
        "magazine",
        "radio",
        "tv",
        "television",
        "network",
        "channel",
        "broadcasting",
        "broadcaster",
        "newspaper",
        "paper",
        "website",
        "blog",
        "podcast",
        "agency",
        "wire",
        "review",
        "observer",
        "standard",
        "express",
        "mirror",
        "sun",
        "independent",
        "economist",
        "politico",
        "axios",
        "reuters",
        "ap",
        "afp",
        "bloomberg",
        "cnn",
        "bbc",
        "nbc",
        "abc",
        "cbs",
        "msnbc",
        "fox",
        "cnbc",
        "npr",
        "pbs",
        "sky",
        "euronews",
        "aljazeera",
        "jazeera",
        "tass",
        "interfax",
        "ria",
        "novosti",
        "xinhua",
        "telegram",
        "twitter",
        "x",
        "facebook",
        "instagram",
        "youtube",
        "tiktok",
        "truth",
        "social",
        "substack",
        "reddit",
        "linkedin",
        "weibo",
        "vk",
        "whatsapp",
        "a.m.",
        "kommersant",
        "vedomosti",
        "izvestia",
        "pravda",
        "nyt",
        "wsj",
    ]
)
# Time words after "on" / "in" that are never a channel: "said on Monday".
TIME_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "today",
        "yesterday",
        "tonight",
        "morning",
        "afternoon",
        "evening",
        "night",
        "week",
        "month",
        "year",
        "weekend",
    ]
)

# --- attribution: content without a source ---------------------------------------------------
# Adverbs and participles that carry content with no source: "is reportedly frustrated".
UNATTRIBUTED_ADVERBS = frozenset(
    {"reportedly", "allegedly", "supposedly", "purportedly", "rumored", "rumoured"}
)
# Nouns that carry content with no source: "rumors that ...", "reports of ...".
UNATTRIBUTED_NOUNS = frozenset(
    {"rumor", "rumors", "rumour", "rumours", "report", "reports", "speculation"}
)
UNATTRIBUTED_LINKS = frozenset({"that", "about", "of"})

# --- certainty: hedges -----------------------------------------------------------------------
# Words inside the content that set how committed the source sounds (a ceiling on the score).
HEDGES: dict[tuple[str, ...], float] = {
    ("certainly",): 3.0,
    ("highly", "likely"): 2.0,
    ("very", "likely"): 2.0,
    ("most", "likely"): 2.0,
    ("likely",): 2.0,
    ("probably",): 2.0,
    ("presumably",): 2.0,
    ("i", "believe"): 2.0,
    ("we", "believe"): 2.0,
    ("should",): 1.5,
    ("apparently",): 1.5,
    ("seems",): 1.0,
    ("appears",): 1.0,
    ("could",): 0.5,
    ("may",): 0.5,
    ("might",): 0.5,
    ("possibly",): 0.5,
    ("possible",): 0.5,
    ("perhaps",): 0.5,
    ("maybe",): 0.5,
    ("potentially",): 0.5,
    ("i", "think"): 0.5,
    ("we", "think"): 0.5,
    ("i", "guess"): 0.5,
    ("not", "sure"): 0.0,
    ("unclear",): 0.0,
    ("unlikely",): -1.5,
    ("doubtful",): -1.5,
    ("i", "doubt"): -1.5,
    ("i", "don't", "think"): -1.5,
    ("i", "don’t", "think"): -1.5,
    ("i", "do", "n't", "think"): -1.5,
    ("i", "do", "n’t", "think"): -1.5,
    ("i", "do", "not", "think"): -1.5,
    ("not", "true"): -3.0,
}
# Reporter's hedges that wrap the content: each lowers the score by its value.
WRAPPERS: dict[str, float] = {
    "reportedly": 1.0,
    "allegedly": 1.5,
    "supposedly": 1.5,
    "purportedly": 1.5,
    "rumored": 2.0,
    "rumoured": 2.0,
    "rumor": 2.0,
    "rumors": 2.0,
    "rumour": 2.0,
    "rumours": 2.0,
    "reports": 1.0,
    "report": 1.0,
    "speculation": 2.5,
    "unconfirmed": 2.0,
}
# Each hedge after the first lowers the score a little more.
HEDGE_STACK_PENALTY = 0.25
# Negation right before a cue verb ("did not say", "don't believe").
NEGATIONS = frozenset({"not", "n't", "n’t", "never", "no"})

# --- entity rules -----------------------------------------------------------------------------
# Titles and honorifics that precede a name but are not part of it ("Ms Pugh" -> "Pugh").
PERSON_TITLES = frozenset(
    """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sir dame lord lady rev rev. reverend
    president vice prime minister secretary senator sen sen. rep rep. representative
    governor gov gov. mayor chancellor premier king queen prince princess pope cardinal
    archbishop bishop sheikh ayatollah general gen gen. lt lt. col col. capt capt. sgt sgt.
    adm adm. admiral commander colonel major lieutenant sergeant captain judge justice
    ambassador chairman chairwoman chair ceo coach officer detective inspector commissioner
    councilman councilwoman councillor congressman congresswoman assemblyman spokesman
    spokeswoman spokesperson director superintendent sheriff attorney
    """.split()
)
# Verbs whose subject, when it is an unlabelled proper noun, is a person ("Leive said").
SPEECH_VERB_LEMMAS = frozenset(
    """
    say tell add explain write note argue claim insist warn recall admit acknowledge
    concede sigh tweet post suggest believe think reply respond ask answer continue
    """.split()
)
# Head words that mark a proper-noun subject as an organisation, not a person.
ORG_HEAD_WORDS = frozenset(
    """
    police ministry department office agency council committee commission court government
    company corporation group party union university college institute bank board army
    service services times post news journal press network
    """.split()
)

# --- paragraphs ---------------------------------------------------------------------------------
# A blank line (maybe with spaces) ends a paragraph; the break stays with the paragraph before.
PARAGRAPH_END = re.compile(r"\n[ \t\r\f\v]*\n\s*")

# === stance toward a claim (eval/stance.py, Emergent) ==========================================
# Written for the stance scorer; nothing else matches on these.  Lower-case words or lemmas,
# matched against a headline's tokens (their text or their lemma, lower-cased).
# Words that refute what they report, after Ferreira & Vlachos (NAACL 2016): "Met police
# denies ...", "... is a hoax", "Fake story ...".
STANCE_REFUTING = frozenset(
    """
    fake fraud hoax false deny denies denied refute refutes debunk debunks debunked bogus
    prank pranks retract retracts retracted nope despite doubt doubts myth untrue
    """.split()
)
# Words that report without committing, after Ferreira & Vlachos (NAACL 2016): "allegedly",
# "report says", "could", "rumoured".
STANCE_HEDGING = frozenset(
    """
    alleged allegedly apparently appear appears claim claims claimed could evidently largely
    likely mainly may maybe might mostly perhaps presumably probably purported purportedly
    reported reportedly rumor rumors rumour rumours rumored rumoured say says seem seems
    somewhat unconfirmed unverified
    """.split()
)

# === multi-article ingest (ingest/records.py, ingest/sources.py) ==============================
# The field names a JSON or CSV record may give each article field under, first match wins
# (CSV headers are matched case-insensitively).  `--field text=NAME` replaces a field's list.
# "body-paragraphs" and "source" are BASIL's; "date" is the Wikinews CSV's.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "body-paragraphs", "content", "article"),
    "published": ("published", "date", "published_at", "pubdate", "datePublished"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename"),
    "url": ("url", "link", "uri"),
    "title": ("title", "headline"),
    "language": ("language", "lang"),
}
# A publication date in a URL's path, as publishers write it: /2019/07/03/, /2019-07-03-,
# /20190703/.  Matched on the path only; an impossible date (2019/02/30) is no date.
URL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?=/|$)"),
    re.compile(
        r"[/_-](?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
    ),
    re.compile(r"/(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"),
)

# === outlet identity (store/outlets.py) ========================================================
# Written for the store's outlet identity; nothing else matches on these.  Domains are
# lower-case, without "www.".
# Host prefixes that name a version of a site, not another site: "www.", "m.", "amp." ...
OUTLET_HOST_PREFIXES = re.compile(r"^(?:www\d*|m|amp|mobile)$")
# Public suffixes of more than one label: the outlet of "news.bbc.co.uk" is "bbc.co.uk", not
# "co.uk".  Single-label suffixes (".com", ".de") need no list.
OUTLET_MULTI_LABEL_SUFFIXES = frozenset(
    """
    co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk net.uk
    com.au net.au org.au gov.au edu.au co.nz org.nz net.nz govt.nz
    co.jp ne.jp or.jp go.jp co.kr or.kr co.in net.in org.in gov.in co.id or.id
    co.za org.za co.il org.il co.ke co.ug co.tz com.ng com.gh com.eg
    com.br com.ar com.mx com.co com.pe com.ve com.uy com.cn com.hk com.tw com.sg com.my
    com.ph com.pk com.bd com.tr com.ua com.ru com.pl com.sa com.qa com.kw com.lb com.cy
    """.split()
)
# Hosts on which each subdomain is a publication of its own: "someone.substack.com" is not
# "substack.com".  (go.com hosts both ABC News and ESPN.)
OUTLET_HOSTING_DOMAINS = frozenset(
    """
    blogspot.com wordpress.com substack.com medium.com tumblr.com github.io livejournal.com
    typepad.com wixsite.com weebly.com go.com
    """.split()
)
# Outlets known by more than one name or domain: (canonical name, canonical domain,
# other names and domains).  Names are matched after normalisation (case, punctuation and a
# leading "the" do not matter), so list only names that normalise differently.
KNOWN_OUTLETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Associated Press", "apnews.com", ("AP", "AP News", "ap.org")),
    ("Reuters", "reuters.com", ("Thomson Reuters",)),
    ("Agence France-Presse", "afp.com", ("AFP", "Agence France Presse")),
    ("BBC News", "bbc.co.uk", ("BBC", "bbc.com", "BBC World Service")),
    ("The New York Times", "nytimes.com", ("NYT", "NY Times")),
    ("The Wall Street Journal", "wsj.com", ("WSJ", "Wall St Journal")),
    ("The Washington Post", "washingtonpost.com", ("WaPo",)),
    ("The Guardian", "theguardian.com", ("guardian.co.uk",)),
    ("Financial Times", "ft.com", ("FT",)),
    ("Daily Mail", "dailymail.co.uk", ("Mail Online", "MailOnline")),
    ("Sky News", "sky.com", ("news.sky.com",)),
    ("Sky News Australia", "skynews.com.au", ()),
    ("CNN", "cnn.com", ("CNN International",)),
    ("ABC News", "abcnews.go.com", ()),
    ("Al Jazeera", "aljazeera.com", ("aljazeera.net",)),
    ("TASS", "tass.com", ("tass.ru", "ITAR-TASS")),
    ("RIA Novosti", "ria.ru", ("RIA",)),
    ("Yeshiva World News", "theyeshivaworld.com", ("YWN",)),
    ("City A.M.", "cityam.com", ()),
)

# === provenance (provenance.py) ===============================================================
# Channels that are a platform the source speaks on itself ("wrote on Telegram"): a source
# heard there is heard first-hand, not through an outlet.  Normalised names (outlets.py).
PLATFORM_CHANNELS = frozenset(
    """
    telegram twitter x facebook instagram youtube tiktok reddit
    linkedin weibo wechat vk vkontakte whatsapp threads bluesky mastodon substack rumble
    gab parler discord signal snapchat
    """.split()
) | frozenset({"truth social", "social media", "state television", "state tv"})
# Words before a name that make it a determiner-led description, not a name ("the paper").
PROVENANCE_DETERMINERS = frozenset({"the", "a", "an"})
# A citation in the text that the attribution rules do not make an attribution of: "as first
# reported by the Daily Mail", "reported earlier in The Times", "a report by City A.M.",
# "(via Reuters)".  `outlet`: the capitalised name after it (a leading "the" kept).
CITATION_PHRASE = re.compile(
    r"(?:\b(?:first|originally|earlier|previously|initially)\s+)?\breported\s+"
    r"(?:(?:first|earlier|originally|previously)\s+)?(?:by|in|on)\s+"
    r"|\b(?:a|an|the)\s+(?:report|article|story|interview|investigation|exclusive)\s+"
    r"(?:by|in|from|on|with)\s+"
    r"|\bvia\s+",
    re.IGNORECASE,
)
CITATION_OUTLET = re.compile(
    r"(?P<outlet>(?:[Tt]he\s+)?[A-Z][\w.&'’-]*(?:\s+(?:(?:of|for|and|&)\s+)?[A-Z][\w.&'’-]*)*)"
)

# === stories (link/stories.py) ================================================================
# Written for story clustering; nothing else matches on these.  The coarse tags (UPOS) of the
# tokens whose lemmas make an article's terms: what an event is about, not how it is told.
STORY_TERM_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})

# === suggested resolutions (suggestions.py) ===================================================
# Who may deny a claim on behalf of the entity it is about: a source whose words or descriptors
# name it a spokesperson ("Kremlin spokesman Dmitry Peskov") ...
SPOKESPERSON_PHRASES = (
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "spokespeople",
    "spokesmen",
    "spokeswomen",
    "press secretary",
    "press office",
    "press service",
    "representative",
    "aide",
)
# ... or an official body that speaks for its head (normalised names: outlets.normalise_name).
OFFICIAL_VOICES = frozenset(
    {
        "kremlin",
        "white house",
        "downing street",
        "elysee",
        "elysee palace",
        "pentagon",
        "state department",
        "foreign ministry",
        "defence ministry",
        "defense ministry",
        "ministry of defence",
        "ministry of defense",
        "ministry of foreign affairs",
        "government",
        "presidential administration",
        "presidential office",
        "press office",
        "press service",
    }
)
# Words left out when comparing a denial's content with a claim's statement.
SUGGESTION_STOPWORDS = frozenset(
    {
        "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "that", "this", "with",
        "by", "at", "from", "as", "is", "was", "were", "be", "been", "has", "had", "have", "it",
        "its", "his", "her", "their", "he", "she", "they", "over", "not", "no", "would", "will",
        "could", "should", "may", "might", "did", "does", "do",
    }
)  # fmt: skip
