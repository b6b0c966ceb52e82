"""Realistic supplier data, deterministic from a seed, streamed into the database.

    python -m bench.generate --suppliers 10000 --seed 42 --database-url postgresql+psycopg://...
    python -m bench.generate --suppliers 300 --region rouen --database-url sqlite:///instance/x.db --rebuild

Supplier number *i* is drawn from its own random generator seeded with
(seed, i): the first N suppliers are the same whatever the total, a run can
resume or extend a data set (`--start`), and nothing but the current batch is
held in memory. Rows are written with SQLAlchemy Core bulk inserts into the
real tables (version 1, `updated_at` set), with only what the API itself
would accept: valid SIRETs (Luhn), known reference codes, real places with
the department the API derives from the postal code. The search index is then
built by the real rebuild (`api.search.rebuild.rebuild`, `--rebuild`).

What the data looks like:
- places: real GeoNames places, denser around industrial areas, densest
  around Rouen–Elbeuf–Cléon (bench.geography); ~15 % of suppliers have
  several sites;
- each supplier has a main capability area (machining, surface treatment,
  boiler-making...) and declares 2–8 capabilities, mostly in that area;
- sectors follow the area and the place (automotive around Cléon, chemicals
  in the Seine estuary, aerospace in Toulouse...);
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

import argparse
import math
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, create_engine, insert
from stdnum import luhn

from api.models import Contact, Site, Supplier, SupplierCapability, SupplierCertification
from api.reference import catalog
from search.text import fold

from . import geography, vocabulary as words

DEFAULT_SEED = 42
BATCH_SIZE = 2000

# --- the shape of the population ---------------------------------------------------

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

# SIREN numbers: 8 digits + Luhn key. Supplier i gets base FIRST + (STRIDE·i + offset) mod SPAN:
# a bijection (STRIDE is coprime with SPAN), so numbers are unique and look scattered.
SIREN_FIRST, SIREN_SPAN, SIREN_STRIDE = 10_000_000, 90_000_000, 7_777_777


# --- reference data, prepared once ------------------------------------------------------

class _Reference:
    def __init__(self) -> None:
        nodes = [c for c in catalog.capabilities() if c.depth >= 1]
        self.by_area: dict[str, list[str]] = {}
        for node in nodes:
            self.by_area.setdefault(node.code.split(".")[0], []).append(node.code)
        unknown_areas = set(AREA_WEIGHTS) ^ {c.code for c in catalog.capabilities() if c.depth == 0}
        if unknown_areas:
            raise ValueError(f"generator areas out of step with the taxonomy: {sorted(unknown_areas)}")
        self.areas, self.area_cumulative = _cumulative(AREA_WEIGHTS)
        self.cert_sectors = {c.code: frozenset(c.sectors) for c in catalog.certification_types()}
        missing = set(CERTIFICATIONS) - set(self.cert_sectors)
        if missing:
            raise ValueError(f"unknown certification types: {sorted(missing)}")
        self.sector_codes = {s.code for s in catalog.sectors()}
        self.sector_labels = {s.code: s.label_fr.lower() for s in catalog.sectors()}
        self.digital_codes = [d.code for d in catalog.digital_capabilities() if d.code in DIGITAL_BASE]
        self.labels = {c.code: c.label_fr for c in catalog.capabilities()}


_reference: _Reference | None = None


def reference() -> _Reference:
    global _reference
    if _reference is None:
        _reference = _Reference()
    return _reference


def _cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys, total, cumulative = [], 0.0, []
    for key, weight in weights.items():
        total += weight
        keys.append(key)
        cumulative.append(total)
    return keys, cumulative


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys, cumulative = _cumulative(weights)
    return rng.choices(keys, cum_weights=cumulative)[0]


def _weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    chosen, remaining = [], dict(weights)
    for _ in range(min(k, len(remaining))):
        key = _weighted(rng, remaining)
        chosen.append(key)
        del remaining[key]
    return chosen


# --- identifiers ----------------------------------------------------------------------------

def siren_of(index: int, seed: int) -> str:
    base = str(SIREN_FIRST + (SIREN_STRIDE * index + seed * 104_729) % SIREN_SPAN)
    return base + luhn.calc_check_digit(base)


def siret_of(siren: str, establishment: int = 1) -> str:
    base = f"{siren}{establishment:04d}"
    return base + luhn.calc_check_digit(base)


def french_vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def _phone(rng: random.Random, department: str | None) -> str:
    zone = _PHONE_ZONES.get(department or "", "05")
    return f"+33 {zone[1]} " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4))


_PHONE_ZONES = {
    **dict.fromkeys(("75", "77", "78", "91", "92", "93", "94", "95"), "01"),
    **dict.fromkeys(("14", "18", "22", "27", "28", "29", "35", "36", "37", "41", "44", "45", "49",
                     "50", "53", "56", "61", "72", "76", "85"), "02"),
    **dict.fromkeys(("02", "08", "10", "21", "25", "39", "51", "52", "54", "55", "57", "58", "59",
                     "60", "62", "67", "68", "70", "71", "80", "88", "89", "90"), "03"),
    **dict.fromkeys(("01", "03", "04", "05", "06", "07", "11", "13", "15", "26", "30", "34", "38",
                     "42", "43", "48", "63", "66", "69", "73", "74", "83", "84", "2A", "2B"), "04"),
}


# --- one supplier ------------------------------------------------------------------------------

class Generator:
    """Supplier number i of a data set, as rows for each table."""

    def __init__(self, seed: int = DEFAULT_SEED, *, region: str = "france",
                 now: datetime | None = None) -> None:
        if region not in geography.REGIONS:
            raise ValueError(f"unknown region {region!r}; one of {sorted(geography.REGIONS)}")
        self.seed, self.region = seed, region
        self.now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self.today = self.now.date()
        self.ref = reference()

    def supplier(self, index: int) -> dict:
        """{'supplier': row, 'sites': [...], 'capabilities': [...], 'certifications': [...], 'contacts': [...]}"""
        rng = random.Random((self.seed << 40) + index)
        supplier_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        hub = geography.pick_hub(self.region, rng.random())
        area = rng.choices(self.ref.areas, cum_weights=self.ref.area_cumulative)[0]
        band, employees = self._head_count(rng)
        sites = self._sites(rng, supplier_id, hub)
        capabilities = self._capabilities(rng, supplier_id, area)
        areas = {c["code"].split(".")[0] for c in capabilities}
        sectors = self._sectors(rng, area, hub, band)
        certifications = self._certifications(rng, supplier_id, sectors, areas, band)
        founded = self._founded(rng)
        legal_name, trade_name = self._names(rng, area, hub, sites[0]["city"], band)
        siren = siren_of(index, self.seed)
        domain = _slug(trade_name or legal_name.rsplit(" ", 1)[0])[:40].strip("-") + ".fr"
        updated_at = self.now - timedelta(seconds=rng.randrange(730 * 86400))
        created_at = updated_at - timedelta(seconds=rng.randrange(1500 * 86400))
        row = {
            "id": supplier_id,
            "organisation_id": None,
            "legal_name": legal_name,
            "trade_name": trade_name,
            "country": "FR",
            "siret": siret_of(siren),
            "siren": siren,
            "vat_number": french_vat(siren) if rng.random() < 0.85 else None,
            "naf_code": words.AREAS[area][1],
            "website": f"https://www.{domain}" if rng.random() < 0.7 else None,
            "description": self._description(rng, area, capabilities, sectors, sites[0]["city"], founded),
            "employees": employees,
            "founded_year": founded,
            "sectors": sectors,
            "digital": self._digital(rng, band, sectors, areas),
            "version": 1,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        return {"supplier": row, "sites": sites, "capabilities": capabilities,
                "certifications": certifications,
                "contacts": self._contacts(rng, supplier_id, domain, sites[0]["department"])}

    def suppliers(self, start: int, count: int) -> Iterator[dict]:
        for index in range(start, start + count):
            yield self.supplier(index)

    # --- parts ---

    @staticmethod
    def _head_count(rng: random.Random) -> tuple[str, int]:
        u = rng.random()
        for band, low, high, share in SIZE_BANDS:
            if u < share or band == "large":
                break
            u -= share
        # Log-uniform inside the band: smaller firms are more common.
        employees = int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))
        return band, max(low, min(high, employees))

    def _sites(self, rng: random.Random, supplier_id: str, hub: geography.Hub) -> list[dict]:
        u = rng.random()
        count = 1 if u < 0.85 else 2 if u < 0.955 else 3 if u < 0.985 else rng.randint(4, 6)
        sites, seen = [], set()
        for position in range(count):
            site_hub = hub if position == 0 or rng.random() < 0.6 else geography.pick_hub(self.region, rng.random())
            place = geography.pick_place(site_hub, rng.random())
            if (place.name, place.postal_code) in seen:
                continue
            seen.add((place.name, place.postal_code))
            street = rng.choice(words.STREETS)
            address = f"{rng.randint(1, 120)} {street}"
            if rng.random() < 0.35:
                address = f"{rng.choice(words.ZONES)} {rng.choice(('Nord', 'Sud', 'Est', 'Ouest', 'des Sablons', 'du Moulin', 'de la Vallée'))}, {address}"
            sites.append({
                "supplier_id": supplier_id, "position": len(sites),
                "name": "Siège et atelier" if position == 0 else f"Établissement de {place.name}",
                "address": address, "postal_code": place.postal_code, "city": place.name,
                "country": "FR", "department": geography.department_of(place.postal_code),
                # Within a few hundred metres of the place's centre, so firms of one town differ.
                "latitude": round(place.latitude + rng.uniform(-0.006, 0.006), 6),
                "longitude": round(place.longitude + rng.uniform(-0.008, 0.008), 6),
            })
        return sites

    def _capabilities(self, rng: random.Random, supplier_id: str, area: str) -> list[dict]:
        own = self.ref.by_area[area]
        codes = rng.sample(own, min(len(own), rng.randint(2, 6)))
        if rng.random() < 0.4:
            related = rng.choice(RELATED_AREAS[area])
            codes += [c for c in rng.sample(self.ref.by_area[related], rng.randint(1, 2)) if c not in codes]
        rows = []
        for position, code in enumerate(codes):
            root = code.split(".")[0]
            detailed = root in words.MATERIALS and rng.random() < 0.5
            rows.append({
                "supplier_id": supplier_id, "position": position, "code": code,
                "materials": rng.sample(words.MATERIALS[root], rng.randint(1, 3)) if detailed else [],
                "max_part_size": rng.choice(words.PART_SIZES) if detailed and rng.random() < 0.6 else None,
                "tolerance": rng.choice(words.TOLERANCES) if detailed and root == "machining" else None,
                "capacity": rng.choice(words.CAPACITIES) if detailed and rng.random() < 0.4 else None,
            })
        return rows

    def _sectors(self, rng: random.Random, area: str, hub: geography.Hub, band: str) -> list[str]:
        weights = {s: w * hub.sectors.get(s, 1.0) for s, w in AREA_SECTORS[area].items()}
        count = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0] + (band in ("medium", "large"))
        return sorted(_weighted_sample(rng, weights, count))

    def _certifications(self, rng: random.Random, supplier_id: str, sectors: list[str], areas: set[str],
                        band: str) -> list[dict]:
        served = set(sectors)
        factor = SIZE_FACTOR[band]
        rows = []
        for code, (probability, needs, cycle_years) in CERTIFICATIONS.items():
            if not served & self.ref.cert_sectors[code]:
                continue
            if needs is not None and not areas.intersection(needs):
                continue
            if rng.random() >= min(0.95, probability * factor):
                continue
            cycle_days = round(cycle_years * 365.25)
            # Anywhere in the current cycle, or up to a tenth of a cycle past its end (lapsed).
            started = rng.randrange(round(cycle_days * 1.1))
            valid_from = self.today - timedelta(days=started)
            valid_until = valid_from + timedelta(days=cycle_days - 1)
            rows.append({
                "supplier_id": supplier_id, "position": len(rows), "type": code,
                "number": f"{code.upper().replace('-', '')[:8]}-{valid_from.year}-{rng.randrange(10**6):06d}",
                "issuing_body": words.SPECIAL_BODIES.get(code) or rng.choice(words.ISSUING_BODIES),
                "valid_from": valid_from, "valid_until": valid_until, "scope": None,
            })
        return rows

    def _digital(self, rng: random.Random, band: str, sectors: list[str], areas: set[str]) -> list[str]:
        factor = SIZE_FACTOR[band]
        chosen = []
        for code in self.ref.digital_codes:
            probability = DIGITAL_BASE[code] * factor
            if code == "edi" and "automotive" in sectors:
                probability *= 4
            if code == "cad-exchange" and areas & {"machining", "engineering", "tooling", "additive"}:
                probability *= 3
            if rng.random() < min(0.95, probability):
                chosen.append(code)
        return chosen

    def _founded(self, rng: random.Random) -> int:
        # Many recent firms, some old family businesses.
        return max(1880, self.today.year - int(rng.expovariate(1 / 22)))

    def _names(self, rng: random.Random, area: str, hub: geography.Hub, city: str,
               band: str) -> tuple[str, str | None]:
        trade = rng.choice(words.AREAS[area][0])
        surname = rng.choice(words.SURNAMES)
        forms = words.LEGAL_FORMS_LARGE if band in ("medium", "large") else words.LEGAL_FORMS_SMALL
        form = rng.choices([f for f, _ in forms], weights=[w for _, w in forms])[0]
        pattern = rng.randrange(8)
        trade_name = None
        if pattern == 0:
            name = f"{surname} {trade}"
        elif pattern == 1:
            article = "d'" if city[0] in "AEIOUÉÈÊYH" else "de "
            name = f"Ateliers {article}{city}"
        elif pattern == 2:
            acronym = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTV") for _ in range(rng.randint(2, 4)))
            name = f"{acronym} Industrie"
        elif pattern == 3:
            name = f"Établissements {surname}"
            trade_name = f"Éts {surname}"
        elif pattern == 4:
            name = f"{trade} {hub.word}" if hub.word != "France" else f"{trade} {surname}"
        elif pattern == 5:
            name = f"{rng.choice(words.STEMS)}{rng.choice(words.SUFFIXES)}"
        elif pattern == 6:
            name = f"{surname} et Fils"
        else:
            name = f"{surname}-{rng.choice(words.SURNAMES)} {trade}"
        if trade_name is None and rng.random() < 0.2:
            initials = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())
            trade_name = initials if len(initials) >= 3 else None
        return f"{name} {form}", trade_name

    def _description(self, rng: random.Random, area: str, capabilities: list[dict], sectors: list[str],
                     city: str, founded: int) -> str:
        opening = rng.choice(words.DESCRIPTION_OPENINGS).format(
            kind=rng.choice(words.KINDS), city=city, year=founded)
        labels = [self.ref.labels[c["code"]] for c in capabilities[:4]]
        offer = ", ".join(label[0].lower() + label[1:] for label in labels)
        materials = sorted({m for c in capabilities for m in c["materials"]})
        text = f"{opening}. Savoir-faire : {offer}."
        if materials:
            text += f" Matériaux : {', '.join(materials)}."
        text += f" Clients dans les secteurs {', '.join(self.ref.sector_labels[s] for s in sectors)}."
        return text

    def _contacts(self, rng: random.Random, supplier_id: str, domain: str, department: str | None) -> list[dict]:
        count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
        rows = []
        for position in range(count):
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.SURNAMES)
            rows.append({
                "supplier_id": supplier_id, "position": position, "name": f"{first} {last}",
                "role": rng.choice(words.CONTACT_ROLES),
                "email": f"{_slug(first)}.{_slug(last)}@{domain}".replace("-", ""),
                "phone": _phone(rng, department),
            })
        return rows


# --- writing ----------------------------------------------------------------------------------------

TABLES = (("supplier", Supplier.__table__), ("sites", Site.__table__),
          ("capabilities", SupplierCapability.__table__),
          ("certifications", SupplierCertification.__table__), ("contacts", Contact.__table__))


def write(engine: Engine, count: int, *, seed: int = DEFAULT_SEED, start: int = 0, region: str = "france",
          batch_size: int = BATCH_SIZE, now: datetime | None = None,
          progress: Callable[[int, int], None] | None = None) -> int:
    """Insert suppliers start … start+count-1 in batches (one transaction each); return how many."""
    generator = Generator(seed, region=region, now=now)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        rows: dict[str, list[dict]] = {name: [] for name, _ in TABLES}
        for generated in generator.suppliers(start + done, size):
            rows["supplier"].append(generated["supplier"])
            for name, _ in TABLES[1:]:
                rows[name].extend(generated[name])
        with engine.begin() as connection:
            for name, table in TABLES:
                if rows[name]:
                    connection.execute(insert(table), rows[name])
        done += size
        if progress:
            progress(done, count)
    return done


def _stderr_progress(started: float) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        print(f"  {done:,}/{total:,} suppliers ({done / total:.0%}), {rate:,.0f}/s", file=sys.stderr, flush=True)
    return report


def rebuild_index(database_url: str, elasticsearch_url: str, index_prefix: str) -> None:
    """Build the search index from the database with the real rebuild."""
    from api import create_app, db
    from api.search import sync
    from api.search.rebuild import rebuild

    app = create_app({"DATABASE_URL": database_url, "ELASTICSEARCH_URL": elasticsearch_url,
                      "INDEX_PREFIX": index_prefix, "SEARCH_SYNC_THREAD": False})
    with app.app_context():
        report = rebuild(db.session(), sync.supplier_index())
    print(f"{report.index} is live: {report.indexed:,} suppliers indexed in {report.seconds:.1f}s",
          file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, required=True, help="how many suppliers to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=int, default=0, help="number of the first supplier (to extend a data set)")
    parser.add_argument("--region", choices=sorted(geography.REGIONS), default="france")
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of a migrated database")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--migrate", action="store_true", help="apply the migrations first")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the search index afterwards")
    parser.add_argument("--elasticsearch-url", default="http://127.0.0.1:9200")
    parser.add_argument("--index-prefix", default="proxisource")
    args = parser.parse_args(argv)

    if args.migrate:
        from api import migrate
        migrate.upgrade(args.database_url)
    engine = create_engine(args.database_url)
    started = time.monotonic()
    print(f"generating {args.suppliers:,} suppliers (seed {args.seed}, region {args.region})", file=sys.stderr)
    write(engine, args.suppliers, seed=args.seed, start=args.start, region=args.region,
          batch_size=args.batch_size, progress=_stderr_progress(started))
    elapsed = time.monotonic() - started
    print(f"wrote {args.suppliers:,} suppliers in {elapsed:.1f}s ({args.suppliers / max(elapsed, 1e-9):,.0f}/s)",
          file=sys.stderr)
    engine.dispose()
    if args.rebuild:
        rebuild_index(args.database_url, args.elasticsearch_url, args.index_prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
