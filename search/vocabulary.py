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

from .spelling import edit_distance
from .text import SHORT_TEXT, terms

FUZZY_MIN_LENGTH = 5  # as search.query.FUZZINESS: one typo from five letters up, first letter right


@dataclass(frozen=True)
class Unit:
    """A run of query words: one word, or the words of a term (then `concept` is its group).

    The words of a term may name concepts of their own ('stainless' in 'stainless piping'):
    `word_concepts`, one per word, so that 'stainless pipework' answers 'stainless piping'."""

    words: tuple[str, ...]
    concept: str | None = None
    word_concepts: tuple[str | None, ...] = ()


def _holds(words: Sequence[str], term: tuple[str, ...]) -> bool:
    """Whether the term's words follow one another somewhere in `words`."""
    return any(tuple(words[start:start + len(term)]) == term
               for start, word in enumerate(words) if word == term[0])


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
        # Scanning a text: its one-word terms, then its pairs of words that begin a longer term, by
        # set intersection (most words of a description begin none).
        self._one_word = {words[0]: concept for words, concept in self._concept_of.items() if len(words) == 1}
        self._one_words = frozenset(self._one_word)
        self._longer: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
        for words, concept in self._concept_of.items():
            if len(words) > 1:
                self._longer.setdefault(words[:2], []).append((words, concept))
        self._pairs = frozenset(self._longer)
        self._concepts_in_short = functools.lru_cache(maxsize=16_384)(self._concepts_in)
        # One-word terms by first letter and length, for a typed word one typo away from one.
        self._near: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for words, concept in self._concept_of.items():
            if len(words) == 1:
                self._near.setdefault((words[0][0], len(words[0])), []).append((words[0], concept))
        self._word_concept_cached = functools.lru_cache(maxsize=16_384)(self._word_concept)

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
        return self.concepts_of(terms(text))

    def concepts_of(self, words: Sequence[str]) -> frozenset[str]:
        """The concepts of every run of normalised words that is a term (runs may overlap)."""
        found = {self._one_word[word] for word in self._one_words.intersection(words)}
        for pair in self._pairs.intersection(zip(words, words[1:])):
            found.update(concept for term, concept in self._longer[pair]
                         if len(term) == 2 or _holds(words, term))
        return frozenset(found)

    def _word_concept(self, word: str) -> str | None:
        """The concept of a one-word term, or of the only one a typo away (as the search tolerates)."""
        if concept := self._concept_of.get((word,)):
            return concept
        if len(word) < FUZZY_MIN_LENGTH:
            return None
        near = {concept for length in (len(word) - 1, len(word), len(word) + 1)
                for term, concept in self._near.get((word[0], length), ())
                if edit_distance(word, term, 1) <= 1}
        return near.pop() if len(near) == 1 else None  # two meanings a typo away: guess neither

    def units(self, words: Sequence[str]) -> list[Unit]:
        """The query's words cut, left to right, into the longest terms; other words stand alone."""
        units, start = [], 0
        while start < len(words):
            for end in range(min(len(words), start + self._longest.get(words[start], 0)), start, -1):
                run = tuple(words[start:end])
                if end - start > 1 and (concept := self._concept_of.get(run)):
                    units.append(Unit(run, concept, tuple(map(self._word_concept_cached, run))))
                    break
            else:
                end = start + 1
                units.append(Unit((words[start],), self._word_concept_cached(words[start])))
            start = end
        return units

    def synonym_words(self, words: Sequence[str]) -> list[str]:
        """The one-word terms of the concepts the words name (what a highlight may mark too)."""
        found = []
        for unit in self.units(words):
            for concept in {unit.concept, *unit.word_concepts} - {None}:
                found += [term[0] for term in map(terms, self._terms[concept]) if len(term) == 1]
        return found
