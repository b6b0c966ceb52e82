"""GET /api/v1/search/suggest: capability labels, supplier names and places as the user types.

Expected labels, names and places are spelled out by hand from the reference
data (capabilities.csv, the GeoNames postal codes) and from the suppliers
created here.
"""

from __future__ import annotations

import re

import pytest
from factories import create_supplier, error_fields, issue_admin_key, problem
from search_support import empty_index, folded

from search.client import make_client

SUGGEST_URL = "/api/v1/search/suggest"

# (trade name or None, legal name)
SUPPLIERS = [
    ("Élan Découpe", "Société Élan Découpe SARL"),
    (None, "Atelier Dupont"),
    (None, "Atelier Durand"),
    ("Œuvre Métal", "Forges de l'Œuvre SA"),
    ("UPS Cléon", "Usinage de Précision de la Seine SAS"),
]


@pytest.fixture(scope="module")
def suppliers(app):
    empty_index(app)
    client = app.test_client()
    admin = issue_admin_key(app)
    ids = {}
    for trade_name, legal_name in SUPPLIERS:
        profile, _ = create_supplier(client, admin, trade_name=trade_name, legal_name=legal_name)
        ids[trade_name or legal_name] = profile["id"]
    app.extensions["supplier_index"].refresh()
    yield ids
    empty_index(app)


def suggest(client, q, **params):
    response = client.get(SUGGEST_URL, query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["q"] == q
    return body


def label_words(capability: dict) -> list[list[str]]:
    return [re.findall(r"\w+", folded(capability[key])) for key in ("label_fr", "label_en")]


# --- capabilities ------------------------------------------------------------------


def test_a_capability_prefix_completes_the_label(client, suppliers):
    found = suggest(client, "fraisa")["capabilities"]
    assert found[0] == {"code": "machining.milling", "label_fr": "Fraisage CNC", "label_en": "CNC milling"}
    assert {c["code"] for c in found} == {
        "machining.milling", "machining.milling.3axis", "machining.milling.5axis",
        "machining.milling.large", "machining.turning.mill_turn"}
    # "Tournage-fraisage" has the word but does not start with it: it comes last.
    assert found[-1]["label_fr"] == "Tournage-fraisage"


def test_accents_and_case_do_not_matter(client, suppliers):
    for typed in ("dec", "DÉC", "déc"):
        found = suggest(client, typed)["capabilities"]
        assert {"code": "forming.cutting.laser", "label_fr": "Découpe laser",
                "label_en": "Laser cutting"} in found, typed
        assert len(found) == 8  # the default limit; more labels have a word starting with "dec"
        for capability in found:
            assert any(word.startswith("dec") for words in label_words(capability) for word in words)


def test_labels_starting_with_the_text_come_first(client, suppliers):
    found = suggest(client, "laser", limit=20)["capabilities"]
    starts = [any(words[:1] == ["laser"] for words in label_words(c)) for c in found]
    assert starts == sorted(starts, reverse=True)  # every True before every False
    assert True in starts and False in starts


def test_every_word_typed_must_start_a_word_of_one_label(client, suppliers):
    found = suggest(client, "découpe la")["capabilities"]
    # Labels starting with the words, broader nodes first, then shorter labels;
    # then "Poinçonnage-découpe laser combinés", whose words match further in.
    assert [c["label_fr"] for c in found] == [
        "Découpe laser", "Découpe laser fibre", "Découpe laser de tubes",
        "Poinçonnage-découpe laser combinés"]


def test_english_labels_complete_too(client, suppliers):
    found = suggest(client, "laser cut")["capabilities"]
    assert found[0]["code"] == "forming.cutting.laser"  # "Laser cutting"
    assert "forming.cutting.laser.tube" in {c["code"] for c in found}  # "Laser tube cutting"


def test_the_limit_applies_to_each_kind(client, suppliers):
    body = suggest(client, "a", limit=2)
    assert len(body["capabilities"]) == 2
    assert len(body["places"]) == 2
    assert [s["name"] for s in body["suppliers"]] in (["Atelier Dupont", "Atelier Durand"],
                                                      ["Atelier Durand", "Atelier Dupont"])


# --- suppliers ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["éla", "ela", "ELAN D", "Élan déc"])
def test_a_supplier_name_prefix_with_or_without_accents(client, suppliers, typed):
    found = suggest(client, typed)["suppliers"]
    assert found == [{"id": suppliers["Élan Découpe"], "name": "Élan Découpe"}]


def test_the_legal_name_completes_too_and_the_display_name_is_shown(client, suppliers):
    assert suggest(client, "soci")["suppliers"] == [
        {"id": suppliers["Élan Découpe"], "name": "Élan Découpe"}]
    assert suggest(client, "forges de l'oe")["suppliers"] == [
        {"id": suppliers["Œuvre Métal"], "name": "Œuvre Métal"}]
    assert suggest(client, "oeuv")["suppliers"] == [
        {"id": suppliers["Œuvre Métal"], "name": "Œuvre Métal"}]


def test_a_supplier_is_suggested_once_even_when_both_names_match(client, suppliers):
    # "UPS Cléon" and "Usinage de Précision…" both start with "u".
    found = suggest(client, "u", limit=20)["suppliers"]
    assert found == [{"id": suppliers["UPS Cléon"], "name": "UPS Cléon"}]


def test_several_suppliers_and_none(client, suppliers):
    found = suggest(client, "atelier du")["suppliers"]
    assert sorted(s["name"] for s in found) == ["Atelier Dupont", "Atelier Durand"]
    assert {s["id"] for s in found} == {suppliers["Atelier Dupont"], suppliers["Atelier Durand"]}
    assert suggest(client, "atelier dupo")["suppliers"] == [
        {"id": suppliers["Atelier Dupont"], "name": "Atelier Dupont"}]
    assert suggest(client, "zzz")["suppliers"] == []
    # Only the start of a name completes: "Découpe" is inside "Élan Découpe", not at its start.
    assert suggest(client, "découpe")["suppliers"] == []


# --- places ------------------------------------------------------------------------


def test_a_postal_code_prefix_gives_its_places(client, suppliers):
    found = suggest(client, "7641")["places"]
    # 76410 holds five places in GeoNames, Cléon first alphabetically.
    assert [(p["name"], p["postal_code"]) for p in found] == [
        ("Cléon", "76410"), ("Freneuse", "76410"), ("Saint-Aubin-lès-Elbeuf", "76410"),
        ("Sotteville-sous-le-Val", "76410"), ("Tourville-la-Rivière", "76410")]
    cleon = found[0]
    assert cleon["department"] == "76"
    assert (cleon["lat"], cleon["lon"]) == (pytest.approx(49.31, abs=0.05), pytest.approx(1.04, abs=0.05))


def test_postal_codes_come_in_order_and_start_with_the_digits(client, suppliers):
    found = suggest(client, "76", limit=20)["places"]
    assert len(found) == 20
    codes = [p["postal_code"] for p in found]
    assert codes == sorted(codes) and all(code.startswith("76") for code in codes)
    assert suggest(client, "7641")["suppliers"] == []  # no letters: no supplier name to complete


@pytest.mark.parametrize("typed", ["cleo", "Cléon", "CLEON"])
def test_a_place_name_prefix_without_accents(client, suppliers, typed):
    found = suggest(client, typed)["places"]
    assert found[0]["name"] == "Cléon" and found[0]["postal_code"] == "76410"
    assert all(folded(p["name"]).startswith("cleon") for p in found)


def test_one_place_per_name_and_postal_code(client, suppliers):
    found = suggest(client, "rouen", limit=20)["places"]
    pairs = [(p["name"], p["postal_code"]) for p in found]
    assert len(pairs) == len(set(pairs))
    assert pairs[:2] == [("Rouen", "76000"), ("Rouen", "76100")]  # Rouen has two postal codes


def test_saint_abbreviations_and_hyphens(client, suppliers):
    found = suggest(client, "St-Étienne")["places"]
    assert found[0]["name"] == "Saint-Étienne" and found[0]["department"] == "42"
    assert all(folded(p["name"]).replace("-", " ").startswith("saint etienne") for p in found)


# --- arguments and failures -----------------------------------------------------------


@pytest.mark.parametrize("params, field", [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "x" * 101}, "q"),
    ({"q": "dec", "limit": 0}, "limit"),
    ({"q": "dec", "limit": 21}, "limit"),
    ({"q": "dec", "limit": "many"}, "limit"),
    ({"q": "dec", "lang": "fr"}, "lang"),  # unknown parameters are refused
])
def test_bad_parameters_are_422_naming_them(client, suppliers, params, field):
    body = problem(client.get(SUGGEST_URL, query_string=params), 422)
    assert error_fields(body) == {field}


def test_the_longest_text_allowed_is_accepted(client, suppliers):
    body = suggest(client, "x" * 100, limit=20)
    assert body["suppliers"] == [] and body["places"] == []


def test_elasticsearch_unreachable_is_503_with_retry_after(app, client, suppliers, monkeypatch):
    monkeypatch.setattr(app.extensions["supplier_index"], "client",
                        make_client("http://127.0.0.1:9", request_timeout=2))
    response = client.get(SUGGEST_URL, query_string={"q": "ela"})
    problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
