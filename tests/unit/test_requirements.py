"""The RFQ requirement rule on plain profiles, against hand-computed cases."""

from __future__ import annotations

from datetime import date

import pytest

from search.query import GeoPoint
from search.requirements import Lacks, Requirements, covering, latest_valid_until, qualifies, unmet

NEEDED_BY = date(2026, 3, 15)
ROUEN = GeoPoint(49.4431, 1.0993)
# One degree of latitude on the mean-radius sphere: 6371.0088 km * pi / 180.
KM_PER_DEGREE = 111.19508


class Taxonomy:
    """machining > machining.milling > machining.milling.5axis; welding."""

    PARENTS = {"machining": None, "machining.milling": "machining",
               "machining.milling.5axis": "machining.milling", "welding": None}

    def lineage(self, code: str) -> tuple[str, ...]:
        if code not in self.PARENTS:
            return ()
        parent = self.PARENTS[code]
        return (self.lineage(parent) if parent else ()) + (code,)


TAXONOMY = Taxonomy()


def site_north_of(point: GeoPoint, km: float) -> dict:
    return {"latitude": point.lat + km / KM_PER_DEGREE, "longitude": point.lon}


def profile(capabilities=(), certifications=(), sites=None) -> dict:
    return {"capabilities": [{"code": code} for code in capabilities],
            "certifications": [{"type": kind, "valid_from": start, "valid_until": end}
                               for kind, start, end in certifications],
            "sites": [site_north_of(ROUEN, 5)] if sites is None else sites}


def asking(**fields) -> Requirements:
    return Requirements(valid_on=NEEDED_BY, point=ROUEN, **fields)


def test_a_declared_descendant_covers_its_ancestors():
    declared = ["welding", "machining.milling.5axis"]
    assert covering("machining", declared, TAXONOMY) == ("machining.milling.5axis",)
    assert covering("machining.milling.5axis", declared, TAXONOMY) == ("machining.milling.5axis",)
    assert qualifies(asking(capabilities=("machining", "machining.milling")),
                     profile(capabilities=declared), TAXONOMY)


def test_a_declared_ancestor_does_not_cover_a_descendant():
    assert covering("machining.milling.5axis", ["machining", "machining.milling"], TAXONOMY) == ()
    assert unmet(asking(capabilities=("machining.milling.5axis", "welding")),
                 profile(capabilities=["machining.milling", "welding"]), TAXONOMY) \
        == Lacks(capabilities=("machining.milling.5axis",))


def test_unknown_codes_cover_nothing():
    assert covering("machining", ["machining.unknown"], TAXONOMY) == ()
    assert covering("unknown", ["unknown"], TAXONOMY) == ()


@pytest.mark.parametrize("valid_from, valid_until, valid", [
    ("2023-03-15", "2026-03-14", False),  # expired the day before
    ("2023-03-15", "2026-03-15", True),  # last day
    ("2026-03-15", "2029-03-15", True),  # first day
    ("2026-03-16", "2029-03-16", False),  # starts the day after
    ("2026-03-15", "2026-03-15", True),  # a one-day certificate, that day
])
def test_a_certificate_counts_on_the_days_it_is_valid(valid_from, valid_until, valid):
    held = profile(certifications=[("iso-9001", valid_from, valid_until)])
    expected = Lacks() if valid else Lacks(certifications=("iso-9001",))
    assert unmet(asking(certifications=("iso-9001",)), held, TAXONOMY) == expected


def test_the_latest_expiry_is_among_certificates_valid_on_the_date_of_that_type():
    certificates = [{"type": "iso-9001", "valid_from": "2023-01-01", "valid_until": "2026-06-30"},
                    {"type": "iso-9001", "valid_from": "2025-01-01", "valid_until": "2027-12-31"},
                    {"type": "iso-9001", "valid_from": "2026-04-01", "valid_until": "2031-01-01"},  # not yet
                    {"type": "mase", "valid_from": "2020-01-01", "valid_until": "2030-01-01"}]
    assert latest_valid_until(certificates, "iso-9001", NEEDED_BY) == date(2027, 12, 31)
    assert latest_valid_until(certificates, "mase", NEEDED_BY) == date(2030, 1, 1)
    assert latest_valid_until(certificates, "iatf-16949", NEEDED_BY) is None


def test_a_certificate_of_another_type_does_not_count():
    held = profile(certifications=[("iso-14001", "2020-01-01", "2030-01-01")])
    assert unmet(asking(certifications=("iso-9001", "iso-14001")), held, TAXONOMY) \
        == Lacks(certifications=("iso-9001",))


def test_distance_is_to_the_nearest_site():
    sites = [site_north_of(ROUEN, 80), site_north_of(ROUEN, 29), site_north_of(ROUEN, 45)]
    assert qualifies(asking(max_distance_km=30), profile(sites=sites), TAXONOMY)
    assert unmet(asking(max_distance_km=28), profile(sites=sites), TAXONOMY) == Lacks(too_far=True)


def test_a_site_north_of_the_point_is_at_the_distance_hand_computed():
    # 1 km north is 1/111.19508 degree: 0.5 m either side of the limit decides.
    assert qualifies(asking(max_distance_km=40.0005), profile(sites=[site_north_of(ROUEN, 40)]), TAXONOMY)
    assert not qualifies(asking(max_distance_km=39.9995), profile(sites=[site_north_of(ROUEN, 40)]), TAXONOMY)


def test_without_a_maximum_distance_any_distance_will_do():
    far = profile(sites=[site_north_of(ROUEN, 3000)])
    assert qualifies(asking(), far, TAXONOMY)
    assert qualifies(asking(), profile(sites=[]), TAXONOMY)


def test_a_supplier_without_sites_is_too_far_for_any_limit():
    assert unmet(asking(max_distance_km=5000), profile(sites=[]), TAXONOMY) == Lacks(too_far=True)


def test_with_no_requirements_every_supplier_within_reach_qualifies():
    assert qualifies(asking(max_distance_km=10), profile(), TAXONOMY)
    assert unmet(asking(max_distance_km=1), profile(), TAXONOMY) == Lacks(too_far=True)


def test_lacks_lists_everything_missing_in_the_order_asked():
    requirements = asking(capabilities=("welding", "machining", "machining.milling"),
                          certifications=("mase", "iso-9001", "en-9100"), max_distance_km=2)
    held = profile(capabilities=["machining.milling"],
                   certifications=[("iso-9001", "2025-01-01", "2027-01-01")])
    assert unmet(requirements, held, TAXONOMY) == Lacks(
        capabilities=("welding",), certifications=("mase", "en-9100"), too_far=True)


def test_a_requirement_asked_twice_counts_once():
    requirements = asking(capabilities=("welding", "welding"), certifications=("mase", "mase"))
    assert requirements.capabilities == ("welding",)
    assert requirements.certifications == ("mase",)
    assert unmet(requirements, profile(), TAXONOMY) == Lacks(capabilities=("welding",),
                                                            certifications=("mase",))
