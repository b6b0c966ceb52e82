"""Text normalisation shared by indexed text and query text."""

import pytest

from search.text import analyze, fold, singular, terms


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
