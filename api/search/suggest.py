"""Suggestions as the user types: capability labels, the trade's words, supplier names, places.

Capabilities, the trade's words (with their synonyms) and places are answered
from reference data in memory; supplier
names come from the completion suggester of the supplier index (its inputs
are folded names, see search.documents), through service.run so that an
unreachable cluster is a 503 like every other search.
"""

from __future__ import annotations

import re
from functools import cache

from search.index import SupplierIndex
from search.text import fold

from .. import places
from ..reference import catalog
from .service import run

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@cache
def _labels() -> tuple[tuple[int, catalog.Capability, tuple[tuple[str, ...], ...]], ...]:
    """Each taxonomy node with the folded words of its two labels, in file order."""
    return tuple((position, node, (tuple(words(node.label_fr)), tuple(words(node.label_en))))
                 for position, node in enumerate(catalog.capabilities()))


def _rank(typed: list[str], label: tuple[str, ...]) -> int | None:
    """0: the label starts with the words typed; 1: its words start with them elsewhere; None."""
    if all(i < len(label) and label[i].startswith(word) for i, word in enumerate(typed)):
        return 0
    if all(any(label_word.startswith(word) for label_word in label) for word in typed):
        return 1
    return None


def capabilities(text: str, limit: int) -> list[dict]:
    """Nodes with a label (French or English) whose words start with the words typed.

    Labels that start with them come first, then broader nodes before narrower
    ones, shorter labels before longer ones, then taxonomy order.
    """
    typed = words(text)
    if not typed:
        return []
    ranked = []
    for position, node, labels in _labels():
        matches = [(rank, len(" ".join(label))) for label in labels
                   if (rank := _rank(typed, label)) is not None]
        if matches:
            rank, length = min(matches)
            ranked.append(((rank, node.depth, length, position), node))
    ranked.sort(key=lambda item: item[0])
    return [{"code": node.code, "label_fr": node.label_fr, "label_en": node.label_en}
            for _, node in ranked[:limit]]


@cache
def _terms() -> tuple[tuple[int, tuple[str, ...], tuple[tuple[str, ...], ...]], ...]:
    """Each group of the vocabulary with the folded words of its terms, in file order."""
    return tuple((position, group, tuple(tuple(words(term)) for term in group))
                 for position, group in enumerate(catalog.term_groups()))


def trade_terms(text: str, limit: int) -> list[dict]:
    """Terms whose words start with the words typed, one per group, with the group's other terms.

    Terms that start with them come first, then shorter terms, then file order."""
    typed = words(text)
    if not typed:
        return []
    ranked = []
    for position, terms, folded in _terms():
        matches = [(rank, len(term), term) for term, term_words in zip(terms, folded)
                   if (rank := _rank(typed, term_words)) is not None]
        if matches:
            rank, length, term = min(matches)
            ranked.append(((rank, length, position), term, terms))
    ranked.sort(key=lambda item: item[0])
    return [{"term": term, "synonyms": [other for other in terms if other != term]}
            for _, term, terms in ranked[:limit]]


def suppliers(index: SupplierIndex, text: str, limit: int) -> list[dict]:
    """Suppliers whose trade or legal name starts with the text, one per distinct name.

    The suggester's analyzer keeps letters only, so a text without any (a postal
    code) would be an empty prefix matching everything: nothing is suggested then.
    """
    prefix = fold(text).strip()
    if not any(c.isalpha() for c in prefix):
        return []
    body = {"size": 0, "_source": ["id", "name"],
            "suggest": {"suppliers": {"prefix": prefix, "completion": {
                "field": "suggest", "size": limit, "skip_duplicates": True}}}}
    options = run(index, body)["suggest"]["suppliers"][0]["options"]
    found, seen = [], set()
    for option in options:
        source = option["_source"]
        if source["id"] not in seen:
            seen.add(source["id"])
            found.append({"id": source["id"], "name": source["name"]})
    return found


def places_for(text: str, limit: int) -> list[dict]:
    return [{"name": p.name, "postal_code": p.postal_code, "department": p.department,
             "lat": p.latitude, "lon": p.longitude} for p in places.suggest(text, limit)]


def suggest(index: SupplierIndex, args: dict) -> dict:
    text, limit = args["q"], args["limit"]
    return {"q": text, "capabilities": capabilities(text, limit), "terms": trade_terms(text, limit),
            "suppliers": suppliers(index, text, limit), "places": places_for(text, limit)}
