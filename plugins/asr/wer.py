"""Word error rate after Whisper's English text normaliser, as published Whisper/ASR results are scored.

``normalize`` is OpenAI Whisper's ``EnglishTextNormalizer`` (MIT; from the ``whisper-normalizer`` package, which
ships Whisper's rules unchanged): lower case, brackets and fillers removed, contractions and British spellings
standardised, spelled-out numbers turned into digits ("ten meters" -> "10 meters"), currencies and ordinals
written one way, punctuation removed. ``light_normalize`` is the project's earlier, smaller normaliser (digits
spelled out instead), kept only so the evaluation script can print the old numbers beside the new ones.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
            "twelve": "twelfth"}
_ABBREV = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint", "vs": "versus"}


def _below_100(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])


def number_words(n: int) -> list[str]:
    """English words for 0 <= n < 1,000,000; years 1100-1999 / 2010-2099 read in pairs (nineteen sixty one)."""
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:
        hi, lo = divmod(n, 100)
        return _below_100(hi) + (["hundred"] if lo == 0 else (["oh"] + _ONES[lo:lo + 1] if lo < 10 else _below_100(lo)))
    if n < 100:
        return _below_100(n)
    if n < 1000:
        h, rest = divmod(n, 100)
        return [_ONES[h], "hundred"] + (_below_100(rest) if rest else [])
    if n < 1_000_000:
        th, rest = divmod(n, 1000)
        return number_words(th) + ["thousand"] + (number_words(rest) if rest else [])
    return [str(n)]


@lru_cache(maxsize=1)
def _whisper_english():
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalize(text: str) -> list[str]:
    """Words of ``text`` after Whisper's English text normaliser."""
    return _whisper_english()(text).split()


def light_normalize(text: str) -> list[str]:
    """Words of ``text`` after the project's earlier normaliser (lower case, punctuation, digits spelled out)."""
    text = text.lower().replace("-", " ").replace("’", "'")
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    words: list[str] = []
    for w in text.split():
        w = w.strip("'")
        if not w:
            continue
        if w.isdigit():
            words += number_words(int(w))
        elif re.fullmatch(r"\d+(st|nd|rd|th)", w):  # 15th -> fifteenth
            spoken = number_words(int(w[:-2]))
            last = spoken[-1]
            spoken[-1] = _ORDINAL.get(last) or (last[:-1] + "ieth" if last.endswith("y") else last + "th")
            words += spoken
        else:
            words.append(_ABBREV.get(w, w))
    return words


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance between two word lists (substitutions, insertions, deletions cost 1)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


Normalizer = Callable[[str], list[str]]


def wer(reference: str, hypothesis: str, normalizer: Normalizer = normalize) -> float:
    """Word error rate (errors / reference words) after normalising both texts."""
    ref, hyp = normalizer(reference), normalizer(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


def corpus_wer(pairs: list[tuple[str, str]], normalizer: Normalizer = normalize) -> tuple[float, int, int]:
    """(overall WER, total errors, total reference words) over (reference, hypothesis) pairs."""
    errors = words = 0
    for ref, hyp in pairs:
        r = normalizer(ref)
        errors += edit_distance(r, normalizer(hyp))
        words += len(r)
    return errors / max(1, words), errors, words
