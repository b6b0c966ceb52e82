"""Reference data shipped with Proxisource.

The capability taxonomy, certification types, sectors, digital capabilities and
the trade's vocabulary live as data files next to this module. This module is deliberately pure Python
(no Flask, no database) so the API, the search document builder and import
scripts all read the same reference data. Files are read once per process.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from search.spelling import Speller
from search.text import terms
from search.vocabulary import Vocabulary

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Capability:
    code: str
    parent: str | None
    label_fr: str
    label_en: str
    depth: int  # 0 for a top-level area


@dataclass(frozen=True, slots=True)
class CertificationType:
    code: str
    name: str
    description: str
    sectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Sector:
    code: str
    label_fr: str
    label_en: str


@dataclass(frozen=True, slots=True)
class DigitalCapability:
    code: str
    label_fr: str
    label_en: str
    description: str


def _read_json(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


# --- Capability taxonomy ---------------------------------------------------


@cache
def capabilities() -> tuple[Capability, ...]:
    """Every taxonomy node, in file order (parents always before children)."""
    depth_of: dict[str, int] = {}
    nodes = []
    with (DATA_DIR / "capabilities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, parent = row["code"], row["parent"] or None
            # Depth is computed in a single pass, which relies on the file
            # declaring parents first; fail loudly rather than guess.
            if parent is not None and parent not in depth_of:
                raise ValueError(f"capabilities.csv: {code!r} comes before its parent {parent!r}")
            depth_of[code] = 0 if parent is None else depth_of[parent] + 1
            nodes.append(Capability(code, parent, row["label_fr"], row["label_en"], depth_of[code]))
    return tuple(nodes)


@cache
def _capability_index() -> dict[str, Capability]:
    return {c.code: c for c in capabilities()}


@cache
def _children() -> dict[str | None, tuple[str, ...]]:
    children: dict[str | None, list[str]] = {}
    for c in capabilities():
        children.setdefault(c.parent, []).append(c.code)
    return {parent: tuple(codes) for parent, codes in children.items()}


@cache
def _descendants_index() -> dict[str, frozenset[str]]:
    # Precomputed for every node (a few hundred) instead of caching per call,
    # so arbitrary codes from requests cannot grow a cache without bound.
    # Walking in reverse file order visits children before their parents.
    result: dict[str, frozenset[str]] = {}
    for c in reversed(capabilities()):
        below = (result[child] for child in _children().get(c.code, ()))
        result[c.code] = frozenset({c.code}).union(*below)
    return result


def capability(code: str) -> Capability | None:
    return _capability_index().get(code)


@cache
def _lineage_index() -> dict[str, tuple[str, ...]]:
    # Precomputed like the descendants: every search document asks for it, many times.
    # File order puts parents first, so a parent's lineage is ready before its children's.
    result: dict[str, tuple[str, ...]] = {}
    for c in capabilities():
        result[c.code] = (result[c.parent] if c.parent else ()) + (c.code,)
    return result


def ancestors(code: str) -> tuple[str, ...]:
    """Codes from the root down to the node's parent; empty for a root or an unknown code."""
    return lineage(code)[:-1]


def lineage(code: str) -> tuple[str, ...]:
    """Ancestors then the node itself; empty for an unknown code."""
    return _lineage_index().get(code, ())


def descendants(code: str) -> frozenset[str]:
    """The node and everything below it; empty for an unknown code."""
    return _descendants_index().get(code, frozenset())


def capability_tree() -> list[dict[str, Any]]:
    """The taxonomy as nested dicts, in file order. A fresh copy on each call."""

    def build(parent: str | None) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "label_fr": capability(code).label_fr,
                "label_en": capability(code).label_en,
                "children": build(code),
            }
            for code in _children().get(parent, ())
        ]

    return build(None)


# --- Certification types, sectors, digital capabilities ---------------------


@cache
def certification_types() -> tuple[CertificationType, ...]:
    return tuple(
        CertificationType(d["code"], d["name"], d["description"], tuple(d["sectors"]))
        for d in _read_json("certification_types.json")
    )


@cache
def _certification_type_index() -> dict[str, CertificationType]:
    return {c.code: c for c in certification_types()}


def certification_type(code: str) -> CertificationType | None:
    return _certification_type_index().get(code)


@cache
def sectors() -> tuple[Sector, ...]:
    return tuple(Sector(d["code"], d["label_fr"], d["label_en"]) for d in _read_json("sectors.json"))


@cache
def _sector_index() -> dict[str, Sector]:
    return {s.code: s for s in sectors()}


def sector(code: str) -> Sector | None:
    return _sector_index().get(code)


@cache
def digital_capabilities() -> tuple[DigitalCapability, ...]:
    return tuple(
        DigitalCapability(d["code"], d["label_fr"], d["label_en"], d["description"])
        for d in _read_json("digital_capabilities.json")
    )


@cache
def _digital_capability_index() -> dict[str, DigitalCapability]:
    return {d.code: d for d in digital_capabilities()}


def digital_capability(code: str) -> DigitalCapability | None:
    return _digital_capability_index().get(code)


# --- The trade's vocabulary ----------------------------------------------------


@cache
def term_groups() -> tuple[tuple[str, ...], ...]:
    """Each group's terms, in file order (the file also says each group's area and sources)."""
    with (DATA_DIR / "vocabulary.json").open(encoding="utf-8") as f:
        return tuple(tuple(group["terms"]) for group in json.load(f)["groups"])


@cache
def vocabulary() -> Vocabulary:
    """Synonyms and abbreviations, as search applies them (search.vocabulary)."""
    return Vocabulary(term_groups())


@cache
def speller() -> Speller:
    """Knows the vocabulary's words and the taxonomy labels' words, French and English."""
    labels = {word for node in capabilities() for label in (node.label_fr, node.label_en)
              for word in terms(label)}
    return Speller(vocabulary().words() | labels)
