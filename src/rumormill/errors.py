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
    E020 = "the shipped language model is missing or unreadable at {path}: {reason}"
    E021 = "{path}: bad model file: {reason}"
    E030 = "{path}: unknown evaluation data layout: {reason}"
    E031 = "{path}: line {line}: bad brat annotation {text!r}: {reason}"
    E032 = "{path}: bad BASIL file: {reason}"
    E033 = "{path}: line {line}: bad factuality record: {reason}"
    E034 = "{path}: bad uncertainty (Szeged XML) file: {reason}"
    E035 = "{path}: line {line}: bad Emergent record: {reason}"
    E040 = "{path}: attribution extraction failed: {reason}"

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
