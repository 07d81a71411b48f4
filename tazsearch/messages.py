"""The messages of the errors a user's query or filters cause, in English and German.

The CLI and the JSON API speak English; the web page speaks German. Each
message is defined here once, as a pair of templates with the same named
parameters, and an error is built from a message and its parameters: the two
languages cannot drift apart, and no error can be raised without its German.

A template shows a parameter in one of these ways:

- ``{name!r}`` (English) and ``{name!q}`` (German) quote input as data: English
  as Python's ``repr``, German in „…“ with the same escapes, so that input can
  neither end the quotation nor the line;
- ``{name!v}`` shows text that is already plain (a field name, an operator, a
  date that was read) with any control character as a visible escape;
- ``{name}`` takes a number, or a :class:`Text`: a part already in both
  languages, such as the list of fields. A string without a conversion is
  refused, so no input and no English can slip into a message unquoted.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .safetext import visible

# What German quotes end with; in quoted input it is escaped, as repr escapes its quote.
_CLOSING_QUOTE = "\u201c"


class Text(NamedTuple):
    """One line of text in English and in German."""

    en: str
    de: str


class Message(NamedTuple):
    """A message as a pair of templates with the same named parameters."""

    en: str
    de: str

    def __call__(self, **params: Any) -> Text:
        """Both languages, each template filled in with the same parameters."""
        return Text(_ENGLISH.format(self.en, **params), _GERMAN.format(self.de, **params))


class Reason(NamedTuple):
    """A reason whose English is Python's own (a ValueError's words, shown as they
    always were), in German words of ours."""

    de: str

    def __call__(self, python: Exception, **params: Any) -> Text:
        return Text(visible(str(python)), _GERMAN.format(self.de, **params))


def german_quoted(text: str) -> str:
    """Text in German quotes „…“, escaped as ``repr`` escapes it: a backslash, a
    closing quote and every character that is not printable show as escapes."""
    escaped = "".join(
        "\\" + char
        if char in ("\\", _CLOSING_QUOTE)
        else char
        if char.isprintable()
        else repr(char)[1:-1]
        for char in text
    )
    return f"\u201e{escaped}{_CLOSING_QUOTE}"


class _Formatter(string.Formatter):
    """Fills in one language's templates under the rules of the module docstring."""

    def __init__(self, language: str) -> None:
        self.language = language

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is None:
            if isinstance(value, Text):
                return getattr(value, self.language)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise TypeError(f"{type(value).__name__} in a message needs !v or a quoting conversion")
        if isinstance(value, Text):
            raise TypeError("a Text in a message takes no conversion")
        if conversion == "v":
            return visible(str(value))
        if conversion == "r" and self.language == "en":
            return visible(repr(value))
        if conversion == "q" and self.language == "de":
            return german_quoted(value) if isinstance(value, str) else visible(repr(value))
        raise ValueError(f"!{conversion} is no conversion of the {self.language} templates")


_ENGLISH = _Formatter("en")
_GERMAN = _Formatter("de")


def choices(values: Iterable[str], german: Mapping[str, str]) -> Text:
    """Accepted values, listed: English as they are written, German by their names.

    A value without a German name is a KeyError when the list is made, at import.
    """
    listed = list(values)
    names = [german[value] for value in listed]
    return Text(", ".join(listed), ", ".join(names[:-1]) + " und " + names[-1])


DATE_FORMS = Text("YYYY, YYYY-MM or YYYY-MM-DD", "JJJJ, JJJJ-MM oder JJJJ-MM-TT")
SORT_NAMES = {"relevance": "Relevanz", "newest": "neueste zuerst", "oldest": "älteste zuerst"}
# The counts of Index.search and iter_articles, by their parameter names.
COUNT_NAMES = {
    "limit": Text("limit", "Die Zahl der Treffer pro Seite"),
    "page": Text("page", "Die Seitennummer"),
    "page_size": Text("page_size", "Die Seitengröße"),
}
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September")
MONTHS += ("Oktober", "November", "Dezember")

# The query as a whole: what is wrong with it follows as ``reason``.
QUERY_AT = Message(
    "cannot read the query {query!r} at character {at}: {reason}",
    "Die Suche {query!q} ist an Stelle {at} nicht lesbar: {reason}",
)
QUERY = Message(
    "cannot read the query {query!r}: {reason}",
    "Die Suche {query!q} ist nicht lesbar: {reason}",
)
NOTHING_TO_SEARCH = Message(
    "nothing to search for in {query!r}: stop words and punctuation are not indexed",
    "In der Suche {query!q} steht nichts, wonach sich suchen lässt: "
    "Füllwörter und Satzzeichen sind nicht im Suchindex.",
)

# Reasons a query cannot be read.
NOTHING_AFTER = Message(
    "{op!v} needs something to search for after it",
    "Nach {op!q} fehlt, wonach gesucht werden soll.",
)
NOTHING_BEFORE = Message(
    "{op!v} needs something to search for before it",
    "Vor {op!q} fehlt, wonach gesucht werden soll.",
)
TWICE = Message(
    "{op!v} cannot come twice before one clause",
    "{op!q} kann nicht zweimal vor demselben Suchwort stehen.",
)
NO_OPENING = Message(
    '")" has no "(" before it',
    "Zur schließenden Klammer „)“ fehlt die öffnende „(“ davor.",
)
NOT_CLOSED = Message(
    '"(" is not closed',
    "Die Klammer „(“ wird nicht geschlossen.",
)
QUOTE_NOT_CLOSED = Message(
    "the quote is not closed",
    "Das Anführungszeichen wird nicht geschlossen.",
)
CANNOT_STAND_HERE = Message(
    "{text!r} cannot stand here",
    "{text!q} kann hier nicht stehen.",
)
RANGE_SIGN = Message(
    "{sign!v} belongs to a date range such as date:[2020 TO 2021]",
    "{sign!q} gehört zu einem Zeitraum wie date:[2020 TO 2021].",
)
AFTER_A_WORD = Message(
    "{sign!v} must follow a word, as in Merkel{sign!v}2",
    "{sign!q} muss direkt auf ein Wort folgen, wie in Merkel{sign!v}2.",
)
COLON_ALONE = Message(
    ": must follow a field name ({fields}), as in title:Merkel",
    "„:“ muss auf einen Feldnamen folgen ({fields}), wie in title:Merkel.",
)
COMPARES_DATES = Message(
    "{sign!v} compares dates, as in date:{sign!v}2020",
    "{sign!q} vergleicht ein Datum, wie in date:{sign!v}2020.",
)
NO_FIELD = Message(
    "there is no field {name!r}: use {fields}",
    "Ein Feld {name!q} gibt es nicht; möglich sind {fields}.",
)
FIELD_IN_FIELD = Message(
    "{name!v}: cannot stand inside another field's ( )",
    "{name!v}: kann nicht in den Klammern eines anderen Feldes stehen.",
)
FIELD_EMPTY = Message(
    "{name!v}: needs a word, a phrase or a ( group ) after it",
    "Nach {name!v}: fehlt ein Suchwort, eine Phrase in Anführungszeichen oder eine ( Gruppe ).",
)
FUZZY_TOO_FAR = Message(
    "~{fuzzy}: a word may be {most} edits away at most",
    "~{fuzzy} ist zu unscharf; ein Wort darf um höchstens {most} Zeichen abweichen.",
)
PATTERN_FUZZY = Message(
    "a prefix or wildcard cannot also be fuzzy (~)",
    "Ein Wort mit * oder ? kann nicht zugleich unscharf (~) gesucht werden.",
)
STAR_IN_FIELD = Message(
    "{field!v}:{word!v} is not searched: * alone in a field would read every posting "
    "of the index; give the field a word or the start of one (title:Nord*), or search * "
    "for every article",
    "{field!v}:{word!v} wird nicht gesucht, denn * allein in einem Feld müsste den ganzen "
    "Suchindex lesen. Ins Feld gehört ein Wort oder ein Wortanfang (title:Nord*); "
    "* allein findet alle Artikel.",
)
WHOLE_NUMBER = Message(
    "{sign!v} takes a whole number, not {number!v}",
    "Nach {sign!q} steht eine ganze Zahl, nicht {number!q}.",
)
NUMBER_OR_NOTHING = Message(
    "{sign!v} takes a number or nothing, not {word!r}",
    "Nach {sign!q} steht eine Zahl oder nichts, nicht {word!q}.",
)
NUMBER_NEEDED = Message(
    "{sign!v} needs a number right after it, as in {example!v}",
    "Direkt nach {sign!q} muss eine Zahl stehen, wie in {example!v}.",
)

# Dates, in a query's date: and in the filters.
DATE_AFTER = Message(
    "date:{sign!v} needs a date after it",
    "Nach date:{sign!v} fehlt ein Datum.",
)
DATE_NEEDED = Message(
    "date: needs a date ({forms}) or a range after it",
    "Nach date: fehlt ein Datum ({forms}) oder ein Zeitraum.",
)
RANGE_NOT_CLOSED = Message(
    "{bracket!v} is not closed",
    "Die Klammer {bracket!q} wird nicht geschlossen.",
)
RANGE_FORM = Message(
    "a date range is date:[A TO B], with dates ({forms}) or * for A and B",
    "Ein Zeitraum hat die Form date:[A TO B], mit einem Datum ({forms}) oder * für A und B.",
)
RANGE_BACKWARDS = Message(
    "the range starts after it ends ({first!v} to {last!v})",
    "Der Zeitraum beginnt nach seinem Ende ({first!v} bis {last!v}).",
)
NO_DATE = Message(
    "cannot read the date {text!r}: use {forms}",
    "{text!q} ist kein Datum; ein Datum hat die Form {forms}.",
)
# ``reason`` is a :class:`Reason`: Python's own words in English, ours in German.
NO_SUCH_DATE = Message(
    "cannot read the date {text!r}: {reason}",
    "{text!q} ist kein Datum: {reason}",
)
YEAR_ZERO = Reason("Die Jahre beginnen mit 0001.")
NO_SUCH_MONTH = Reason("Ein Jahr hat die Monate 1 bis 12.")
NO_SUCH_DAY = Reason("Der {month!v} {year} hat die Tage 1 bis {days}.")
SINCE_AFTER_UNTIL = Message(
    "--since {since!v} is after --until {until!v}",
    "Der Zeitraum beginnt ({since!v}) nach seinem Ende ({until!v}).",
)

# The other parameters of a search.
BAD_SORT = Message(
    "cannot sort by {sort!r}: use one of {sorts}",
    "Eine Sortierung {sort!q} gibt es nicht; möglich sind {sorts}.",
)
BAD_COUNT = Message(
    "{name} must be a whole number of at least 1, not {value!r}",
    "{name} muss eine ganze Zahl ab 1 sein, nicht {value!q}.",
)
NOT_STRINGS = Message(
    "author and tag filters take strings, not {given!r}",
    "Autoren- und Schlagwortfilter nehmen nur Text an, nicht {given!q}.",
)


class Note(str):
    """A remark on how a search was made (a limit that cut it short): the string
    is its English, as the CLI and the API show it; ``german`` is for the page."""

    german: str

    def __new__(cls, text: Text) -> Note:
        note = super().__new__(cls, text.en)
        note.german = text.de
        return note

    def __getnewargs__(self) -> tuple[Text]:  # type: ignore[override]
        return (Text(str(self), self.german),)


def number(n: int) -> Text:
    """A count as each language writes it: 10,000 and 10.000."""
    return Text(f"{n:,}", f"{n:,}".replace(",", "."))


# Notes: what a limit left out of a search.
TOO_MANY_TERMS = Message(
    "{label!v} matches more than {limit} terms; only the first {limit} were searched",
    "{label!q} passt auf mehr als {limit} Wörter; gesucht wurde nur nach den ersten {limit}.",
)
TERMS_CUT = Message(
    "{label!v}: only {found} of its terms were searched, for the prefixes, wildcards and "
    "fuzzy words of a query search at most {total} terms together",
    "Für {label!q} wurde nur nach {found} seiner Wörter gesucht: Präfixe, Platzhalter und "
    "unscharfe Wörter einer Suche finden zusammen höchstens {total} Wörter.",
)
TERMS_NOT_SEARCHED = Message(
    "{label!v}: not searched, for the prefixes, wildcards and fuzzy words of a query "
    "search at most {total} terms together",
    "{label!q} wurde nicht gesucht: Präfixe, Platzhalter und unscharfe Wörter einer Suche "
    "finden zusammen höchstens {total} Wörter.",
)
TOO_MANY_WORDS = Message(
    "the query has more than {limit} words; only the first {limit} were searched",
    "Die Suche hat mehr als {limit} Wörter; gesucht wurde nur nach den ersten {limit}.",
)
WORD_CUT = Message(
    "{start!v}… is {length} characters long; only its first {limit} were searched",
    "{start!q}… ist {length} Zeichen lang; gesucht wurde nur nach den ersten {limit}.",
)
LEFT_OUT = Message(
    "{part!v} was left out: stop words and punctuation are not indexed",
    "{part!q} blieb unberücksichtigt: Füllwörter und Satzzeichen stehen nicht im Index.",
)
NO_LONG_CORRECTIONS = Message(
    "did-you-mean does not correct words longer than {limit} letters",
    "Die Rechtschreibhilfe korrigiert keine Wörter mit mehr als {limit} Buchstaben.",
)
FIRST_UNKNOWN_WORDS = Message(
    "did-you-mean looked up only the first {limit} unknown words",
    "Die Rechtschreibhilfe hat nur die ersten {limit} unbekannten Wörter nachgeschlagen.",
)
NEAREST_WORDS = Message(
    "did-you-mean tried only the {limit} nearest words for {word!v}",
    "Die Rechtschreibhilfe hat für {word!q} nur die {limit} ähnlichsten Wörter geprüft.",
)
