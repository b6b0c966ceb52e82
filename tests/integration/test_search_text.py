"""Free-text search (`q`): the examples of the product brief, written by hand.

Case and accents do not matter, plurals do not matter, one typo is tolerated
from five letters up (not below), every word is required (across fields),
query syntax is never interpreted, and highlights show the user's own words.
"""

from __future__ import annotations

import pytest
from factories import new_siret
from search_support import created_through_api, search

# Checked against api/reference/data/capabilities.csv by test_the_capabilities_used_have_these_labels.
LASER_CUTTING = ("forming.cutting.laser", "Découpe laser")
ANODISING = ("surface.anodising", "Anodisation")
MILLING = ("machining.milling.5axis", "Fraisage 5 axes")
INJECTION = ("plastics.injection", "Injection plastique")
ASSEMBLY = ("assembly.mechanical", None)

SITES = {
    "Elbeuf": {"city": "Elbeuf", "postal_code": "76500", "latitude": 49.2867, "longitude": 1.0029},
    "Rouen": {"city": "Rouen", "postal_code": "76000", "latitude": 49.4431, "longitude": 1.0993},
    "Lyon": {"city": "Lyon", "postal_code": "69003", "latitude": 45.7485, "longitude": 4.8467},
    "Caen": {"city": "Caen", "postal_code": "14000", "latitude": 49.1829, "longitude": -0.3707},
    "Cléon": {"city": "Cléon", "postal_code": "76410", "latitude": 49.3124, "longitude": 1.0295},
    "Le Havre": {"city": "Le Havre", "postal_code": "76600", "latitude": 49.4938, "longitude": 0.1077},
}

SUPPLIERS = {
    "laser": dict(legal_name="Tôlerie Normande SARL", city="Elbeuf", capabilities=[LASER_CUTTING[0]],
                  description="Pliage et assemblage de tôles fines, petites et moyennes séries."),
    "welder": dict(legal_name="Ateliers Vasseur", city="Caen", capabilities=[ASSEMBLY[0]],
                   description="Spécialiste de la soudure inox et aluminium <b>&</b> montage sur site."),
    "welders": dict(legal_name="Chaudronnerie Bréval", city="Le Havre", capabilities=[],
                    description="Toutes soudures, travail des métaux, réparations."),
    "anodiser": dict(legal_name="Traitements de Surface du Havre", trade_name="TSH", city="Le Havre",
                     capabilities=[ANODISING[0]], description="Traitement de l'aluminium."),
    "rouen_milling": dict(legal_name="Mécanique Dupuis", city="Rouen", capabilities=[MILLING[0]],
                          description="Pièces unitaires."),
    "lyon_milling": dict(legal_name="Précision Lyonnaise", city="Lyon", capabilities=[MILLING[0]],
                         description="Pièces unitaires."),
    "rouen_plastics": dict(legal_name="Plasturgie Rouennaise", city="Rouen", capabilities=[INJECTION[0]],
                           description="Moules et pièces techniques."),
    "kopa": dict(legal_name="Kopa", city="Cléon", capabilities=[], description="Négoce."),
    "zorba": dict(legal_name="Zorba", city="Cléon", capabilities=[], description="Négoce."),
}


def body(key: str) -> dict:
    spec = SUPPLIERS[key]
    return {"legal_name": spec["legal_name"], "trade_name": spec.get("trade_name"), "country": "FR",
            "siret": new_siret(), "description": spec["description"],
            "sites": [{**SITES[spec["city"]], "country": "FR"}],
            "capabilities": [{"code": code} for code in spec["capabilities"]]}


@pytest.fixture(scope="module")
def ids(app) -> dict[str, str]:
    yield from created_through_api(app, {key: body(key) for key in SUPPLIERS})


def found(client, ids, q: str, **params) -> set[str]:
    """The keys of the suppliers a text search finds."""
    response = search(client, {"q": q, "page_size": "100", **params})
    assert response.status_code == 200, response.get_json()
    names = {v: k for k, v in ids.items()}
    return {names[hit["id"]] for hit in response.get_json()["items"]}


def hit(client, ids, q: str, key: str) -> dict:
    response = search(client, {"q": q, "page_size": "100"})
    return next(h for h in response.get_json()["items"] if h["id"] == ids[key])


def test_the_capabilities_used_have_these_labels(app):
    from api.reference import catalog  # only to check the fixtures' assumptions

    for code, label in (LASER_CUTTING, ANODISING, MILLING, INJECTION):
        assert catalog.capability(code).label_fr == label
    assert catalog.capability(ASSEMBLY[0]) is not None
    assert "soud" not in catalog.capability(ASSEMBLY[0]).label_fr.lower()


# --- accents, case, plurals ----------------------------------------------------------------


@pytest.mark.parametrize("q", ["decoupe laser", "Découpe laser", "DECOUPE LASER", "découpes lasers",
                               "laser cutting"])
def test_a_capability_label_finds_a_supplier_whose_name_does_not_say_it(client, ids, q):
    assert "laser" not in SUPPLIERS["laser"]["legal_name"].lower()
    assert found(client, ids, q) == {"laser"}


@pytest.mark.parametrize("q, want", [
    ("soudures", {"welder", "welders"}),  # plural asked, singular written
    ("soudure", {"welder", "welders"}),  # singular asked, plural written
    # metaux -> metal; the laser cutter is under "Forming and sheet metal" in the taxonomy
    ("métal", {"welders", "laser"}), ("metaux", {"welders", "laser"}),
])
def test_singular_and_plural_are_the_same_word(client, ids, q, want):
    assert found(client, ids, q) == want


@pytest.mark.parametrize("q", ["ELBEUF", "elbeuf", "Elbeuf", "ÉLBEÛF"])
def test_city_names_ignore_case_and_accents(client, ids, q):
    assert found(client, ids, q) == {"laser"}


@pytest.mark.parametrize("q", ["cleon negoce", "CLÉON NÉGOCE", "Cléon Négoce"])
def test_accents_ignored_both_ways(client, ids, q):
    assert found(client, ids, q) == {"kopa", "zorba"}


@pytest.mark.parametrize("q", ["tolerie normande", "TÔLERIE", "Tolerie"])
def test_supplier_names_ignore_case_and_accents(client, ids, q):
    assert found(client, ids, q) == {"laser"}


@pytest.mark.parametrize("q, want", [
    ("soudure d'inox", {"welder"}), ("soudure de l'inox", {"welder"}), ("soudure d’inox", {"welder"}),
    ("anodisation d'aluminium", {"anodiser"}), ("L'ANODISATION", {"anodiser"}),
])
def test_french_elisions_are_not_words_to_find(client, ids, q, want):
    """'d'inox' is 'inox': the elided article must not be a word the supplier's text has to contain."""
    assert found(client, ids, q) == want


# --- typos ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["anodisation", "anodisaton", "anodisatoin", "anodizsation", "Anodisatiom"])
def test_one_typo_in_a_long_word_is_tolerated(client, ids, q):
    assert found(client, ids, q) == {"anodiser"}


@pytest.mark.parametrize("q", ["anodosatoon", "nnodisation", "anodsiaton"])
def test_two_typos_or_a_wrong_first_letter_are_not(client, ids, q):
    assert found(client, ids, q) == set()


def test_fuzziness_starts_at_five_letters(client, ids):
    assert found(client, ids, "kopa") == {"kopa"}
    assert found(client, ids, "kopo") == set()  # four letters: no typo allowed
    assert found(client, ids, "zorba") == {"zorba"}
    assert found(client, ids, "zorbi") == {"zorba"}  # five letters: one typo allowed


# --- every word required, across fields ----------------------------------------------------------


def test_all_words_are_required_across_fields(client, ids):
    assert found(client, ids, "fraisage rouen") == {"rouen_milling"}  # capability + city
    assert found(client, ids, "fraisage") == {"rouen_milling", "lyon_milling"}
    assert found(client, ids, "rouen") == {"rouen_milling", "rouen_plastics"}
    assert found(client, ids, "fraisage lyon") == {"lyon_milling"}
    assert found(client, ids, "fraisage caen") == set()


def test_text_combines_with_filters(client, ids):
    assert found(client, ids, "fraisage", department="76") == {"rouen_milling"}
    assert found(client, ids, "fraisage", near="Cléon", radius_km="100") == {"rouen_milling"}


# --- query syntax is text ----------------------------------------------------------------------


@pytest.mark.parametrize("q", ['"foo AND (bar', "*", "?", "usinage~", "title:x", "text_name:kopa",
                               "fraisage OR tournage", "-fraisage", "fraisage^10", "a/b\\c", "[rouen TO *]",
                               "{!}", "<script>alert(1)</script>", "\"", "((((", "k" * 200, "é" * 200,
                               " ".join(["soudure"] * 60), "✂️ 🔧", "NOT kopa", "kopa~2", "zorb*"])
def test_query_syntax_is_never_an_error(client, ids, q):
    response = search(client, {"q": q[:200]})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("q, same_as", [
    ("usinage~", "usinage"), ("-fraisage", "fraisage"), ("+fraisage +rouen", "fraisage rouen"),
    ("fraisage^10", "fraisage 10"), ("title:kopa", "title kopa"), ("(fraisage) AND rouen", "fraisage and rouen"),
    ("text_name:kopa", "text_name kopa"), ("rouen*", "rouen"), ('"fraisage rouen"', "fraisage rouen"),
])
def test_query_syntax_is_not_interpreted(client, ids, q, same_as):
    """Operators are punctuation: the search is that of the words alone."""
    assert found(client, ids, q) == found(client, ids, same_as)


def test_operators_do_not_work_as_operators(client, ids):
    assert found(client, ids, "fraisage OR injection") == set()  # 'or' is a word nobody has
    assert found(client, ids, "-rouen fraisage") == {"rouen_milling"}  # '-' is not NOT
    assert found(client, ids, "kop*") == set()  # no wildcard
    assert found(client, ids, "text_name:kopa") == set()  # no field syntax


# --- highlights ------------------------------------------------------------------------------


def test_highlights_mark_the_original_accented_words(client, ids):
    laser = hit(client, ids, "decoupe laser", "laser")
    assert "<em>Découpe</em> <em>laser</em>" in laser["highlights"]["capabilities"]
    assert hit(client, ids, "tolerie", "laser")["highlights"]["name"] == "<em>Tôlerie</em> Normande SARL"
    assert hit(client, ids, "ELBEUF", "laser")["highlights"]["cities"] == ["<em>Elbeuf</em>"]
    welders = hit(client, ids, "soudure", "welders")
    assert "<em>soudures</em>" in welders["highlights"]["description"]


def test_highlights_show_the_typo_tolerant_match(client, ids):
    anodiser = hit(client, ids, "anodisaton", "anodiser")
    # The English label is marked too: 'anodising' is a synonym (api/reference/data/vocabulary.json).
    assert anodiser["highlights"]["capabilities"] == ["<em>Anodisation</em>", "<em>Anodising</em>"]


def test_highlights_escape_the_profile_text(client, ids):
    welder = hit(client, ids, "soudures", "welder")
    snippet = welder["highlights"]["description"]
    assert "<em>soudure</em>" in snippet
    assert "<b>" not in snippet and "&lt;b&gt;&amp;&lt;/b&gt;" in snippet


def test_no_highlights_without_text(client, ids):
    response = search(client, {"page_size": "100"})
    assert all(h["highlights"] == {} for h in response.get_json()["items"])

