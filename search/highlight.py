"""Highlights of the text match, computed on the page of hits.

The index holds normalised text (no accents, singular words), so its own
highlighter would show 'decoupe' where the profile says 'Découpe'. Marking
the original words whose normalised form matches a query word, with the same
one-typo tolerance as the query, shows users their own text.
"""

from __future__ import annotations

import functools
import html
import re

from .text import fold, singular

_WORD = re.compile(r"\w+")
SNIPPET_CHARS = 160
FUZZY_MIN_LENGTH = 5  # as search.query.FUZZINESS: one typo from five letters up


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 1:i + 2] == b[i:i + 1] and a[i:i + 1] == b[i + 1:i + 2]
                                          and a[i + 2:] == b[i + 2:])
    return a[i:] == b[i + 1:]


# Words and capability labels repeat from hit to hit and page to page: remember the answers.
@functools.lru_cache(maxsize=65_536)
def matches(word: str, query_terms: tuple[str, ...]) -> bool:
    normalised = singular(fold(word))
    return any(normalised == term or (len(term) >= FUZZY_MIN_LENGTH and normalised[:1] == term[:1]
                                      and _one_edit_apart(normalised, term))
               for term in query_terms)


@functools.lru_cache(maxsize=8_192)
def mark(text: str, query_terms: tuple[str, ...]) -> str | None:
    """The text, HTML-escaped, with matching words in <em>; None when nothing matches."""
    parts, last, found = [], 0, False
    for match in _WORD.finditer(text):
        if matches(match.group(), query_terms):
            parts += [html.escape(text[last:match.start()]), f"<em>{html.escape(match.group())}</em>"]
            last, found = match.end(), True
    return "".join(parts + [html.escape(text[last:])]) if found else None


def snippet(text: str, query_terms: tuple[str, ...]) -> str | None:
    """A window of a long text around its first matching word."""
    first = next((m for m in _WORD.finditer(text) if matches(m.group(), query_terms)), None)
    if first is None:
        return None
    start = max(0, first.start() - SNIPPET_CHARS // 3)
    window = text[start:start + SNIPPET_CHARS]
    return ("…" if start else "") + mark(window, query_terms) + ("…" if start + SNIPPET_CHARS < len(text) else "")


def highlights(hit: dict, capability_labels: list[str], query_terms: tuple[str, ...]) -> dict:
    if not query_terms:
        return {}
    found = {
        "name": mark(hit["name"], query_terms),
        "legal_name": mark(hit["legal_name"], query_terms) if hit["legal_name"] != hit["name"] else None,
        "description": snippet(hit.get("description") or "", query_terms),
        "capabilities": [m for label in capability_labels if (m := mark(label, query_terms))] or None,
        "cities": [m for site in hit.get("sites", []) if (m := mark(site["city"], query_terms))] or None,
    }
    return {name: value for name, value in found.items() if value}
