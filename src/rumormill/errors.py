"""Coded errors.  The library never prints: it raises one of these, with the cause chained.

Each code is stable so that users can search for it and scripts can match on it.
"""

from __future__ import annotations

from enum import StrEnum


class Errors(StrEnum):
    """Message templates, by code.  Format with keyword arguments."""

    E001 = "{path}: cannot read the file: {reason}"
    E002 = "{path}: the file is empty"
    E003 = "{path}: looks binary, not text (a NUL byte at offset {offset})"
    E004 = (
        "{path}: cannot decode the text: not UTF-8 (byte {offset}) and no other encoding "
        "fits; re-encode the file as UTF-8"
    )
    E005 = "{path}: too large ({size} bytes; the limit is {limit}; raise it with --max-bytes)"
    E006 = "{path}: no publication date; give one with --date YYYY-MM-DD"
    E007 = "{path}: bad date {value!r}; expected YYYY-MM-DD"
    E008 = "{path}: no article text after the header"
    E009 = "{path}: an HTML page with no main text: {reason}"
    E010 = "{path}: bad JSON at line {line}, column {column}: {reason}"
    E011 = "{path}: line {line}: expected a JSON object (one article), got {got}"
    E012 = "{path}: line {line}: the record has no text (field 'text' missing or empty)"
    E013 = "{path}: line {line}: field {field!r} must be a string or null, got {got}"
    E014 = "{path}: line {line}: bad CSV record: {reason}"
    E015 = "{path}: cannot read as CSV: {reason}"
    E016 = "{path}: bad feed: {reason}"
    E017 = "{path}: the feed entry has no article text: {reason}"
    E018 = "{path}: bad WARC archive: {reason}"
    E019 = "{path}: bad {kind} file: {reason}"
    E020 = "the shipped language model is missing or unreadable at {path}: {reason}"
    E021 = "{path}: bad model file: {reason}"
    E030 = "{path}: unknown evaluation data layout: {reason}"
    E031 = "{path}: line {line}: bad brat annotation {text!r}: {reason}"
    E032 = "{path}: bad BASIL file: {reason}"
    E033 = "{path}: line {line}: bad factuality record: {reason}"
    E034 = "{path}: bad uncertainty (Szeged XML) file: {reason}"
    E035 = "{path}: line {line}: bad Emergent record: {reason}"
    E040 = "{path}: attribution extraction failed: {reason}"
    E060 = "{path}: cannot open the store: {reason}"
    E061 = (
        "{path}: the store is newer than this rumormill (migration {n}; this version knows "
        "migrations up to {known}); upgrade rumormill"
    )
    E062 = "{path}: not a rumormill store: {reason}"
    E063 = "{path}: migration {n} ({name}) failed: {reason}"
    E064 = "{path}: cannot write to the store: {reason}"
    E065 = "{path}: cannot read from the store: {reason}"
    E066 = "bad search query {query!r}: {reason}"
    E067 = "unknown outlet {outlet!r}"
    E068 = "cannot merge outlet {outlet!r} into itself"
    E069 = "bad outlet alias {alias!r}: {reason}"
    E050 = "{path}: cannot fetch: {reason}"
    E051 = "{path}: robots.txt disallows fetching it for {agent}"
    E052 = "{path}: not a supported input: {reason}"
    E053 = "{path}: nothing to read: {reason}"
    E054 = "--field {spec!r}: bad field mapping: {reason}"
    E059 = "{path}: unexpected failure while reading: {reason}"
    E080 = "cannot restore the {what} from its saved state: {reason}"
    E090 = "the claim embedding model is missing or unreadable at {path}: {reason}"
    E091 = (
        "the {name} embedder needs the optional 'embed' extra "
        "(pip install 'rumormill[embed]'): {reason}"
    )
    E092 = "unknown embedder {name!r}; expected one of {names}"
    E093 = "no claim {claim_id} in the store"
    E094 = "unknown certainty label {label!r}; expected one of {labels}"
    E100 = "bad entity query {query!r}: {reason}"
    E105 = "bad export {what} {value!r}; expected {choices}"
    E106 = (
        "Parquet export needs the optional 'parquet' extra "
        "(pip install 'rumormill[parquet]'): {reason}"
    )
    E107 = "{path}: cannot write the export: {reason}"
    E108 = "cannot export {what} to a stream: {reason}"
    E110 = (
        "no article {article_id!r} in the store (give its id, or 8 or more of its first characters)"
    )
    E111 = "article id prefix {prefix!r} is ambiguous: {matches}; give more characters"
    E112 = "no story {story_id} in the store"
    E113 = "no entity {entity!r} in the store"
    E114 = "{name!r} names {n} entities: {choices}; give one of their ids"
    E115 = "bad provenance graph format {value!r}; expected one of {choices}"
    E116 = "{path}: cannot write the provenance graph: {reason}"
    E120 = "unknown outcome {outcome!r}; expected one of {outcomes}"
    E121 = "{path}: line {line}: bad LIAR record: {reason}"
    E125 = "claim {claim_id} has no resolution to undo"
    E126 = "a resolution needs evidence: a URL or a note (--evidence)"
    E127 = "a resolution needs its date (--date YYYY-MM-DD)"
    E128 = "no suggestion {suggestion_id} in the store"
    E129 = "suggestion {suggestion_id} is already {status}; only pending ones can be {wanted}"
    E130 = "bad sort {value!r}; expected one of {choices}"
    E135 = "{action} needs the server's token: {reason}"
    E136 = "the server is read-only: {action} is disabled"
    E137 = "cross-site request refused: {reason}"
    E138 = "bad search kind {value!r}; expected one of {choices}"
    E139 = "bad page {page} ({per_page} per page): pages run from 1 to {most}, 1 to 100 per page"
    E140 = "bad {name} {value!r}: expected {expected}"

    def message(self, **kwargs: object) -> str:
        return f"[{self.name}] " + self.value.format(**kwargs)


class RumormillError(Exception):
    """Base class for every error rumormill raises on purpose."""

    def __init__(self, code: Errors, **kwargs: object) -> None:
        self.code = code
        self.details = kwargs
        super().__init__(code.message(**kwargs))


class InputError(RumormillError):
    """One input (file, record, page) is unusable; a batch skips it and goes on."""


class ModelError(RumormillError):
    """The shipped model cannot be loaded."""


class AnalysisError(RumormillError):
    """One article could not be analysed; a batch skips it and goes on."""


class StoreError(RumormillError):
    """The store cannot be opened, migrated, read or written, or was asked something bad."""
