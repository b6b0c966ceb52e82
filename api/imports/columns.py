"""The template's columns: one row per supplier, headers in English or French.

Plain fields have one column each. Sites, capabilities, certifications and
contacts have numbered groups of columns (`site_1_city`, `site_2_city`…), as
many as a supplier needs; capabilities may also be listed, codes or labels,
in the single `capabilities` column. Lists inside a cell are separated by
LIST_SEPARATOR. Headers are recognised whatever their case, accents, spaces
or underscores ("Raison sociale", "RAISON_SOCIALE", "raison sociale").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.text import fold

LIST_SEPARATOR = "|"
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Field:
    key: str  # the payload's field name
    en: str
    fr: str
    description: str
    example: str = ""


# Columns an import needs (the rest may be left out: an update then keeps those fields).
REQUIRED = ("legal_name", "site_1_city")

FIELDS = (
    Field("id", "id", "id", "Proxisource id: leave empty for a new supplier (exports fill it)"),
    Field("legal_name", "legal_name", "raison_sociale", "Registered name", "Usinage de la Seine SAS"),
    Field("trade_name", "trade_name", "nom_commercial", "Name used in trade", "Usinage Seine"),
    Field("country", "country", "pays", "Country of registration, ISO code (empty: FR)", "FR"),
    Field("siret", "siret", "siret", "14 digits; a French company gives its SIRET or SIREN",
          "41200000100012"),
    Field("siren", "siren", "siren", "9 digits (derived from the SIRET when given)"),
    Field("vat_number", "vat_number", "numero_tva", "EU VAT number", "FR83412000001"),
    Field("naf_code", "naf_code", "code_naf", "NAF/NACE activity code", "25.62B"),
    Field("website", "website", "site_web", "http(s) address", "https://www.usinage-seine.fr"),
    Field("description", "description", "description", "Free text (up to 5,000 characters)"),
    Field("employees", "employees", "effectif", "Head count", "42"),
    Field("founded_year", "founded_year", "annee_creation", "Year founded", "1987"),
    Field("sectors", "sectors", "secteurs", "Sectors served: codes or labels, | between them",
          "Automobile | aerospace"),
    Field("capabilities", "capabilities", "capacites",
          "Capabilities without details: codes or labels, | between them", "Fraisage 5 axes | turning"),
    Field("digital", "digital", "numerique", "Digital readiness: codes or labels, | between them", "EDI"),
)


@dataclass(frozen=True)
class Group:
    key: str  # the payload's list
    en: str
    fr: str
    fields: tuple[Field, ...]  # a field with an empty `en` is the group's own column (capability_1)
    shown: int  # groups in the template


GROUPS = (
    Group("sites", "site", "site", (
        Field("name", "name", "nom", "Site name", "Siège et atelier"),
        Field("address", "address", "adresse", "Street address", "12 rue des Forges"),
        Field("postal_code", "postal_code", "code_postal", "Postal code (5 digits in France)", "76000"),
        Field("city", "city", "ville", "City (required for site 1)", "Rouen"),
        Field("country", "country", "pays", "ISO country code (empty: FR)", "FR"),
        Field("latitude", "latitude", "latitude", "Decimal degrees; leave both empty to place the site "
                                                   "from its city and postal code"),
        Field("longitude", "longitude", "longitude", "Decimal degrees"),
    ), 2),
    Group("capabilities", "capability", "capacite", (
        Field("code", "", "", "Capability: code or label", "5-axis milling"),
        Field("materials", "materials", "matieres", "Materials, | between them", "aluminium | titanium"),
        Field("max_part_size", "max_part_size", "taille_max", "Largest part", "1200 x 800 x 600 mm"),
        Field("tolerance", "tolerance", "tolerance", "Tolerance", "±0.01 mm"),
        Field("capacity", "capacity", "volume", "Yearly capacity", "200,000 parts"),
    ), 2),
    Group("certifications", "certification", "certification", (
        Field("type", "type", "type", "Certification: code or name", "ISO 9001"),
        Field("number", "number", "numero", "Certificate number"),
        Field("issuing_body", "issuing_body", "organisme", "Issuing body", "AFNOR Certification"),
        Field("valid_from", "valid_from", "valide_du", "Valid from (31/12/2026 or 2026-12-31)", "15/01/2024"),
        Field("valid_until", "valid_until", "valide_au", "Valid until (31/12/2026 or 2026-12-31)",
              "14/01/2027"),
        Field("scope", "scope", "perimetre", "Scope of the certificate"),
    ), 2),
    Group("contacts", "contact", "contact", (
        Field("name", "name", "nom", "Full name (personal data: shown to buyers and admins)",
              "Claire Martin"),
        Field("role", "role", "fonction", "Role", "Responsable commerciale"),
        Field("email", "email", "email", "Email", "claire.martin@usinage-seine.fr"),
        Field("phone", "phone", "telephone", "Phone", "+33 2 35 00 00 00"),
    ), 1),
)
GROUP_BY_KEY = {group.key: group for group in GROUPS}

# Columns a report adds (or an export could carry): ignored when the file comes back.
REPORT_COLUMNS = ("status", "errors", "warnings")
_REPORT_HEADERS = {"status", "statut", "errors", "erreurs", "warnings", "avertissements"}


def normalise(header: str) -> str:
    """What a header is recognised by: lower case, no accents, words joined by underscores."""
    return "_".join(re.findall(r"[a-z0-9]+", fold(header)))


def column_name(group: Group, number: int, field: Field, lang: str = "en") -> str:
    """The canonical (English) or French name of a group's column: site_1_city, capacite_2."""
    suffix = getattr(field, lang)
    return f"{getattr(group, lang)}_{number}" + (f"_{suffix}" if suffix else "")


def _field_names() -> dict[str, str]:
    return {normalise(name): field.key for field in FIELDS for name in (field.en, field.fr)}


def _group_names() -> dict[tuple[str, str], tuple[Group, Field]]:
    return {(normalise(getattr(group, lang)), normalise(getattr(field, lang))): (group, field)
            for group in GROUPS for field in group.fields for lang in LANGUAGES}


_FIELD_NAMES = _field_names()
_GROUP_NAMES = _group_names()
_NUMBERED = re.compile(r"^([a-z]+)_(\d{1,3})(?:_(\w+))?$")


def canonical(header: str) -> str | None:
    """The canonical name of a header (legal_name, site_2_city), None for a column Proxisource
    does not know, "" for a report column."""
    name = normalise(header)
    if name in _REPORT_HEADERS:
        return ""
    if name in _FIELD_NAMES:
        return _FIELD_NAMES[name]
    match = _NUMBERED.match(name)
    if match and int(match.group(2)) >= 1:
        found = _GROUP_NAMES.get((match.group(1), match.group(3) or ""))
        if found:
            group, field = found
            return column_name(group, int(match.group(2)), field)
    return None


def header(lang: str = "en", counts: dict[str, int] | None = None) -> list[str]:
    """The template's header row, with `counts` groups of each kind (default: GROUPS' `shown`)."""
    names = [getattr(field, lang) for field in FIELDS]
    for group in GROUPS:
        for number in range(1, (counts or {}).get(group.key, group.shown) + 1):
            names += [column_name(group, number, field, lang) for field in group.fields]
    return names


def describe(lang: str = "en") -> list[tuple[str, str, str]]:
    """(header, description, example) for every column of the template, group 1 standing for all."""
    rows = [(getattr(field, lang), field.description, field.example) for field in FIELDS]
    for group in GROUPS:
        rows += [(column_name(group, 1, field, lang), field.description, field.example)
                 for field in group.fields]
    return rows
