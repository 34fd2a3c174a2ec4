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
