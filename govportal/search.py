"""Arabic and Kurdish text normalised for search, so that spelling variants find each other.

أ إ آ ٱ → ا, ة → ه, ى → ي; tashkeel (diacritics) and tatweel removed; Latin lower-cased;
runs of spaces collapsed. Kurdish keyboards type their own forms of three letters, which Arabic
text typed on them also takes: ک (keheh) → ك, ی (Farsi yeh) → ي, ە (ae) and ھ (heh doachashmee)
→ ه; so "مشروع السکن" typed on a Kurdish keyboard finds "مشروع السكن", and the reverse.

Stored beside the original in a ``*_search`` column and applied to the query the same way.
``KURDISH_FORMS``/``ARABIC_FORMS`` let SQL do the Kurdish folding with ``translate()`` (the
migration that recomputed the stored columns when it was added).
"""

import re

from django.db.backends.base.base import BaseDatabaseWrapper

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
KURDISH_FORMS, ARABIC_FORMS = "کیەھ", "كيهه"
_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", **dict(zip(KURDISH_FORMS, ARABIC_FORMS, strict=True))}
)
_SPACES = re.compile(r"\s+")


def normalize_arabic(text: str) -> str:
    text = _DIACRITICS.sub("", text).translate(_LETTERS).lower()
    return _SPACES.sub(" ", text).strip()


def column_translate(connection: BaseDatabaseWrapper, *, table: str, column: str, source: str, target: str) -> None:
    """Replace each letter of ``source`` with the letter of ``target`` at the same place, in every
    stored ``table.column`` that holds one: for a migration that adds a folding to
    ``normalize_arabic``, whose stored values only need the new letters folded.

    One UPDATE in the database, never a row through Python (a register holds a million letters):
    ``translate()`` on PostgreSQL, only for the rows a regular expression picks; nested ``replace()``
    elsewhere (SQLite has no ``translate()``).
    """
    if len(source) != len(target):
        raise ValueError("source and target must have the same number of letters")
    quoted_table, quoted = connection.ops.quote_name(table), connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        sql = f"UPDATE {quoted_table} SET {quoted} = translate({quoted}, %s, %s) WHERE {quoted} ~ %s"  # noqa: S608 - names quoted, letters passed as parameters
        params: list[str] = [source, target, f"[{source}]"]
    else:
        expression, params = quoted, []
        for old, new in zip(source, target, strict=True):
            expression = f"replace({expression}, %s, %s)"
            params += [old, new]
        holds = " OR ".join(f"instr({quoted}, %s) > 0" for _letter in source)
        sql = f"UPDATE {quoted_table} SET {quoted} = {expression} WHERE {holds}"  # noqa: S608 - as above
        params += list(source)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
