"""Supplier number *i* of a data set, drawn as the rows of each table.

Supplier *i* is drawn from its own random generator seeded with (seed, i):
the first N suppliers are the same whatever the total, a data set can be
extended (`start`), and suppliers can be drawn one batch at a time. Only
what the API itself would accept is drawn: valid SIRETs (Luhn), known
reference codes (population.py), real places with the department the API
derives from the postal code (geography.py).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from . import geography, population
from . import vocabulary as words
from .identifiers import french_vat, phone, siren_of, siret_of, slug
from .population import AREA_SECTORS, CERTIFICATIONS, DIGITAL_BASE, RELATED_AREAS, SIZE_BANDS, SIZE_FACTOR

DEFAULT_SEED = 42


class Generator:
    """Supplier number i of a data set, as rows for each table."""

    def __init__(self, seed: int = DEFAULT_SEED, *, region: str = "france",
                 now: datetime | None = None) -> None:
        if region not in geography.REGIONS:
            raise ValueError(f"unknown region {region!r}; one of {sorted(geography.REGIONS)}")
        self.seed, self.region = seed, region
        self.now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self.today = self.now.date()
        self.ref = population.reference()

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
        domain = slug(trade_name or legal_name.rsplit(" ", 1)[0])[:40].strip("-") + ".fr"
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
                "email": f"{slug(first)}.{slug(last)}@{domain}".replace("-", ""),
                "phone": phone(rng, department),
            })
        return rows


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys, cumulative = population.cumulative(weights)
    return rng.choices(keys, cum_weights=cumulative)[0]


def _weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    chosen, remaining = [], dict(weights)
    for _ in range(min(k, len(remaining))):
        key = _weighted(rng, remaining)
        chosen.append(key)
        del remaining[key]
    return chosen
