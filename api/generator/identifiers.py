"""Identifiers and contact details of generated suppliers: valid company numbers, domains, phones."""

from __future__ import annotations

import random

from stdnum import luhn

from search.text import fold

# SIREN numbers: 8 digits + Luhn key. Supplier i gets base FIRST + (STRIDE·i + offset) mod SPAN:
# a bijection (STRIDE is coprime with SPAN), so numbers are unique and look scattered.
SIREN_FIRST, SIREN_SPAN, SIREN_STRIDE = 10_000_000, 90_000_000, 7_777_777


def siren_of(index: int, seed: int) -> str:
    base = str(SIREN_FIRST + (SIREN_STRIDE * index + seed * 104_729) % SIREN_SPAN)
    return base + luhn.calc_check_digit(base)


def siret_of(siren: str, establishment: int = 1) -> str:
    base = f"{siren}{establishment:04d}"
    return base + luhn.calc_check_digit(base)


def french_vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def phone(rng: random.Random, department: str | None) -> str:
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

