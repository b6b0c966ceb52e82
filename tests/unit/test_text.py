"""Text normalisation shared by indexed text and query text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.text import _ELISION, _WORD, STOP_WORDS, analyze, fold, singular, terms


@pytest.mark.parametrize("text, expected", [
    ("Découpe Laser", "decoupe laser"),
    ("ŒUVRE", "oeuvre"),
    ("Straße", "strasse"),
    ("Élbeuf-sur-Seine", "elbeuf-sur-seine"),
])
def test_fold_removes_case_and_accents(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("plural, expected", [
    ("soudures", "soudure"), ("metaux", "metal"), ("bateaux", "bateau"), ("assemblies", "assembly"),
    ("process", "process"), ("bus", "bus"), ("gas", "gas"), ("chassis", "chassis"), ("2000", "2000"),
])
def test_singular_drops_plural_marks_only(plural, expected):
    assert singular(plural) == expected


def test_terms_drop_elisions_and_words_that_say_nothing():
    assert terms("Soudure d'inox et l’aluminium pour la chimie") == ["soudure", "inox", "aluminium", "chimie"]


def test_query_and_document_normalise_alike():
    assert analyze("Découpes LASER") == " ".join(terms("decoupe laser")) == "decoupe laser"


def test_nothing_but_punctuation_gives_no_terms():
    assert terms("*?!") == [] and terms(None) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abcélLdDqQuU'’ \u00a0\t\n-,.()½ﬁßœÉ\u0301\u0327\u0303")
                                + ["Qu'", "d’", " l'", " et ", "aux "]), min_size=81, max_size=300)
       .map("".join))
def test_long_texts_give_the_words_of_the_whole_text(text):
    """Long texts are normalised piece by piece (cached): the same words as all at once."""
    words = _WORD.findall(_ELISION.sub(" ", fold(text)))
    assert terms(text) == [singular(word) for word in words if word not in STOP_WORDS]
