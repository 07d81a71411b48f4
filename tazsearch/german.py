"""Facts of the German language that the analyzer and the compound splitter share."""

from __future__ import annotations

from whoosh.lang.stopwords import stoplists

UMLAUT_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
UMLAUT_FOLDS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _every_spelling(words: set[str]) -> frozenset[str]:
    """The words as written, with ae/oe/ue/ss and with plain vowels for umlauts."""
    spelled = set(words)
    for word in words:
        spelled.add(word.translate(UMLAUT_SPELLINGS))
        spelled.add(word.translate(UMLAUT_FOLDS))
    return frozenset(spelled)


# Snowball's German stop words.
STOP_WORDS = _every_spelling(set(stoplists["de"]))

# Interrogatives that Snowball's list lacks. In a question they say what kind
# of answer is wanted, not what it is about.
QUESTION_WORDS = _every_spelling(
    {
        "wann", "warum", "weshalb", "weswegen", "wieso", "wer", "wem", "wen", "wessen",
        "wieviel", "wieviele", "viele", "woher", "wohin", "womit", "wodurch", "wofür",
        "worauf", "woran", "worin", "woraus", "worüber", "wovon", "wozu", "welch",
    }
)  # fmt: skip

# Linking elements (Fugenelemente) between the parts of a compound, longest first.
COMPOUND_LINKS = ("ens", "es", "en", "er", "ns", "s", "n", "e", "")

# Derivational suffixes that are also words ("Schaft"), never the head of a compound.
NOT_COMPOUND_HEADS = frozenset({"schaft", "schaften", "ling", "linge", "lingen", "heit", "keit"})

# A query opening with one of these is a question, whether or not it ends in "?".
QUESTION_OPENERS = _every_spelling(
    {
        "wer", "wie", "was", "wann", "wo", "warum", "weshalb", "weswegen", "wieso", "welche",
        "welcher", "welches", "welchen", "welchem", "wem", "wen", "wessen", "wieviel",
        "woher", "wohin", "womit", "wodurch", "wofür", "worauf", "woran", "worin", "woraus",
        "worüber", "wovon", "wozu", "inwiefern", "inwieweit",
    }
)  # fmt: skip
