"""Arabic text normalised for search, so that spelling variants find each other.

أ إ آ ٱ → ا, ة → ه, ى → ي; tashkeel (diacritics) and tatweel removed; Latin lower-cased;
runs of spaces collapsed. Stored beside the original in a ``*_search`` column and applied to
the query the same way.
"""

import re

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_SPACES = re.compile(r"\s+")


def normalize_arabic(text: str) -> str:
    text = _DIACRITICS.sub("", text).translate(_LETTERS).lower()
    return _SPACES.sub(" ", text).strip()
