"""The trade's vocabulary, applied in Python at index time and at query time alike.

A group holds terms that mean the same thing ('inox', 'inoxydable', 'acier inoxydable',
'stainless steel'); api.reference.catalog reads the groups from their data file. Terms are
normalised as all search text is (search.text), so plurals, accents and case do not matter,
and a term may be several words ('commande numérique'). A group is one *concept*, named after
its first term.

A document carries the concepts its text mentions in a field of their own; a query word (or
run of words) that is a term asks for its words, as without a vocabulary, *or* its concept.
A supplier whose text holds the very word typed matches both and so scores above one whose
text only holds a synonym.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .text import SHORT_TEXT, terms


@dataclass(frozen=True)
class Unit:
    """A run of query words: one word, or the words of a term (then `concept` is its group)."""

    words: tuple[str, ...]
    concept: str | None = None


class Vocabulary:
    def __init__(self, groups: Iterable[Sequence[str]]):
        self._concept_of: dict[tuple[str, ...], str] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        for group in groups:
            concept = "_".join(terms(group[0]))
            self._terms[concept] = tuple(group)
            for term in group:
                # The data's own test forbids a term in two groups; the first would win here.
                self._concept_of.setdefault(tuple(terms(term)), concept)
        self._concept_of.pop((), None)
        # The longest term starting with each word: runs are looked up from their first word only.
        self._longest: dict[str, int] = {}
        for words in self._concept_of:
            self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))
        self._concepts_in_short = functools.lru_cache(maxsize=16_384)(self._concepts_in)

    def concepts(self) -> tuple[str, ...]:
        return tuple(self._terms)

    def terms_of(self, concept: str) -> tuple[str, ...]:
        """The group's terms as the data file writes them."""
        return self._terms[concept]

    def concept_of(self, words: Sequence[str]) -> str | None:
        return self._concept_of.get(tuple(words))

    def words(self) -> set[str]:
        """Every normalised word of every term."""
        return {word for term in self._concept_of for word in term}

    def concepts_in(self, *texts: str | None) -> list[str]:
        """The concepts the texts mention (every run of words that is a term, runs may overlap)."""
        found = set()
        for text in texts:
            if text:
                found.update(self._concepts_in_short(text) if len(text) <= SHORT_TEXT
                             else self._concepts_in(text))
        return sorted(found)

    def _concepts_in(self, text: str) -> frozenset[str]:
        words = terms(text)
        found = set()
        for start, word in enumerate(words):
            for end in range(start + 1, min(len(words), start + self._longest.get(word, 0)) + 1):
                if concept := self._concept_of.get(tuple(words[start:end])):
                    found.add(concept)
        return frozenset(found)

    def units(self, words: Sequence[str]) -> list[Unit]:
        """The query's words cut, left to right, into the longest terms; other words stand alone."""
        units, start = [], 0
        while start < len(words):
            for end in range(min(len(words), start + self._longest.get(words[start], 0)), start, -1):
                if concept := self._concept_of.get(tuple(words[start:end])):
                    units.append(Unit(tuple(words[start:end]), concept))
                    break
            else:
                end = start + 1
                units.append(Unit((words[start],)))
            start = end
        return units

    def synonym_words(self, words: Sequence[str]) -> list[str]:
        """The one-word terms of the concepts the words name (what a highlight may mark too)."""
        found = []
        for unit in self.units(words):
            if unit.concept:
                found += [term[0] for term in map(terms, self._terms[unit.concept]) if len(term) == 1]
        return found
