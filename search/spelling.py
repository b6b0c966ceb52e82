"""'Did you mean': the nearest known words to the words of a query that found nothing.

The search itself tolerates one typo after a correct first letter; this tolerates what it
does not (a wrong first letter, two typos) by looking for words a few edits away in a
lexicon: the trade's vocabulary and the taxonomy's labels, which are the words buyers type.
It runs only when a text search found nothing, so a plain scan of the lexicon is fast enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MIN_LENGTH = 4  # shorter words are abbreviations or names: guessing there misleads
MAX_WORDS = 10  # a longer text is no misspelt query but a pasted one: not worth the scan


def max_edits(word: str) -> int:
    return 1 if len(word) < 7 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours from a to b; limit + 1 when more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit and min(previous) > limit:  # a swap reaches back two rows
            return limit + 1
        before, previous = previous, current
    return previous[-1]


class Speller:
    def __init__(self, words: Iterable[str]):
        # Sorted: among equally near words, the same one is always chosen.
        self.words = frozenset(words)
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(self.words):
            self._by_length.setdefault(len(word), []).append(word)

    def nearest(self, word: str) -> str | None:
        """The known word fewest edits away (within max_edits), if any."""
        limit, best, best_distance = max_edits(word), None, None
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate in self._by_length.get(length, ()):
                distance = edit_distance(word, candidate, limit)
                if distance <= limit and (best_distance is None or distance < best_distance):
                    best, best_distance = candidate, distance
        return best

    def correct(self, words: Sequence[str]) -> list[str] | None:
        """The words with each unknown one replaced by its nearest known word; None if none was."""
        if len(words) > MAX_WORDS:
            return None
        corrected = [word if word in self.words or len(word) < MIN_LENGTH or not word.isalpha()
                     else self.nearest(word) or word for word in words]
        return corrected if corrected != list(words) else None
