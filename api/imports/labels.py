"""Reference codes from what people type: a code, or a label in French or English.

"Fraisage 5 axes", "5-axis milling", "machining.milling.5axis" and "FRAISAGE 5 AXES"
are one capability; "iatf 16949" is the certification IATF 16949. Case, accents,
punctuation and spacing are ignored. For a name that matches nothing, the
closest codes are suggested (difflib, on the same normalised forms).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from ..reference import catalog
from .columns import normalise

SUGGESTIONS = 3


@dataclass(frozen=True)
class Vocabulary:
    kind: str  # what a code names, for messages: "capability", "sector"…
    codes: dict[str, str]  # normalised code or label -> code

    def code(self, text: str) -> str | None:
        return self.codes.get(normalise(text))

    def closest(self, text: str) -> list[str]:
        """Up to SUGGESTIONS codes whose code or label is nearest to `text`, nearest first."""
        matches = difflib.get_close_matches(normalise(text), self.codes, n=SUGGESTIONS * 3, cutoff=0.5)
        return list(dict.fromkeys(self.codes[match] for match in matches))[:SUGGESTIONS]

    def unknown(self, text: str) -> str:
        """The warning for a name that matches no code."""
        closest = self.closest(text)
        hint = f"; closest codes: {', '.join(closest)}" if closest else ""
        return f"Unknown {self.kind} {text!r} left out{hint}."


def _vocabulary(kind: str, entries) -> Vocabulary:
    codes: dict[str, str] = {}
    for code, *labels in entries:
        for name in (code, *labels):
            codes.setdefault(normalise(name), code)
    return Vocabulary(kind, codes)


@cache
def capabilities() -> Vocabulary:
    return _vocabulary("capability", ((c.code, c.label_fr, c.label_en) for c in catalog.capabilities()))


@cache
def certification_types() -> Vocabulary:
    return _vocabulary("certification type", ((c.code, c.name) for c in catalog.certification_types()))


@cache
def sectors() -> Vocabulary:
    return _vocabulary("sector", ((s.code, s.label_fr, s.label_en) for s in catalog.sectors()))


@cache
def digital_capabilities() -> Vocabulary:
    return _vocabulary("digital capability",
                       ((d.code, d.label_fr, d.label_en) for d in catalog.digital_capabilities()))


def preload() -> None:
    """Build every vocabulary now, so that the first row does not pay for it."""
    for vocabulary in (capabilities, certification_types, sectors, digital_capabilities):
        vocabulary()
