"""Reference data integrity and the catalog's lookups.

The integrity checks read the data files directly rather than through the
catalog, so a loader bug cannot hide a data bug (or the reverse).
"""

import csv
import json
import re
from pathlib import Path

import pytest

from api.reference import catalog

DATA = Path(__file__).resolve().parents[2] / "api" / "reference" / "data"


def _json(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows():
    with (DATA / "capabilities.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["code", "parent", "label_fr", "label_en"]
        return list(reader)


# --- Capability taxonomy data ----------------------------------------------


def test_capability_codes_are_unique_and_well_formed(rows):
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", code), code


def test_every_parent_is_declared_before_its_children(rows):
    seen = set()
    for r in rows:
        if r["parent"]:
            assert r["parent"] in seen, f"{r['code']} before its parent {r['parent']}"
            assert r["code"].startswith(r["parent"] + ".")
            assert r["code"].count(".") == r["parent"].count(".") + 1
        else:
            assert "." not in r["code"]
        seen.add(r["code"])


def test_taxonomy_is_large_and_deep_enough(rows):
    assert len(rows) >= 150
    assert max(r["code"].count(".") for r in rows) >= 2  # three levels or more


def test_expected_top_level_areas_are_present(rows):
    roots = {r["code"] for r in rows if not r["parent"]}
    assert {
        "machining", "forming", "joining", "surface", "heat_treatment", "plastics",
        "casting_forging", "additive", "electrical", "assembly", "metrology",
        "maintenance", "engineering", "logistics", "cleaning", "boilermaking", "tooling",
    } <= roots


def test_labels_are_present_in_both_languages(rows):
    for r in rows:
        assert r["label_fr"].strip() == r["label_fr"] != "", r["code"]
        assert r["label_en"].strip() == r["label_en"] != "", r["code"]


def test_french_labels_are_spelled_as_users_type_them(rows):
    labels_fr = {r["label_fr"] for r in rows}
    for label in ["Usinage", "Fraisage CNC", "Fraisage 5 axes", "Tournage", "Soudure TIG",
                  "Traitement de surface", "Découpe laser", "Anodisation", "Chaudronnerie"]:
        assert label in labels_fr, label
    assert any("Soudure" in label for label in labels_fr)


def test_hand_picked_nodes_sit_where_expected(rows):
    parent_of = {r["code"]: r["parent"] for r in rows}
    assert parent_of["machining.milling.5axis"] == "machining.milling"
    assert parent_of["surface.anodising"] == "surface"
    assert parent_of["forming.cutting.laser"] == "forming.cutting"
    assert parent_of["joining.welding.tig"] == "joining.welding"


# --- Other reference files ---------------------------------------------------


def _assert_codes_unique_and_hyphenated(items):
    codes = [item["code"] for item in items]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code


def test_founding_sectors_are_present():
    sectors = _json("sectors.json")
    _assert_codes_unique_and_hyphenated(sectors)
    codes = {s["code"] for s in sectors}
    assert {"automotive", "chemicals", "pharmaceuticals", "aerospace", "transport",
            "agrifood", "construction", "energy", "finance"} <= codes
    assert {"defence", "medical-devices", "rail", "naval", "nuclear", "electronics"} <= codes
    for s in sectors:
        assert s["label_fr"] and s["label_en"], s["code"]


def test_certification_types_are_complete_and_reference_known_sectors():
    certs = _json("certification_types.json")
    _assert_codes_unique_and_hyphenated(certs)
    assert len(certs) >= 25
    names = {c["name"] for c in certs}
    for name in ["ISO 9001", "ISO 14001", "ISO 45001", "ISO 50001", "IATF 16949", "EN 9100",
                 "EN 9110", "EN 9120", "ISO 13485", "GMP", "MASE", "Nadcap", "ISO 22000",
                 "FSSC 22000", "IFS Food", "BRCGS Food Safety", "ISO/IEC 27001", "ISO/IEC 17025",
                 "ATEX", "Qualibat", "Qualifelec", "CEFRI", "ISO 3834", "EN 1090", "PED", "ASME",
                 "HACCP", "ISO 26000", "EcoVadis"]:
        assert name in names, name
    sector_codes = {s["code"] for s in _json("sectors.json")}
    for c in certs:
        assert c["description"], c["code"]
        assert c["sectors"], c["code"]
        assert set(c["sectors"]) <= sector_codes, (c["code"], set(c["sectors"]) - sector_codes)


def test_digital_capabilities_are_present():
    items = _json("digital_capabilities.json")
    _assert_codes_unique_and_hyphenated(items)
    assert {"edi", "api-integration", "e-invoicing", "mes", "iot-monitoring", "cad-exchange",
            "erp", "plm", "supplier-portal", "digital-twin", "traceability"} <= {d["code"] for d in items}
    for d in items:
        assert d["label_fr"] and d["label_en"] and d["description"], d["code"]
    assert "Factur-X" in next(d["label_fr"] for d in items if d["code"] == "e-invoicing")


# --- Catalog behaviour -------------------------------------------------------


def test_capabilities_follow_file_order_with_depths(rows):
    caps = catalog.capabilities()
    assert [c.code for c in caps] == [r["code"] for r in rows]
    node = catalog.capability("machining.milling.5axis")
    assert node == catalog.Capability(
        "machining.milling.5axis", "machining.milling", "Fraisage 5 axes", "5-axis milling", 2
    )
    assert catalog.capability("machining").parent is None
    assert catalog.capability("machining").depth == 0
    assert catalog.capability("forming.cutting.laser.tube").depth == 3


def test_ancestors_and_lineage_of_a_third_level_node():
    assert catalog.ancestors("machining.milling.5axis") == ("machining", "machining.milling")
    assert catalog.lineage("machining.milling.5axis") == (
        "machining", "machining.milling", "machining.milling.5axis",
    )
    assert catalog.ancestors("forming.cutting.laser.tube") == (
        "forming", "forming.cutting", "forming.cutting.laser",
    )
    assert catalog.ancestors("surface") == ()
    assert catalog.lineage("surface") == ("surface",)


def test_descendants_include_the_node_and_its_grandchildren():
    below_machining = catalog.descendants("machining")
    assert {"machining", "machining.milling", "machining.milling.5axis",
            "machining.turning.swiss"} <= below_machining
    assert not any(code.startswith("forming") for code in below_machining)
    assert catalog.descendants("surface.anodising") == {
        "surface.anodising", "surface.anodising.sulphuric",
        "surface.anodising.hard", "surface.anodising.chromic",
    }
    assert catalog.descendants("machining.milling.5axis") == {"machining.milling.5axis"}


def test_descendants_agree_with_code_prefixes(rows):
    codes = [r["code"] for r in rows]
    for code in ["forming", "joining.welding", "plastics.composites", "metrology.ndt"]:
        expected = {c for c in codes if c == code or c.startswith(code + ".")}
        assert catalog.descendants(code) == expected


def test_unknown_codes_give_none_or_empty():
    assert catalog.capability("machining.telepathy") is None
    assert catalog.ancestors("machining.telepathy") == ()
    assert catalog.lineage("machining.telepathy") == ()
    assert catalog.descendants("machining.telepathy") == frozenset()
    # A prefix of a real code is not a code.
    assert catalog.capability("mach") is None
    assert catalog.descendants("mach") == frozenset()
    assert catalog.certification_type("iso-0000") is None
    assert catalog.sector("astrology") is None
    assert catalog.digital_capability("telex") is None


def test_capability_tree_nests_every_node_once(rows):
    tree = catalog.capability_tree()
    assert [n["code"] for n in tree] == [r["code"] for r in rows if not r["parent"]]

    seen = []

    def walk(nodes, parent):
        for n in nodes:
            assert set(n) == {"code", "label_fr", "label_en", "children"}
            assert catalog.capability(n["code"]).parent == parent
            seen.append(n["code"])
            walk(n["children"], n["code"])

    walk(tree, None)
    assert sorted(seen) == sorted(r["code"] for r in rows)

    machining = next(n for n in tree if n["code"] == "machining")
    milling = next(n for n in machining["children"] if n["code"] == "machining.milling")
    assert {"code": "machining.milling.5axis", "label_fr": "Fraisage 5 axes",
            "label_en": "5-axis milling", "children": []} in milling["children"]

    tree[0]["children"].clear()  # callers may mutate their copy safely
    assert catalog.capability_tree()[0]["children"]


def test_certification_sector_and_digital_lookups():
    iatf = catalog.certification_type("iatf-16949")
    assert iatf.name == "IATF 16949"
    assert iatf.sectors == ("automotive",)
    assert len(catalog.certification_types()) == len(_json("certification_types.json"))

    assert catalog.sector("agrifood") == catalog.Sector("agrifood", "Agroalimentaire", "Agrifood")
    assert [s.code for s in catalog.sectors()] == [s["code"] for s in _json("sectors.json")]

    assert catalog.digital_capability("e-invoicing").label_en == "E-invoicing (Factur-X)"
    assert len(catalog.digital_capabilities()) == len(_json("digital_capabilities.json"))


def test_reference_objects_are_immutable():
    with pytest.raises(AttributeError):
        catalog.capability("machining").label_fr = "Autre"
    assert isinstance(catalog.certification_type("iso-9001").sectors, tuple)


def test_loader_rejects_a_child_listed_before_its_parent(tmp_path, monkeypatch):
    (tmp_path / "capabilities.csv").write_text(
        "code,parent,label_fr,label_en\n"
        "machining.milling,machining,Fraisage CNC,CNC milling\n"
        "machining,,Usinage,Machining\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(catalog, "DATA_DIR", tmp_path)
    catalog.capabilities.cache_clear()
    try:
        with pytest.raises(ValueError, match="before its parent"):
            catalog.capabilities()
    finally:
        catalog.capabilities.cache_clear()
