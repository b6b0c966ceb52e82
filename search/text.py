"""Text normalisation shared by documents and queries.

The minimal Elasticsearch distribution has no asciifolding and no language
stemmers, so accents, case and plurals are normalised here, identically for
indexed text and for query text; the mapping then only needs the standard
analyzer, which exists everywhere.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters NFKD does not split into a base letter and an accent.
_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "ß": "ss"})
_WORD = re.compile(r"\w+")
# French elisions (l'inox, d'aluminium, qu'il): the clipped article is not a word a text must contain.
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu)['’]")


def fold(text: str) -> str:
    """Lower case without accents: 'Découpe Laser' -> 'decoupe laser'."""
    if text.isascii():  # most text: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def singular(word: str) -> str:
    """A light French/English plural normaliser (not a stemmer: it only drops plural marks).

    soudures -> soudure, metaux -> metal, bateaux -> bateau, assemblies -> assembly.
    Short words are left alone so that 'gas', 'bus' or 'ips' keep their meaning.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith(("eaux", "eux")):
        return word[:-1]
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Words that say nothing about a supplier: without this, "fraisage et tournage"
# would require the word "et" in the profile.
STOP_WORDS = frozenset(
    "a au aux avec ce ces dans de des du en et la le les leur ou par pour sur un une "
    "an and at by for from in of on or the to with".split())


SHORT_TEXT = 80  # labels, cities, names: they repeat across a million documents


def terms(text: str | None) -> list[str]:
    """The normalised words of a text, in order."""
    return analysed(text).split()


def analysed(text: str | None) -> str:
    """The normalised words of one text, separated by single spaces (a word holds no space)."""
    if not text:
        return ""
    if len(text) <= SHORT_TEXT:
        return _cached_analysed(text)
    # Descriptions are unique but their words are not. Normalising whitespace-separated pieces
    # one by one gives the same words (folding works character by character, and no word or
    # elision spans a space) from a cache: three times faster.
    return " ".join(filter(None, map(_cached_analysed, text.split())))


def _normalise(text: str) -> str:
    words = _WORD.findall(_ELISION.sub(" ", fold(text)))
    return " ".join(singular(word) for word in words if word not in STOP_WORDS)


_cached_analysed = functools.lru_cache(maxsize=131_072)(_normalise)


def analyze(*texts: str | None) -> str:
    """Normalised words of several texts, as one string the standard analyzer splits on spaces."""
    return " ".join(filter(None, map(analysed, texts)))
