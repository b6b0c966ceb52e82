"""What the generated population looks like: how common each trade, sector, certification and size is.

Plain tables (checked once against the reference data) that the generator
draws suppliers from:
- each supplier has a main capability area (machining, surface treatment,
  boiler-making...) and declares 2–8 capabilities, mostly in that area;
- sectors follow the area and the place (automotive around Cléon, chemicals
  in the Seine estuary, aerospace in Toulouse...: see geography.py);
- certifications follow the sectors (a type is only ever held by a supplier
  serving one of the sectors it matters to, from certification_types.json:
  IATF 16949 ↔ automotive, EN 9100 ↔ aerospace, GMP ↔ pharmaceuticals,
  MASE ↔ chemicals/energy...) and the trade (Nadcap for special processes,
  Qualifelec for electricians); they run in real cycles (3 years for ISO
  schemes, 1 year for IFS or EcoVadis), so some have expired and some are
  about to;
- head counts follow the French SME distribution: mostly micro and small.
"""

from __future__ import annotations

from ..reference import catalog

# Main capability area of a supplier, by how common such firms are around big plants.
AREA_WEIGHTS = {
    "machining": 16, "boilermaking": 9, "maintenance": 10, "forming": 7, "joining": 6, "surface": 6,
    "electrical": 9, "plastics": 6, "engineering": 8, "assembly": 4, "metrology": 3, "tooling": 3,
    "logistics": 5, "cleaning": 4, "heat_treatment": 2, "casting_forging": 2, "additive": 1,
}
# Areas often offered alongside the main one.
RELATED_AREAS = {
    "machining": ("assembly", "metrology", "tooling", "joining"),
    "forming": ("joining", "surface", "boilermaking", "assembly"),
    "joining": ("boilermaking", "forming", "metrology"),
    "surface": ("heat_treatment", "cleaning", "metrology"),
    "heat_treatment": ("surface", "metrology"),
    "plastics": ("tooling", "assembly", "additive"),
    "casting_forging": ("machining", "heat_treatment"),
    "additive": ("engineering", "machining", "metrology"),
    "electrical": ("engineering", "maintenance", "assembly"),
    "assembly": ("engineering", "electrical", "machining"),
    "metrology": ("engineering",),
    "maintenance": ("electrical", "engineering", "machining", "joining"),
    "engineering": ("electrical", "assembly"),
    "logistics": ("cleaning",),
    "cleaning": ("maintenance", "logistics"),
    "boilermaking": ("joining", "forming", "surface", "maintenance"),
    "tooling": ("machining", "plastics", "maintenance"),
}
# Sectors a supplier of each area serves, before the hub tilts them.
AREA_SECTORS = {
    "machining": {"automotive": 3, "aerospace": 3, "industrial-equipment": 3, "energy": 1, "rail": 1,
                  "medical-devices": 1, "defence": 1, "nuclear": 1},
    "forming": {"automotive": 4, "construction": 2, "industrial-equipment": 2, "aerospace": 1, "rail": 1,
                "energy": 1},
    "joining": {"construction": 2, "energy": 2, "industrial-equipment": 2, "automotive": 2, "rail": 1,
                "naval": 1, "nuclear": 1, "chemicals": 1},
    "surface": {"automotive": 3, "aerospace": 3, "construction": 1, "industrial-equipment": 1,
                "electronics": 1, "medical-devices": 1, "defence": 1},
    "heat_treatment": {"automotive": 3, "aerospace": 3, "industrial-equipment": 2, "energy": 1},
    "plastics": {"automotive": 4, "cosmetics": 1, "medical-devices": 1, "pharmaceuticals": 1,
                 "agrifood": 1, "electronics": 1, "aerospace": 1, "construction": 1},
    "casting_forging": {"automotive": 3, "aerospace": 2, "industrial-equipment": 2, "energy": 1, "rail": 1},
    "additive": {"aerospace": 3, "medical-devices": 2, "automotive": 2, "defence": 1},
    "electrical": {"energy": 3, "construction": 2, "automotive": 1, "electronics": 3,
                   "industrial-equipment": 2, "chemicals": 1, "rail": 1},
    "assembly": {"automotive": 3, "industrial-equipment": 3, "aerospace": 1, "electronics": 1, "rail": 1},
    "metrology": {"automotive": 2, "aerospace": 2, "pharmaceuticals": 1, "agrifood": 1, "chemicals": 1,
                  "energy": 1, "nuclear": 1, "medical-devices": 1},
    "maintenance": {"chemicals": 3, "energy": 3, "agrifood": 2, "automotive": 2, "pharmaceuticals": 2,
                    "oil-and-gas": 2, "industrial-equipment": 1, "nuclear": 1},
    "engineering": {"automotive": 2, "chemicals": 2, "energy": 2, "aerospace": 2, "pharmaceuticals": 1,
                    "industrial-equipment": 2, "construction": 1},
    "logistics": {"transport": 4, "agrifood": 2, "chemicals": 2, "automotive": 2, "pharmaceuticals": 1},
    "cleaning": {"chemicals": 3, "pharmaceuticals": 3, "agrifood": 3, "energy": 1, "nuclear": 1,
                 "cosmetics": 1},
    "boilermaking": {"chemicals": 3, "energy": 3, "oil-and-gas": 2, "agrifood": 2, "pharmaceuticals": 1,
                     "nuclear": 1, "construction": 1, "naval": 1},
    "tooling": {"automotive": 4, "industrial-equipment": 2, "aerospace": 1, "cosmetics": 1,
                "electronics": 1},
}

MANUFACTURING = ("machining", "forming", "joining", "surface", "heat_treatment", "plastics",
                 "casting_forging", "additive", "electrical", "assembly", "tooling", "boilermaking")
ON_SITE_SERVICES = ("maintenance", "cleaning", "boilermaking", "joining", "electrical", "engineering",
                    "logistics", "surface", "metrology")

# Certification type -> (probability for a small firm serving one of its sectors,
# capability areas it needs (None: any), cycle in years).
CERTIFICATIONS = {
    "iso-9001": (0.45, None, 3), "iso-14001": (0.12, None, 3), "iso-45001": (0.06, None, 3),
    "iso-50001": (0.02, None, 3), "ecovadis": (0.06, None, 1), "engage-rse": (0.01, None, 3),
    "iso-26000": (0.005, None, 3),
    "iso-27001": (0.03, ("engineering", "electrical", "logistics"), 3),
    "iatf-16949": (0.35, MANUFACTURING, 3), "tisax": (0.04, ("engineering", "electrical"), 3),
    "en-9100": (0.4, (*MANUFACTURING, "metrology", "engineering"), 3),
    "en-9110": (0.05, ("maintenance",), 3), "en-9120": (0.05, ("logistics",), 3),
    "easa-part-21g": (0.04, ("assembly", "machining", "plastics"), 3),
    "easa-part-145": (0.04, ("maintenance",), 3),
    "nadcap": (0.15, ("surface", "heat_treatment", "metrology", "joining"), 1),
    "aqap-2110": (0.12, MANUFACTURING, 3),
    "iso-13485": (0.4, ("machining", "plastics", "additive", "cleaning", "assembly", "electrical",
                        "metrology", "surface"), 3),
    "gmp": (0.3, ("cleaning", "boilermaking", "logistics", "metrology", "maintenance", "engineering",
                  "plastics"), 3),
    "gdp": (0.3, ("logistics",), 3), "iso-15378": (0.08, ("plastics", "logistics"), 3),
    "iso-22716": (0.3, ("plastics", "logistics", "cleaning"), 3),
    "mase": (0.35, ON_SITE_SERVICES, 3),
    "iso-22000": (0.15, ("boilermaking", "cleaning", "logistics", "maintenance", "plastics",
                         "engineering", "metrology"), 3),
    "fssc-22000": (0.08, ("plastics", "logistics", "cleaning"), 3),
    "ifs-food": (0.08, ("logistics", "plastics"), 1), "brcgs-food": (0.04, ("plastics", "logistics"), 1),
    "haccp": (0.15, ("cleaning", "logistics", "maintenance"), 1),
    "iso-17025": (0.35, ("metrology",), 5),
    "atex": (0.12, ("electrical", "maintenance", "boilermaking", "engineering"), 3),
    "qualibat": (0.25, ("boilermaking", "cleaning", "joining"), 4),
    "qualifelec": (0.4, ("electrical",), 4),
    "cefri": (0.2, ("maintenance", "cleaning", "metrology", "boilermaking", "electrical", "joining"), 3),
    "iso-19443": (0.1, ("machining", "boilermaking", "metrology", "joining"), 3),
    "iso-3834": (0.3, ("joining", "boilermaking"), 3),
    "en-1090": (0.3, ("boilermaking", "joining", "forming"), 3),
    "en-15085": (0.35, ("joining", "boilermaking"), 3),
    "iso-22163": (0.2, MANUFACTURING, 3),
    "ped": (0.3, ("boilermaking",), 3), "asme": (0.06, ("boilermaking",), 3),
    "ce-machinery": (0.35, ("assembly", "engineering"), 5),
}

# Head count bands (EU SME bands), French industry: mostly micro and small firms.
SIZE_BANDS = (("micro", 1, 9, 0.55), ("small", 10, 49, 0.32), ("medium", 50, 249, 0.10),
              ("large", 250, 5000, 0.03))
SIZE_FACTOR = {"micro": 0.45, "small": 1.0, "medium": 1.6, "large": 2.0}

DIGITAL_BASE = {
    "e-invoicing": 0.35, "erp": 0.35, "cad-exchange": 0.2, "edi": 0.1, "supplier-portal": 0.15,
    "traceability": 0.12, "cmms": 0.08, "mes": 0.06, "api-integration": 0.05, "iot-monitoring": 0.05,
    "e-signature": 0.2, "cybersecurity": 0.1, "plm": 0.04, "vmi": 0.03, "e-catalogue": 0.03,
    "digital-twin": 0.01,
}


# --- the reference data, checked against these tables once ---------------------------------

class _Reference:
    def __init__(self) -> None:
        nodes = [c for c in catalog.capabilities() if c.depth >= 1]
        self.by_area: dict[str, list[str]] = {}
        for node in nodes:
            self.by_area.setdefault(node.code.split(".")[0], []).append(node.code)
        unknown_areas = set(AREA_WEIGHTS) ^ {c.code for c in catalog.capabilities() if c.depth == 0}
        if unknown_areas:
            raise ValueError(f"generator areas out of step with the taxonomy: {sorted(unknown_areas)}")
        self.areas, self.area_cumulative = cumulative(AREA_WEIGHTS)
        self.cert_sectors = {c.code: frozenset(c.sectors) for c in catalog.certification_types()}
        missing = set(CERTIFICATIONS) - set(self.cert_sectors)
        if missing:
            raise ValueError(f"unknown certification types: {sorted(missing)}")
        self.sector_labels = {s.code: s.label_fr.lower() for s in catalog.sectors()}
        self.digital_codes = [d.code for d in catalog.digital_capabilities() if d.code in DIGITAL_BASE]
        self.labels = {c.code: c.label_fr for c in catalog.capabilities()}


_reference: _Reference | None = None


def reference() -> _Reference:
    global _reference
    if _reference is None:
        _reference = _Reference()
    return _reference


def cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys, total, running = [], 0.0, []
    for key, weight in weights.items():
        total += weight
        keys.append(key)
        running.append(total)
    return keys, running
