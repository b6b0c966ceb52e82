"""Strategies for the formats the spec names where a pattern cannot say it all: check digits
(`siret`, `siren`, `vat`) and places the gazetteer knows (`place`)."""

from __future__ import annotations

from hypothesis import strategies as st
from stdnum import luhn

from api import places


def with_check_digit(base: str) -> str:
    return base + luhn.calc_check_digit(base)


def sirens() -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=8, max_size=8).map(with_check_digit)


def sirets() -> st.SearchStrategy[str]:
    """A SIREN, an establishment number, and the check digit over all 14."""
    return st.tuples(sirens(), st.text("0123456789", min_size=4, max_size=4)).map(
        lambda parts: with_check_digit("".join(parts)))


def french_vat_numbers() -> st.SearchStrategy[str]:
    """FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97."""
    return sirens().map(lambda siren: f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}")


def known_places() -> st.SearchStrategy[str]:
    """About 500 French place names of the gazetteer, spread over it."""
    names = sorted({place.name for place in places.all_places("FR")})
    return st.sampled_from(names[::max(1, len(names) // 500)])


FORMATS = {"siret": sirets(), "siren": sirens(), "vat": french_vat_numbers(), "place": known_places()}
