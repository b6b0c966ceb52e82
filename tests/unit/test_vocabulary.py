"""The trade's vocabulary: the data file's shape, and how search cuts text into its terms.

The shape checks read api/reference/data/vocabulary.json directly. Terms are compared as
search compares text (search.text.terms): two spellings one normalisation apart are one term.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.spelling import Speller, edit_distance
from search.text import terms
from search.vocabulary import Unit, Vocabulary

DATA = Path(__file__).resolve().parents[2] / "api" / "reference" / "data"
EXTRA_AREAS = {"materials", "digital", "general"}  # not taxonomy areas, but buyers' words too


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def areas() -> set[str]:
    with (DATA / "capabilities.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"] for row in csv.DictReader(f) if not row["parent"]}


def test_at_least_150_groups_of_two_terms_or_more(document):
    groups = document["groups"]
    assert len(groups) >= 150
    for group in groups:
        assert len(group["terms"]) >= 2, group
        assert all(isinstance(term, str) and terms(term) for term in group["terms"]), group


def test_every_group_names_an_area_and_cites_known_sources(document, areas):
    for group in document["groups"]:
        assert group["area"] in areas | EXTRA_AREAS, group
        assert group["sources"] and set(group["sources"]) <= set(document["sources"]), group
    assert all(len(text) > 20 for text in document["sources"].values())


def test_every_taxonomy_area_has_its_words(document, areas):
    per_area = Counter(group["area"] for group in document["groups"])
    assert {area: per_area[area] for area in areas if per_area[area] < 4} == {}


def test_no_term_is_in_two_groups_nor_twice_in_one(document):
    owners = {}
    for number, group in enumerate(document["groups"]):
        for term in group["terms"]:
            key = tuple(terms(term))
            assert owners.setdefault(key, number) == number, (term, document["groups"][owners[key]])
        assert len({tuple(terms(term)) for term in group["terms"]}) == len(group["terms"]), group


@pytest.mark.parametrize("together", [
    ("inox", "inoxydable", "stainless", "acier inoxydable"), ("alu", "aluminium", "aluminum"),
    ("EDM", "électroérosion"), ("CNC", "commande numérique"), ("soudure", "soudage", "welding"),
])
def test_the_issue_s_examples_are_one_group_each(document, together):
    groups = [set(map(tuple, map(terms, group["terms"]))) for group in document["groups"]]
    assert any({tuple(terms(term)) for term in together} <= group for group in groups)


# --- search.vocabulary --------------------------------------------------------------------

VOCABULARY = Vocabulary([("inox", "inoxydable", "acier inoxydable", "stainless steel"),
                         ("acier", "steel"), ("commande numérique", "CNC"), ("soudure", "welding")])


def test_a_text_mentions_every_term_it_holds_even_overlapping():
    assert VOCABULARY.concepts_in("Soudure TIG des aciers inoxydables") == ["acier", "inox", "soudure"]
    assert VOCABULARY.concepts_in("Stainless steel welding", None, "CNC") == [
        "acier", "commande_numerique", "inox", "soudure"]
    assert VOCABULARY.concepts_in("commande manuelle, numérique", "steels") == ["acier"]  # not one run of words


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_text_s_concepts_are_those_of_every_run_of_its_words_that_is_a_term(document, data):
    """Against the plain definition: every run of words, of every length, looked up among the terms."""
    groups = [group["terms"] for group in document["groups"]]
    concept_of = {tuple(terms(term)): "_".join(terms(group[0])) for group in groups for term in group}
    known = sorted({(word,) for term in concept_of for word in term} | {("rouen",), ("x",)})
    pieces = data.draw(st.lists(st.sampled_from(sorted(concept_of)) | st.sampled_from(known), max_size=20))
    words = [word for piece in pieces for word in piece]
    expected = {concept_of[tuple(words[start:end])] for start in range(len(words))
                for end in range(start + 1, len(words) + 1) if tuple(words[start:end]) in concept_of}
    assert Vocabulary(groups).concepts_of(words) == expected


def test_a_query_is_cut_into_its_longest_terms():
    assert VOCABULARY.units(terms("acier inoxydable soudure rouen")) == [
        Unit(("acier", "inoxydable"), "inox", ("acier", "inox")), Unit(("soudure",), "soudure"), Unit(("rouen",))]
    assert VOCABULARY.units(terms("acier commande numérique")) == [
        Unit(("acier",), "acier"), Unit(("commande", "numerique"), "commande_numerique", (None, None))]
    assert VOCABULARY.units(terms("commande")) == [Unit(("commande",))]


def test_a_word_one_typo_from_a_term_names_its_concept_as_the_search_would_match_it():
    assert VOCABULARY.units(["soudrue", "inxo", "inoxydabel", "welidng"]) == [
        Unit(("soudrue",), "soudure"), Unit(("inxo",)),  # four letters: no typo allowed
        Unit(("inoxydabel",), "inox"), Unit(("welidng",), "soudure")]
    assert VOCABULARY.units(["coudure"]) == [Unit(("coudure",))]  # the first letter must be right
    assert Vocabulary([("stainless",), ("stainlest",)]).units(["stainles"]) == [Unit(("stainles",))]


def test_the_one_word_synonyms_of_the_terms_typed():
    assert VOCABULARY.synonym_words(terms("inox rouen")) == ["inox", "inoxydable"]
    assert sorted(VOCABULARY.synonym_words(terms("acier inoxydable"))) == ["acier", "inox", "inoxydable", "steel"]


# --- search.spelling --------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, distance", [
    ("soudure", "soudure", 0), ("soudure", "soudrue", 1), ("soudure", "oudure", 1), ("inox", "inxo", 1),
    ("anodisation", "dnodisation", 1), ("electroerosion", "electroerossion", 1), ("fraisage", "friasgae", 2),
    ("ab", "ba", 1), ("ca", "abc", 3),
])
def test_edit_distance_counts_swaps_as_one_edit(a, b, distance):
    assert edit_distance(a, b, limit=5) == distance == edit_distance(b, a, limit=5)
    assert edit_distance(a, b, limit=distance - 1) > distance - 1 if distance else True


def test_the_speller_corrects_unknown_words_only():
    speller = Speller(["anodisation", "soudure", "inox", "aluminium", "fraisage"])
    assert speller.correct(["dnodisation", "rouen"]) == ["anodisation", "rouen"]
    assert speller.correct(["soudrue", "inxo"]) == ["soudure", "inox"]
    assert speller.correct(["fraisage", "inox"]) is None
    assert speller.correct(["alu", "316"]) is None  # short words and numbers are left alone
    assert speller.correct(["fzzzsage"]) is None  # too far from anything
    assert speller.correct(["soudrue"] * 11) is None  # a pasted text, not a query
